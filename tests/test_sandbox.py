"""The web app's workers: no network by any road, bounded memory, a deep stack.

The SPARQL check (rammegraf.sparql.refuse) is the first guard against SERVICE;
these tests show the second one holds without it: a worker cannot open a
network socket at all (rammegraf.sandbox), so every SERVICE variant reaches no
listener even with the check switched off in every process of a real server
(tests/nocheck/sitecustomize.py), and the same server with the sandbox off as
well does connect (the control that shows the first test could fail)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
from conftest import Watch, live_server
from test_protocol import REAL_ATTACKS, bypasses

from rammegraf.web.pool import JobFailed, OutOfMemory, Pool

JSON = {"accept": "application/sparql-results+json"}
HTML = {"accept": "text/html"}
SERVICE_VARIANTS = [name for name in REAL_ATTACKS]   # each of these connects when Oxigraph runs it unchecked


# --- the filter itself ---------------------------------------------------------------------

PROBE = r"""
import socket, sys, threading
import pyoxigraph as ox
from rammegraf.sandbox import forbid_network
port = int(sys.argv[1])
if sys.argv[2] == "guarded":
    forbid_network()
out = []
for family in (socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(family).close(); out.append("open")
    except PermissionError:
        out.append("refused")
a, b = socket.socketpair(); a.send(b"x"); out.append("unix " + b.recv(1).decode())
def in_thread():
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close(); out.append("thread connected")
    except PermissionError:
        out.append("thread refused")
thread = threading.Thread(target=in_thread); thread.start(); thread.join()
for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
              f"SELECT * WHERE {{ SERVICE <http://localhost:{port}/sparql> {{ ?s ?p ?o }} }}"):
    try:
        list(ox.Store().query(query)); out.append("query ran")
    except OSError as error:
        out.append(type(error).__name__)
