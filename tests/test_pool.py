"""The worker pool behind `rammegraf serve`: a time limit that covers waiting and
running, abandoned requests stopped, a full queue answered at once, and quick
work answered while slow work floods in."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from rammegraf.store import graph_files
from rammegraf.web.pool import Busy, JobFailed, Pool, Stopped

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"   # 1950³ rows: minutes
ASK = "ASK { ?s a rg:Initiative }"
SPEC = ("files", tuple(str(p) for p in graph_files()))
ACCEPT = "application/sparql-results+json"


def sparql(pool: Pool, text: str, timeout: float = 5.0):
    return pool.run("sparql", text, ACCEPT, None, "da", 100, False, timeout=timeout)


def run(coroutine):
    """Run on a fresh loop in its own thread: the session's Playwright browser
    keeps an event loop running on the main thread once a browser test ran."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


async def started(**options) -> Pool:
    pool = Pool(SPEC, **options)
    await pool.start()
    return pool


def test_a_quick_query_is_answered_while_a_slow_one_runs_to_its_limit():
    async def scenario():
        pool = await started(workers=2)
        try:
            slow = asyncio.ensure_future(sparql(pool, SLOW, timeout=1.5))
            await asyncio.sleep(0.2)
            start = time.perf_counter()
            quick = await sparql(pool, ASK)
            quick_seconds = time.perf_counter() - start
            start = time.perf_counter()
            with pytest.raises(Stopped, match="stoppet efter 1.5 sekunder"):
                await slow
            return quick, quick_seconds, time.perf_counter() - start
        finally:
            await pool.close()

    quick, quick_seconds, waited = run(scenario())
    assert quick["body"] == b'{"head":{},"boolean":true}'
    assert quick_seconds < 0.5
    assert waited < 1.6  # stopped at its limit, 1.5 s after it was sent


def test_the_limit_counts_the_time_spent_waiting():
    """Both workers are busy with slow queries: a third waits in the queue, and its
    limit runs out there, not only once it starts."""
    async def scenario():
        pool = await started(workers=2)
        try:
            busy = [asyncio.ensure_future(sparql(pool, SLOW, timeout=3)) for _ in range(2)]
            await asyncio.sleep(0.1)
            start = time.perf_counter()
            with pytest.raises(Stopped):
                await sparql(pool, SLOW + " # another", timeout=0.8)
            waited = time.perf_counter() - start
            for task in busy:
                task.cancel()
            return waited
        finally:
            await pool.close()

    assert 0.7 < run(scenario()) < 1.2


def test_a_stopped_worker_is_replaced_and_the_next_query_answered():
    async def scenario():
        pool = await started(workers=2)
        try:
            before = set(pool.pids())
            with pytest.raises(Stopped):
                await sparql(pool, SLOW, timeout=0.5)
            answer = await sparql(pool, ASK)
            return before, set(pool.pids()), answer
        finally:
            await pool.close()

    before, after, answer = run(scenario())
    assert len(before & after) == 1 and len(after) == 2  # the worker that ran the slow query is new
    assert answer["body"].endswith(b"true}")


def test_an_abandoned_request_stops_its_work():
    async def scenario():
        pool = await started(workers=2)
        try:
            before = set(pool.pids())
            task = asyncio.ensure_future(sparql(pool, SLOW, timeout=30))
            await asyncio.sleep(0.3)
            task.cancel()  # what the web layer does when the client goes away
            await asyncio.sleep(0.3)
            return before, set(pool.pids()), pool._running()
        finally:
            await pool.close()

    before, after, running = run(scenario())
    assert running == [] and len(before - after) == 1


def test_after_a_hundred_abandoned_requests_the_next_ask_is_quick():
    async def scenario():
        pool = await started(workers=2)
        try:
            tasks = [asyncio.ensure_future(sparql(pool, SLOW + f" # {n}", timeout=30)) for n in range(100)]
            await asyncio.sleep(0.5)
            for task in tasks:
                task.cancel()
            start = time.perf_counter()
            answer = await sparql(pool, ASK)
            return time.perf_counter() - start, answer, len(pool.fast) + len(pool.slow)
        finally:
            await pool.close()

    seconds, answer, queued = run(scenario())
    assert answer["body"].endswith(b"true}") and queued == 0
    assert seconds < 1.0


def test_a_full_queue_answers_busy_at_once():
    async def scenario():
        pool = await started(workers=2, queue=3)
        try:
            tasks = [asyncio.ensure_future(sparql(pool, SLOW + f" # {n}", timeout=30)) for n in range(5)]
            await asyncio.sleep(0.1)  # two run, three wait: the queue is full
            start = time.perf_counter()
            with pytest.raises(Busy) as caught:
                await sparql(pool, ASK)
            seconds = time.perf_counter() - start
            for task in tasks:
                task.cancel()
            return seconds, caught.value.retry_after
        finally:
            await pool.close()

    seconds, retry_after = run(scenario())
    assert seconds < 0.05 and retry_after >= 1


