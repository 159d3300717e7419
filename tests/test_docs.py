"""docs/model.md cannot drift: its counts, queries, warnings and example are run here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from rammegraf.store import parse_file
from rammegraf.terms import text
from rammegraf.validate import ValidationReport, check_entries

MODEL = Path(__file__).parents[1] / "docs" / "model.md"
TEXT = MODEL.read_text(encoding="utf-8")
QUERY_AND_TABLE = re.compile(r"```sparql\n(.*?)```\n\n((?:\|[^\n]*\|\n)+)", re.DOTALL)
COUNT_ROW = re.compile(r"^\| [^|]+ \| `([a-z]+:[A-Za-z]+)` \| (\d+) \|$", re.MULTILINE)


def table_rows(table: str) -> list[list[str]]:
    lines = [line for line in table.strip().splitlines() if not re.match(r"^\|(\s*-+\s*\|)+$", line)]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


QUERIES = QUERY_AND_TABLE.findall(TEXT)


def test_model_doc_has_the_four_design_questions():
    assert len(QUERIES) == 4


@pytest.mark.parametrize("query, table", QUERIES, ids=["region-1-1-26", "f-act-status",
                                                        "tiaarsplan", "chair"])
def test_model_doc_query_answers_match_the_graph(engine, query: str, table: str):
    got = [[text(value) for value in row] for row in engine.query(query)]
    assert got == table_rows(table)


def test_model_doc_counts_match_the_graph(engine):
    rows = COUNT_ROW.findall(TEXT)
    assert len(rows) == 21
    for curie, count in rows:
        found = len(engine.query(f"SELECT DISTINCT ?s WHERE {{ ?s a/rdfs:subClassOf* {curie} }}"))
        assert (curie, found) == (curie, int(count))


def test_model_doc_justifies_every_warning(shipped_report: ValidationReport):
    section = TEXT[TEXT.index("## Validation and the warnings"):TEXT.index("## Four questions")]
    assert f"**{len(shipped_report.warnings)} warnings**" in section
    for result in shipped_report.warnings:
        slug = result.focus.rsplit("/", 1)[-1]
        assert re.search(rf"\b{re.escape(slug)}\b", section), slug


def test_model_doc_worked_example_validates(engine, shapes: Graph, tmp_path: Path):
    example = re.search(r"```turtle\n(.*?)```", TEXT, re.DOTALL).group(1)
    entry = tmp_path / "status-2025-12-01.ttl"
    entry.write_text(example, encoding="utf-8")
    check = check_entries(parse_file(entry), engine, shapes=shapes)
    assert check.report.conforms, [(r.focus, r.message()) for r in check.report.violations]
    assert len(check.engine) == len(engine) + 11


README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_names_every_command():
    from rammegraf.cli import main

    names = sorted(main.commands)
    assert names == ["analyse", "changes", "deadlines", "describe", "export", "graph", "log", "matrix", "push",
                     "queries", "query", "report", "round", "search", "serve", "shacl", "stats", "timeline", "users",
                     "validate"]
    for name in names:
        assert f"`rammegraf {name}" in README, name
    assert "`rammegraf queries show NAME`" in README


def test_readme_names_every_named_query():
    from rammegraf.query import query_names

    names = query_names()
    assert len(names) == 24
    for name in names:
        assert f"| `{name}` |" in README, name


def test_readme_console_example_is_what_the_command_prints():
    from click.testing import CliRunner

    from rammegraf.cli import main

    block = re.search(r"```console\n\$ rammegraf (.+?)\n(.*?)```", README, re.DOTALL)
    args, shown = block.group(1).split(), block.group(2)
    assert CliRunner().invoke(main, args).stdout == shown


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README
