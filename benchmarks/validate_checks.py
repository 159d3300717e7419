"""Each compiled check of `rammegraf validate` timed alone: this checkout against git revision REV.

    .venv/bin/python benchmarks/validate_checks.py --against main --data out/bench-1m --runs 2
    .venv/bin/python benchmarks/validate_checks.py --against main --data out/bench-10m --runs 1 --top 30

A check's time is its query over the whole graph and, where it has them, its
follow-up queries (the conditions of a merged check on the nodes it found, a
SPARQL query run once per focus node): what `rammegraf validate` spends on it,
one check after another on one thread. Both sides read the same on-disk store
(this checkout's, built first when missing) and compile their own shapes and
code (REV's src and ontology from ``git archive``); whole passes alternate,
REV first, and each check's fastest pass is shown, with the ratio (this ÷ REV):
the machine is shared, and its load moves from minute to minute.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(store_path: str, out: str) -> None:
    """One pass: every check timed alone, written to ``out`` as JSON."""
    import pyoxigraph as ox

    from rammegraf.shacl import Compiler, shapes_for, subclass_table
    from rammegraf.validate import _parts, _runner

    store = ox.Store.read_only(store_path)
    run = _runner(store)
    shapes = shapes_for()
    checks = Compiler(shapes, subclass_table(run, shapes.classes())).compile()
    rows, seen = [], {}
    for check in checks:
        node = str(check.shape.node) if isinstance(check.shape.node, ox.NamedNode) else "[]"
        key = f"{node.rsplit('#', 1)[-1].rstrip('>')} {check.component} {check.path.render() if check.path else ''}"
        if check.parts:
            key += f" (+{len(check.parts) - 1} more)"
        seen[key] = seen.get(key, 0) + 1
        start = time.perf_counter()
        found = run(check.query(None))
        for _part, _rows in _parts(run, check, found):
            pass
        rows.append([f"{key} #{seen[key]}", time.perf_counter() - start])
    Path(out).write_text(json.dumps({"checks": rows, "load": os.getloadavg()[0]}), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, metavar="REV")
    parser.add_argument("--data", required=True, type=Path, help="a data folder (out/bench-1m)")
    parser.add_argument("--runs", type=int, default=1, help="passes of each side")
    parser.add_argument("--top", type=int, default=25, help="checks shown (the slowest before)")
    parser.add_argument("--child", nargs=2, metavar=("STORE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    from rammegraf.store import ensure_store

    store = str(ensure_store([args.data]))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    passes: dict = {"now": [], "then": []}
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against, "src", "ontology"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        sides = {"then": dict(env, PYTHONPATH=str(Path(tmp) / "src")), "now": dict(env, PYTHONPATH=str(ROOT / "src"))}
        for n in range(args.runs):
            for side, side_env in sides.items():
                out = Path(tmp) / f"{side}-{n}.json"
                subprocess.run([sys.executable, __file__, "--against", args.against, "--data", str(args.data),
                                "--child", store, str(out)], env=side_env, check=True)
                passes[side].append(json.loads(out.read_text(encoding="utf-8")))
    best = {side: {} for side in passes}
    for side, found in passes.items():
        for one in found:
            for key, seconds in one["checks"]:
                best[side][key] = min(seconds, best[side].get(key, seconds))
    then, now = best["then"], best["now"]
    loads = ", ".join(f"{p['load']:.2f}" for side in ("then", "now") for p in passes[side])
    print(f"{args.data.name}: each check alone, fastest of {args.runs} pass(es); load average after each pass: {loads}")
    print(f"{'check':<92} {args.against:>9} {'this':>9}  ratio")
    # a check on one side only (checks grouped into one query, or split) is shown with "–"
    # on the other; the totals are each side's own checks
    for key in sorted(set(then) | set(now), key=lambda k: -max(then.get(k, 0.0), now.get(k, 0.0)))[:args.top]:
        before = f"{then[key]:8.2f}s" if key in then else f"{'–':>9}"
        after = f"{now[key]:8.2f}s" if key in now else f"{'–':>9}"
        ratio = f"{now[key] / max(then[key], 1e-9):5.2f}" if key in then and key in now else ""
        print(f"{key[:92]:<92} {before} {after}  {ratio}")
    a, b = sum(then.values()), sum(now.values())
    print(f"{f'all checks ({len(then)} / {len(now)}), one after another':<92} {a:8.2f}s {b:8.2f}s  {b / a:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
