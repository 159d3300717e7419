"""Benchmark runner: rammegraf's figures beside a baseline measured in the same run.

Whole processes first (`rammegraf query` on the shipped data and on a large
folder once its store exists, beside a bare pyoxigraph script doing the same),
then at each size (synthetic data from generate.py): building the on-disk store
beside pyoxigraph's own bulk load of the same files, every named query beside
raw pyoxigraph (the same canonical text, no rammegraf around it) and beside
rdflib's own engine (each query capped at 60 s, reported as "> 60 s"), one new
status report validated with the graph, and one development area's graph view.
Ratios are baseline ÷ rammegraf (above 1× means faster).

    .venv/bin/python benchmarks/run.py                          # 10k and 100k
    .venv/bin/python benchmarks/run.py --sizes 10k,100k,1m      # about 40 minutes with rdflib at 1m
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
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
from generate import SIZES, generate, new_status_entry  # noqa: E402

RDFLIB_CAP = 60.0
CACHE = ROOT / "out" / "cache"

def compiled(src) -> None:
    """The sources under ``src`` as bytecode, as `make run` leaves them (compileall), so a
    timed process does not compile them where Python may not write bytecode itself
    (PYTHONDONTWRITEBYTECODE): 0.06-0.17 s of every whole process otherwise."""
    import compileall

    compileall.compile_dir(str(src), quiet=1)


# Parameter values that exist in the synthetic data (the others' defaults answer there too).
SYNTHETIC_VALUES = {
    "aktoers-initiativer": {"actor": "https://w3id.org/rammegraf/id/udvalg/syn-midtjylland-styregruppe"},
    "initiativer-i-plan": {"plan": "https://w3id.org/rammegraf/id/aftale/syn-tiaarsplan"},
    "opgaver-og-udfordringer": {"initiative": "https://w3id.org/rammegraf/id/initiativ/syn-midtjylland-2025-1"},
    "statushistorik": {"initiative": "https://w3id.org/rammegraf/id/initiativ/syn-midtjylland-2025-1"},
    "status-i-rapport": {"date": "2026-01-01"},
    "faseskift": {"from": "2025-05-01", "to": "2026-05-01"},
}

RAW_QUERY = r"""
import sys, time, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1]) if sys.argv[1] != "-" else pyoxigraph.Store()
for path in sys.argv[2:]:
    store.load(path=path, format=pyoxigraph.RdfFormat.TURTLE if path.endswith(".ttl") else pyoxigraph.RdfFormat.N_TRIPLES)
query = '''PREFIX rg: <https://w3id.org/rammegraf/ontology#>
SELECT ?i ?m WHERE { ?i a rg:Initiative ; rg:dependsOn ?m . ?m rg:responsible <https://w3id.org/rammegraf/id/region/midtjylland> ;
  rg:latest ?l FILTER (?l <= "2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) }'''
for row in store.query(query):
    print(row)
"""

BUILD = r"""
import sys, time, pyoxigraph
start = time.perf_counter()
store = pyoxigraph.Store(sys.argv[1])
for path in sys.argv[2:]:
    store.bulk_load(path=path, format=pyoxigraph.RdfFormat.TURTLE if path.endswith(".ttl") else pyoxigraph.RdfFormat.N_TRIPLES)
store.flush()
print(time.perf_counter() - start)
"""


def show(line: str = "") -> None:
    print(line, flush=True)


def median_time(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def capped_time(fn, cap: float) -> float:
    """Seconds ``fn`` takes, in a forked child that is stopped at ``cap`` (inf then)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        start = time.perf_counter()
        fn()
        sender.send(time.perf_counter() - start)
        os._exit(0)

    process = context.Process(target=child)
    process.start()
    sender.close()
    try:
        return receiver.recv() if receiver.poll(cap) else float("inf")
    except EOFError:
        return float("inf")
    finally:
        process.kill()
        process.join()