print(" / ".join(out))
"""


@pytest.mark.parametrize("mode", ["guarded", "control"])
def test_a_guarded_process_opens_no_network_socket_in_any_thread(mode):
    watch = Watch()
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, str(watch.port), mode], capture_output=True,
                              text=True, timeout=60)
        time.sleep(0.3)
    finally:
        watch.close()
    assert done.returncode == 0, done.stderr
    if mode == "guarded":
        assert done.stdout.split(" / ")[:4] == ["refused", "refused", "unix x", "thread refused"], done.stdout
        assert done.stdout.count("PermissionError") == 2
        assert watch.connections == []
    else:   # without the filter the same probe connects: the listener and the query are real
        assert done.stdout.startswith("open / open / unix x / thread connected")
        assert len(watch.connections) >= 2


# --- a real server with the query check switched off ------------------------------------------

@contextmanager
def server_without_check(*, sandbox: bool):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(__file__).parent / "nocheck"), os.environ.get("PYTHONPATH", "")]),
        RAMMEGRAF_TEST_NO_QUERY_CHECK="1")
    if not sandbox:
        env["RAMMEGRAF_TEST_NO_SANDBOX"] = "1"
    server = subprocess.Popen([sys.executable, "-m", "rammegraf", "serve", "--port", "0", "--workers", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = server.stdout.readline()
        assert line.startswith("rammegraf kører på http://127.0.0.1:"), (line, server.stderr.read()[-2000:])
        with httpx.Client(base_url=line.split()[3].rstrip("/"), timeout=30) as client:
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)


def send(client, query: str, how: str):
    if how == "get":
        return client.get("/sparql", params={"query": query}, headers=JSON)
    if how == "form":
        return client.post("/sparql", data={"query": query}, headers=JSON)
    if how == "direct":
        return client.post("/sparql", content=query.encode(), headers={"content-type": "application/sparql-query",
                                                                         **JSON})
    if how == "editor":    # the editor page, by its own form
        return client.post("/sparql", data={"query": query}, headers=HTML)
    raise ValueError(how)


def test_with_the_check_off_no_service_variant_reaches_a_listener():
    watch = Watch()
    answers = []
    try:
        with server_without_check(sandbox=True) as client:
            # the check is really off: a plain SERVICE is not refused with 403 but fails in the worker
            for name, query in bypasses(watch.port):
                if name not in SERVICE_VARIANTS:
                    continue
                for how in ("get", "form", "direct", "editor"):
                    answers.append((name, how, send(client, query, how)))
            time.sleep(0.5)
    finally:
        watch.close()
    assert watch.connections == []
    assert len(answers) == 4 * len(SERVICE_VARIANTS)
    assert not any(r.status_code == 403 for _, _, r in answers)       # nothing was refused by the check
    assert any("Permission denied" in r.text for _, _, r in answers)  # the worker's socket() was refused
    statuses = {r.status_code for _, _, r in answers}
    assert statuses <= {200, 400, 406}, statuses     # SILENT: 200 with no rows; CONSTRUCT as JSON: 406


def test_the_control_with_the_check_and_the_sandbox_off_connects():
    watch = Watch()
    try:
        with server_without_check(sandbox=False) as client:
            query = dict(bypasses(watch.port))["glued prefix"]
            send(client, query, "get")
            time.sleep(0.5)
    finally:
        watch.close()
    assert len(watch.connections) >= 1


# --- memory, stack, and bugs ------------------------------------------------------------------------

def doubling(times: int) -> str:
    """A query of about a kilobyte whose string doubles ``times`` times (2^times × 64 bytes)."""
    binds = " ".join(f"BIND(CONCAT(?a{i - 1}, ?a{i - 1}) AS ?a{i})" for i in range(1, times + 1))
    return f'SELECT (STRLEN(?a{times}) AS ?n) WHERE {{ BIND("{"x" * 64}" AS ?a0) {binds} }}'


def test_a_query_past_the_memory_cap_is_503_with_a_sentence_and_the_next_is_answered(web_data):
    with live_server(data_dirs=(web_data,), worker_memory=300, workers=2) as (port, _):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            start = time.perf_counter()
            big = client.get("/sparql", params={"query": doubling(40)}, headers=JSON)
            seconds = time.perf_counter() - start
            small = client.get("/sparql", params={"query": doubling(10)}, headers=JSON)
            editor = client.post("/sparql", data={"query": doubling(40)}, headers=HTML)
            after = client.get("/sparql", params={"query": "ASK { ?s a rg:Initiative }"}, headers=JSON)
    assert big.status_code == 503 and "hukommelse" in big.text and "300 MB" in big.text, big.text
    assert big.headers["retry-after"] == "5" and seconds < 8
    assert small.status_code == 200 and '"value":"65536"' in small.text
    assert editor.status_code == 503 and "hukommelse" in editor.text and "Traceback" not in editor.text
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_a_long_chain_that_overflows_an_ordinary_stack_is_answered():
    """15,000 terms joined by && (150 KB, under the query cap) overflow the 8 MB main
    stack of a process (shown here: Oxigraph run on it dies of SIGSEGV); the worker runs
    jobs on a deep stack and answers."""
    import subprocess
    import sys

    query = "ASK { BIND(1 AS ?x) FILTER(" + " && ".join(["?x = 1"] * 15_000) + ") }"
    assert len(query.encode()) < 256_000
    plain = subprocess.run([sys.executable, "-c", "import sys, pyoxigraph; pyoxigraph.Store().query(sys.stdin.read())"],
                           input=query, text=True, capture_output=True, timeout=300)
    assert plain.returncode == -11           # on an ordinary stack: a crash (12,000 terms do it)
    # Oxigraph's time grows with the square of the chain: 25,000 terms took 50 s on two
    # quiet cores, 15,000 take about a third of that; the limit leaves room for a loaded machine
    with live_server(workers=2, timeout=150) as (port, _):
        answer = httpx.post(f"http://127.0.0.1:{port}/sparql", content=query.encode(), timeout=180,
                            headers={"content-type": "application/sparql-query", **JSON})
    assert answer.status_code == 200 and answer.json()["boolean"] is True


@pytest.mark.parametrize("how", ["form", "direct", "editor"])   # 60 KB: past the longest URL a client sends
def test_thirty_thousand_nested_braces_are_400_with_a_sentence(how):
    query = "SELECT * WHERE " + "{" * 30_000 + "}" * 30_000
    with live_server(workers=2) as (port, _):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            answer = send(client, query, how)
    assert answer.status_code == 400, answer.text[:300]
    assert "over 200 parenteser eller klammer inden i hinanden" in answer.text


def test_a_bug_in_a_job_is_an_incident_number_and_its_traceback_stays_in_the_log(capfd):
    import asyncio

    from rammegraf.store import graph_files

    async def scenario():
        pool = Pool(("files", tuple(str(p) for p in graph_files())), workers=2)
        await pool.start()
        try:
            with pytest.raises(JobFailed) as caught:
                await pool.run("no-such-job", timeout=10)
            return caught.value
        finally:
            await pool.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as executor:
        failed = executor.submit(asyncio.run, scenario()).result()
    log = capfd.readouterr().err
    assert failed.status == 500 and "hændelse 1" in str(failed) and "incident 1" in str(failed)
    assert "Traceback" not in str(failed) and "KeyError" not in str(failed) and ".py" not in str(failed)
    assert "hændelse 1" in log and "Traceback" in log and "KeyError: 'no-such-job'" in log


@pytest.mark.parametrize("capped, message, answer", [
    (False, "called `Option::unwrap()` on a `None` value", "fatal"),
    (True, "PyObject pointer is null", "memory"),
    (True, "index out of bounds", "fatal"),
])
def test_a_panic_in_a_job_is_answered_and_ends_the_worker(monkeypatch, capped, message, answer):
    """pyo3's PanicException (a Rust panic in pyoxigraph or vl-convert) is no Exception:
    uncaught, it ended the job thread and the worker with exit code 0, and the reader got
    an incident that said only that (10M, /frister). Now the job is answered, as a bug or,
    under the memory cap when a Python object could not be made, as the cap; and the worker
    ends, as the state of the library that panicked is unknown."""
    from multiprocessing import Pipe

    from rammegraf.web import jobs, worker
    from rammegraf.web.pool import MEMORY_ERROR

    class PanicException(BaseException):
        pass

    def panics(engine, text):
        raise PanicException(text)

    monkeypatch.setitem(jobs.JOBS, "panics", panics)
    monkeypatch.setattr(worker, "_capped", lambda: capped)
    ours, theirs = Pipe()
    ours.send((1, "panics", (message,)))
    ours.send((2, "panics", ("never run",)))
    worker._run_jobs(theirs, None)                        # returns: the worker ends
    kind, job_id, payload = ours.recv()
    assert job_id == 1 and not ours.poll(0.2)             # the second job was not taken
    if answer == "memory":
        assert kind == "error" and payload == (MEMORY_ERROR, "")
    else:
        assert kind == "fatal" and "PanicException" in payload and message in payload


def test_what_a_worker_keeps_for_every_job_is_not_counted_against_its_cap():
    """The derived facts a worker reads once (800 MB at 10M) raise its cap by what they
    took: a worker capped at 2 GB ran out of memory on /frister at 10M (facts and the job)."""
    import subprocess
    import sys

    script = """
