"""A small HTTP/1.1 load generator: N concurrent keep-alive clients, one request
each at a time, for a fixed time; requests per second and latency percentiles.

It speaks raw HTTP over asyncio streams (no client library), so its own cost is
small and the same for every server it measures.

    python benchmarks/load.py http://127.0.0.1:8000/sparql --query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit


@dataclass
class Result:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def line(self, name: str) -> str:
        return (f"{name}: {self.rate:.0f} req/s, p50 {self.percentile(50) * 1000:.1f} ms, "
                f"p99 {self.percentile(99) * 1000:.1f} ms ({self.count} requests, statuses {self.statuses}, "
                f"errors {self.errors})")


def request_bytes(url: str, query: str, accept: str) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    path = f"{parts.path}?query={quote(query)}"
    head = (f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nAccept: {accept}\r\n"
            "Connection: keep-alive\r\n\r\n")
    return parts.hostname, parts.port, head.encode()


async def read_response(reader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked = None, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def client(host: str, port: int, payload: bytes, until: float, result: Result, timeout: float) -> None:
    reader = writer = None
    while time.perf_counter() < until:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            start = time.perf_counter()
            writer.write(payload)
            status = await asyncio.wait_for(read_response(reader), timeout)
            result.latencies.append(time.perf_counter() - start)
            result.statuses[status] = result.statuses.get(status, 0) + 1
        except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
            result.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def run(url: str, query: str, *, clients: int = 20, seconds: float = 10.0,
              accept: str = "application/sparql-results+json", warmup: float = 1.0,
              timeout: float = 30.0) -> Result:
    host, port, payload = request_bytes(url, query, accept)
    if warmup:
        await asyncio.gather(*(client(host, port, payload, time.perf_counter() + warmup,
                                      Result(0), timeout) for _ in range(clients)))
    result = Result(seconds)
    until = time.perf_counter() + seconds
    await asyncio.gather(*(client(host, port, payload, until, result, timeout) for _ in range(clients)))
    return result


def measure(url: str, query: str, **kwargs) -> Result:
    return asyncio.run(run(url, query, **kwargs))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--query", default="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(measure(args.url, args.query, clients=args.clients, seconds=args.seconds).line(args.url))
