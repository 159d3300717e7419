"""The derived facts (rammegraf.facts): computed from the graph, kept beside the store,
mended by a change, and always equal to computing them again from scratch."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from rammegraf import facts
from rammegraf.engine import OxigraphEngine
from rammegraf.namespaces import DCTERMS, PROV, RG

ID = "https://w3id.org/rammegraf/id/"
BOTILBUD = ID + "initiativ/botilbudsteams"
ORGANISERING = ID + "milepael/regionens-organisering-paa-plads"


def copy_of(engine: OxigraphEngine) -> OxigraphEngine:
    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    return OxigraphEngine(store)


def change(engine: OxigraphEngine, add=(), remove=()) -> set[str]:
    """Apply a change to the engine's store; the IRIs it names (as entries.Change gives them)."""
    for t in remove:
        engine.store.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
    engine.store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in add)
    return {term.value for t in [*add, *remove] for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}


def turtle(text: str) -> list:
    from rammegraf.namespaces import PREFIXES

    head = "".join(f"@prefix {p}: <{n}> .\n" for p, n in PREFIXES.items())
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse((head + text).encode("utf-8"), format=ox.RdfFormat.TURTLE)]


def test_the_shipped_facts(engine):
    """What the two reports say, as facts: 27 milestones, the two rounds, and what
    shows the region's organisation reached by 20.8.2025."""
    known = facts.compute(engine)
    assert len(known.milestones) == 27 and len(known.reports) == 25
    assert known.round_dates() == [date(2025, 4, 8), date(2025, 8, 20)]
    assert [len(known.round_members(d)) for d in known.round_dates()] == [14, 11]
    assert known.milestones[ORGANISERING] == {("1.1.26", "2026-01-01", "2026-01-01")}
    assert known.owners[ORGANISERING] == {(BOTILBUD, False)}      # Botilbudsteams waits for it
    # nothing reached before the first report exists
    assert known.evidence(date(2024, 1, 1)) == {}


def test_a_partial_computation_equals_the_whole_one_for_its_keys(engine):
    whole = facts.compute(engine)
    ms = sorted(whole.milestones)[::3]
    reports = sorted(whole.reports)[::4]
    part = facts.compute(engine, milestones=ms, reports=reports, rounds=list(whole.rounds))
    for name in facts.Facts.BY_MILESTONE:
        assert getattr(part, name) == {k: v for k, v in getattr(whole, name).items() if k in ms}, name
    assert part.reports == {k: v for k, v in whole.reports.items() if k in reports}
    assert part.rounds == whole.rounds


PREDICATES = [RG.hasMilestone, RG.dependsOn, RG.hasTask, RG.hasDecisionPoint, RG.reached, RG.asOf, RG.statusOf,
              RG.phase, RG.startOf, RG.deadlineOf, RG.responsible, RG.earliest, RG.latest, RG.dateText,
              PROV.wasDerivedFrom, DCTERMS.date]


@pytest.mark.parametrize("predicate", PREDICATES, ids=lambda p: p.rsplit("#", 1)[-1])
def test_taking_out_and_putting_back_any_fact_is_mended_exactly(engine, predicate):
    """For each property the facts read: take out each of up to five of its triples (for a
    source's date, of every source), mend,
    compare with a fresh computation; put it back, mend, compare again."""
    graph = copy_of(engine)
    known = facts.compute(graph)
    found = [ox.Triple(q.subject, q.predicate, q.object)
             for q in graph.store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None)]
    assert found, predicate
    for triple in found[:5] if predicate != DCTERMS.date else found:
        nodes = change(graph, remove=[triple])
        known = facts.mended(known, graph, nodes)
        assert known == facts.compute(graph), ("removed", triple)
        nodes = change(graph, add=[triple])
        known = facts.mended(known, graph, nodes)
        assert known == facts.compute(graph), ("added", triple)


def test_a_type_taken_out_is_mended(engine):
    """A milestone that is no longer rg:Milestone leaves every table; an initiative that is no
    longer an initiative owns nothing directly; a round that is no longer a round has no date."""
    graph = copy_of(engine)
    known = facts.compute(graph)
    for thing, cls in ((ORGANISERING, RG.Milestone), (BOTILBUD, RG.Initiative),
                       (next(iter(known.rounds)), RG.StatusRound)):
        triple = ox.Triple(ox.NamedNode(thing), ox.NamedNode(str(facts.TYPE)), ox.NamedNode(str(cls)))
        known = facts.mended(known, graph, change(graph, remove=[triple]))
        assert known == facts.compute(graph), thing
    assert ORGANISERING not in known.milestones and len(known.round_dates()) == 1


