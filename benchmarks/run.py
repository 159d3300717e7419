"""Benchmark runner: rammegraf's figures beside a baseline measured in the same run.

At each size (synthetic data from generate.py): load time and peak memory, every
named query's median, full validation, building the network projection and one
area view; and on the shipped data the whole-process time of `rammegraf query`.
Baseline: plain rdflib (Memory store, its own SPARQL engine) and pySHACL with
defaults. Ratios are baseline ÷ rammegraf (above 1× means faster).

    .venv/bin/python benchmarks/run.py                          # 10k and 100k
    .venv/bin/python benchmarks/run.py --sizes 10k,100k,1m      # rdflib's queries are not run at 1m
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import SIZES, generate  # noqa: E402
from graph_view import open_seconds  # noqa: E402
from rdflib import Graph  # noqa: E402

# Parameter values that exist in the synthetic data (the defaults name the real plan).
SYNTHETIC_VALUES = {
    "afhaenger-af-milepael": {"actor": "https://w3id.org/rammegraf/id/region/syn-midtjylland",
                              "deadline": "2026-12-31"},
    "aktoers-initiativer": {"actor": "https://w3id.org/rammegraf/id/udvalg/syn-midtjylland-styregruppe"},
    "initiativer-i-plan": {"plan": "https://w3id.org/rammegraf/id/aftale/syn-tiaarsplan"},
    "opgaver-og-udfordringer": {"initiative": "https://w3id.org/rammegraf/id/initiativ/syn-midtjylland-2025-1"},
    "statushistorik": {"initiative": "https://w3id.org/rammegraf/id/initiativ/syn-midtjylland-2025-1"},
    "status-i-rapport": {"date": "2026-01-01"},
    "faseskift": {"from": "2025-05-01", "to": "2026-05-01"},
}

ENTRY = """@prefix rg: <https://w3id.org/rammegraf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/rammegraf/id/kilde/syn-ny-runde> a rg:SourceDocument ; rdfs:label "Ny runde"@da ;
    <http://purl.org/dc/terms/title> "Ny runde"@da ; <http://purl.org/dc/terms/date> "2027-01-01"^^xsd:date .
<https://w3id.org/rammegraf/id/status/syn-ny> a rg:StatusReport ; rdfs:label "Ny status"@da ;
    rg:statusOf <https://w3id.org/rammegraf/id/initiativ/syn-midtjylland-2025-1> ;
    rg:asOf "2027-01-01"^^xsd:date ; rg:phase rg:InProgress ; rg:text "I gang."@da ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/rammegraf/id/kilde/syn-ny-runde> .
"""

LOAD_CHILD = r"""
import json, resource, sys, time
engine, files = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
if engine == "rdflib":
    from rdflib import Graph
    g = Graph()
    for f in files:
        g.parse(f)
    n = len(g)
else:
    from pathlib import Path
    from rammegraf.engine import OxigraphEngine
    n = len(OxigraphEngine.load([Path(f) for f in files]))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "triples": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def capped_time(fn, cap: float) -> float:
    """Seconds ``fn`` takes, measured in a forked worker that is stopped at ``cap``."""
    from rammegraf.limits import TimeLimitExceeded, run_limited

    def measure():
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    try:
        return run_limited(measure, seconds=cap)
    except TimeLimitExceeded:
        return float("inf")


def show(line: str) -> None:
    print(line, flush=True)


def median_time(fn, runs: int = 3, cap: float = 60.0) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if times[-1] > cap:
            break
    return statistics.median(times)


def ratio(base: float, ours: float) -> str:
    if base == float("inf"):
        return "> " + f"{RDFLIB_CAP / ours:.0f}×"
    return f"{base / ours:.1f}×" if ours > 0 else "–"


RDFLIB_CAP = 60.0


