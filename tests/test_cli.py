"""The command line: every command, every documented error, its exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from rammegraf.cli import main
from rammegraf.store import shipped_root

BAD = Path(__file__).parent / "bad"


def invoke(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- help and start-up -------------------------------------------------------------

def test_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("validate", "query", "queries", "describe", "export", "stats"):
        assert f"  {command} " in result.output


def test_help_imports_no_heavy_library():
    code = ("import sys\nfrom rammegraf.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('rdflib', 'pyshacl', 'networkx', 'pyvis', 'owlrl'))\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "rammegraf", "--version"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "rammegraf, version" in out.stdout


# --- validate ------------------------------------------------------------------------

def test_validate_shipped_conforms_with_warnings():
    result = invoke("validate")
    assert result.exit_code == 0
    assert result.output.startswith("Gyldig: 0 fejl, 33 advarsler.")
    assert "ADVARSEL" in result.output


def test_validate_bad_entry_exits_1_with_danish_message():
    result = invoke("validate", str(BAD / "status-phase-not-in-scheme.ttl"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "Ikke gyldig: 1 fejl, 0 advarsler. (1 advarsel i de eksisterende data er ikke vist.)")
    assert "Status for Botilbudsteams pr. 1.12.2025  <https://w3id.org/rammegraf/id/status/" in result.stdout
    assert "FEJL      rg:phase  Fasen findes ikke i faseskemaet" in result.stdout


def test_validate_lang_en_json():
    result = invoke("validate", str(BAD / "chair-not-a-person.ttl"), "--lang", "en", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False and report["violations"] == 1
    (violation,) = [r for r in report["results"] if r["severity"] == "Violation"]
    assert violation["message"] == "The chair (rg:chair) must be one person (foaf:Person)."
    assert violation["focusLabel"] == "Arbejdsgruppe om overgangen"


def test_validate_ttl_is_the_shacl_report():
    result = invoke("validate", str(BAD / "initiative-without-area.ttl"), "--format", "ttl")
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    assert report.query("ASK { ?r <http://www.w3.org/ns/shacl#conforms> false }").askAnswer


def test_validate_new_status_for_existing_initiative_conforms(tmp_path: Path):
    entry = tmp_path / "round.ttl"
    entry.write_text("""
@prefix rg: <https://w3id.org/rammegraf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/rammegraf/id/kilde/runde-2025-12-01> a rg:SourceDocument ;
    rdfs:label "Statusrunde 1.12.2025"@da ;
    <http://purl.org/dc/terms/title> "Statusrunde"@da ;
    <http://purl.org/dc/terms/date> "2025-12-01"^^xsd:date .
<https://w3id.org/rammegraf/id/status/botilbudsteams-2025-12-01> a rg:StatusReport ;
    rdfs:label "Status for Botilbudsteams pr. 1.12.2025"@da ;
    rg:statusOf <https://w3id.org/rammegraf/id/initiativ/botilbudsteams> ;
    rg:asOf "2025-12-01"^^xsd:date ; rg:phase rg:InProgress ;
    rg:text "Samarbejdsaftaler forberedes."@da ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/rammegraf/id/kilde/runde-2025-12-01> .
