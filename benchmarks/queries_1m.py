"""Every named query as a whole process at one size, beside raw pyoxigraph in the same run.

For each named query (its default parameters, or values that exist in the
synthetic data): `rammegraf query NAME --data FOLDER` as a whole process, and a
bare Python process that opens the same on-disk store read-only with pyoxigraph
and runs the same bound text (what the engine runs), alternating, median of
``--runs``. Each run is stopped at ``--cap`` seconds (shown as "> cap").

With ``--against REV`` the query files of that git revision are timed as well
(`rammegraf query FILE.rq`, alternating with today's), to show before and after
in one run on a shared machine. With ``--before-cli PATH`` as well, those files
run on another installation's `rammegraf` (say another worktree's
``.venv/bin/rammegraf``), so the column is that revision's whole code, labels
included, not only its query text.

    .venv/bin/python benchmarks/queries_1m.py                          # every query, 1m
    .venv/bin/python benchmarks/queries_1m.py --only faseskift --against main
    .venv/bin/python benchmarks/queries_1m.py --against main --before-cli ../main/.venv/bin/rammegraf
    .venv/bin/python benchmarks/queries_1m.py --data /path/to/bench-1m --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import SYNTHETIC_VALUES, compiled  # noqa: E402

RAW = r"""
import sys, pyoxigraph
from rammegraf.engine import BASE
from rammegraf.namespaces import PREFIXES
store = pyoxigraph.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
result = store.query(text, prefixes=PREFIXES, base_iri=BASE)
rows = list(result) if not isinstance(result, bool) else [result]
print(len(rows))
"""


def timed_run(command: list[str], cap: float) -> float:
    start = time.perf_counter()
    try:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=cap)
    except subprocess.TimeoutExpired:
        return float("inf")
    return time.perf_counter() - start


def seconds(value: float, cap: float) -> str:
    return f"> {cap:.0f} s" if value == float("inf") else f"{value:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1m")
    parser.add_argument("--data", type=Path, help="the data folder (default: out/bench-SIZE)")
    parser.add_argument("--only", default="", help="comma-separated query names")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=150.0, help="seconds before a run is stopped")
    parser.add_argument("--against", help="a git revision whose query files are timed too (before/after)")
    parser.add_argument("--before-cli", help="with --against: the rammegraf that runs that revision's files "
                                             "(default: this one)")
    args = parser.parse_args()

    from rammegraf.engine import OxigraphEngine
    from rammegraf.query import bind, named_queries, prepared_for, queries_dir
    from rammegraf.store import ensure_store

    compiled(ROOT / "src")
    folder = args.data or ROOT / "out" / f"bench-{args.size}"
    store_dir = ensure_store([folder])
    import pyoxigraph as ox

    engine = OxigraphEngine(ox.Store.read_only(str(store_dir)))
    rammegraf = str(Path(sys.executable).parent / "rammegraf")
    only = {name for name in args.only.split(",") if name}
    scratch = Path(tempfile.mkdtemp(prefix="rammegraf-q1m-"))
    env_note = os.environ.get("RAMMEGRAF_CACHE", "default cache")
    print(f"{folder} (store {store_dir}, {env_note}); median of {args.runs}, cap {args.cap:.0f} s; "
          f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    print()
    header = "| named query | raw pyoxigraph, whole process | rammegraf query, whole process | ratio (raw ÷ ours) |"
    rule = "| --- | --- | --- | --- |"
    if args.against:
        whose = "code" if args.before_cli else "text"
        header += f" `{args.against}`'s {whose}, whole process | before ÷ after |"
        rule += " --- | --- |"
    print(header + " load average |")
    print(rule + " --- |", flush=True)
    for query in named_queries():
        if only and query.name not in only:
            continue
        values = SYNTHETIC_VALUES.get(query.name, {})
        bindings = bind(query, values, engine)
        text_file = scratch / f"{query.name}.rq"
        text_file.write_text(prepared_for(query).text(bindings), encoding="utf-8")
        params = [arg for key, value in values.items() for arg in ("-p", f"{key}={value}")]
        ours_cmd = [rammegraf, "query", query.name, "--data", str(folder), "--format", "csv", *params]
        raw_cmd = [sys.executable, "-c", RAW, str(store_dir), str(text_file)]
        commands = {"raw": raw_cmd, "ours": ours_cmd}
        if args.against:
            old = subprocess.run(["git", "show", f"{args.against}:queries/{query.name}.rq"], cwd=ROOT,
                                 capture_output=True, text=True)
            if old.returncode == 0:
                old_file = scratch / "old" / f"{query.name}.rq"
                old_file.parent.mkdir(exist_ok=True)
                old_file.write_text(old.stdout, encoding="utf-8")
                commands["old"] = [args.before_cli or rammegraf, "query", str(old_file), "--data", str(folder),
                                   "--format", "csv", *params]
        times: dict[str, list[float]] = {kind: [] for kind in commands}
        for _ in range(args.runs):
            for kind, command in commands.items():  # alternating: the machine's load falls on each alike
                times[kind].append(timed_run(command, args.cap))
        median = {kind: statistics.median(values) for kind, values in times.items()}
        raw, ours = median["raw"], median["ours"]
        ratio = "–" if float("inf") in (raw, ours) else f"{raw / ours:.2f}×"
        line = f"| `{query.name}` | {seconds(raw, args.cap)} | {seconds(ours, args.cap)} | {ratio} |"
        if args.against:
            old = median.get("old")
            if old is None:
                line += " – | – |"
            else:
                gain = f"> {old / ours:.1f}×" if old == float("inf") and ours != float("inf") else (
                    "–" if float("inf") in (old, ours) else f"{old / ours:.1f}×")
                if old == float("inf") and ours != float("inf"):
                    gain = f"> {args.cap / ours:.0f}×"
                line += f" {seconds(old, args.cap)} | {gain} |"
        print(line + f" {os.getloadavg()[0]:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