def load_in_child(engine: str, files: list[Path]) -> dict:
    out = subprocess.run([sys.executable, "-c", LOAD_CHILD, engine, *map(str, files)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def bench_size(size: str, *, rdflib_queries: bool, validate_full: bool) -> None:
    from rammegraf.engine import OxigraphEngine
    from rammegraf.network import build_network
    from rammegraf.query import bind, named_queries
    from rammegraf.store import data_files, load, ontology_files
    from rammegraf.viz import page_data, render_html, select_view

    folder = ROOT / "out" / f"bench-{size}"
    years, per_year = SIZES[size]
    if not (folder / "data.nt").exists():
        generate(folder, years=years, per_region_year=per_year, seed=1)
    files = [*ontology_files(), *data_files(data_dirs=[folder])]
    show(f"### {size}")
    show("")

    base_load, ours_load = load_in_child("rdflib", files), load_in_child("oxigraph", files)
    show("| step | rdflib (baseline) | rammegraf (Oxigraph) | ratio |")
    show("| --- | --- | --- | --- |")
    show(f"| load {base_load['triples']:,} triples | {base_load['seconds']:.2f} s, {base_load['peak_mb']:.0f} MB "
         f"| {ours_load['seconds']:.2f} s, {ours_load['peak_mb']:.0f} MB "
         f"| {ratio(base_load['seconds'], ours_load['seconds'])} time, "
         f"{ratio(base_load['peak_mb'], ours_load['peak_mb'])} memory |")

    graph = load(data_dirs=[folder])
    engine = OxigraphEngine.load(files)
    from rammegraf.engine import values_block
    from rammegraf.namespaces import PREFIXES

    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    worst_raw = 0.0
    for query in named_queries():
        bindings = bind(query, SYNTHETIC_VALUES.get(query.name, {}), graph)
        ours = median_time(lambda: engine.query(query.text, bindings))
        text = values_block(query.text, bindings) if bindings else query.text  # what the engine sends
        raw = median_time(lambda: list(engine.store.query(text, prefixes=prefixes)))
        if raw >= 0.001:  # below a millisecond, converting the terms to rdflib dominates
            worst_raw = max(worst_raw, ours / raw)
        if rdflib_queries:
            base = capped_time(lambda: list(graph.query(query.text, initBindings=bindings)), RDFLIB_CAP)
            shown = f"> {RDFLIB_CAP:.0f} s" if base == float("inf") else f"{base * 1000:.0f} ms"
            show(f"| query `{query.name}` | {shown} | {ours * 1000:.1f} ms "
                 f"(raw pyoxigraph {raw * 1000:.1f} ms) | {ratio(base, ours)} |")
        else:
            show(f"| query `{query.name}` | not run | {ours * 1000:.1f} ms "
                 f"(raw pyoxigraph {raw * 1000:.1f} ms) | – |")
    show(f"| worst named query (≥ 1 ms raw) vs raw pyoxigraph | | {worst_raw:.2f}× raw (target ≤ 1.5×) | |")

    from rammegraf.validate import check_entries, validate

    entry = Graph().parse(data=ENTRY, format="turtle")
    base = Graph()
    base += graph
    focused = median_time(lambda: check_entries(entry, base), runs=1)
    if validate_full:
        whole = Graph()
        whole += graph
        whole += entry
        seconds = median_time(lambda: validate(whole), runs=1)
        show(f"| full validation (pySHACL, defaults; rammegraf uses the same) | {seconds:.1f} s "
                     f"| {seconds:.1f} s | 1.0× |")
        show(f"| one new status report, validated with the graph | {seconds:.1f} s (whole graph) "
                     f"| {focused:.2f} s (its focus nodes) | {ratio(seconds, focused)} |")
    else:
        show(f"| one new status report, validated with the graph | not run "
                     f"| {focused:.2f} s (its focus nodes) | – |")

    net, project_s = timed(lambda: build_network(graph))
    area = next(iter(sorted(n for n in net if "/udviklingsomraade/" in n)))
    view = select_view(graph, net, "node:" + area.split("/id/")[1], depth=1)
    data, view_s = timed(lambda: page_data(graph, view))
    page = ROOT / "out" / f"bench-{size}-area.html"
    page.write_text(render_html(data), encoding="utf-8")
    open_s = open_seconds(page, ready_selector="body[data-ready='1']")
    show(f"| network projection ({net.number_of_nodes():,} nodes) | | {project_s:.2f} s | |")
    show(f"| one development area's view ({view.net.number_of_nodes():,} nodes): layout + data | "
         f"| {view_s:.2f} s | |")
    show(f"| that view opened in Chromium until drawn | | {open_s:.2f} s | target ≤ 3 s |")
    show("")


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def whole_process() -> None:
    command = [str(ROOT / ".venv" / "bin" / "rammegraf"), "query", "afhaenger-af-milepael"]
    ours = median_time(lambda: subprocess.run(command, capture_output=True, check=True), runs=5)
    bare = median_time(lambda: subprocess.run([sys.executable, "-c", "import rdflib"], check=True), runs=5)
    for line in ["### whole process on the shipped data", "",
                 "| step | baseline | rammegraf | note |", "| --- | --- | --- | --- |",
                 f"| `rammegraf query afhaenger-af-milepael` | `python -c 'import rdflib'`: {bare:.2f} s "
                 f"| {ours:.2f} s | target ≤ 1 s |", ""]:
        show(line)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--skip-rdflib-queries", action="store_true")
    parser.add_argument("--skip-validation", action="store_true")
    args = parser.parse_args()
    whole_process()
    for size in args.sizes.split(","):
        bench_size(size, rdflib_queries=not args.skip_rdflib_queries and size != "1m",
                   validate_full=not args.skip_validation and size == "10k")
    return 0


if __name__ == "__main__":
    sys.exit(main())
