"""The named queries on a shared server against the local engine, in one run.

For each size: the local engine (the on-disk store, as the command line opens a
folder of this size), a real Oxigraph server (`oxigraph serve`, loaded by
`rammegraf push`) and a real Virtuoso 7 (`virtuoso-t`, loaded by `rammegraf push`
with credentials into a named graph), each asked every named query with its
default parameters through rammegraf (so the remote numbers include HTTP and
parsing the answer). Each time is the median of three runs after one warm-up;
a query that took over 5 s is timed once. The rows of each server are compared
with the local rows.

    .venv/bin/python benchmarks/servers.py --sizes 100k

Needs the test tools (`make test` installs them; Virtuoso is installed with apt by
the same set-up the tests use). Data: out/bench-<size>; the cache is $RAMMEGRAF_CACHE.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
from run import show  # noqa: E402

GRAPH = "https://w3id.org/rammegraf/graph/bench"
PASSWORD = "RammegrafBench42"


def timed(engine, query, values: dict | None = None) -> tuple[float, list]:
    from conftest import rows

    from rammegraf.query import run_on

    start = time.perf_counter()
    answer = rows(run_on(engine, query, values))
    first = time.perf_counter() - start
    if first > 5:   # a slow query is timed once (its warm-up), not three more times
        return first, answer
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run_on(engine, query, values)
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def runs(size: str):
    """Each named query with the values it is run with here: its defaults, and for a query whose
    default names a resource of the shipped plan only, a value the generated data has
    (pages.py's SYNTHETIC_VALUES), so every query has a row."""
    from pages import SYNTHETIC_VALUES

    from rammegraf.query import named_queries

    for query in named_queries():
        if query.name in SYNTHETIC_VALUES:
            param, value = SYNTHETIC_VALUES[query.name]
            yield f"{query.name} ({param}: {value.rsplit('/', 1)[-1]})", query, {param: value}
        else:
            yield query.name, query, None


def oxigraph_server(folder: Path):
    from conftest import free_port

    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket

    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


# The tests' Virtuoso refuses a query whose cost it estimates over 400 s (at 1M it refused
# milepaele-overskredet: "estimated execution time 0 (sec) exceeds the limit of 400") and
# stops one after 60 s (aktoerer-efter-antal-initiativer, S1T00); a benchmark measures them.
LIMITS = ("MaxQueryCostEstimationTime = 400\nMaxQueryExecutionTime = 60",
          "MaxQueryCostEstimationTime = 0\nMaxQueryExecutionTime = 600")


def bench(size: str, out: Path, only: set[str]) -> None:
    import conftest
    from conftest import virtuoso_server

    assert LIMITS[0] in conftest.VIRTUOSO_INI
    conftest.VIRTUOSO_INI = conftest.VIRTUOSO_INI.replace(*LIMITS)

    from rammegraf.engine import OxigraphEngine, RemoteEngine, push
    from rammegraf.query import named_queries

    data = out / f"bench-{size}"
    if not (data / "data.nt").is_file():
        sys.exit(f"no data for {size}: python benchmarks/generate.py --size {size} -o {data}")
    local = OxigraphEngine.open([data], persistent=True)
    scratch = Path(tempfile.mkdtemp(prefix="rammegraf-servers-"))
    process = None
    try:
        process, oxigraph = oxigraph_server(scratch / "oxigraph")
        start = time.perf_counter()
        push(local, f"{oxigraph}/store", timeout=600)
        oxigraph_load = time.perf_counter() - start
        (scratch / "virtuoso").mkdir()
        with virtuoso_server(scratch / "virtuoso", password=PASSWORD, buffers=200_000) as virtuoso:
            os.environ["RAMMEGRAF_USER"], os.environ["RAMMEGRAF_PASSWORD"] = "dba", PASSWORD
            start = time.perf_counter()
            push(local, f"{virtuoso}/sparql-graph-crud-auth", graph_iri=GRAPH, timeout=1200)
            virtuoso_load = time.perf_counter() - start
            engines = {"oxigraph": RemoteEngine(f"{oxigraph}/query", timeout=600),
                       "virtuoso": RemoteEngine(f"{virtuoso}/sparql", graph=GRAPH, timeout=600)}
            show(f"{size}: {len(local):,} triples, load average {load()} at the start; push to the Oxigraph server {oxigraph_load:.1f} s, "
                 f"to Virtuoso {virtuoso_load:.1f} s")
            show()
            show("| named query | rows | local (on-disk store) | Oxigraph server | Virtuoso 7 | same rows |")
            show("| --- | --- | --- | --- | --- | --- |")
            totals = {"local": 0.0, "oxigraph": 0.0, "virtuoso": 0.0}
            from rammegraf.sparql import QueryError

            for name_, query, values in runs(size):
                if only and query.name not in only:
                    continue
                try:
                    base, expected = timed(local, query, values)
                except QueryError as error:   # a parameter names a resource this data does not have
                    show(f"| {name_} | (its parameter is not in this data: {str(error)[:60]}) | | | |")
                    continue
                totals["local"] += base
                cells, same = [], []
                for name, engine in engines.items():
                    try:
                        seconds, got = timed(engine, query, values)
                    except Exception as error:  # noqa: BLE001 - a server's failure is a result here
                        cells.append(f"failed: {str(error)[:60]}")
                        same.append(f"{name}: –")
                        continue
                    totals[name] += seconds
                    cells.append(f"{seconds * 1000:.0f} ms ({seconds / base:.1f}×)" if base > 0 else f"{seconds:.3f} s")
                    same.append(f"{name}: {'yes' if got == expected else 'NO'}")
                show(f"| {name_} | {len(expected) - 1:,} | {base * 1000:.0f} ms | {cells[0]} | {cells[1]} | {', '.join(same)} |")
            show(f"| all that ran | | {totals['local']:.2f} s | {totals['oxigraph']:.2f} s "
                 f"({totals['oxigraph'] / totals['local']:.1f}×) | {totals['virtuoso']:.2f} s "
                 f"({totals['virtuoso'] / totals['local']:.1f}×) | |")
            show()
            show(f"Load average at the end: {load()} (1/5/15 min, 2 cores).")
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k")
    parser.add_argument("--only", default="", help="these named queries only (comma-separated)")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="the folder with bench-SIZE/ (generate.py)")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        bench(size, args.out, {n for n in args.only.split(",") if n})
    return 0


if __name__ == "__main__":
    sys.exit(main())
