"""The front page (the dashboard) and /frister, served, against the store's own work in one run.

For each size: a fresh `rammegraf serve` on the data (the on-disk store, built once
beforehand); the first GET / after the server answers (cold: no answer cached, the
workers' first queries), then GET / again (warm: from the answer cache, what everyone
after the first reader gets), each whole HTML. The baseline, measured in the same run on
the same store: the dashboard's own job in one process (rammegraf.web.jobs.dashboard,
no web server), and the smallest honest reading of the round (each initiative's phase in
it, one query by raw pyoxigraph). Then, on the shipped data, the time Chromium takes to
draw every chart of the front page after the HTML has arrived (`--browser`).

    .venv/bin/python benchmarks/dashboard.py --sizes shipped,1m --runs 3 --browser
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))
from serve import free_port, wait_ready  # noqa: E402

ROUND = """PREFIX rg: <https://w3id.org/rammegraf/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?i ?p WHERE { ?r rg:asOf %s ; rg:statusOf ?i ; rg:phase ?p ; prov:wasDerivedFrom ?x . ?x a rg:StatusRound }"""


def show(line: str = "") -> None:
    print(line, flush=True)


def data_of(size: str) -> Path:
    return ROOT / "data" if size == "shipped" else ROOT / "out" / f"bench-{size}"


def get(url: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"accept": "text/html"}), timeout=600) as answer:
        body = answer.read()
        return time.perf_counter() - start, answer.status, len(body)


def forget_kept(size: str) -> None:
    """Remove the front page kept beside the store, so the next server computes it."""
    from rammegraf.store import store_location

    for kept in store_location((data_of(size),)).glob("forside-*.json"):
        kept.unlink()


def served(size: str) -> dict[str, float]:
    """Cold and warm GET / and /frister on a fresh server."""
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/rammegraf"), "serve", "--port", str(port), "--data",
                               str(data_of(size)), "--timeout", "120"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/sparql", server)
        out = {}
        for name, path in (("front page", "/"), ("/frister", "/frister")):
            cold, status, size_ = get(base + path)
            warm, status2, _ = get(base + path)
            assert status == status2 == 200, (path, status, status2)
            out[f"{name} cold"], out[f"{name} warm"], out[f"{name} bytes"] = cold, warm, size_
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def in_process(size: str) -> dict[str, float]:
    """The dashboard job without a server, and the round read by one raw query."""
    script = f"""
import time, pyoxigraph as ox
from rammegraf.engine import open_engine
from rammegraf.network import latest_round
from rammegraf.web.jobs.dashboard import dashboard
engine = open_engine(data_dirs=({str(data_of(size))!r},))
day = latest_round(engine)
start = time.perf_counter(); n = len(list(engine.store.query({ROUND!r} % ('"' + day.isoformat() + '"^^<http://www.w3.org/2001/XMLSchema#date>'))))
raw = time.perf_counter() - start
start = time.perf_counter(); dashboard(engine, None, "da"); job = time.perf_counter() - start
print(raw, job, n)
"""
    done = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", script], capture_output=True, text=True, check=True)
    raw, job, n = done.stdout.split()
    return {"raw round query": float(raw), "dashboard job": float(job), "initiatives in the round": int(n)}


def drawn_in_chromium(runs: int) -> list[float]:
    """Seconds from the HTML's arrival (domContentLoaded) until every chart is drawn, on the shipped data."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/rammegraf"), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/sparql", server)
        get(base + "/")     # the answer cached: the browser's time is measured, not the server's
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            for _ in range(runs):
                page = browser.new_context().new_page()     # a new context: nothing cached in the browser
                page.goto(base + "/")
                end = time.monotonic() + 30
                while not page.evaluate("[...document.querySelectorAll('figure.chart[data-spec]')]"
                                        ".every(f => f.dataset.drawn === '1')"):
                    assert time.monotonic() < end, "the charts were not drawn in 30 s"
                    time.sleep(0.02)
                times.append(page.evaluate("""() => (Math.max(...[...document.querySelectorAll('figure.chart')]
                    .map(f => Number(f.dataset.drawnAt))) - performance.getEntriesByType('navigation')[0]
                    .domContentLoadedEventEnd) / 1000"""))
                page.context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,1m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also time Chromium drawing the charts")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        if not data_of(size).exists():
            sys.exit(f"no data for {size}: python benchmarks/generate.py --size {size} -o out/bench-{size}")
        forget_kept(size)
        computed = served(size)       # the first start on this store computes the front page
        runs = [served(size) for _ in range(args.runs)]     # later starts read it from beside the store
        base = [in_process(size) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        ref = {k: statistics.median(r[k] for r in base) for k in base[0]}
        show(f"## {size} ({int(ref['initiatives in the round'])} initiatives in the latest round), medians of {args.runs}")
        show(f"  raw round query (baseline)      {ref['raw round query']:7.2f} s")
        show(f"  dashboard job, one process       {ref['dashboard job']:7.2f} s  "
             f"({ref['dashboard job'] / ref['raw round query']:.1f}x the round query)")
        show(f"  front page, first start on the store (computed): {computed['front page cold']:7.2f} s")
        for name in ("front page", "/frister"):
            show(f"  {name:10} cold (a later start) {med[name + ' cold']:7.2f} s  warm {med[name + ' warm']:6.3f} s  "
                 f"({med[name + ' bytes'] / 1024:.0f} KB; cold {med[name + ' cold'] / ref['raw round query']:.1f}x, "
                 f"warm {med[name + ' warm'] / ref['raw round query']:.2f}x the round query)")
    if args.browser:
        times = drawn_in_chromium(args.runs)
        show(f"## Chromium, shipped data: every chart drawn {statistics.median(times):.2f} s after the HTML "
             f"(runs: {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