""", encoding="utf-8")
    result = invoke("validate", str(entry))
    assert result.exit_code == 0
    assert result.stdout.startswith("Gyldig: 0 fejl, 0 advarsler.")


@pytest.mark.parametrize("content, words", [
    ('@prefix rg: <https://w3id.org/rammegraf/ontology#> .\n<x> a rg:Initiative\n  rg:y "z" .\n',
     "linje 3, kolonne 3: kan ikke parses"),
    ("", "filen er tom"),
    ("\x00\x01\x02", "filen er binær"),
])
def test_validate_unloadable_file_exits_2(tmp_path: Path, content: str, words: str):
    entry = tmp_path / "entry.ttl"
    entry.write_text(content, encoding="utf-8")
    result = invoke("validate", str(entry))
    assert result.exit_code == 2
    assert words in result.stderr and str(entry) in result.stderr
    assert result.stdout == ""


def test_validate_missing_file_exits_2(tmp_path: Path):
    result = invoke("validate", str(tmp_path / "absent.ttl"))
    assert result.exit_code == 2 and "kan ikke læses" in result.stderr


def test_wrong_flag_is_usage_error_exit_2():
    result = invoke("validate", "--format", "xml")
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output


# --- query ---------------------------------------------------------------------------

def test_query_design_card_prints_labels():
    result = invoke("query", "afhaenger-af-milepael")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Initiativ       Milepæl                                Dato (kildens ord)  Tidligst    Senest",
        "--------------  -------------------------------------  ------------------  ----------  ----------",
        "Botilbudsteams  Organiseringen i regionen er på plads  1.1.26              2026-01-01  2026-01-01"]
    # a table for people is headed by the query's captions; CSV, TSV and JSON keep the variable names
    assert invoke("query", "afhaenger-af-milepael", "--format", "csv").stdout.splitlines()[0] == \
        "initiative,milestone,dateText,earliest,latest"


def test_query_lang_en_and_iris():
    english = invoke("query", "afhaenger-af-milepael", "--lang", "en", "--format", "csv")
    assert english.stdout.splitlines()[1].startswith(
        "Residential-care outreach teams,The region's organisation is in place,1.1.26")
    raw = invoke("query", "afhaenger-af-milepael", "--iris", "--format", "tsv")
    assert raw.stdout.splitlines()[1].startswith("https://w3id.org/rammegraf/id/initiativ/botilbudsteams\t")


def test_query_param_moves_the_answer():
    result = invoke("query", "afhaenger-af-milepael", "--param", "deadline=2025-12-31", "--format", "csv")
    assert result.exit_code == 0 and result.stdout == "initiative,milestone,dateText,earliest,latest\n"


def test_query_json_is_sparql_results():
    result = invoke("query", "statushistorik", "-p", "initiative=Botilbudsteams", "--format", "json")
    data = json.loads(result.stdout)
    assert data["head"]["vars"] == ["asOf", "phase", "source", "text"]
    assert [b["asOf"]["value"] for b in data["results"]["bindings"]] == ["2025-04-08", "2025-08-20"]


def test_query_markdown_escapes_pipes():
    result = invoke("query", "-", "--format", "md", stdin='SELECT ?x WHERE { BIND ("a|b" AS ?x) }')
    assert result.stdout.splitlines() == ["| x |", "| --- |", "| a\\|b |"]


def test_query_from_file_and_stdin(tmp_path: Path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }", encoding="utf-8")
    assert invoke("query", str(path), "--format", "csv").stdout == "n\n15\n"
    assert invoke("query", "-", "--format", "csv",
                  stdin="SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Milestone }").stdout == "n\n27\n"


def test_query_ask_prints_ja_or_yes():
    assert invoke("query", "-", stdin="ASK { ?x a rg:Initiative }").stdout == "ja\n"
    assert invoke("query", "-", "--lang", "en", stdin="ASK { ?x a rg:Nothing }").stdout == "no\n"


def test_query_construct_prints_turtle():
    result = invoke("query", "-", stdin="CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a rg:Region ; rdfs:label ?l }")
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 2


@pytest.mark.parametrize("args, stdin, words", [
    (["query", "afhaenger-af-milepel"], None, "Mente du (did you mean): afhaenger-af-milepael"),
    (["query", "afhaenger-af-milepael", "-p", "deadline=1.1.26"], None,
     "parameteren 'deadline' skal være en dato ÅÅÅÅ-MM-DD; fik '1.1.26'"),
    (["query", "afhaenger-af-milepael", "-p", "dato=2026-01-01"], None, "ukendt parameter 'dato'"),
    (["query", "-"], "SELECT ?x WHERE {\n  ?x a rg:Initiative .\n  FILTER (?x = ) }",
     "-, linje 3, kolonne 19: ikke gyldig SPARQL"),
    (["query", "-"], "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "SPARQL Update er ikke tilladt"),
    (["query", "-"], "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE er ikke tilladt"),
    (["query", "missing.rq"], None, "filen findes ikke"),
])
def test_query_errors_are_sentences_exit_2(args, stdin, words):
    result = invoke(*args, stdin=stdin)
    assert result.exit_code == 2
    assert words in result.stderr


def test_query_param_without_equals_is_usage_error():
    result = invoke("query", "faseskift", "--param", "from")
    assert result.exit_code == 2 and "must be name=value" in result.output


def test_queries_lists_every_named_query():
    result = invoke("queries")
    names = [line.split()[0] for line in result.stdout.splitlines()[2:]]
    assert names == sorted(p.stem for p in (shipped_root() / "queries").glob("*.rq"))


def test_queries_show_prints_header_and_text():
    result = invoke("queries", "show", "faseskift", "--lang", "en")
    assert result.stdout.startswith("Phase changes between two status rounds\n")
    assert "  from: xsd:date = 2025-04-08" in result.stdout and "ORDER BY" in result.stdout
    assert invoke("queries", "show", "nope").exit_code == 2


# --- describe, export, stats ------------------------------------------------------------

def test_describe_initiative_has_history_with_sources():
    result = invoke("describe", "Monitorering af F-ACT")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["Monitorering af F-ACT",
                         "<https://w3id.org/rammegraf/id/initiativ/monitorering-af-f-act>",
                         "Type: Initiativ"]
    assert "  2025-04-08  Ikke igangsat  (kilde: Handlingsplan Rammeaftale 2025-26 (8.4.2025))" in lines
    assert any(line.startswith("  2025-08-20  I gang  (kilde: Handlingsplan") for line in lines)
    assert any("Regionsrådets møde 25. juni 2025" in line and "handler om" in line for line in lines)


def test_describe_by_path_english_json():
    result = invoke("describe", "kommune/odder", "--lang", "en", "--format", "json")
    data = json.loads(result.stdout)
    assert data["label"] == "Odder Municipality" and data["kinds"] == ["Municipality"]
    assert {"propertyLabel": "member of", "valueLabel": "Sanela Ljeskovica"} in [
        {"propertyLabel": i["propertyLabel"], "valueLabel": i["valueLabel"]} for i in data["incoming"]]


def test_describe_unknown_suggests_exit_2():
    result = invoke("describe", "Botilbudstems")
    assert result.exit_code == 2 and "Botilbudsteams" in result.stderr


@pytest.mark.parametrize("fmt, rdf_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_export_rdf_round_trips(shipped: Graph, fmt: str, rdf_format: str):
    result = invoke("export", "--format", fmt)
    assert isomorphic(Graph().parse(data=result.stdout, format=rdf_format), shipped)


def test_export_trig_holds_the_graph(shipped: Graph):
    from rdflib import Dataset
    dataset = Dataset().parse(data=invoke("export", "--format", "trig").stdout, format="trig")
    assert len(dataset) == len(shipped)


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_network_formats_to_file(tmp_path: Path, fmt: str, reader):
    target = tmp_path / f"plan.{fmt}"
    assert invoke("export", "--format", fmt, "-o", str(target)).exit_code == 0
    net = reader(target)
    assert net.number_of_nodes() == 122
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_export_into_missing_folder_exit_2(tmp_path: Path):
    result = invoke("export", "-o", str(tmp_path / "nope" / "x.ttl"))
    assert result.exit_code == 2 and "mappen findes ikke" in result.stderr


def test_stats_counts_and_phases():
    result = invoke("stats")
    assert result.exit_code == 0
    out = result.stdout
    lines = out.splitlines()
    assert lines[1] == "Gyldig: 0 fejl, 33 advarsler"
    counts = dict(line.rsplit(None, 1) for line in lines[4:lines.index("", 4)])
    assert (counts["Initiativ"], counts["Statusrapport"], counts["Kommune"], counts["Organisation"]) == (
        "15", "25", "19", "11")
    table = lines[lines.index("Initiativer pr. fase pr. rapportdato:") + 3:]
    assert [line.rsplit(None, 2) for line in table] == [
        ["Foreslået", "0", "1"], ["Ikke igangsat", "3", "1"], ["Afventer opstart", "2", "1"],
        ["I gang", "6", "5"], ["Under implementering", "3", "2"], ["Implementeret", "0", "0"],
        ["Parkeret", "0", "1"]]


def test_data_option_reads_other_data(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(shipped_root() / "data", data)
    (data / "rammeaftale-2025-26" / "3-overgangen-til-voksenomraadet.ttl").unlink()
    result = invoke("query", "-", "--data", str(data), "--format", "csv",
                    stdin="SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }")
    assert result.stdout == "n\n14\n"
    missing = invoke("stats", "--data", str(tmp_path / "absent"))
    assert missing.exit_code == 2 and "mappen findes ikke" in missing.stderr


# --- graph, analyse ---------------------------------------------------------------------

def test_graph_writes_a_page(tmp_path: Path):
    target = tmp_path / "plan.html"
    result = invoke("graph", "--view", "initiative:botilbudsteams", "--depth", "1", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>Botilbudsteams – rammegraf</title>" in html
    assert oct(target.stat().st_mode & 0o777) != "0o600"


def test_graph_to_stdout_in_english():
    result = invoke("graph", "--view", "area:overgangen-til-voksenomraadet", "--lang", "en")
    assert result.exit_code == 0
    assert '<html lang="en">' in result.stdout and "Search for a node" in result.stdout


@pytest.mark.parametrize("args, words", [
    (["graph", "--view", "actor:dasos"], "Mente du (did you mean): actor:dassos"),
    (["graph", "--view", "everything"], "ukendt visning"),
])
def test_graph_bad_view_exit_2(args, words):
    result = invoke(*args)
    assert result.exit_code == 2 and words in result.stderr


def test_graph_bad_date_is_usage_error():
    result = invoke("graph", "--as-of", "1.1.26")
    assert result.exit_code == 2 and "--as-of" in result.output


def test_analyse_actors_csv():
    result = invoke("analyse", "--section", "actors", "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "aktør,slags,initiativer,gradcentralitet,mellemcentralitet"
    top = {line.split(",")[0]: int(line.split(",")[2]) for line in lines[1:4]}
    assert top == {"Region Midtjylland": 5, "DASSOS": 5, "Sundhedsstyregruppen": 5}


def test_analyse_json_chains_and_components():
    data = json.loads(invoke("analyse", "--format", "json", "--lang", "en").stdout)
    chains = sorted(tuple(n["label"] for n in chain) for chain in data["chains"])
    assert chains == [
        ("Establishing assessment places", "Legislation on assessment places expected in place"),
        ("Residential-care outreach teams", "The region's organisation is in place")]
    assert sum(c["size"] for c in data["components"]) == 122


# --- serve --get ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, code, words", [
    (["serve", "--get", "/id/initiativ/botilbudsteams", "--accept", "text/turtle"], 0, "rdfs:label"),
    (["serve", "--get", "/id/findes/ikke"], 1, "Der er intet på denne adresse"),
    (["serve", "--get", "/sparql?query=SELECT%20%2A%20WHERE%20%7B", "--accept", "text/csv"], 1, "ikke gyldig SPARQL"),
])
def test_serve_get_answers_one_request(args, code, words):
    result = invoke(*args)
    assert result.exit_code == code and words in result.stdout
