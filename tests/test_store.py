from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from rammegraf.errors import LoadError
from rammegraf.store import data_files, load_files, ontology_files, shapes_file

ALL_FILES = [*ontology_files(), shapes_file(), *data_files()]


def test_data_files_finds_reference_and_plan():
    names = {p.relative_to(p.parents[1]).as_posix() for p in data_files()}
    assert {"reference/municipalities.ttl", "reference/laws.ttl",
            "reference/organisations.ttl"} <= names
    assert sum(1 for n in names if n.startswith("rammeaftale-2025-26/")) == 6


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_load_files_parses_every_shipped_file(path: Path):
    graph = load_files([path])
    assert len(graph) > 0


def test_load_files_reports_line_and_column(tmp_path: Path):
    bad = tmp_path / "entry.ttl"
    bad.write_text('@prefix rg: <https://w3id.org/rammegraf/ontology#> .\n'
                   '<https://w3id.org/rammegraf/id/x> a rg:Initiative\n'
                   '  rg:foo "x" .\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_files([bad])
    assert (caught.value.file, caught.value.line, caught.value.column) == (str(bad), 3, 3)
    assert str(caught.value).startswith(f"{bad}, linje 3, kolonne 3: kan ikke parses")


def test_load_files_unbound_prefix_names_the_place(tmp_path: Path):
    bad = tmp_path / "entry.ttl"
    bad.write_text('\n<https://w3id.org/rammegraf/id/x> rdfs:label "x"@da .\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_files([bad])
    assert caught.value.line == 2
    assert 'Prefix "rdfs:" not bound' in str(caught.value)


@pytest.mark.parametrize("content, words", [
    (b"", "filen er tom"),
    (b"  \n\n", "filen er tom"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "filen er binær"),
    (b'<a> <b> "\xff\xfe" .', "filen er ikke UTF-8"),
])
def test_load_files_refuses_empty_binary_and_non_utf8(tmp_path: Path, content: bytes, words: str):
    bad = tmp_path / "entry.ttl"
    bad.write_bytes(content)
    with pytest.raises(LoadError, match=words):
        load_files([bad])


def test_load_files_unknown_suffix(tmp_path: Path):
    bad = tmp_path / "entry.docx"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(LoadError, match="ukendt filtype"):
        load_files([bad])


def test_load_files_missing_file(tmp_path: Path):
    with pytest.raises(LoadError, match="kan ikke læses"):
        load_files([tmp_path / "absent.ttl"])


def test_load_files_adds_to_given_graph(tmp_path: Path):
    graph = Graph()
    good = tmp_path / "entry.ttl"
    good.write_text('<https://w3id.org/rammegraf/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@da .',
                    encoding="utf-8")
    assert load_files([good], graph) is graph and len(graph) == 1
