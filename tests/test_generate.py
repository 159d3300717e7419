"""benchmarks/generate.py: synthetic data in our model that conforms to the shapes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rdflib import Graph

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from generate import generate, new_status_entry  # noqa: E402

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
    assert report.conforms, [(r.focus, r.path, r.message()) for r in report.violations[:5]]
    assert int(engine.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value) > 1000


@pytest.mark.parametrize("years, per_year", [(1, 2), (2, 15)], ids=["1k", "10k"])
def test_generated_data_answers_what_users_ask(tmp_path: Path, years: int, per_year: int, shapes: Graph):
    """The design card's question answers with its default parameters; challenges,
    decision points and clusters exist; the benchmark's new status report conforms."""
    from rammegraf.query import get_query, run_on
    from rammegraf.store import parse_bytes
    from rammegraf.validate import check_entries

    generate(tmp_path / "data", years=years, per_region_year=per_year, seed=1)
    engine = OxigraphEngine.open([tmp_path / "data"])
    rows = run_on(engine, get_query("afhaenger-af-milepael")).rows
    assert rows and all(row[1].value.endswith("/milepael/syn-midtjylland-organisering") for row in rows)
    for kind in ("Challenge", "DecisionPoint", "Cluster", "Task"):
        count = int(engine.query(f"SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a rg:{kind} }}").rows[0][0].value)
        assert count > 0, kind
    entry = parse_bytes(new_status_entry(years=years).encode(), name="entry.ttl")
    check = check_entries(entry, engine, shapes=shapes)
    assert check.report.conforms, [(r.focus, r.message()) for r in check.report.violations]