import resource
from rammegraf import sandbox
soft = lambda: resource.getrlimit(resource.RLIMIT_DATA)[0]
sandbox.allow_kept(100 * 2**20)
print(soft() == resource.RLIM_INFINITY)                       # no cap: none made
sandbox.limit_memory(1024)
capped = soft()
sandbox.allow_kept(100 * 2**20)
print(soft() - capped == 100 * 2**20)
sandbox.allow_kept(-5)
print(soft() - capped == 100 * 2**20)

import rammegraf.facts as facts
sizes = iter([10 * 2**20, 73 * 2**20])
import rammegraf.sandbox as sb
sb.data_size = lambda: next(sizes)
before = soft()
from rammegraf.engine import OxigraphEngine
from rammegraf.store import ensure_store
import tempfile, pathlib
folder = ensure_store(None, cache=pathlib.Path(tempfile.mkdtemp()))
import pyoxigraph as ox
engine = OxigraphEngine(ox.Store.read_only(str(folder)), folder=folder)
facts.facts_of(engine)
print(soft() - before == 63 * 2**20)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "True", "True", "True"], out.stderr[-2000:]


def test_a_job_waiting_behind_one_past_the_memory_cap_goes_to_a_new_worker():
    """A worker ends after answering that its memory cap was reached. The pool could give it
    the next waiting job before it saw it end, and that job failed as an incident, "the worker
    process ended with exit code 0" (10M: the report computed ahead ran out, then /frister
    failed). Now the pool replaces the worker as it reads the answer, before anyone can be
    given to it, and the next jobs are answered."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from rammegraf.store import graph_files

    def job(query):
        return ("sparql", query, "application/sparql-results+json", None, "da", 100, False)

    async def scenario():
        pool = Pool(("files", tuple(str(p) for p in graph_files())), workers=2, memory=300)
        await pool.start()
        try:
            before = {w.process.pid for w in pool.workers}
            try:
                await pool.run(*job(doubling(40)), timeout=30)
                failed = None
            except OutOfMemory as error:
                failed = error
            right_after = {w.process.pid for w in pool.workers}   # before the dead worker's end is read
            answers = await asyncio.gather(*[pool.run(*job(doubling(10)), timeout=30) for _ in range(4)])
            return failed, before, right_after, answers
        finally:
            await pool.close()

    with ThreadPoolExecutor(1) as executor:
        failed, before, right_after, answers = executor.submit(asyncio.run, scenario()).result()
    assert isinstance(failed, OutOfMemory)
    assert len(before - right_after) == 1 and len(right_after) == 2   # the one that ran it: replaced
    assert all(b'"value":"65536"' in a["body"] for a in answers), answers
