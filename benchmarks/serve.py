"""`rammegraf serve` against `oxigraph serve-read-only` on the same files, in one run.

For each size: both servers on loopback, 20 concurrent keep-alive clients sending
a one-line COUNT query, in alternating rounds (the median round of each is
reported, so a noisy neighbour hurts both); the time until each answers its first
query and the resident memory of its main process. Then, on rammegraf alone: a
cheap ASK while 60 slow queries are in flight, and the next ASK after 100
requests whose clients gave up.

    .venv/bin/python benchmarks/serve.py --sizes shipped,100k,1m
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import SIZES, generate  # noqa: E402
from load import Result, read_response, run  # noqa: E402

COUNT = "PREFIX rg: <https://w3id.org/rammegraf/ontology#> SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { ?s ?p ?o }"


def show(line: str = "") -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(url: str, process: subprocess.Popen, limit: float = 600.0) -> float:
    """Seconds from now until the server answers an ASK with 200."""
    import urllib.request

    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode()[-500:]}")
        try:
            with urllib.request.urlopen(f"{url}?query={quote(ASK)}", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("the server did not answer in time")


class Server:
    def __init__(self, name: str, command: list[str], url: str, env: dict | None = None) -> None:
        self.name = name
        started = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.url = url
        wait_ready(url, self.process)
        self.ready = time.perf_counter() - started
        self.rss = rss_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def data_dir(size: str) -> Path | None:
    if size == "shipped":
        return None
    folder = ROOT / "out" / f"bench-{size}"
    if not (folder / "data.nt").exists():
        years, per_year = SIZES[size]
        generate(folder, years=years, per_region_year=per_year, seed=1)
    return folder


def start_both(size: str, cache: Path, answer_cache: int) -> tuple[Server, Server]:
    from rammegraf.store import ensure_store

    folder = data_dir(size)
    env = {**os.environ, "RAMMEGRAF_CACHE": str(cache)}
    os.environ["RAMMEGRAF_CACHE"] = str(cache)
    store = ensure_store([folder] if folder else None)  # built once, before either server is timed
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    port = free_port()
    theirs = Server("oxigraph serve-read-only", [binary, "serve-read-only", "--location", str(store),
                                                 "--bind", f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/query")
    port = free_port()
    command = [str(ROOT / ".venv" / "bin" / "rammegraf"), "serve", "--port", str(port),
               "--answer-cache", str(answer_cache)]
    if folder:
        command += ["--data", str(folder)]
    ours = Server("rammegraf serve", command, f"http://127.0.0.1:{port}/sparql", env=env)
    return ours, theirs


def throughput(ours: Server, theirs: Server, *, rounds: int, seconds: float) -> dict[str, list[Result]]:
    results: dict[str, list[Result]] = {ours.name: [], theirs.name: []}
    for _ in range(rounds):
        for server in (ours, theirs):
            results[server.name].append(asyncio.run(run(server.url, COUNT, clients=20, seconds=seconds)))
    return results


def median_result(results: list[Result]) -> tuple[float, float, float]:
    rates = [r.rate for r in results]
    middle = sorted(results, key=lambda r: r.rate)[len(results) // 2]
    return statistics.median(rates), middle.percentile(50), statistics.median(r.percentile(99) for r in results)


async def _request(host: str, port: int, query: str, timeout: float) -> tuple[int, float]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: x\r\n"
                     "Accept: application/sparql-results+json\r\n\r\n".encode())
        status = await asyncio.wait_for(read_response(reader), timeout)
        return status, time.perf_counter() - start
    finally:
        writer.close()


async def flood(url: str, *, slow_clients: int = 60, seconds: float = 15.0) -> tuple[list[float], dict]:
    """A cheap ASK every 0.2 s while ``slow_clients`` send the slow query again and again."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    until = time.perf_counter() + seconds
    statuses: dict[int, list[float]] = {}

    async def slow_client(n: int) -> None:
        while time.perf_counter() < until:
            try:
                status, took = await _request(parts.hostname, parts.port, SLOW, 30)
            except (OSError, asyncio.TimeoutError):
                status, took = 0, 0.0
            statuses.setdefault(status, []).append(took)

    async def ask_client() -> list[float]:
        times = []
        await asyncio.sleep(1.0)  # the flood is in flight
        while time.perf_counter() < until:  # each ASK differs (a comment), so no answer is reused
            status, took = await _request(parts.hostname, parts.port, f"{ASK} # {len(times)}", 30)
            times.append(took if status == 200 else float("inf"))
            await asyncio.sleep(0.2)
        return times

    tasks = [asyncio.ensure_future(slow_client(n)) for n in range(slow_clients)]
    times = await ask_client()
    await asyncio.gather(*tasks, return_exceptions=True)
    return times, {status: (len(took), statistics.median(took) if took else 0) for status, took in statuses.items()}


