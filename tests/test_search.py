"""Search: Danish-aware, prefix- and typo-tolerant, grouped; from the command line,
the web page, its JSON answer and the index beside an on-disk store."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from rammegraf.cli import main
from rammegraf.engine import OxigraphEngine
from rammegraf.search import Index, build, fold, grouped, tokens

ID = "https://w3id.org/rammegraf/id/"


@pytest.fixture(scope="module")
def index(engine) -> Index:
    return Index(build(engine))


def first(index, text, **kw):
    hits = index.search(text, **kw)
    return hits[0].iri[len(ID):] if hits else None


def test_folding_spells_out_danish_letters_and_drops_accents():
    assert fold("Fælles Ørum Århus Café") == "faelles oerum aarhus cafe"
    assert tokens("F-ACT i Ærø, § 108") == ["f", "act", "i", "aeroe", "§", "108", "fact"]


def initiatives(engine):
    return [(s.value, label.value) for s, label in engine.query(
        'SELECT ?s ?l WHERE { ?s a rg:Initiative ; rdfs:label ?l FILTER (lang(?l) = "da") }').rows]


def test_every_initiative_is_found_from_a_word_of_its_name_written_without_aeoeaa(engine, index):
    """The done-when of the workbench issue: each word of four letters or more of each
    initiative's Danish name, typed without æ, ø, å (as ae/oe/aa, and as a/o/a, the
    slip people make), finds that initiative."""
    plain = str.maketrans({"æ": "a", "ø": "o", "å": "a", "Æ": "A", "Ø": "O", "Å": "A"})
    tried = 0
    for value, label in initiatives(engine):
        for word in re.findall(r"\w+", label):
            if len(word) < 4:
                continue
            for typed in {fold(word), word.translate(plain)}:
                assert not re.search("[æøåÆØÅ]", typed)
                found = [h.iri for h in index.search(typed, limit=1000)]
                assert value in found, (typed, label)
                tried += 1
    assert len(initiatives(engine)) == 15 and tried >= 90


@pytest.mark.parametrize("text, expected", [
    ("§ 108", "lov/serviceloven/paragraf-108"),
    ("727", "kommune/odder"),                     # a municipality code
    ("Odder", "kommune/odder"),
    ("botilbd", "initiativ/botilbudsteams"),      # a slip in the part typed so far
    ("Botilbudsteam", "initiativ/botilbudsteams"),  # the start of a word
    ("botilbudstaems", "initiativ/botilbudsteams"),  # two letters swapped
    ("arhus kommune", "kommune/aarhus"),          # å typed as a
    ("F-ACT monitorering", "initiativ/monitorering-af-f-act"),
    ("CEDIP", "organisation/center-for-digital-psykiatri"),              # another name (skos:altLabel)
])
def test_the_first_hit(index, text, expected):
    assert first(index, text) == expected


def test_every_word_must_match_and_stop_words_need_not(index):
    both = [h.iri[len(ID):] for h in index.search("botilbud samarbejdsaftaler")]
    assert both[0] == "opgave/samarbejdsaftaler-botilbudsteam-og-botilbud"
    assert "initiativ/botilbudsteams" not in both  # its name has no "samarbejdsaftaler"
    assert first(index, "botilbudsteams i og af") == "initiativ/botilbudsteams"
    assert index.search("xyzzyq") == [] and index.search("   ") == []
    assert index.search("botilbudsteams xyzzyq") == []


def test_hits_carry_kind_area_and_latest_phase_and_group_by_kind(index):
    hits = index.search("botilbud")
    team = next(h for h in hits if h.iri.endswith("initiativ/botilbudsteams"))
    assert (team.kind_label, team.areas, team.phase_label, team.phase_date) == (
        "Initiativ", ["Mental sundhed og psykiatri"], "I gang", "2025-08-20")
    english = next(h for h in index.search("botilbud", lang="en") if h.iri == team.iri)
    assert (english.kind_label, english.phase_label) == ("Initiative", "In progress")
    groups = grouped(hits)
    assert len({g.kind for g in groups}) == len(groups) and groups[0].label == "Initiativ"
    assert sum(len(g.hits) for g in groups) == len(hits)
    code = index.search("727")[0]
    assert code.matched == "kommunekode: 727"


def test_a_very_common_word_reads_only_the_best_postings(engine, monkeypatch):
    import rammegraf.search as search

    monkeypatch.setattr(search, "CAP", 5)
    small = Index(build(engine))
    hits = small.search("status")
    assert small.capped and 0 < len(hits) <= 5
    assert small.search("727")[0].iri == ID + "kommune/odder" and small.capped is False


def test_the_index_lives_beside_the_on_disk_store_and_agrees_with_memory(tmp_path, engine, index):
    from rammegraf.search import INDEX_FILE, open_index
    from rammegraf.store import shipped_root

    cache = tmp_path / "cache"
    disk = OxigraphEngine.open([shipped_root() / "data"], persistent=True, cache=cache)
    assert disk.folder is not None and not (disk.folder / INDEX_FILE).exists()   # the store does not wait for it
    on_disk = open_index(disk)
    assert (disk.folder / INDEX_FILE).is_file()
    for text in ("faelles", "§ 108", "botilbd", "Odder"):
        assert [h.iri for h in on_disk.search(text)] == [h.iri for h in index.search(text)]
    # a lost or outdated index is built again on first use
    (disk.folder / INDEX_FILE).unlink()
    assert open_index(disk).search("727")[0].iri == ID + "kommune/odder"
    assert (disk.folder / INDEX_FILE).is_file()
    assert not list(disk.folder.glob(".*.tmp"))


def test_command_line_search():
    runner = CliRunner()
    done = runner.invoke(main, ["search", "faelles", "principper"])
    assert done.exit_code == 0
    assert done.output.splitlines()[0] == "Initiativ (1)"
    assert "Etablering af fælles fælleskommunale principper i Midtjylland" in done.output
    as_json = json.loads(runner.invoke(main, ["search", "§", "108", "--format", "json", "--limit", "2"]).output)
    assert as_json["count"] == 2 and as_json["results"][0]["label"] == "Serviceloven § 108"
    nothing = runner.invoke(main, ["search", "xyzzyq"])
    assert nothing.exit_code == 1 and "intet fundet for 'xyzzyq'" in nothing.output
    tsv = runner.invoke(main, ["search", "odder", "--format", "tsv"]).output.splitlines()
    assert tsv[0] == "kind\tlabel\tarea\tphase\tiri" and tsv[1].startswith("Kommune\tOdder Kommune\t")


def test_the_server_builds_the_index_once_for_mid_sized_data_and_its_workers_open_it(tmp_path, monkeypatch):
    import rammegraf.store as store
    from conftest import web_client
    from rammegraf.search import INDEX_FILE

    monkeypatch.setattr(store, "IN_MEMORY_LIMIT", 1000)   # the shipped data counts as mid-sized
    cache = tmp_path / "cache"
    import sqlite3

    with web_client(cache=cache) as client:
        built = list(cache.rglob(INDEX_FILE))
        assert len(built) == 1 and not list(cache.rglob("*.tmp"))
        # mark the built file: a worker that opens it (rather than building its own) shows the mark
        with sqlite3.connect(built[0]) as db:
            db.execute("UPDATE doc SET label_da = 'Odder (fra serverens indeks)' "
                       "WHERE iri LIKE '%/kommune/odder'")
        answer = client.get("/sok?q=727&format=json").json()
    assert answer["results"][0]["href"] == "/id/kommune/odder"
    assert answer["results"][0]["label"] == "Odder (fra serverens indeks)"


def test_serve_builds_the_index_beside_a_large_folders_store_before_its_workers_start(tmp_path):
    from conftest import web_client
    from rammegraf.search import INDEX_FILE

    cache = tmp_path / "cache"
    with web_client(cache=cache, in_memory_limit=1) as client:   # the shipped data read from the on-disk store
        assert len(list(cache.rglob(INDEX_FILE))) == 1
        assert client.get("/sok?q=faelles+principper&format=json").json()["results"][0]["href"] == \
            "/id/initiativ/faelleskommunale-principper"


def test_a_servers_index_is_built_again_once_older_than_its_pages_are_kept(engine, monkeypatch):
    """From a SPARQL server (which may change at any time) a worker's index is used only as
    long as the pages are kept (serve --endpoint-keep), or REMOTE_TTL seconds when they are
    not: a resource added on the server is found after that, not for the worker's life.
    Local data's index is kept (a store is made for one version of the data)."""
    import pyoxigraph as ox

    from rammegraf.facts import REMOTE_TTL
    from rammegraf.web.jobs import search as search_jobs

    store = ox.Store()
    store.extend(engine.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    local = OxigraphEngine(store)

    class Server:      # what the search asks of a RemoteEngine, answered from ``store``
        remote, folder, index_path = True, None, None

        def query(self, *args, **kw):
            return local.query(*args, **kw)

        def __len__(self):
            return len(local)

    clock = [1000.0]
    monkeypatch.setattr(search_jobs.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(search_jobs, "_INDEXES", {})
    server = Server()

    def found(who, keep):
        hits = search_jobs.search(who, "Kvasirlund", "da", 10, keep)
        return [h["label"] for g in hits["groups"] for h in g["hits"]]

    assert found(server, 600) == [] and found(local, 0) == []
    new = ox.NamedNode("https://w3id.org/rammegraf/id/initiativ/kvasirlund")
    store.add(ox.Quad(new, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/rammegraf/ontology#Initiative"), ox.DefaultGraph()))
    store.add(ox.Quad(new, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal("Kvasirlund", language="da"), ox.DefaultGraph()))
    clock[0] += 599
    assert found(server, 600) == []                  # kept: the pages are as old
    clock[0] += 2
    assert found(server, 600) == ["Kvasirlund"]      # older than 600 s: built again
    assert found(local, 0) == []                     # local data's index: for the worker's life
    store.remove(ox.Quad(new, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                         ox.Literal("Kvasirlund", language="da"), ox.DefaultGraph()))
    clock[0] += REMOTE_TTL + 1
    assert found(server, 600) == ["Kvasirlund"]      # built 6 s ago: kept for 600 s …
    assert found(server, 0) == []                    # … but with no pages kept, REMOTE_TTL
