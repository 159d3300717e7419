"""Building and validating a large graph: the on-disk store against pyoxigraph's bulk_load, in one run.

For each size, each step a fresh process under `/usr/bin/time -v` (wall time and
the maximum resident set size): pyoxigraph's own `bulk_load` of the same files
into a scratch folder (the baseline), then rammegraf building its on-disk store
(`rammegraf.store.ensure_store`, into the cache the other commands use; an existing
store is moved aside first, so it is built, not found), then the search index
beside it (what `serve` builds before its first page), then
`rammegraf validate --data FOLDER` on that store. A step that runs past `--cap`
is stopped and reported as such.

    .venv/bin/python benchmarks/scale.py --sizes 1m,10m     # 10m: generate.py --size 10m first; --out elsewhere
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
from run import BUILD  # noqa: E402

OURS = r"""
import sys, time
from pathlib import Path
from rammegraf.store import ensure_store
start = time.perf_counter()
ensure_store([Path(sys.argv[1])], progress=False)
print(time.perf_counter() - start)
"""

INDEX = r"""
import sys, time
from pathlib import Path
import pyoxigraph as ox
from rammegraf.engine import OxigraphEngine
from rammegraf.search import ensure_index
from rammegraf.store import ensure_store
folder = ensure_store([Path(sys.argv[1])])
start = time.perf_counter()
ensure_index(folder, OxigraphEngine(ox.Store.read_only(str(folder)), folder))
print(time.perf_counter() - start)
"""


def show(line: str = "") -> None:
    print(line, flush=True)


def timed(argv: list[str], cap: float, ok: tuple[int, ...] = (0,)) -> tuple[float | None, float | None, str]:
    """Wall seconds (None past the cap), peak RSS in GB, and the last line of standard output."""
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        process = subprocess.Popen(["/usr/bin/time", "-v", "-o", report.name, *argv],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = process.communicate(timeout=cap)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return None, None, ""
        seconds = time.perf_counter() - start
        if process.returncode not in ok:
            raise RuntimeError(f"{argv[:3]} failed ({process.returncode}): {err[-800:]}")
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", Path(report.name).read_text())
    peak = int(found.group(1)) / 1024 / 1024 if found else None
    return seconds, peak, (out.strip().splitlines() or [""])[-1]


def cell(seconds: float | None, peak: float | None, cap: float) -> str:
    if seconds is None:
        return f"> {cap:.0f} s (stopped)"
    return f"{seconds:.1f} s, {peak:.2f} GB"


def size_of(size: str, out: Path) -> tuple[Path, list[str]]:
    from rammegraf.store import graph_files

    folder = out / f"bench-{size}"
    if not folder.exists():
        sys.exit(f"no data for {size}: python benchmarks/generate.py --size {size} -o out/bench-{size}")
    return folder, [str(p) for p in graph_files([folder])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,10m")
    parser.add_argument("--cap", type=float, default=600, help="seconds before a step is stopped")
    parser.add_argument("--skip-validate", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="the folder with bench-SIZE (default: out/)")
    args = parser.parse_args(argv)
    from rammegraf.store import store_location

    python = str(BIN / "python")
    show("| size | step | baseline: pyoxigraph bulk_load | rammegraf | ratio (baseline ÷ rammegraf) | target at 10m |")
    show("| --- | --- | --- | --- | --- | --- |")
    for size in args.sizes.split(","):
        folder, files = size_of(size, args.out)
        gigabytes = sum(os.path.getsize(f) for f in files) / 1e9
        scratch = Path(tempfile.mkdtemp(prefix="rammegraf-scale-", dir=args.out))
        try:
            raw_s, raw_gb, _ = timed([python, "-c", BUILD, str(scratch / "raw"), *files], args.cap)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        target = store_location([folder])
        if target.exists():   # built by an earlier run: aside, so this one builds it
            shutil.rmtree(target)
        ours_s, ours_gb, _ = timed([python, "-c", OURS, str(folder)], args.cap)
        ratio = f"{raw_s / ours_s:.2f}×" if raw_s and ours_s else "–"
        show(f"| {size} ({gigabytes:.2f} GB of files) | build the on-disk store | {cell(raw_s, raw_gb, args.cap)} "
             f"| {cell(ours_s, ours_gb, args.cap)} | {ratio} | ≤ 180 s, ≤ 4 GB |")
        index_s, index_gb, _ = timed([python, "-c", INDEX, str(folder)], args.cap)
        show(f"| {size} | the search index beside it (serve builds it before its first page) | | "
             f"{cell(index_s, index_gb, args.cap)} | | |")
        if not args.skip_validate:
            val_s, val_gb, _ = timed([str(BIN / "rammegraf"), "validate", "--data", str(folder)], args.cap, ok=(0, 1))
            show(f"| {size} | `rammegraf validate --data` (the store built) | | {cell(val_s, val_gb, args.cap)} "
                 f"| | ≤ 150 s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
