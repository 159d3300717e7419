"""The HTTP server held to limits (rammegraf.web.server): a request head has a
size, a header count and a time to arrive; idle connections close; past the
connection cap a connection is answered 503 and closed at once; and the pool
takes clients in turn, so distinct slow queries from one client cannot starve
another's quick one."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import httpx2 as httpx
import pytest
from conftest import live_server

from rammegraf.web.server import Limits

REQUEST = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n"


def read_answer(conn: socket.socket, timeout: float = 10.0) -> bytes:
    conn.settimeout(timeout)
    answer = b""
    try:
        while chunk := conn.recv(65536):
            answer += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return answer


@pytest.fixture(scope="module")
def port(web_data):
    with live_server(data_dirs=(web_data,), limits=Limits(head_seconds=1.0, request_seconds=3.0,
                                                          connections=40)) as (number, _):
        yield number


def test_eight_megabytes_of_headers_in_one_request_are_431(port):
    with socket.create_connection(("127.0.0.1", port)) as conn:
        try:
            conn.sendall(REQUEST + b"X-Filler: " + b"a" * 8_000_000 + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass   # the server closed the connection while we were still sending
        answer = read_answer(conn)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert "for stort".encode() in answer


def test_too_many_header_lines_are_431(port):
    lines = b"".join(b"X-%d: 1\r\n" % n for n in range(150))
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(REQUEST + lines + b"\r\n")
        answer = read_answer(conn)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]


def test_header_lines_streamed_without_end_are_cut_off_early(port):
    """Four connections streaming header lines: each is refused after about the cap
    (32 KB), not read until the client stops (300 MB each in the attack)."""
    sent = []
    for _ in range(4):
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(REQUEST)
            total = 0
            try:
                for n in range(100_000):
                    conn.sendall(b"X-Line-%d: %s\r\n" % (n, b"b" * 100))
                    total += 110
            except (BrokenPipeError, ConnectionResetError):
                pass
            sent.append(total)
            assert read_answer(conn).startswith(b"HTTP/1.1 431") or total < 1_000_000
    assert max(sent) < 2_000_000, sent   # the kernel's buffers, not the server, held the rest


def test_a_connection_that_sends_nothing_is_closed(port):
    with socket.create_connection(("127.0.0.1", port)) as conn:
        start = time.perf_counter()
        answer = read_answer(conn, timeout=10)
        seconds = time.perf_counter() - start
    assert answer == b"" and 0.8 < seconds < 3.0


def test_a_head_sent_a_line_at_a_time_is_408_at_its_time_limit(port):
    with socket.create_connection(("127.0.0.1", port)) as conn:
        start = time.perf_counter()
        conn.sendall(REQUEST)
        try:
            for n in range(20):
                time.sleep(0.2)
                conn.sendall(b"X-Slow-%d: 1\r\n" % n)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = read_answer(conn)
        seconds = time.perf_counter() - start
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert seconds < 3.0


def test_a_body_that_never_ends_is_408_at_the_request_limit(port):
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000\r\n\r\nASK")
        start = time.perf_counter()
        answer = read_answer(conn)
        seconds = time.perf_counter() - start
    assert (answer.startswith(b"HTTP/1.1 408") or answer == b"") and seconds < 5.0


def test_past_the_connection_cap_a_connection_is_503_and_closed_and_the_rest_still_work(port):
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
    try:
        refused = []
        for conn in idle[45:]:
            answer = read_answer(conn, timeout=0.5)
            refused.append(answer.startswith(b"HTTP/1.1 503") and "for mange forbindelser".encode() in answer)
        assert all(refused), refused
    finally:
        for conn in idle:
            conn.close()
    time.sleep(0.3)
    assert httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                     headers={"accept": "application/sparql-results+json"}).status_code == 200


def test_kept_alive_connections_answer_one_request_after_another(port):
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(5):
            answer = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "application/sparql-results+json"})
            assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_with_256_file_descriptors_idle_connections_cannot_take_the_server(web_data):
    """245 idle connections to a server that may open 256 files: past its cap (half
    of them) each is answered 503 and closed, so the server keeps descriptors for
    its work; once the idle ones time out (10 s), requests are answered again."""
    import resource

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    server = subprocess.Popen([sys.executable, "-m", "rammegraf", "serve", "--port", "0", "--workers", "2",
                               "--data", str(web_data)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=low_limit)
    idle = []
    try:
        line = server.stdout.readline()
        assert line.startswith("rammegraf kører på"), (line, server.stderr.read()[-2000:])
        port = int(line.split()[3].rstrip("/").rsplit(":", 1)[1])
        for _ in range(245):
            idle.append(socket.create_connection(("127.0.0.1", port)))
        time.sleep(0.5)
        closed = sum(1 for conn in idle if read_answer(conn, timeout=0.01).startswith(b"HTTP/1.1 503"))
        during = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                           headers={"accept": "application/sparql-results+json"}, timeout=5)
        time.sleep(10.5)
        after = [httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                           headers={"accept": "application/sparql-results+json"}, timeout=5).status_code
                 for _ in range(10)]
    finally:
        for conn in idle:
            conn.close()
        server.terminate()
        server.wait(timeout=30)
    assert closed >= 245 - 96        # the cap is (256 - 64) / 2
    assert during.status_code == 503 and "for mange forbindelser" in during.text   # a sentence, not a reset
    assert after == [200] * 10


# --- fair turns ---------------------------------------------------------------------------------

SLOW = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i {filler} }}"


def test_a_hundred_and_fifty_distinct_slow_queries_do_not_starve_a_quick_ask(web_data):
    """One client sends 150 slow queries, each made distinct (a random comment, or a
    different filter); a quick ASK, from the same client or another, is answered
    within two seconds each time (before: queued behind them, then 503)."""
    import random

    async def scenario(port: int):
        limits = httpx.Limits(max_connections=400)
        attacker = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits)
        other = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                  transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2"))
        headers = {"accept": "application/sparql-results+json"}
        rng = random.Random(23)

        async def slow(n: int):
            # a random comment each, or a shape of its own each (n filters)
            filler = f"# {rng.random()}\n" if n % 2 else "FILTER(BOUND(?a)) " * (n // 2 + 1)
            try:
                return (await attacker.get("/sparql", params={"query": SLOW.format(filler=filler)},
                                           headers=headers)).status_code
            except httpx.HTTPError:
                return 0

        asked = iter(range(1000))

        async def ask(client):   # a new text each time: the answer cache does not answer it
            start = time.perf_counter()
            answer = await client.get("/sparql", params={"query": f"ASK {{ ?s a rg:Initiative }} # {next(asked)}"},
                                      headers=headers)
            return answer.status_code, time.perf_counter() - start

        await ask(attacker)      # the ASK's kind is known to be quick
        flood = [asyncio.ensure_future(slow(n)) for n in range(150)]
        await asyncio.sleep(1.0)
        asks = []
        for _ in range(5):
            asks.append(await ask(other))
            asks.append(await ask(attacker))
            await asyncio.sleep(0.2)
        statuses = await asyncio.gather(*flood)
        await attacker.aclose()
        await other.aclose()
        return asks, statuses

    with live_server(data_dirs=(web_data,), workers=2, timeout=6.0) as (port, _):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as executor:
            asks, statuses = executor.submit(asyncio.run, scenario(port)).result()
    assert all(status == 200 for status, _ in asks), asks
    assert max(seconds for _, seconds in asks) < 2.0, asks
    assert set(statuses) == {503}           # the flood: turned away or stopped at its limit, no other error
