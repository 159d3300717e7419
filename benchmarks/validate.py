"""Validation at scale: rammegraf's compiled validator against pySHACL and pyrudof, in one run.

Each number is a whole process (start, open or load, validate, report), with its
peak memory (the child's own maximum resident set, from wait4). rammegraf reads
the on-disk store, which is built before the timing starts ("once the store
exists"); pySHACL (`rammegraf validate --engine pyshacl`, the old path) and
pyrudof read the same files. Processes past --cap seconds are stopped, and
pyrudof is held to --memory-cap GB (at 1M it wants more than 10 GB).

    .venv/bin/python benchmarks/validate.py --sizes 10k,100k,1m
    .venv/bin/pip install pyrudof    # the second baseline; skipped with a line when missing
    .venv/bin/python benchmarks/validate.py --against 23532a9 --sizes 100k,1m --runs 9

``--against REV`` times this checkout's validator against the one at git
revision REV (its src, ontology, data and queries, from ``git archive``) on the
same data — the whole graph and one new status report — in the same run, one
process of each in turn, and prints the medians and their ratio: a change to the
compiler is measured against the code before it on a machine whose load changes
from minute to minute.

Data: out/bench-<size> (made by generate.py when missing); the cache is
$RAMMEGRAF_CACHE (default out/cache).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RUDOF = """
import sys, pyrudof
from pathlib import Path
r = pyrudof.Rudof(pyrudof.RudofConfig())
files = sys.argv[2:]
for i, f in enumerate(files):
    fmt = pyrudof.RDFFormat.NTriples if f.endswith(".nt") else pyrudof.RDFFormat.Turtle
    r.read_data(f, fmt, merge=i > 0)