def ratio(base: float, ours: float) -> str:
    if base == float("inf"):
        return f"> {RDFLIB_CAP / ours:,.0f}×"
    return f"{base / ours:,.1f}×" if ours > 0 else "–"


def run_quietly(command: list[str], env: dict | None = None) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def whole_process(sizes: list[str]) -> None:
    from rammegraf.store import ensure_store, graph_files

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["RAMMEGRAF_CACHE"] = str(CACHE)
    command = [str(ROOT / ".venv" / "bin" / "rammegraf"), "query", "afhaenger-af-milepael"]
    run_quietly(command, env)  # bytecode written
    ours = median_time(lambda: run_quietly(command, env), runs=9)
    files = [str(p) for p in graph_files()]
    raw = median_time(lambda: run_quietly([sys.executable, "-c", RAW_QUERY, "-", *files], env), runs=9)
    show("| step | baseline | rammegraf | target |")
    show("| --- | --- | --- | --- |")
    show(f"| `rammegraf query afhaenger-af-milepael`, shipped data, whole process | raw pyoxigraph script: "
         f"{raw:.3f} s | {ours:.3f} s | ≤ 0.2 s |")
    for size in sizes:
        if size not in ("100k", "1m"):
            continue
        folder = data_dir(size)
        os.environ["RAMMEGRAF_CACHE"] = str(CACHE)
        store = ensure_store([folder])
        big = [*command, "--data", str(folder)]
        ours = median_time(lambda: run_quietly(big, env), runs=5)
        raw = median_time(lambda: run_quietly([sys.executable, "-c", RAW_QUERY, str(store)], env), runs=5)
        show(f"| the same on {size}, once the store exists | raw pyoxigraph script on the same store: "
             f"{raw:.3f} s | {ours:.3f} s | ≤ 0.5 s at 1m |")
    show()


def data_dir(size: str) -> Path:
    folder = ROOT / "out" / f"bench-{size}"
    if not (folder / "data.nt").exists():
        years, per_year = SIZES[size]
        generate(folder, years=years, per_region_year=per_year, seed=1)
    return folder


def build_store(size: str) -> None:
    from rammegraf.store import build_store as build, graph_files

    files = graph_files([data_dir(size)])
    scratch = Path(tempfile.mkdtemp(prefix="rammegraf-build-"))
    try:
        raw = float(subprocess.run([sys.executable, "-c", BUILD, str(scratch / "raw"), *map(str, files)],
                                   check=True, capture_output=True, text=True).stdout)
        start = time.perf_counter()
        build(files, scratch / "ours" / "store", progress=False)
        ours = time.perf_counter() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    show(f"| build the on-disk store | pyoxigraph bulk_load: {raw:.2f} s | {ours:.2f} s "
         f"| {ours / raw:.2f}× raw (target ≤ 1.2× at 1m) |")


