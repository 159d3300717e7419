"""Search at scale: the index beside the store, and searches against a SPARQL scan.

Prints, for one data folder: the on-disk store's build time and the search index's
(built once beside it), the index's size, and for each query the median
time of `Index.search` beside the baseline an analyst without a text index has —
a SPARQL substring scan of every label in the same store (`FILTER (CONTAINS(LCASE
(STR(?l)), "word"))`, no folding, no typo tolerance, first 50 rows) — as a ratio
(scan ÷ search: above 1× means search is faster).

    .venv/bin/python benchmarks/search.py --data out/bench-1m
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

QUERIES = ["midtjylland", "botilbud", "§ 108", "initiativ 12", "kommune 7", "status", "syntetsk", "faelles",
           "primo 2026", "Odder"]


def median(fn, runs: int) -> float:
    from run import median_time  # benchmarks/run.py, beside this file

    return median_time(fn, runs=runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", help="data folder (default: the shipped data)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-store-build", action="store_true", help="skip timing a fresh store build")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from rammegraf.engine import OxigraphEngine
    from rammegraf.search import Index, build, fold
    from rammegraf.store import build_store, graph_files

    files = graph_files(args.data)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        if not args.no_store_build:
            start = time.perf_counter()
            build_store(files, scratch / "store", progress=False)
            store_seconds = time.perf_counter() - start
        engine = OxigraphEngine.open(args.data, persistent=True)
        start = time.perf_counter()
        build(engine, scratch / "search.sqlite").close()
        index_seconds = time.perf_counter() - start
        size = (scratch / "search.sqlite").stat().st_size
        index = Index(__import__("rammegraf.search", fromlist=["connect"]).connect(scratch / "search.sqlite"))
        print(f"data: {', '.join(str(d) for d in args.data or ['shipped'])}: {len(engine):,} triples, "
              f"{index.documents:,} resources indexed, {len(index.vocabulary):,} words")
        if not args.no_store_build:
            print(f"store build: {store_seconds:.2f} s; search index build: {index_seconds:.2f} s "
                  f"({index_seconds / store_seconds:.2f}× the store's); index file {size / 1e6:.1f} MB")
        else:
            print(f"index build: {index_seconds:.2f} s; index file {size / 1e6:.1f} MB")
        print()
        print("| query | hits | search (ms) | SPARQL label scan (ms) | scan rows | ratio |")
        print("| --- | --- | --- | --- | --- | --- |")
        for text in QUERIES:
            index.search(text)  # warm
            hits = len(index.search(text))
            searched = median(lambda: index.search(text), args.runs)
            needle = fold(text) if text.isascii() else text.lower()
            scan = ("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                    "FILTER (CONTAINS(LCASE(STR(?l)), ?w)) } LIMIT 50")
            bound = {"w": ox.Literal(needle)}   # bound as a term (a VALUES block), never pasted
            rows = len(engine.query(scan, bound).rows)
            scanned = median(lambda: engine.query(scan, bound).rows, max(1, args.runs // 2))
            print(f"| `{text}` | {hits} | {searched * 1000:.1f} | {scanned * 1000:.1f} | {rows} | "
                  f"{scanned / searched:.1f}× |")
        print()
        print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