async def abandon(url: str, *, count: int = 100, after: float = 0.5) -> float:
    """Send ``count`` slow queries, hang up on all of them after ``after`` s, then time an ASK."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    writers = []
    for _ in range(count):
        _, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.write(f"GET /sparql?query={quote(SLOW)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        writers.append(writer)
    await asyncio.sleep(after)
    for writer in writers:
        writer.close()
    await asyncio.sleep(0.05)
    status, took = await _request(parts.hostname, parts.port, f"{ASK} # after", 60)
    return took if status == 200 else float("inf")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench(size: str, *, rounds: int, seconds: float, cache: Path, stress: bool, answer_cache: int) -> None:
    ours, theirs = start_both(size, cache, answer_cache)
    try:
        results = throughput(ours, theirs, rounds=rounds, seconds=seconds)
        (o_rate, o_p50, o_p99), (t_rate, t_p50, t_p99) = (median_result(results[ours.name]),
                                                          median_result(results[theirs.name]))
        show(f"| {size}, answer cache {answer_cache} MB | {o_rate:.0f} req/s, p50 {o_p50 * 1000:.1f} ms, p99 {o_p99 * 1000:.1f} ms "
             f"| {t_rate:.0f} req/s, p50 {t_p50 * 1000:.1f} ms, p99 {t_p99 * 1000:.1f} ms "
             f"| {o_rate / t_rate:.2f}× the rate, {o_p99 / t_p99:.2f}× the p99 "
             f"| {ours.ready:.2f} s, {ours.rss:.0f} MB | {theirs.ready:.2f} s, {theirs.rss:.0f} MB |")
        if stress:
            times, statuses = asyncio.run(flood(ours.url))
            show(f"| {size}: ASK with 60 slow queries in flight | p50 {percentile(times, 50) * 1000:.0f} ms, "
                 f"p99 {percentile(times, 99) * 1000:.0f} ms over {len(times)} ASKs "
                 f"| slow queries: {', '.join(f'{s}: {n} (median {m:.2f} s)' for s, (n, m) in sorted(statuses.items()))} |")
            took = asyncio.run(abandon(ours.url))
            show(f"| {size}: the next ASK after 100 abandoned slow queries | {took * 1000:.0f} ms | |")
    finally:
        ours.stop()
        theirs.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,100k,1m")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--cache", type=Path, default=ROOT / "out" / "cache")
    args = parser.parse_args()
    show("| data | rammegraf serve | oxigraph serve-read-only | ratio | rammegraf ready, main RSS "
         "| oxigraph ready, RSS |")
    show("| --- | --- | --- | --- | --- | --- |")
    for size in args.sizes.split(","):
        for answer_cache in (0, 32):  # the engine's path, and the default with repeated answers kept
            bench(size, rounds=args.rounds, seconds=args.seconds, cache=args.cache,
                  stress=size == "shipped" and answer_cache == 32, answer_cache=answer_cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
