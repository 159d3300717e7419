"""Benchmark: build and open a ~2,000-node graph view, against pyvis's own way.

Ours: the networkx projection, a layout computed in Python, our template, physics
off; opened in Chromium until the first drawing. Baseline, measured in the same
run on the same nodes and edges: pyvis's Network (add_node/add_edge, which scans
every edge it has) and generate_html, opened in Chromium with pyvis's default
physics until the layout stabilises (capped).

    .venv/bin/python benchmarks/graph_view.py

With ``--area SLUG`` it times instead the view of one development area at one size,
as the analysts get it (issue 28), the old code beside the new in the same run:
`rammegraf graph --view area:SLUG --depth D` as a whole process for each depth, and
a fresh `rammegraf serve` answering /graf?view=… (the area, an actor and an initiative
at the default depth) cold, then warm. ``--against REV`` runs the code of that git
revision the same way, alternating with today's (its tree is unpacked under
out/bench-against/, and builds its own on-disk store of the data once); the bare
start-up (Python importing what the command imports and opening the store) is the
floor. The load average is printed with the timings: the machine may be shared.

    .venv/bin/python benchmarks/graph_view.py --area syn-nordjylland-4 --data out/bench-1m --against 9009144
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from run import compiled  # noqa: E402
from serve import free_port, wait_ready  # noqa: E402

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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--area", help="time this development area's view at one size (issue 28) instead")
    parser.add_argument("--data", type=Path, default=ROOT / "out" / "bench-1m")
    parser.add_argument("--depths", default="1,2")
    parser.add_argument("--views", default="", help="served views besides the area (default: an actor and an "
                                                     "initiative of the synthetic data)")
    parser.add_argument("--against", help="a git revision whose code is timed too (before/after)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=120.0, help="seconds before a command is stopped")
    args = parser.parse_args()
    if args.area:
        return area_view(args)
    return whole_graph()


def whole_graph() -> int:
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


# ---------------------------------------------------------------------------
# One development area's view at one size, old code against new (issue 28)
# ---------------------------------------------------------------------------

START = """
import sys, networkx, numpy, scipy.sparse.linalg, scipy.spatial, jinja2
from rammegraf.engine import OxigraphEngine
from rammegraf.viz import graph_page
engine = OxigraphEngine.open([sys.argv[1]])
len(engine)
"""


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def unpacked(rev: str) -> Path:
    """The tree of ``rev`` (its src/, ontology/, data/, queries/), unpacked once under out/."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    tree = ROOT / "out" / "bench-against" / sha
    if not (tree / "src" / "rammegraf").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def code(tree: Path | None) -> tuple[list[str], dict]:
    """The command that runs rammegraf from ``tree`` (today's checkout if None), and its environment."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str((tree or ROOT) / "src")  # both alike: no editable install's import hook
    compiled((tree or ROOT) / "src")                   # and both as bytecode
    return [sys.executable, "-c", "from rammegraf.cli import main; main()"], env


def whole_process(command: list[str], env: dict, cap: float) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one run of ``command``."""
    import resource

    def cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    start, start_cpu = time.perf_counter(), cpu()
    try:
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=cap)
    except subprocess.TimeoutExpired:
        return float("inf"), float("inf")
    return time.perf_counter() - start, cpu() - start_cpu


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def fetch(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"accept": "text/html"}),
                                    timeout=600) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - start, status


def served(tree: Path | None, data: Path, paths: list[str]) -> dict[str, tuple[float, int, float, int]]:
    """Each path's first GET (cold) and second (warm) on a fresh server with the default limit."""
    command, env = code(tree)
    port = free_port()
    server = subprocess.Popen([*command, "serve", "--port", str(port), "--data", str(data)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/sparql", server)
        out = {}
        for path in paths:
            cold, cold_status = fetch(base + path)
            warm, warm_status = fetch(base + path)
            out[path] = (cold, cold_status, warm, warm_status)
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def shown(seconds: float, cap: float, status: int | None = None) -> str:
    text = f"> {cap:.0f} s" if seconds == float("inf") else f"{seconds:.2f} s"
    return text if status in (None, 200) else f"{text} ({status})"


def area_view(args) -> int:
    data = args.data.resolve()
    trees: dict[str, Path | None] = {"today": None}
    if args.against:
        trees[args.against] = unpacked(args.against)
    print(f"{data}: area:{args.area}; median of {args.runs}, cap {args.cap:.0f} s; {load()}", flush=True)
    for name, tree in trees.items():  # each tree's on-disk store built (and its code compiled) before timing
        command, env = code(tree)
        subprocess.run([*command, "graph", "--view", f"area:{args.area}", "--depth", "0", "--data", str(data),
                        "-o", os.devnull], env=env, check=True, capture_output=True)
    out = Path(tempfile.mkdtemp(prefix="rammegraf-area-")) / "view.html"
    rows = []
    start_cmd = [sys.executable, "-c", START, str(data)]
    floor = medians([whole_process(start_cmd, dict(os.environ), args.cap) for _ in range(args.runs)])
    for depth in args.depths.split(","):
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, tree in trees.items():  # alternating: the machine's load falls on each alike
                command, env = code(tree)
                times[name].append(whole_process([*command, "graph", "--view", f"area:{args.area}", "--depth",
                                                  depth, "--data", str(data), "-o", str(out)], env, args.cap))
        rows.append((f"`rammegraf graph --view area:… --depth {depth}`, whole process",
                     {name: medians(values) for name, values in times.items()}))
    print(f"bare start-up (Python, the command's imports, the store opened): {floor[0]:.2f} s "
          f"(CPU {floor[1]:.2f} s); {load()}")
    print()
    print("Wall clock (CPU seconds, user + system, in brackets: what a shared machine inflates least).")
    print()
    header = "| what | today |" + "".join(f" `{name}` | before ÷ after |" for name in trees if name != "today")
    print(header)
    print("| --- | --- |" + " --- | --- |" * (len(trees) - 1))
    for what, median in rows:
        (wall, cpu) = median["today"]
        line = f"| {what} | {shown(wall, args.cap)} ({cpu:.2f} s) |"
        for name in trees:
            if name != "today":
                before, before_cpu = median[name]
                ratio = (f"> {args.cap / wall:.1f}×" if before == float("inf") else f"{before / wall:.1f}×")
                cpu_text = "" if before == float("inf") else f" ({before_cpu:.2f} s)"
                line += f" {shown(before, args.cap)}{cpu_text} | {ratio} |"
        print(line, flush=True)
    views = [v for v in args.views.split(",") if v] or ["actor:syn-nordjylland-03", "initiative:syn-nordjylland-2025-1"]
    paths = [f"/graf?view={quote('area:' + args.area)}"] + [f"/graf?view={quote(v)}" for v in views]
    print()
    print(f"served, default depth (2), the server's default limit; {load()}")
    print()
    print("| page | " + " | ".join(f"{name} cold | {name} warm" for name in trees) + " |")
    print("| --- |" + " --- | --- |" * len(trees))
    answers = {name: served(tree, data, paths) for name, tree in trees.items()}
    for path in paths:
        line = f"| `{path}` |"
        for name in trees:
            cold, cold_status, warm, warm_status = answers[name][path]
            line += f" {shown(cold, args.cap, cold_status)} | {shown(warm, args.cap, warm_status)} |"
        print(line, flush=True)
    print()
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