def test_quick_work_is_answered_while_sixty_slow_queries_flood_in():
    """Sixty copies of one slow query: once it is known to be slow, its copies wait
    in the slow lane (or are turned away at once), one worker stays free, and a
    cheap ASK is answered within a second every time."""
    async def scenario():
        pool = await started(workers=2, slow_after=0.3)
        outcomes: dict[str, int] = {}

        async def flood():
            try:
                await sparql(pool, SLOW, timeout=4)
                outcomes["ok"] = outcomes.get("ok", 0) + 1
            except Busy:
                outcomes["busy"] = outcomes.get("busy", 0) + 1
            except Stopped:
                outcomes["stopped"] = outcomes.get("stopped", 0) + 1

        try:
            slow = [asyncio.ensure_future(flood()) for _ in range(60)]
            await asyncio.sleep(0.6)
            times = []
            for _ in range(10):
                start = time.perf_counter()
                answer = await sparql(pool, ASK)
                times.append(time.perf_counter() - start)
                assert answer["body"].endswith(b"true}")
                await asyncio.sleep(0.05)
            await asyncio.gather(*slow)
            return times, outcomes
        finally:
            await pool.close()

    times, outcomes = run(scenario())
    assert max(times) < 1.0, times
    assert outcomes.get("busy", 0) >= 50  # turned away fast, not queued for seconds


def test_a_job_error_keeps_its_status_and_sentence():
    async def scenario():
        pool = await started(workers=2)
        try:
            with pytest.raises(JobFailed) as refused:
                await sparql(pool, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
            with pytest.raises(JobFailed) as broken:
                await sparql(pool, "SELECT * WHERE { ?s ?p }")
            return refused.value, broken.value
        finally:
            await pool.close()

    refused, broken = run(scenario())
    assert refused.status == 403 and "SPARQL Update er ikke tilladt" in str(refused)
    assert broken.status == 400 and "ikke gyldig SPARQL" in str(broken)


def test_a_store_that_cannot_be_opened_stops_the_start_with_a_sentence(tmp_path):
    async def scenario():
        pool = Pool(("store", str(tmp_path / "nothing-here")), workers=2)
        try:
            await pool.start()
        finally:
            await pool.close()

    from rammegraf.errors import RammegrafError

    with pytest.raises(RammegrafError, match="lageret kan ikke åbnes"):
        run(scenario())


def test_a_client_that_disconnects_stops_its_query_on_a_live_server(web_data):
    from conftest import live_server

    with live_server(data_dirs=(web_data,), timeout=30, workers=2) as (port, app):
        pool = app.state.web.pool
        before = set(pool.pids())
        from urllib.parse import quote

        conn = socket.create_connection(("127.0.0.1", port))
        conn.sendall(f"GET /sparql?query={quote(SLOW)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {ACCEPT}\r\n\r\n".encode())
        time.sleep(0.5)
        assert len(pool._running()) == 1
        conn.close()  # the client gives up
        for _ in range(40):
            if not pool._running():
                break
            time.sleep(0.05)
        assert pool._running() == [] and len(before - set(pool.pids())) == 1


def test_a_large_answer_arrives_whole_under_uvloop():
    """uvloop (what `serve` runs on) makes the pipe non-blocking when it watches it;
    an answer of megabytes arrives in pieces, and reading it must wait for the rest
    rather than take the worker for dead (it did: the graph page answered 500)."""
    import json

    import uvloop

    big = ("SELECT ?s ?p ?o ?l WHERE { ?s ?p ?o . ?x rdfs:label ?l } LIMIT 30000")

    async def scenario():
        pool = await started(workers=2)
        try:
            return await pool.run("sparql", big, ACCEPT, None, "da", 30000, False, timeout=60)
        finally:
            await pool.close()

    def in_uvloop():
        loop = uvloop.new_event_loop()
        try:
            return loop.run_until_complete(scenario())
        finally:
            loop.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as executor:
        answer = executor.submit(in_uvloop).result()
    assert len(answer["body"]) > 4_000_000
    assert len(json.loads(answer["body"])["results"]["bindings"]) == 30000


def test_a_job_on_a_sparql_server_has_its_own_limit_for_each_answer(monkeypatch):
    """A worker on a SPARQL server gives each answer as long as the job has in all (sent with the
    job): a page finished in the background (page_timeout) or computed ahead (warm_timeout) was
    stopped at the reader's 10 s by the first slow answer. A job sent without one keeps the
    engine's (--timeout)."""
    import multiprocessing
    import threading

    from rammegraf.engine import RemoteEngine
    from rammegraf.web import jobs, worker

    monkeypatch.setitem(jobs.JOBS, "limit_probe", lambda engine: getattr(engine, "timeout", None))
    for engine, sent, seen in [(RemoteEngine("http://127.0.0.1:9/sparql", timeout=10.0), 120.0, 120.0),
                               (RemoteEngine("http://127.0.0.1:9/sparql", timeout=10.0), None, 10.0)]:
        ours, theirs = multiprocessing.Pipe()
        runner = threading.Thread(target=worker._run_jobs, args=(theirs, engine))
        runner.start()
        ours.send((1, "limit_probe", ()) if sent is None else (1, "limit_probe", (), sent))
        assert ours.recv() == ("ok", 1, seen)
        ours.close()
        runner.join(5)
        assert not runner.is_alive()
