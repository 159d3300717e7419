"""What the intranet guards of issue 23 cost, and what they hold off, in one run.

Two servers on the same data, each on loopback:

- **guarded**: `rammegraf serve` as shipped: uvicorn's httptools protocol held to
  limits (rammegraf.web.server), workers with the network filter and a memory cap;
- **stock** (the baseline): the same app under uvicorn's own protocol and
  settings, its workers without the network filter and without a memory cap
  (tests/nocheck/sitecustomize.py switches the filter off in every process).

Measured on each: requests per second and p99 of 20 keep-alive clients sending the
one-line COUNT of initiatives (answer cache off, so every request reaches a
worker; and at its default); the web process's resident memory after four
connections stream header lines (up to 300 MB each, or until the server closes);
and whether a request is answered while 500 idle connections are open.

    .venv/bin/python benchmarks/limits.py --rounds 3 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from load import run  # noqa: E402
from serve import COUNT, free_port, median_result, rss_mb, wait_ready  # noqa: E402

STOCK = """
import sys, uvicorn
from rammegraf.web import Settings, create_app
app = create_app(Settings(answer_cache=int(sys.argv[2]) * 1_000_000, worker_memory=0))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def start(kind: str, answer_cache: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    if kind == "guarded":
        command = [str(ROOT / ".venv" / "bin" / "rammegraf"), "serve", "--port", str(port),
                   "--answer-cache", str(answer_cache), "--access-log", os.devnull]
        env = dict(os.environ)
    else:
        command = [sys.executable, "-c", STOCK, str(port), str(answer_cache)]
        env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "nocheck"), RAMMEGRAF_TEST_NO_SANDBOX="1")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wait_ready(url, process)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def stream_headers(port: int, *, connections: int = 4, megabytes: int = 300) -> int:
    """Stream header lines on ``connections`` connections until the server closes each
    or ``megabytes`` went; the bytes sent in all."""
    line = b"X-Filler-Line: " + b"b" * 100 + b"\r\n"
    sent = 0
    for _ in range(connections):
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            block = line * 8192
            try:
                for _ in range(megabytes * 2**20 // len(block)):
                    conn.sendall(block)
                    sent += len(block)
            except OSError:
                pass
    return sent


def idle_then_ask(port: int, *, idle: int = 500) -> str:
    import urllib.request
    from urllib.parse import quote

    held = []
    try:
        for _ in range(idle):
            held.append(socket.create_connection(("127.0.0.1", port)))
        time.sleep(0.5)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query={quote('ASK {}')}", timeout=5) as r:
                return str(r.status)
        except urllib.error.HTTPError as error:
            return str(error.code)
        except OSError as error:
            return type(error).__name__
    finally:
        for conn in held:
            conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    print("| what | guarded | stock (baseline) | ratio (stock ÷ guarded) |")
    print("| --- | --- | --- | --- |")
    for cache in (0, 32):
        servers = {kind: start(kind, cache) for kind in ("guarded", "stock")}
        try:
            results: dict[str, list] = {kind: [] for kind in servers}
            for _ in range(options.rounds):
                for kind, (_, url) in servers.items():
                    results[kind].append(asyncio.run(run(url, COUNT, clients=20, seconds=options.seconds)))
            ours, theirs = median_result(results["guarded"]), median_result(results["stock"])
            print(f"| COUNT, answer cache {cache} MB: req/s | {ours[0]:,.0f} | {theirs[0]:,.0f} | "
                  f"{theirs[0] / ours[0]:.2f}× |")
            print(f"| COUNT, answer cache {cache} MB: p99 ms | {ours[2] * 1000:.1f} | {theirs[2] * 1000:.1f} | "
                  f"{theirs[2] / ours[2]:.2f}× |")
            if cache == 32:
                rows = {}
                for kind, (process, url) in servers.items():
                    port = int(url.split(":")[2].split("/")[0])
                    before = rss_mb(process.pid)
                    start_time = time.perf_counter()
                    sent = stream_headers(port)
                    rows[kind] = (before, rss_mb(process.pid), sent, time.perf_counter() - start_time,
                                  idle_then_ask(port))
                g, s = rows["guarded"], rows["stock"]
                print(f"| 4 connections streaming header lines: MB sent before the server closed | "
                      f"{g[2] / 2**20:,.1f} | {s[2] / 2**20:,.1f} | – |")
                print(f"| web process resident MB before → after | {g[0]:,.0f} → {g[1]:,.0f} | "
                      f"{s[0]:,.0f} → {s[1]:,.0f} | {(s[1] - s[0]) / max(g[1] - g[0], 1):.0f}× the growth |")
                print(f"| a request while 500 idle connections are open | {g[4]} | {s[4]} | – |")
        finally:
            for process, _ in servers.values():
                stop(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
