"""Every page of the web app, served, on the shipped data and on a large graph, in one run.

For each data set: its on-disk store and search index built first (untimed here:
`scale.py` times them), the front page and report kept beside the store removed (so the
start computes them), then a real `rammegraf serve --data FOLDER` with its default
settings (the 10 s limit, its workers). Measured: the time until it answers, and
until the front page computed ahead at the start is ready (Danish and English), and
then until the latest round's report (its page and files) is kept beside the store.
Then every page once, one request at a time (cold: the first request for that
page on this server), then every page in English (computed again: another key of
the answer cache, on workers and a store that are warm), and then three more rounds
of every page (warm: the median; pages kept in the server's answer cache come from
it, as for every reader after the first; a page refused with 503 when warm is not
asked again: each refusal costs the whole limit). A page refused cold because it was
not ready, but finished for the next reader (`serve --page-timeout`), is asked again
every second until it is served, and the row says how long after the first request
that was. Each row: status codes, the body's size, cold, English and warm seconds.

The baseline in the same run: the same pages on the shipped data (`shipped`,
served the same way), and one raw pyoxigraph query on the same on-disk store
(every initiative with its Danish label, all rows read), a floor for any page
that lists every initiative.

    .venv/bin/python benchmarks/pages.py --sizes shipped,1m              # about 30 minutes at 1m
    .venv/bin/python benchmarks/pages.py --sizes shipped,1m,10m --reuse shipped,1m   # 10m beside kept runs
    .venv/bin/python benchmarks/pages.py --sizes shipped,1m --endpoint virtuoso      # and served from Virtuoso
    .venv/bin/python benchmarks/pages.py --sizes 1m --reuse 1m --endpoint virtuoso --endpoint-keep 600

With --endpoint virtuoso each generated size is measured a second time right after the
local run (row SIZE-virtuoso): a Virtuoso 7 started here (tests/conftest.py's set-up,
more buffers), loaded by `rammegraf push --store …/sparql-graph-crud-auth --graph IRI`
with credentials, and `rammegraf serve --endpoint …/sparql --graph IRI` with the same
defaults; its ratios are against the local run of the same size in the same run.

Each data set's rows are kept in out/pages-SIZE.json; --reuse prints those instead of
measuring again. Targets (issue 28): warm ≤ 1 s at 1m (≤ 3 s at 10m), cold ≤ 3 s, no 503.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from serve import free_port, wait_ready  # noqa: E402

# The resources each data set has (the synthetic sizes share generate.py's IRIs).
EXAMPLES = {
    "shipped": {"initiative": "botilbudsteams", "actor": "midtjylland", "milestone": "regionens-organisering-paa-plads",
                "municipality": "aarhus", "area": "mental-sundhed-og-psykiatri", "round": "2025-08-20",
                "older": "2025-04-08"},
    "synthetic": {"initiative": "syn-midtjylland-2025-1", "actor": "midtjylland",
                  "milestone": "syn-midtjylland-organisering", "municipality": "syn-midtjylland-01",
                  "area": "syn-midtjylland-1", "round": "2028-09-01", "older": "2027-09-01"},
}
# Named queries whose default names a resource of the shipped plan, absent from generate.py's
# data (their default page is a 400 there): a second row with a value it has.
ID = "https://w3id.org/rammegraf/id/"
SYNTHETIC_VALUES = {"aktoers-initiativer": ("actor", ID + "region/midtjylland"),
                    "initiativer-i-plan": ("plan", ID + "aftale/syn-tiaarsplan"),
                    "opgaver-og-udfordringer": ("initiative", ID + "initiativ/syn-midtjylland-2025-1"),
                    "statushistorik": ("initiative", ID + "initiativ/syn-midtjylland-2025-1")}
WORD = "sundhed"   # in an area's label in both: "Mental sundhed …"

# (row, path): every page a reader can open, with the data set's examples filled in.
PAGES = [
    ("front page", "/"),
    ("front page, English", "/?lang=en"),
    ("/frister", "/frister"),
    ("/frister.ics", "/frister.ics"),
    ("/runder", "/runder"),
    ("/runder/DAY (the latest round)", "/runder/{round}"),
    ("/billeder/tidslinje.svg", "/billeder/tidslinje.svg"),
    ("/billeder/tidslinje.png", "/billeder/tidslinje.png"),
    ("/billeder/matrix.svg", "/billeder/matrix.svg"),
    ("/billeder/matrix.png", "/billeder/matrix.png"),
    ("/billeder/matrix.csv", "/billeder/matrix.csv"),
    ("/rapport", "/rapport"),
    ("/rapport.html", "/rapport.html"),
    ("/rapport.md", "/rapport.md"),
    ("/rapport.docx", "/rapport.docx"),
    ("/rapport.pdf", "/rapport.pdf"),
    # not computed ahead: finished in the background (--page-timeout) and kept, on disk when large
    ("/rapport?as_of=OLDER (an older round)", "/rapport?as_of={older}"),
    # a round over 300 initiatives: the summary above, and each development area on a page of its own
    ("/rapport?as_of=OLDER&omraade=AREA (an area of an older round)",
     "/rapport?as_of={older}&omraade=udviklingsomraade/{area}"),
    ("/graf (the list of views)", "/graf"),
    ("/graf area, depth 1 (the list's link)", "/graf?view=area:{area}&depth=1"),
    ("/graf area, depth 2 (default)", "/graf?view=area:{area}"),
    ("/graf actor (the region)", "/graf?view=actor:{actor}"),
    ("/graf initiative", "/graf?view=initiative:{initiative}"),
    ("/graf whole graph (the list's first link)", "/graf?view=all"),
    ("/graf/naboer (expand an initiative)", "/graf/naboer?id=initiativ/{initiative}"),
    ("/id/ initiative", "/id/initiativ/{initiative}"),
    ("/id/ actor (the region)", "/id/region/{actor}"),
    ("/id/ milestone", "/id/milepael/{milestone}"),
    ("/id/ municipality", "/id/kommune/{municipality}"),
    ("/id/ development area", "/id/udviklingsomraade/{area}"),
    (f"/sok?q={WORD}", f"/sok?q={WORD}"),
    ("/foresporgsler (the list)", "/foresporgsler"),
    # every named query's page is added by pages()
    ("/ny (the entry forms)", "/ny"),
    *[(f"/ny/{slug}", f"/ny/{slug}") for slug in ("initiativ", "statusrapport", "milepael", "moede", "opgave",
                                                   "udfordring", "beslutningspunkt", "person", "kilde")],
    ("/valider (the form)", "/valider"),
    ("/sparql (the editor)", "/sparql"),
    ("/ontologi", "/ontologi"),
    ("/static/sparql.css", "/static/sparql.css"),
]

# Routes that are no page of their own (what each is, for the test that every route has a row)
NOT_PAGES = {
    "/sparql/ord": "the editor's word list (JSON), fetched by /sparql",
    "/sparql/": "the same as /sparql",
    "/ny/{slug}/tjek": "a form's live check (POST)",
    "/id/{path:path}/rediger": "editing an entry made in a form (404 on the generated data)",
    "/log-ind": "sign-in (only with an accounts file)",
    "/log-ud": "sign-out (POST)",
}

RAW = """
import sys, time, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
start = time.perf_counter()
n = sum(1 for _ in store.query('SELECT ?i ?l WHERE { ?i a <https://w3id.org/rammegraf/ontology#Initiative> ; '
    '<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER (lang(?l) = "da") }'))
