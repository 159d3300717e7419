"""Benchmark: build and open a ~2,000-node graph view, against pyvis's own way.

Ours: the networkx projection, a layout computed in Python, our template, physics
off; opened in Chromium until the first drawing. Baseline, measured in the same
run on the same nodes and edges: pyvis's Network (add_node/add_edge, which scans
every edge it has) and generate_html, opened in Chromium with pyvis's default
physics until the layout stabilises (capped).

    .venv/bin/python benchmarks/graph_view.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

from rammegraf.engine import OxigraphEngine  # noqa: E402
from rammegraf.network import build_network  # noqa: E402
from rammegraf.viz import View, page_data, render_html  # noqa: E402

CAP = 180.0
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def open_seconds(path: Path, *, ready_selector: str | None = None, ready_js: str | None = None) -> float:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        context = browser.new_context()
        context.route("http*://**", lambda route: route.abort())  # offline, as the tests run it
        page = context.new_page()
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="commit")
        try:
            if ready_selector:  # our page's CSP forbids eval, so wait on the DOM, not a JS predicate
                page.wait_for_selector(ready_selector, state="attached", timeout=CAP * 1000)
            else:
                page.wait_for_function(ready_js, timeout=CAP * 1000, polling=100)
            seconds = time.perf_counter() - start
        except PlaywrightTimeout:
            seconds = float("inf")
        browser.close()
    return seconds


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="rammegraf-bench-"))
    generate(work / "data", years=2, per_region_year=70, seed=4)
    engine = OxigraphEngine.open([work / "data"])
    print(f"graph: {len(engine)} triples")

    net, t_project = timed(lambda: build_network(engine))
    view = View(net, "Benchmark", None)
    data, t_layout = timed(lambda: page_data(engine, view))
    html, t_render = timed(lambda: render_html(data))
    ours = work / "ours.html"
    ours.write_text(html, encoding="utf-8")
    print(f"view: {net.number_of_nodes()} nodes, {net.number_of_edges()} edges")

    def pyvis_build():
        from pyvis.network import Network

        pv = Network(height="900px", width="100%", directed=True, cdn_resources="in_line")
        for node, attrs in net.nodes(data=True):
            pv.add_node(node, label=attrs["label"])
        for u, v, attrs in net.edges(data=True):
            pv.add_edge(u, v, title=attrs["label"])
        return pv.generate_html()

    base_html, t_base_build = timed(pyvis_build)
    baseline = work / "pyvis.html"
    baseline.write_text(base_html, encoding="utf-8")

    t_open = open_seconds(ours, ready_selector="body[data-ready='1']")
    t_base_open = open_seconds(
        baseline,
        ready_js="typeof network !== 'undefined' && network.physics && network.physics.stabilized === true")

    ours_build = t_project + t_layout + t_render
    rows = [
        ("build the page (projection + layout + HTML)", ours_build, t_base_build),
        ("open in Chromium until drawn / stabilised", t_open, t_base_open),
        ("build + open", ours_build + t_open, t_base_build + t_base_open),
    ]
    print(f"  (ours: projection {t_project:.2f} s, layout {t_layout:.2f} s, HTML {t_render:.2f} s)")
    print(f"{'step':<45} {'rammegraf':>10} {'pyvis':>10} {'ratio':>8}")
    for name, mine, theirs in rows:
        shown = f"{theirs:.2f}" if theirs != float("inf") else f">{CAP:.0f}"
        ratio = f"{theirs / mine:.1f}×" if theirs != float("inf") else f">{CAP / mine:.0f}×"
        print(f"{name:<45} {mine:>9.2f}s {shown:>9}s {ratio:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