def bench_size(size: str, *, rdflib_queries: bool, validate_full: bool) -> None:
    from rammegraf.engine import BASE, OxigraphEngine
    from rammegraf.namespaces import PREFIXES
    from rammegraf.query import bind, named_queries, prepared_for
    from rammegraf.store import ensure_store

    folder = data_dir(size)
    show(f"### {size}")
    show()
    show("| step | baseline | rammegraf | ratio |")
    show("| --- | --- | --- | --- |")
    build_store(size)
    os.environ["RAMMEGRAF_CACHE"] = str(CACHE)
    import pyoxigraph as ox

    disk = OxigraphEngine(ox.Store.read_only(str(ensure_store([folder]))))
    memory, load_s = timed(lambda: OxigraphEngine.open([folder], persistent=False))
    show(f"| load into memory instead (`--in-memory`) | | {load_s:.2f} s | |")
    graph = rdflib_graph(memory) if rdflib_queries or validate_full else None
    worst = {"memory": 0.0, "disk": 0.0}
    show("| named query (rows) | rdflib | rammegraf in memory (raw pyoxigraph) | rammegraf on disk (raw pyoxigraph) "
         "| rdflib ÷ in memory |")
    show("| --- | --- | --- | --- | --- |")
    for query in named_queries():
        bindings = bind(query, SYNTHETIC_VALUES.get(query.name, {}), disk)
        text = prepared_for(query).text(bindings)  # what the engine runs
        cells = {}
        for kind, eng in (("memory", memory), ("disk", disk)):
            ours = median_time(lambda: eng.query(query.text, bindings))
            raw = median_time(lambda: list(eng.store.query(text, prefixes=PREFIXES, base_iri=BASE)))
            if raw >= 0.001:  # below a millisecond, the Python call around the engine is what one measures
                worst[kind] = max(worst[kind], ours / raw)
            cells[kind] = (ours, raw)
        rows = len(memory.query(query.text, bindings))
        if graph is not None:
            base = capped_time(lambda: list(graph.query(text)), RDFLIB_CAP)
            shown = f"> {RDFLIB_CAP:.0f} s" if base == float("inf") else f"{base * 1000:,.0f} ms"
        else:
            base, shown = None, "not run"
        (mo, mr), (do, dr) = cells["memory"], cells["disk"]
        show(f"| `{query.name}` ({rows}) | {shown} | {mo * 1000:,.1f} ms ({mr * 1000:,.1f} ms) "
             f"| {do * 1000:,.1f} ms ({dr * 1000:,.1f} ms) | {ratio(base, mo) if base is not None else '–'} |")
    show(f"| worst named query (≥ 1 ms raw) against raw pyoxigraph | | {worst['memory']:.2f}× | "
         f"{worst['disk']:.2f}× | target ≤ 1.5× |")
    show()
    show("| step | baseline | rammegraf | ratio |")
    show("| --- | --- | --- | --- |")

    from rammegraf.store import parse_bytes
    from rammegraf.validate import check_entries, validate

    years, _ = SIZES[size]
    entry = parse_bytes(new_status_entry(years=years).encode(), name="entry.ttl")
    focused = median_time(lambda: check_entries(entry, disk), runs=1)
    if validate_full:
        seconds = median_time(lambda: validate(graph), runs=1)
        show(f"| full validation (pySHACL with defaults; rammegraf uses the same) | {seconds:.1f} s "
             f"| {seconds:.1f} s | 1.0× |")
    show(f"| one new status report, validated with the graph (pySHACL) | | {focused:.2f} s | |")

    from graph_view import open_seconds
    from rammegraf.viz import page_data, render_html, select_view

    area = "udviklingsomraade/syn-midtjylland-1"
    view, view_s = timed(lambda: select_view(disk, "node:" + area, depth=1))
    data, data_s = timed(lambda: page_data(disk, view))
    page = ROOT / "out" / f"bench-{size}-area.html"
    page.write_text(render_html(data), encoding="utf-8")
    open_s = open_seconds(page, ready_selector="body[data-ready='1']")
    show(f"| one development area's view ({view.net.number_of_nodes():,} nodes): read from the store "
         f"| | {view_s:.2f} s | |")
    show(f"| the same view: layout and page data | | {data_s:.2f} s | |")
    show(f"| that view opened in Chromium until drawn | | {open_s:.2f} s | target ≤ 3 s |")
    show()


def rdflib_graph(engine):
    from rammegraf.namespaces import bind_prefixes
    from rammegraf.validate import rdflib_graph as parse

    return bind_prefixes(parse(engine.dump()))


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--skip-rdflib-queries", action="store_true")
    parser.add_argument("--skip-validation", action="store_true")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    whole_process(sizes)
    for size in sizes:
        bench_size(size, rdflib_queries=not args.skip_rdflib_queries,
                   validate_full=not args.skip_validation and size == "10k")
    return 0


if __name__ == "__main__":
    sys.exit(main())
