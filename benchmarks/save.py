"""Saving an entry from a form at scale: the time from »Gem« until the entry is on
every page, against rebuilding what the server reads from the files, in one run.

For each size, on a copy of the data with `serve --write` settings (in-process,
the real worker pool): the check the form sends as the analyst types (a milestone
from "primo 2026", against the whole graph), then a new person is saved three times (each a new entry: the
POST until its 303, which waits until the workers read the new data), and one of
them is edited. The baseline is what a save would cost without moving the store
and the search index along: building the on-disk store and the index from every
file (sizes read from an on-disk store), or loading every file and building the
index (mid-size, read in memory), measured on the same files after the saves.

    .venv/bin/python benchmarks/save.py --sizes shipped,100k,1m

Data: out/bench-<size> (made by generate.py when missing), copied to a temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import data_dir, show  # noqa: E402


def bench(size: str) -> None:
    from starlette.testclient import TestClient

    from rammegraf.engine import OxigraphEngine
    from rammegraf.search import build as build_index
    from rammegraf.store import IN_MEMORY_LIMIT, build_store, graph_files, load_in_memory, shipped_root
    from rammegraf.web import Settings, create_app

    scratch = Path(tempfile.mkdtemp(prefix="rammegraf-save-"))
    try:
        source = shipped_root() / "data" if size == "shipped" else data_dir(size)
        data = scratch / "data"
        shutil.copytree(source, data)
        settings = Settings(data_dirs=(data,), write=True, cache=scratch / "cache", timeout=120,
                            validate_timeout=120)
        started = time.perf_counter()
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as http:
            ready = time.perf_counter() - started
            kind = http.app.state.web.pool.spec[0]
            checks = []
            for number in range(6):   # the check the page sends as the analyst types (the first warms up)
                start = time.perf_counter()
                answer = http.post("/ny/milepael/tjek", data={"rdfs-label@da": f"Målt milepæl {number}",
                                                               "rg-dateText": "primo 2026"})
                checks.append(time.perf_counter() - start)
                assert answer.status_code == 200 and answer.json()["shown"]["rg-latest"] == ["2026-03-31"]
            check = statistics.median(checks[1:])
            saves = []
            for number in range(3):
                start = time.perf_counter()
                answer = http.post("/ny/person", data={"rdfs-label@da": f"Måleperson {number} {size}",
                                                       "handling": "gem"}, follow_redirects=False)
                saves.append(time.perf_counter() - start)
                assert answer.status_code == 303, answer.text[:500]
            start = time.perf_counter()
            answer = http.post(f"/id/person/maaleperson-0-{size}/rediger",
                               data={"rdfs-label@da": f"Måleperson 0 {size}", "rdfs-label@en": "Measured person",
                                     "handling": "gem"}, follow_redirects=False)
            edit = time.perf_counter() - start
            assert answer.status_code == 303, answer.text[:500]
            assert "Measured person" in http.get(f"/id/person/maaleperson-0-{size}?lang=en").text
        files = graph_files([data])
        total = sum(f.stat().st_size for f in files)
        start = time.perf_counter()
        if kind == "store":
            build_store(files, scratch / "rebuild" / "store", progress=False)
            import pyoxigraph as ox

            engine = OxigraphEngine(ox.Store.read_only(str(scratch / "rebuild" / "store")))
            build_index(engine, scratch / "rebuild" / "search.sqlite").close()
            what = "build the on-disk store and the search index"
        else:
            engine = OxigraphEngine(load_in_memory(files))
            if total > IN_MEMORY_LIMIT:
                build_index(engine, scratch / "index.sqlite").close()
                what = "load every file and build the search index"
            else:
                what = "load every file"
        baseline = time.perf_counter() - start
        save = statistics.median(saves)
        show(f"| {size} | {kind} | {ready:.1f} s | {check * 1000:.0f} ms | {save:.2f} s (of {', '.join(f'{s:.2f}' for s in saves)}) "
             f"| {edit:.2f} s | {what}: {baseline:.2f} s | {baseline / save:.1f}× |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="shipped,100k,1m")
    args = parser.parse_args()
    show("| data | the workers read | server ready | a check as you type (median of 5) | save (median of 3) "
         "| edit | baseline: rebuild from the files | baseline ÷ save |")
    show("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in args.sizes.split(","):
        bench(size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
