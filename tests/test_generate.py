"""benchmarks/generate.py: synthetic data in our model that conforms to the shapes."""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from generate import generate  # noqa: E402

from rammegraf.engine import OxigraphEngine  # noqa: E402
from rammegraf.validate import validate  # noqa: E402


def test_generate_is_deterministic(tmp_path: Path):
    generate(tmp_path / "a", years=1, per_region_year=3, seed=5)
    generate(tmp_path / "b", years=1, per_region_year=3, seed=5)
    assert (tmp_path / "a" / "data.nt").read_bytes() == (tmp_path / "b" / "data.nt").read_bytes()


def test_generate_10k_conforms(tmp_path: Path, shapes: Graph):
    count = generate(tmp_path / "data", years=2, per_region_year=15, seed=1)
    assert 9_000 <= count <= 11_000
    engine = OxigraphEngine.open([tmp_path / "data"])
    report = validate(engine, shapes=shapes)
    assert report.conforms, [(str(r.focus_node), r.path, r.message()) for r in report.violations[:5]]
    assert int(engine.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value) > 1000