print(time.perf_counter() - start, n)
"""


def show(line: str = "") -> None:
    print(line, flush=True)


VIRTUOSO_GRAPH = "https://w3id.org/rammegraf/graph/pages"
VIRTUOSO_PASSWORD = "RammegrafPages42"   # letters and digits: Virtuoso's SET PASSWORD reads no quotes


def base_size(size: str) -> str:
    """The data set of a row: "1m" for "1m" and for "1m-virtuoso"."""
    return size.split("-")[0]


def pages(size: str) -> list[tuple[str, str]]:
    """Every page's row name and path for a data set."""
    from rammegraf.query import named_queries

    size = base_size(size)
    examples = EXAMPLES["shipped" if size == "shipped" else "synthetic"]
    queries = [(f"/foresporgsler/{q.name}", f"/foresporgsler/{q.name}") for q in named_queries()]
    if size != "shipped":
        queries += [(f"/foresporgsler/{name}?{param}=(synthetic)", f"/foresporgsler/{name}?{param}={quote(value)}")
                    for name, (param, value) in SYNTHETIC_VALUES.items()]
    at = next(i for i, (name, _) in enumerate(PAGES) if name.startswith("/foresporgsler")) + 1
    return [(name, path.format(**examples)) for name, path in [*PAGES[:at], *queries, *PAGES[at:]]]


