"""The status document (`rammegraf report`) and the Word round, as whole processes.

For one data folder: each format of the report of a round (.docx, .pdf, .html, .md),
and `round new`/`round import --dry-run` as .docx beside the same as .xlsx, each run as
its own process (what a user waits for: start-up, the store, the queries, the chart
drawn by vl-convert, the layout), median seconds and the highest peak memory of the
runs (a format with the chart as a PNG twice: with the cache of drawn charts emptied before
each run, and as a second report of the round finds it). The baseline, measured in the same
run on the same data: `rammegraf deadlines`
as of the round (the milestone states the report is built on), and the ratio of each
to it.

    .venv/bin/python benchmarks/report.py                        # the shipped data
    .venv/bin/python benchmarks/report.py --data out/bench-1m --runs 1 --formats .html .md
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

RAMMEGRAF = [str(Path(sys.executable).parent / "rammegraf")]


def timed(args: list[str], before=None) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one process (``before()`` runs first, untimed)."""
    if before is not None:
        before()
    start = time.perf_counter()
    child = subprocess.Popen(RAMMEGRAF + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"failed: rammegraf {' '.join(args)}: {child.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def measure(args: list[str], runs: int, before=None) -> tuple[float, float]:
    results = [timed(args, before) for _ in range(runs)]
    return statistics.median(s for s, _ in results), max(m for _, m in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="data folder (default: the shipped data)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--as-of", default=None, help="the round (default: the latest)")
    parser.add_argument("--formats", nargs="+", default=[".docx", ".pdf", ".html", ".md"])
    parser.add_argument("--no-round", action="store_true", help="skip round new/import")
    args = parser.parse_args(argv)
    data = ["--data", str(args.data)] if args.data else []
    as_of = ["--as-of", args.as_of] if args.as_of else []
    if args.data:
        timed(["stats", *data])   # index a large folder once, outside the timings
    with tempfile.TemporaryDirectory() as tmp:
        day = args.as_of or _latest(data)
        rows = [("deadlines --as-of " + day + " (baseline)", *measure(["deadlines", "--as-of", day, *data], args.runs))]
        for suffix in args.formats:
            command = ["report", *as_of, *data, "-o", f"{tmp}/r{suffix}"]
            if suffix in (".docx", ".pdf", ".md"):   # the chart as PNG: drawn, or read from the cache
                rows.append((f"report {suffix}, the chart drawn (cache emptied)",
                             *measure(command, args.runs, before=_forget_charts)))
            rows.append((f"report {suffix}", *measure(command, args.runs)))
        if not args.no_round:
            for suffix in (".xlsx", ".docx"):
                target = f"{tmp}/runde{suffix}"
                rows.append((f"round new {suffix}", *measure(["round", "new", "--date", "2099-01-01", "--title", "B",
                                                              "-o", target, *data], args.runs)))
                rows.append((f"round import {suffix} --dry-run (nothing filled in: read and checked)",
                             *_import(target, data, args.runs)))
    base = rows[0][1]
    print(f"{'':60} {'seconds':>8} {'× base':>7} {'peak MB':>8}")
    for name, seconds, peak in rows:
        print(f"{name:60} {seconds:8.2f} {seconds / base:7.2f} {peak:8.0f}")
    return 0


def _forget_charts() -> None:
    """Empty the cache of drawn charts (statusdoc.chart_png), so the run draws its chart."""
    import shutil

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from rammegraf.store import cache_root

    shutil.rmtree(cache_root() / "charts", ignore_errors=True)


def _import(target: str, data: list[str], runs: int) -> tuple[float, float]:
    """round import of an empty round exits 1 (nothing to import) after reading every row."""
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(RAMMEGRAF + ["round", "import", target, "--dry-run", *data],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        message = child.stderr.read().decode()
        if "intet at indlæse" not in message:
            raise SystemExit(f"unexpected: {message[-300:]}")
        results.append((time.perf_counter() - start, usage.ru_maxrss / 1024))
    return statistics.median(s for s, _ in results), max(m for _, m in results)


def _latest(data: list[str]) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from rammegraf.engine import open_engine
    from rammegraf.network import latest_round

    return latest_round(open_engine([Path(data[1])] if data else None)).isoformat()


if __name__ == "__main__":
    sys.exit(main())