def test_a_saved_status_report_and_an_edit_are_mended(engine):
    """A form's single update (a report that starts an initiative and reaches a milestone),
    then an edit of it (another date, Parked), then its removal."""
    graph = copy_of(engine)
    known = facts.compute(graph)
    report = turtle(f"""<{ID}status/ny> a rg:StatusReport ; rg:statusOf <{BOTILBUD}> ; rg:asOf "2025-10-01"^^xsd:date ;
        rg:phase rg:Implementing ; rg:reached <{ORGANISERING}> ; prov:wasDerivedFrom <{ID}kilde/ny> ;
        rdfs:label "Ny status"@da .""")
    known = facts.mended(known, graph, change(graph, add=report))
    assert known == facts.compute(graph)
    assert known.evidence(date(2025, 10, 1), [ORGANISERING])[ORGANISERING][3] == ID + "status/ny"
    edited = turtle(f"""<{ID}status/ny> a rg:StatusReport ; rg:statusOf <{BOTILBUD}> ; rg:asOf "2025-11-01"^^xsd:date ;
        rg:phase rg:Parked ; prov:wasDerivedFrom <{ID}kilde/ny> ; rdfs:label "Ny status"@da .""")
    keep = set(edited)
    known = facts.mended(known, graph, change(graph, add=edited, remove=[t for t in report if t not in keep]))
    assert known == facts.compute(graph)
    assert BOTILBUD in known.parked(date(2025, 12, 1), [BOTILBUD])
    known = facts.mended(known, graph, change(graph, remove=edited))
    assert known == facts.compute(graph)


