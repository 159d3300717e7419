"""The derived facts (rammegraf.facts) at a size, against the work they replace, in one run.

On the on-disk store of out/bench-<size> (built once beforehand), each in a fresh process
so nothing is shared between the two sides, alternating, median of --runs:

- computing the facts whole (what a new store pays once, beside its search index), against
  the baseline of one raw pyoxigraph scan of every rg:statusOf triple;
- reading them back from facts.sqlite (what each worker pays once per store);
- mending them after a save (one new status report that starts an initiative): the rows
  the change can reach read again, against computing them whole;
- the milestones' states as of the latest round (``rounds.milestone_states``, unnamed: the
  front page's counts) from the facts, against the same decision by SPARQL as rammegraf
  made it before the facts (``--against``, default 9009144: its rounds.py loaded beside).

    .venv/bin/python benchmarks/facts.py --size 1m --runs 3

Each child also prints its peak memory (ru_maxrss), reported as the median per step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
step, folder, against = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
import pyoxigraph as ox
from rammegraf.engine import OxigraphEngine
from rammegraf import facts
engine = OxigraphEngine(ox.Store.read_only(str(folder)), folder)
start = time.perf_counter()
if step == "scan":
    n = sum(1 for _ in engine.store.query(
        "SELECT ?r ?i WHERE {{ ?r <https://w3id.org/rammegraf/ontology#statusOf> ?i }}"))
elif step == "compute":
    facts.compute(engine)
elif step == "read":
    facts.read(folder / facts.FACTS_FILE)
elif step == "mend":
    import pyoxigraph as ox
    known = facts.read(folder / facts.FACTS_FILE)
    initiative = next(iter(engine.store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("https://w3id.org/rammegraf/ontology#Initiative")))).subject
    report = ox.NamedNode("https://w3id.org/rammegraf/id/status/benchmark")
    start = time.perf_counter()   # the IRIs a saved report names: itself and its initiative
    nodes = {{initiative.value, report.value}}
    facts.mended(known, engine, nodes)
elif step == "states":
    from datetime import date
    from rammegraf import rounds
    facts.facts_of(engine)
    start = time.perf_counter()
    rounds.milestone_states(engine, date.fromisoformat(against), within=90, labelled=False)
elif step == "states-before":
    import subprocess
    from datetime import date
    text = subprocess.run(["git", "-C", {root!r}, "show", sys.argv[4] + ":src/rammegraf/rounds.py"],
                          capture_output=True, text=True, check=True).stdout
    import types
    module = types.ModuleType("rammegraf.rounds_before")
    module.__package__ = "rammegraf"
    sys.modules[module.__name__] = module   # dataclasses look their module up
    exec(compile(text, "rounds_before.py", "exec"), module.__dict__)
    start = time.perf_counter()
    module.milestone_states(engine, date.fromisoformat(against), within=90, labelled=False)
import resource
print(json.dumps([time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024]))
"""


def child(python: str, step: str, folder: Path, day: str, rev: str = "") -> list:
    code = CHILD.format(src=str(ROOT / "src"), root=str(ROOT))
    done = subprocess.run([python, "-c", code, step, str(folder), day, rev], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{step}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", default="9009144", help="the revision whose milestone_states is the baseline")
    parser.add_argument("--folder", type=Path, help="the on-disk store's folder, when it is not this checkout's "
                        "(a worktree's store key differs: ensure_store would build another)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import pyoxigraph as ox

    from rammegraf.engine import OxigraphEngine
    from rammegraf.facts import ensure_facts
    from rammegraf.network import round_dates
    from rammegraf.store import ensure_store

    data = ROOT / "data" if args.size == "shipped" else ROOT / "out" / f"bench-{args.size}"
    folder = args.folder or ensure_store([data], progress=False)
    engine = OxigraphEngine(ox.Store.read_only(str(folder)), folder)
    ensure_facts(folder, engine)
    day = round_dates(engine)[-1].isoformat()
    python = sys.executable
    times: dict[str, list[float]] = {}
    peaks: dict[str, list[int]] = {}
    for _ in range(args.runs):
        for step in ("scan", "compute", "read", "mend", "states", "states-before"):
            took, peak = child(python, step, folder, day, args.against)
            times.setdefault(step, []).append(took)
            peaks.setdefault(step, []).append(peak)
    med = {step: statistics.median(found) for step, found in times.items()}
    mem = {step: int(statistics.median(found)) for step, found in peaks.items()}
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"## Derived facts at {args.size} ({len(engine.store):,} triples), median of {args.runs}, "
          f"load average {' '.join(load)}\n")
    print("| step | baseline | rammegraf | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| compute the facts whole (once per store) | raw scan of every rg:statusOf: {med['scan']:.2f} s "
          f"| {med['compute']:.2f} s | {med['compute'] / med['scan']:.1f}× the scan |")
    print(f"| read them back from facts.sqlite (once per worker) | | {med['read']:.2f} s | "
          f"{med['read'] / med['compute']:.2f}× computing |")
    print(f"| mend them after a save (one status report) | computing whole: {med['compute']:.2f} s "
          f"| {med['mend']:.3f} s | {med['compute'] / med['mend']:.0f}× faster |")
    print(f"| milestone states as of {day}, unnamed | by SPARQL as in {args.against}: {med['states-before']:.2f} s "
          f"| {med['states']:.3f} s | {med['states-before'] / med['states']:.0f}× faster |")
    print("\nPeak memory of each step's process (ru_maxrss, median): " +
          ", ".join(f"{step} {mem[step]} MB" for step in mem))


if __name__ == "__main__":
    main()