def data_of(size: str, out: Path) -> Path | None:
    return None if size == "shipped" else out / f"bench-{base_size(size)}"


def get(url: str) -> tuple[float, int, int]:
    seconds, status, body = fetch(url)
    return seconds, status, len(body)


def fetch(url: str) -> tuple[float, int, bytes]:
    request = urllib.request.Request(url, headers={"accept": "text/html"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=900) as answer:
            body = answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
    return time.perf_counter() - start, status, body


# what a 503 says when the page goes on being computed for the next reader (serve --page-timeout)
FINISHING = "den beregnes færdig".encode()


def finished(url: str, limit: float = 150) -> float | None:
    """Seconds until a page its first reader was refused (503, still being computed) is
    served: asked again every second; None if it is not within ``limit``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        _, status, body = fetch(url)
        if status != 503:
            return time.perf_counter() - start
        if FINISHING not in body:      # stopped, not finishing: asking again starts it again
            return None
        time.sleep(1)
    return None


def prepare(folder: Path | None) -> Path | None:
    """The on-disk store and search index (built if missing), without the front page kept
    beside it; None for data held in memory."""
    import pyoxigraph as ox

    from rammegraf.engine import OxigraphEngine
    from rammegraf.search import ensure_index
    from rammegraf.store import ensure_store, graph_files

    if folder is None or sum(f.stat().st_size for f in graph_files([folder])) <= 32_000_000:
        return None
    store = ensure_store([folder])
    ensure_index(store, OxigraphEngine(ox.Store.read_only(str(store)), store))
    # what a server keeps beside the store: the front page, the report, the whole calendar of a day
    for kept in [*store.glob("forside-*.json"), *store.glob("rapport-*"), *store.glob("frister-*.ics")]:
        kept.unlink()
    return store


def computed_ahead(base: str, store: Path | None, log: Path, limit: float = 900) -> float:
    """Seconds from now until the front page computed at the start is ready in both languages."""
    start = time.perf_counter()
    if store is None:   # in memory, nothing kept: the first readers wait for the same computation
        for path in ("/", "/?lang=en"):
            while get(base + path)[1] == 503 and time.perf_counter() - start < limit:
                pass
        return time.perf_counter() - start
    return kept_after(store, "forside-{lang}.json", "front page was not computed ahead", log, limit)


def report_ahead(store: Path | None, log: Path, limit: float = 900) -> float | None:
    """Seconds from now until the latest round's report, computed after the front page, is kept
    beside an on-disk store in both languages (web.report); None for data held in memory."""
    if store is None:
        return None
    return kept_after(store, "rapport-{lang}.json", "report was not computed ahead", log, limit)


def report_served(base: str, limit: float = 900) -> float:
    """From a server with --endpoint-keep: seconds from now until the latest round's report,
    computed ahead after the front page into the page cache, is served in both languages (the
    page, then a download of each: a request while it is computed joins it, 503 after 10 s),
    as report_ahead waits for it beside an on-disk store."""
    start = time.perf_counter()
    for path in ("/rapport", "/rapport?lang=en", "/rapport.docx", "/rapport.docx?lang=en"):
        while get(base + path)[1] == 503 and time.perf_counter() - start < limit:
            pass
    return time.perf_counter() - start


def kept_after(store: Path, name: str, failure: str, log: Path, limit: float) -> float:
    """Seconds from now until the server keeps ``name`` (with {lang}) beside the store in both
    languages; NaN when its log says ``failure``, infinity past ``limit``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if all((store / name.format(lang=lang)).is_file() for lang in ("da", "en")):
            return time.perf_counter() - start
        if failure in log.read_text(errors="replace"):
            return float("nan")
        time.sleep(0.1)
    return float("inf")


@contextmanager
def virtuoso(folder: Path | None, out: Path, size: str):
    """A Virtuoso 7 with the data set pushed into a named graph by `rammegraf push`
    (credentials from the environment, HTTP Digest); yields (its /sparql URL, the
    environment for rammegraf, push seconds)."""
    import shutil
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import virtuoso_server

    scratch = Path(tempfile.mkdtemp(prefix=f"rammegraf-pages-{size}-", dir=out)).resolve()   # virtuoso.ini wants it whole
    env = {**os.environ, "RAMMEGRAF_USER": "dba", "RAMMEGRAF_PASSWORD": VIRTUOSO_PASSWORD}
    try:
        # 200,000 buffers (1.6 GB): the tests' 20,000 hold a tenth of the 1M graph
        with virtuoso_server(scratch, password=VIRTUOSO_PASSWORD, buffers=200_000) as base:
            command = [str(Path(sys.executable).parent / "rammegraf"), "push", "--store",
                       f"{base}/sparql-graph-crud-auth", "--graph", VIRTUOSO_GRAPH, "--timeout", "1800"]
            if folder is not None:
                command += ["--data", str(folder)]
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
            yield f"{base}/sparql", env, time.perf_counter() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def serve_pages(size: str, out: Path, runs: int, only: str = "", keep: float = 0) -> dict:
    folder = data_of(size, out)
    if size.endswith("-virtuoso"):
        with virtuoso(folder, out, size) as (endpoint, env, pushed):
            show(f"  {size}: pushed in {pushed:.1f} s")
            try:
                result = _serve_pages(size, out, runs, only, endpoint=endpoint, env=env, keep=keep)
            finally:
                # the copies serve read of this server (the replica, 315 MB at 1M): its port is not used again
                import shutil

                from rammegraf.servercopy import folder_for
                shutil.rmtree(folder_for(endpoint, VIRTUOSO_GRAPH), ignore_errors=True)
        result["push"] = pushed
        result["endpoint_keep"] = keep
        return result
    return _serve_pages(size, out, runs, only)


def _serve_pages(size: str, out: Path, runs: int, only: str = "", *, endpoint: str | None = None,
                 env: dict | None = None, keep: float = 0) -> dict:
    folder = data_of(size, out)
    store = prepare(folder) if endpoint is None else None
    log = out / f"pages-{size}.log"
    port = free_port()
    command = [str(Path(sys.executable).parent / "rammegraf"), "serve", "--port", str(port)]
    if endpoint is not None:
        command += ["--endpoint", endpoint, "--graph", VIRTUOSO_GRAPH]
        if keep:
            command += ["--endpoint-keep", str(keep)]
    elif folder is not None:
        command += ["--data", str(folder)]
    started = time.perf_counter()
    with open(log, "w") as stderr:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/sparql", server, limit=900)
        ready = time.perf_counter() - started
        # served from an endpoint nothing is computed ahead or kept (but with --endpoint-keep): the
        # first readers compute the front page, so after a minute of 503s it is left to its own rows
        ahead = computed_ahead(base, store, log, limit=900 if endpoint is None or keep else 60)
        reports = report_ahead(store, log) if endpoint is None else report_served(base) if keep else None
        rows = []
        for name, path in [(n, p) for n, p in pages(size) if any(part in n for part in only.split("|"))]:
            seconds, status, body = fetch(base + path)
            rows.append({"page": name, "path": path, "cold": seconds, "status": [status], "bytes": len(body),
                         "warm_runs": []})
            if status == 503 and FINISHING in body:
                # finished for the next reader: how much later it is served (then warm is from the cache)
                row = rows[-1]
                row["finished"] = finished(base + path)
                if row["finished"] is not None:
                    row["finished"] += seconds
            show(f"  {size} cold {seconds:7.2f} s {status} {len(body):>9} B  {path}"
                 + (f"  (served {rows[-1]['finished']:.1f} s after the first request)"
                    if rows[-1].get("finished") else ""))
        for row in rows:   # the same page in English: computed again (another cache key) by warm workers
            if "lang=en" not in row["path"]:
                seconds, status, _ = get(base + row["path"] + ("&" if "?" in row["path"] else "?") + "lang=en")
                row["english"], row["english_status"] = seconds, status
        for _ in range(runs):
            for row in rows:
                if 503 in row["status"][1:]:   # refused warm once: again is ten seconds more of the same
                    continue
                seconds, status, _ = get(base + row["path"])
                row["warm_runs"].append(seconds)
                row["status"].append(status)
        for row in rows:
            row["warm"] = statistics.median(row["warm_runs"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    raw = None
    if store is not None:
        done = subprocess.run([sys.executable, "-c", RAW, str(store)], capture_output=True, text=True, check=True)
        seconds, n = done.stdout.split()
        raw = {"seconds": float(seconds), "rows": int(n)}
    load = os.getloadavg()
    return {"size": size, "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": [round(x, 2) for x in load], "ready": ready, "ahead": ahead, "report_ahead": reports, "raw": raw,
            "rows": rows}


def verdict(row: dict, warm_target: float, cold_target: float) -> str:
    missed = []
    if 503 in row["status"] or row.get("english_status") == 503:
        count = row["status"].count(503) + (row.get("english_status") == 503)
        missed.append(f"503 ×{count} of {len(row['status']) + ('english' in row)}")
    elif any(s >= 400 for s in row["status"]):
        missed.append(f"status {max(row['status'])}")
    if row["cold"] > cold_target:
        missed.append(f"cold > {cold_target:g} s")
    if row.get("english", 0) > cold_target:
        missed.append(f"English > {cold_target:g} s")
    if row["warm"] > warm_target:
        missed.append(f"warm > {warm_target:g} s")
    return "met" if not missed else "**" + ", ".join(missed) + "**"


def english(row: dict) -> str:
    if "english" not in row:
        return "–"
    status = row["english_status"]
    return f"{row['english']:.2f} s" + (f" ({status})" if status != 200 else "")


def table(results: list[dict]) -> None:
    base = next((r for r in results if r["size"] == "shipped"), None)
    for result in results:
        if result["size"] == "shipped":
            continue
        warm_target = 3.0 if base_size(result["size"]) == "10m" else 1.0
        show(f"### {result['size']}: measured {result['when']}, load average {result['load'][0]:.2f} "
             f"(1 min) / {result['load'][1]:.2f} (5 min) at its end")
        show()
        ahead = (f"the front page computed ahead {result['ahead']:.1f} s later" if result["ahead"] < float("inf")
                 else "the front page **not** computed ahead (its job failed: see out/pages-SIZE.log)")
        if result.get("report_ahead") is not None:
            ahead += f", the latest round's report kept {result['report_ahead']:.1f} s after that"
        pushed = f"Pushed to Virtuoso by `rammegraf push` in {result['push']:.1f} s. " if "push" in result else ""
        show(pushed + f"Server answering {result['ready']:.1f} s after its start; {ahead}."
             + (f" Raw pyoxigraph on the same store: every initiative with its label, {result['raw']['rows']:,} "
                f"rows, {result['raw']['seconds']:.2f} s." if result["raw"] else ""))
        if base:
            show(f"Shipped data, same run ({base['when']}): answering {base['ready']:.1f} s after its start, "
                 f"front page computed ahead {base['ahead']:.2f} s later.")
        show()
        others = [r for r in results if r["size"] not in ("shipped", result["size"])
                  and r["rows"] and r is not result]
        smaller = others[-1] if others and results.index(others[-1]) < results.index(result) else None
        header = ("| page | status | KB | cold | in English (computed again) | warm (median of 3) | shipped cold / warm | cold ÷ shipped cold "
                  + (f"| cold ÷ {smaller['size']} cold | warm ÷ {smaller['size']} warm " if smaller else "")
                  + f"| targets (warm ≤ {warm_target:g} s, cold ≤ 3 s, no 503) |")
        show(header)
        show("|" + " --- |" * (header.count("|") - 1))
        shipped = {r["page"]: r for r in base["rows"]} if base else {}
        before = {r["page"]: r for r in smaller["rows"]} if smaller else {}
        for row in result["rows"]:
            statuses = "/".join(str(s) for s in sorted(set(row["status"])))
            ref = shipped.get(row["page"])
            warm = f"{row['warm']:.2f} s" + (f" (503; {len(row['warm_runs'])} asked)" if 503 in row["status"][1:] else "")
            if row.get("finished") is not None:
                warm += f"; finished {row['finished']:.0f} s after the first request"
            cells = [row["page"].replace("|", "\\|"), statuses, f"{row['bytes'] / 1024:,.0f}",
                     f"{row['cold']:.2f} s", english(row), warm,
                     f"{ref['cold']:.2f} / {ref['warm']:.3f} s" if ref else "–",
                     f"{row['cold'] / ref['cold']:,.0f}×" if ref and ref["cold"] > 0 else "–"]
            if smaller:
                old = before.get(row["page"])
                cells += [f"{row['cold'] / old['cold']:.1f}×" if old else "–",
                          f"{row['warm'] / old['warm']:.1f}×" if old else "–"]
            cells.append(verdict(row, warm_target, 3.0))
            show("| " + " | ".join(cells) + " |")
        show()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,1m", help="shipped and sizes of benchmarks/generate.py")
    parser.add_argument("--runs", type=int, default=3, help="warm requests of each page (the median is shown)")
    parser.add_argument("--out", type=Path, default=ROOT / "out",
                        help="the folder with bench-SIZE/ (generate.py), where pages-SIZE.json and .log are kept")
    parser.add_argument("--reuse", default="", help="sizes whose kept pages-SIZE.json is shown, not measured again")
    parser.add_argument("--endpoint", choices=["virtuoso"], default=None,
                        help="also serve each generated size from this SPARQL server (row SIZE-virtuoso)")
    parser.add_argument("--endpoint-keep", type=float, default=0, metavar="SECONDS",
                        help="with --endpoint: serve --endpoint-keep SECONDS (pages kept, the front page "
                             "computed ahead)")
    parser.add_argument("--only", default="", help="measure only the pages whose row contains this text "
                        "(or one of several, separated by |), "
                        "on a fresh server, and put their rows into the kept pages-SIZE.json")
    args = parser.parse_args(argv)
    reuse = {s for s in args.reuse.split(",") if s}
    results = []
    sizes = [s for s in args.sizes.split(",") if s]
    if args.endpoint:
        sizes = [x for s in sizes for x in ([s] if s == "shipped" else [s, f"{s}-{args.endpoint}"])]
    for size in sizes:
        kept = args.out / f"pages-{size}.json"
        if size in reuse:
            results.append(json.loads(kept.read_text()))
            continue
        if size != "shipped" and not (args.out / f"bench-{base_size(size)}").is_dir():
            sys.exit(f"no data for {size}: python benchmarks/generate.py --size {size} -o {args.out}/bench-{size}")
        show(f"## {size}")
        result = serve_pages(size, args.out, args.runs, args.only, args.endpoint_keep)
        if args.only and kept.is_file():   # these rows measured again (or added), the others kept
            before = json.loads(kept.read_text())
            fresh = {row["page"]: row for row in result["rows"]}
            rows = [fresh.pop(row["page"], row) for row in before["rows"]]
            before["rows"] = rows + list(fresh.values())
            before.setdefault("added", []).append({k: v for k, v in result.items() if k != "rows"} | {"only": args.only})
            result = before
        kept.write_text(json.dumps(result, indent=1))
        results.append(result)
    table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