r.read_shacl(sys.argv[1], pyrudof.ShaclFormat.Turtle)
report = r.validate_shacl(pyrudof.ShaclValidationMode.Native)
print("conforms" if report.conforms() else "does not conform")
"""


def timed(argv: list[str], *, cap: float, memory_gb: float | None = None, env=None) -> tuple[str, str]:
    """Seconds and peak MB of one process, or why it has none."""
    def limit():
        if memory_gb:
            size = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                             preexec_fn=limit, start_new_session=True)
    deadline = start + cap
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.killpg(child.pid, signal.SIGKILL)
            os.wait4(child.pid, 0)
            return f"> {cap:.0f} s (stopped)", ""
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        error = child.stderr.read().decode(errors="replace").strip().splitlines()
        why = "memory" if memory_gb and any("memory" in e.lower() or "alloc" in e.lower() for e in error) \
            else f"exit {code}"
        return f"failed ({why}) after {seconds:.1f} s", ""
    return f"{seconds:.2f} s", f"{usage.ru_maxrss / 1024:.0f} MB"


def ensure(size: str) -> Path:
    folder = ROOT / "out" / f"bench-{size}"
    if not (folder / "data.nt").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--size", size, "-o", str(folder)],
                       check=True)
    return folder


def checkout(revision: str, into: Path) -> Path:
    """The package as it was at ``revision``: src, ontology, data and queries."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src", "ontology", "data", "queries"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def against(args, env) -> int:
    """This checkout against ``args.against``, alternating, on each size's whole graph."""
    from statistics import median

    sys.path.insert(0, str(ROOT / "src"))
    from rammegraf.store import ensure_store

    # both with their bytecode cached, as an installed package is (the untimed first run writes it)
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        then = dict(env, PYTHONPATH=str(checkout(args.against, Path(tmp))))
        now = dict(env, PYTHONPATH=str(ROOT / "src"))
        rows = []
        sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from generate import SIZES, new_status_entry

        cases = [("shipped, whole", [])]
        for size in sizes:
            folder = ensure(size)
            ensure_store([folder])
            cases.append((f"{size}, whole", ["--data", str(folder)]))
            entry_file = Path(tmp) / f"ny-status-{size}.ttl"
            entry_file.write_text(new_status_entry(years=SIZES[size][0]), encoding="utf-8")
            cases.append((f"{size}, one entry", [str(entry_file), "--data", str(folder)]))
        for name, extra in cases:
            argv = [sys.executable, "-m", "rammegraf", "validate", *extra]
            for each in (now, then):   # each builds its store (its ontology folder is another key) untimed
                subprocess.run(argv, env=each, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times: dict = {"now": [], "then": []}
            for _ in range(args.runs):
                for key, each in (("now", now), ("then", then)):
                    seconds, _memory = timed(argv, cap=args.cap, env=each)
                    if seconds.endswith(" s") and not seconds.startswith(">"):
                        times[key].append(float(seconds.split()[0]))
            rows.append((name, times))
        print(f"{'':16} {'this checkout':>24} {args.against:>24}  ratio (this ÷ {args.against}), "
              f"median of {args.runs}, runs alternating")
        for name, times in rows:
            a, b = median(times["now"]), median(times["then"])
            print(f"{name:16} {a:>8.2f} s ({min(times['now']):5.2f}-{max(times['now']):5.2f}) "
                  f"{b:>8.2f} s ({min(times['then']):5.2f}-{max(times['then']):5.2f})  {a / b:.3f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--cap", type=float, default=300, help="seconds before a process is stopped")
    parser.add_argument("--memory-cap", type=float, default=8, help="GB for pyrudof")
    parser.add_argument("--runs", type=int, default=3, help="runs of rammegraf (the median is shown)")
    parser.add_argument("--against", metavar="REV", help="time this checkout against git revision REV instead")
    args = parser.parse_args(argv)
    env = dict(os.environ, RAMMEGRAF_CACHE=os.environ.get("RAMMEGRAF_CACHE", str(ROOT / "out" / "cache")))
    if args.against:
        return against(args, env)
    rammegraf = str(BIN / "rammegraf")
    try:
        import pyrudof  # noqa: F401
        have_rudof = True
    except ImportError:
        have_rudof = False
        print("pyrudof is not installed: its column is empty (pip install pyrudof)")
    shapes = str(ROOT / "ontology" / "shapes.ttl")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "src"))
    from generate import SIZES, new_status_entry

    from rammegraf.store import ensure_store, graph_files

    rows = []

    def median_of(argv):
        results = [timed(argv, cap=args.cap, env=env) for _ in range(args.runs)]
        ok = sorted((r for r in results if r[0].endswith(" s") and not r[0].startswith(">")),
                    key=lambda r: float(r[0].split()[0]))
        return ok[len(ok) // 2] if ok else results[0]

    # the shipped data
    ours = median_of([rammegraf, "validate"])
    old = timed([rammegraf, "validate", "--engine", "pyshacl"], cap=args.cap, env=env)
    files = [str(p) for p in graph_files(None)]
    rudof = timed([sys.executable, "-c", RUDOF, shapes, *files], cap=args.cap, memory_gb=args.memory_cap) \
        if have_rudof else ("-", "")
    rows.append(("shipped data, whole", ours, old, rudof))

    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        folder = ensure(size)
        ensure_store([folder])  # "once the store exists": built before any timing
        files = [str(p) for p in graph_files([folder])]
        ours = median_of([rammegraf, "validate", "--data", str(folder)])
        old = timed([rammegraf, "validate", "--engine", "pyshacl", "--data", str(folder)], cap=args.cap, env=env)
        rudof = timed([sys.executable, "-c", RUDOF, shapes, *files], cap=args.cap, memory_gb=args.memory_cap) \
            if have_rudof else ("-", "")
        rows.append((f"{size}, whole graph", ours, old, rudof))
        with tempfile.TemporaryDirectory() as tmp:
            entry = Path(tmp) / "ny-status.ttl"
            entry.write_text(new_status_entry(years=SIZES[size][0]), encoding="utf-8")
            ours = median_of([rammegraf, "validate", str(entry), "--data", str(folder)])
            old = timed([rammegraf, "validate", "--engine", "pyshacl", str(entry), "--data", str(folder)],
                        cap=args.cap, env=env)
        rows.append((f"{size}, one new status report", ours, old, ("", "")))

    print(f"{'':34} {'rammegraf':>22} {'pySHACL':>30} {'pyrudof':>30}  ratio (pySHACL ÷ rammegraf)")
    for name, ours, old, rudof in rows:
        ratio = ""
        if ours[0].endswith(" s") and not ours[0].startswith(">"):
            mine = float(ours[0].split()[0])
            if old[0].endswith(" s") and not old[0].startswith(">"):
                ratio = f"{float(old[0].split()[0]) / mine:.0f}×"
            elif old[0].startswith(">"):
                ratio = f"> {float(old[0].split()[1]) / mine:.0f}×"
        print(f"{name:34} {' '.join(ours):>22} {' '.join(old):>30} {' '.join(rudof):>30}  {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
