"""In memory or on disk at a size: the pages' jobs and the named queries on each, in one run.

Issue 28, point 4: whether `serve --in-memory` (each worker loads the whole graph into
an in-memory store) or the on-disk store (RocksDB, read-only, what `serve` opens for a
large folder) serves a million triples faster, and at what cost in start-up and memory.

In one process: the on-disk store (the baseline) and the same files loaded into memory,
the derived facts ready on each (computed in memory, read from facts.sqlite on disk);
then each page's job (the work a worker does for it, without HTTP) and each named query
with its default parameters, alternating the two stores, median of --runs.

    .venv/bin/python benchmarks/in_memory.py --size 1m --runs 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work, runs: int) -> float:
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        found.append(time.perf_counter() - start)
        if found[-1] > 20:
            break
    return statistics.median(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1m")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import pyoxigraph as ox

    sys.path.insert(0, str(HERE))
    from queries_1m import SYNTHETIC_VALUES

    from rammegraf.engine import OxigraphEngine
    from rammegraf.facts import ensure_facts, facts_of
    from rammegraf.network import round_dates
    from rammegraf.query import named_queries, run_on
    from rammegraf.store import ensure_store, graph_files, load_in_memory
    from rammegraf.web.jobs.dashboard import dashboard
    from rammegraf.web.jobs.report import report_page
    from rammegraf.web.jobs.rounds import deadline_rows, round_page

    data = ROOT / "out" / f"bench-{args.size}"
    folder = ensure_store([data], progress=False)
    disk = OxigraphEngine(ox.Store.read_only(str(folder)), folder)
    ensure_facts(folder, disk)
    before = rss_mb()
    start = time.perf_counter()
    memory = OxigraphEngine(load_in_memory(graph_files([data])))
    loaded = time.perf_counter() - start
    grown = rss_mb() - before
    start = time.perf_counter()
    facts_of(memory)
    computed = time.perf_counter() - start
    start = time.perf_counter()
    facts_of(disk)
    read_back = time.perf_counter() - start
    day = round_dates(disk)[-1].isoformat()

    def jobs(engine):
        return [("front page (dashboard job)", lambda: dashboard(engine, None, "da")),
                ("/frister (deadline_rows)", lambda: deadline_rows(engine, day, 90, "da")),
                (f"/runder/{day} (round_page)", lambda: round_page(engine, day, "da")),
                ("/rapport (report_page)", lambda: report_page(engine, None, "da"))]

    rows = []
    for (name, on_disk), (_, in_memory) in zip(jobs(disk), jobs(memory)):
        rows.append((name, timed(on_disk, args.runs), timed(in_memory, args.runs)))
    for query in named_queries():
        values = SYNTHETIC_VALUES.get(query.name, {})    # the defaults name the shipped plan's resources
        rows.append((f"`{query.name}`", timed(lambda: run_on(disk, query, values), args.runs),
                     timed(lambda: run_on(memory, query, values), args.runs)))
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"## In memory or on disk at {args.size} ({len(disk):,} triples), median of {args.runs}, "
          f"load average {' '.join(load)}\n")
    print(f"Loading the files into memory: {loaded:.1f} s and {grown:,.0f} MB of memory more "
          f"(each worker of `serve --in-memory` pays both); its facts computed {computed:.1f} s. "
          f"The on-disk store opens at once; its facts read back in {read_back:.1f} s.\n")
    print("| page job or named query | on disk (baseline) | in memory | on disk ÷ in memory |")
    print("| --- | --- | --- | --- |")
    for name, on_disk, in_memory in rows:
        print(f"| {name} | {on_disk:.2f} s | {in_memory:.2f} s | {on_disk / in_memory:.1f}× |")


if __name__ == "__main__":
    main()