def test_a_round_import_is_mended(data, tmp_path):
    """The file `round import` writes, as a change to the graph before it."""
    from test_roundsheet import fill, import_, new_sheet

    before = OxigraphEngine.open([data])
    known = facts.compute(before)
    sheet = new_sheet(data, tmp_path)
    fill(sheet, {"initiativ/botilbudsteams": {6: "I gang", 7: "Udbredelsen er kortlagt.",
                                              13: "opgave/udbredelse-af-botilbudsteams: Hvad ved vi …"},
                 "initiativ/velfaerdsteknologi": {6: "Parkeret", 7: "Fortsat parkeret."}})
    assert import_(sheet, data).exit_code == 0
    written = data / "rammeaftale-2025-26" / "status-2025-12-01.ttl"
    from rammegraf.store import parse_file

    added = parse_file(written)
    after = OxigraphEngine.open([data])
    nodes = {term.value for t in added for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
    mended = facts.mended(known, after, nodes)
    assert mended == facts.compute(after)
    assert mended.round_dates()[-1] == date(2025, 12, 1) and len(mended.round_members(date(2025, 12, 1))) == 2


def test_kept_beside_the_store_read_back_equal(engine, tmp_path):
    known = facts.compute(engine)
    facts.write(known, tmp_path / facts.FACTS_FILE)
    assert facts.read(tmp_path / facts.FACTS_FILE) == known
    assert list(tmp_path.iterdir()) == [tmp_path / facts.FACTS_FILE]      # no temporary file left
    (tmp_path / "other.sqlite").write_bytes(b"not sqlite")
    assert facts.read(tmp_path / "other.sqlite") is None and facts.read(tmp_path / "missing.sqlite") is None


def test_the_round_dates_are_read_from_the_file_alone_and_equal_the_facts(engine, tmp_path, monkeypatch):
    """A graph view needs only the rounds' dates: they are read from the facts file without
    reading every fact, and equal the facts' own; a round no status report names is no date."""
    graph = copy_of(engine)
    empty = ID + "statusrunde/uden-rapporter"
    change(graph, add=[ox.Triple(ox.NamedNode(empty), ox.NamedNode(str(facts.TYPE)), ox.NamedNode(str(RG.StatusRound))),
                       ox.Triple(ox.NamedNode(empty), ox.NamedNode(str(DCTERMS.date)),
                                 ox.Literal("2026-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))])
    known = facts.compute(graph)
    assert known.rounds[empty] == {"2026-03-01"}
    path = tmp_path / facts.FACTS_FILE
    facts.write(known, path)
    graph.facts_path = str(path)
    monkeypatch.setattr(facts, "_KEPT", {})
    days = facts.round_dates(graph)
    assert days == known.round_dates() and date(2026, 3, 1) not in days and date(2025, 8, 20) in days
    assert facts._KEPT == {}                                 # not every fact was read
    # so are the rounds' sizes (the web app's refusal of a report too large), for every date
    sizes = {day: facts.round_size(graph, day) for day in [*days, date(2026, 3, 1), date(2024, 1, 1)]}
    assert facts._KEPT == {}
    assert sizes == {day: len(known.round_members(day)) for day in sizes}
    assert sizes[date(2025, 8, 20)] > 0 and sizes[date(2026, 3, 1)] == 0
    assert facts.facts_of(graph) == known and facts.round_dates(graph) == days   # read: from them
    assert all(facts.round_size(graph, day) == size for day, size in sizes.items())


def test_an_in_memory_store_computes_again_when_it_changes(engine):
    graph = copy_of(engine)
    first = facts.facts_of(graph)
    assert facts.facts_of(graph) is first
    change(graph, remove=[ox.Triple(ox.NamedNode(ORGANISERING), ox.NamedNode(str(facts.TYPE)),
                                    ox.NamedNode(str(RG.Milestone)))])
    assert ORGANISERING not in facts.facts_of(graph).milestones


def test_a_remote_server_gives_the_same_facts(engine):
    """The facts read through SPARQL (as from a server) equal those read from the store's index."""

    class Remote:
        remote = True

        def query(self, query, bindings=None, **kw):
            return engine.query(query, bindings, **kw)

    assert facts.compute(Remote()) == facts.compute(engine)
    ms = sorted(facts.compute(engine).milestones)[:4]
    assert facts.compute(Remote(), milestones=ms, reports=[], rounds=[]) == \
        facts.compute(engine, milestones=ms, reports=[], rounds=[])


def test_a_round_import_into_a_large_folder_moves_the_store_along(data, tmp_path, monkeypatch):
    """On a folder read through an on-disk store, `round import` makes the next store, its
    search index and its facts from the ones before (nothing computed whole again), and
    they equal a fresh build."""
    from test_roundsheet import fill, import_, new_sheet

    from rammegraf import store
    from rammegraf.search import INDEX_FILE, build, connect, ensure_index
    from rammegraf.store import MANIFEST, build_store, graph_files, store_location

    monkeypatch.setattr(store, "IN_MEMORY_LIMIT", 0)
    monkeypatch.setenv("RAMMEGRAF_CACHE", str(tmp_path / "cache"))
    sheet = new_sheet(data, tmp_path)           # opens (and builds) the store of the data before
    before = store_location([data])
    assert (before / MANIFEST).is_file()
    old = OxigraphEngine(ox.Store.read_only(str(before)), before)
    ensure_index(before, old)                    # as `serve` and the first search or deadlines make them
    facts.ensure_facts(before, old)
    whole = []
    computed = facts.compute
    monkeypatch.setattr(facts, "compute", lambda engine, **keys: whole.append(keys) or computed(engine, **keys))
    fill(sheet, {"initiativ/botilbudsteams": {6: "I gang", 7: "Udbredelsen er kortlagt.",
                                              13: "opgave/udbredelse-af-botilbudsteams: Hvad ved vi …"}})
    assert import_(sheet, data).exit_code == 0
    after = store_location([data])
    assert after != before and json_of(after / MANIFEST)["derived_from"] == before.name
    assert whole and all(keys for keys in whole)         # mended, never computed whole
    fresh = tmp_path / "fresh" / "store"
    build_store(graph_files([data]), fresh, progress=False)
    engine = OxigraphEngine(ox.Store.read_only(str(fresh)), fresh)
    monkeypatch.setattr(facts, "compute", computed)
    assert facts.read(after / facts.FACTS_FILE) == facts.compute(engine)
    query = "SELECT * FROM vocab ORDER BY 1"
    assert connect(after / INDEX_FILE).execute(query).fetchall() == build(engine).execute(query).fetchall()


def json_of(path: Path) -> dict:
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def test_the_server_computes_the_facts_once_for_mid_sized_data_and_its_workers_read_them(tmp_path, monkeypatch):
    """Data a server holds in memory but above the small size: the server computes the facts
    once into the cache, beside the search index, and every worker reads that file."""
    import sqlite3

    import rammegraf.store as store
    from conftest import web_client

    monkeypatch.setattr(store, "IN_MEMORY_LIMIT", 1000)   # the shipped data counts as mid-sized
    cache = tmp_path / "cache"
    with web_client(cache=cache) as client:
        built = list(cache.rglob(facts.FACTS_FILE))
        assert len(built) == 1 and built[0].parent == next(cache.rglob("search.sqlite")).parent
        with sqlite3.connect(built[0]) as db:   # a mark a worker shows only if it read this file
            assert db.execute("UPDATE fact SET a = 'MÆRKET' WHERE tab = 'milestones' AND key = ?",
                              (ORGANISERING,)).rowcount == 1
        page = client.get("/frister", params={"as_of": "2025-12-01"}).text
    assert "MÆRKET" in page


def test_runder_says_why_its_pictures_are_not_drawn_for_thousands_of_initiatives(engine, monkeypatch):
    """Above PICTURE_LIMIT initiatives /runder's job gives a sentence instead of the timeline and
    the matrix (one row an initiative), their SVG and PNG are refused with it, and the CSV is
    still made."""
    from rammegraf import pictures
    from rammegraf.errors import RammegrafError
    from rammegraf.web.jobs.charts import round_charts
    from rammegraf.web.jobs.graphs import picture

    assert round_charts(engine, "da")["timeline"]["spec"] is not None      # 15 initiatives: drawn
    monkeypatch.setattr(pictures, "PICTURE_LIMIT", 10)     # the shipped plan's 15 count as many
    drawn = round_charts(engine, "da")
    assert {name: part["spec"] for name, part in drawn.items()} == {"timeline": None, "matrix": None}
    assert drawn["matrix"]["error"].startswith("Billedet tegnes ikke her: grafen har 15 initiativer, over 10")
    with pytest.raises(RammegrafError, match="The picture is not drawn here: the graph has 15 initiatives"):
        picture(engine, "timeline", "svg", "en")
    assert b"Odder" in picture(engine, "matrix", "csv", "da")
