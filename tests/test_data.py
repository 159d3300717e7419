"""The shipped graph against the two source documents.

The lists below were read off the documents by hand (../shared/seeds/): the
initiative names as each document writes them (Danish letters restored), and the
phase each document's status words map to (ontology/vocab/phases.ttl).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from rdflib import Namespace

RG = Namespace("https://w3id.org/rammegraf/ontology#")

APRIL = date(2025, 4, 8)
AUGUST = date(2025, 8, 20)

# (name in the April document, name in the August document, April phase, August phase)
INITIATIVES = [
    ("Monitorering af F-ACT", "Monitorering af F-ACT", "NotStarted", "InProgress"),
    ("Botilbudsteams", "Botilbudsteams", "NotStarted", "InProgress"),
    ("Tilbudskapacitet for borgere med komplekse psykiske problemer",
     "Tilbudskapacitet for borgere med komplekse psykiske problemer", "NotStarted", "NotStarted"),
    (None, "Etablering af afklaringspladser", None, "Proposed"),
    ("Samarbejdsaftale om børn og unge i psykisk mistrivsel", None, "Implementing", None),
    ("Opbygning af et lettilgængeligt tilbud i kommunerne til børn og unge i psykisk mistrivsel "
     "og med symptomer på psykisk lidelse", None, "InProgress", None),
    ("Forebyggende indsatser (den midtjyske samarbejdsmodel)", None, "InProgress", None),
    ("Samarbejdsaftale om børn og unge i risikogrupper", None, "InProgress", None),
    ("Bedre kommunikation mellem sektorer (Rammeaftale om korrespondancemeddelelser)",
     "Bedre kommunikation mellem sektorer (Rammeaftale om korrespondancemeddelelser)",
     "InProgress", "InProgress"),
    ("Udvidelse af Samarbejdsaftalen om den gode indlæggelse og udskrivelse ift. psykiatri",
     "Udvidelse af Samarbejdsaftalen om den gode indlæggelse og udskrivelse ift. psykiatri",
     "Implementing", "Implementing"),
    ("72 timers behandlingsansvar – afklare evt. udvidelse af målgruppen til psykiatri",
     "72 timers behandlingsansvar – afklare evt. udvidelse af målgruppen til psykiatri",
     "InProgress", "InProgress"),
    ("Styrkede indsatser til mennesker med svær grad af psykisk sygdom",
     "Styrkede indsatser til mennesker med svær grad af psykisk sygdom – etablering af "
     "dobbeltdiagnosetilbud til patienter med samtidigt misbrug og psykisk sygdom",
     "Implementing", "Implementing"),
    ("Etablering af fælles fælleskommunale principper i Midtjylland",
     "Etablering af fælles fælleskommunale principper i Midtjylland", "InProgress", "InProgress"),
    ("Velfærdsteknologi", "Velfærdsteknologi", "AwaitingStart", "Parked"),
    ("Temadag januar 2026", "Temadag 2026", "AwaitingStart", "AwaitingStart"),
]

SLUG = re.compile(r"^https://w3id\.org/rammegraf/id/[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$")


def initiatives_named(graph: Graph, name: str) -> set[URIRef]:
    found = set()
    for prop in (RDFS.label, SKOS.altLabel):
        for subject in graph.subjects(prop, Literal(name, lang="da")):
            if (subject, RDF.type, RG.Initiative) in graph:
                found.add(subject)
    return found


def statuses(graph: Graph, initiative: URIRef) -> dict[date, URIRef]:
    return {graph.value(s, RG.asOf).toPython(): graph.value(s, RG.phase)
            for s in graph.subjects(RG.statusOf, initiative)}


def test_initiative_count_matches_both_documents(shipped: Graph):
    assert len(INITIATIVES) == 15
    assert len(set(shipped.subjects(RDF.type, RG.Initiative))) == 15
    assert sum(1 for row in INITIATIVES if row[0]) == 14
    assert sum(1 for row in INITIATIVES if row[1]) == 11


@pytest.mark.parametrize("april, august, april_phase, august_phase", INITIATIVES,
                         ids=[row[0] or row[1] for row in INITIATIVES])
def test_initiative_appears_once_with_status_per_document(
        shipped: Graph, april, august, april_phase, august_phase):
    names = [n for n in (april, august) if n]
    found = set().union(*(initiatives_named(shipped, n) for n in names))
    assert len(found) == 1, f"{names}: {found}"
    initiative = found.pop()

    expected = {}
    if april:
        expected[APRIL] = RG[april_phase]
    if august:
        expected[AUGUST] = RG[august_phase]
    assert statuses(shipped, initiative) == expected


def test_initiative_listed_under_two_areas_links_both(shipped: Graph):
    (initiative,) = initiatives_named(shipped, "Tilbudskapacitet for borgere med komplekse psykiske problemer")
    areas = {str(a).rsplit("/", 1)[-1] for a in shipped.objects(initiative, RG.developmentArea)}
    assert areas == {"mental-sundhed-og-psykiatri", "borgere-med-komplekse-udfordringer"}


def test_status_report_counts_per_document(shipped: Graph):
    counts: dict[date, int] = {}
    for report in shipped.subjects(RDF.type, RG.StatusReport):
        day = shipped.value(report, RG.asOf).toPython()
        counts[day] = counts.get(day, 0) + 1
    assert counts == {APRIL: 14, AUGUST: 11}


def test_every_status_report_has_its_source(shipped: Graph):
    rows = shipped.query("""
        SELECT ?report ?asOf ?docDate WHERE {
            ?report a rg:StatusReport ; rg:asOf ?asOf .
            OPTIONAL { ?report prov:wasDerivedFrom ?doc . ?doc a rg:SourceDocument ; dcterms:date ?docDate }
        }""")
    assert len(rows) == 25
    for report, as_of, doc_date in rows:
        assert doc_date is not None, report
        assert as_of == doc_date, report


def test_every_resource_has_exactly_one_danish_label(shipped: Graph):
    subjects = {s for s in shipped.subjects(RDF.type, None)}
    assert len(subjects) > 150
    for subject in subjects:
        langs = [label.language for label in shipped.objects(subject, RDFS.label)]
        assert langs.count("da") == 1, (subject, langs)
        assert langs.count("en") <= 1, (subject, langs)
        assert set(langs) <= {"da", "en"}, (subject, langs)


def test_every_instance_iri_follows_the_slug_convention(shipped: Graph):
    iris = {term for triple in shipped for term in triple
            if isinstance(term, URIRef) and str(term).startswith("https://w3id.org/rammegraf/id/")}
    assert len(iris) > 150
    bad = sorted(str(i) for i in iris if not SLUG.match(str(i)))
    assert bad == []


def test_every_referenced_instance_is_described(shipped: Graph):
    """A link to an /id/ IRI that has no rdf:type is a typo, not a resource."""
    objects = {o for o in shipped.objects() if isinstance(o, URIRef)
               and str(o).startswith("https://w3id.org/rammegraf/id/")}
    untyped = sorted(str(o) for o in objects if shipped.value(o, RDF.type) is None)
    assert untyped == []


def test_municipalities_are_the_nineteen_with_codes(shipped: Graph):
    codes = {str(label): str(shipped.value(m, RG.municipalityCode))
             for m in shipped.subjects(RDF.type, RG.Municipality)
             for label in shipped.objects(m, RDFS.label) if label.language == "da"}
    assert len(codes) == 19
    assert codes["Aarhus Kommune"] == "751"
    assert codes["Ringkøbing-Skjern Kommune"] == "760"
    assert codes["Samsø Kommune"] == "741"


def test_fuzzy_milestones_keep_words_and_interval(shipped: Graph):
    rows = {str(text): (earliest.toPython(), latest.toPython()) for text, earliest, latest in shipped.query(
        "SELECT ?t ?e ?l WHERE { ?m a rg:Milestone ; rg:dateText ?t ; rg:earliest ?e ; rg:latest ?l }")}
    assert rows["primo 2026"] == (date(2026, 1, 1), date(2026, 3, 31))
    assert rows["medio 2026"] == (date(2026, 4, 1), date(2026, 9, 30))
    assert rows["1. kvartal 2025"] == (date(2025, 1, 1), date(2025, 3, 31))
    assert rows["efteråret 2025"] == (date(2025, 9, 1), date(2025, 11, 30))
    assert rows["i foråret 2026"] == (date(2026, 3, 1), date(2026, 5, 31))
    assert rows["1.1.26"] == (date(2026, 1, 1), date(2026, 1, 1))


def test_status_texts_have_danish_letters_restored(shipped: Graph):
    texts = " ".join(str(t) for t in shipped.objects(None, RG.text))
    assert "Regionsrådet har den 25. juni besluttet" in texts
    for mangled in ("Regionsradet", "stgtte", "fglge", "Rddhus", "malgruppen"):
        assert mangled not in texts


# --- clean for OWL tools ---------------------------------------------------------------

BUILT_IN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
            "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")
OWL_KINDS = {"Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty"}


def test_every_term_the_data_uses_is_declared_with_one_owl_kind(engine):
    kinds: dict[str, set] = {}
    for term, kind in engine.query("SELECT ?t ?k WHERE { ?t a ?k FILTER (STRSTARTS(STR(?k), STR(owl:))) }").rows:
        if kind.value.rsplit("#", 1)[-1] in OWL_KINDS:
            kinds.setdefault(term.value, set()).add(kind.value.rsplit("#", 1)[-1])
    used = {t.value for (t,) in engine.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }").rows}
    used |= {t.value for (t,) in engine.query("SELECT DISTINCT ?c WHERE { ?s a ?c }").rows}
    undeclared = sorted(t for t in used if not t.startswith(BUILT_IN) and t not in kinds)
    assert undeclared == []
    assert {t: k for t, k in kinds.items() if len(k) > 1} == {}  # one kind each: OWL 2 DL
    # object properties link resources, data properties carry literals
    assert engine.query("""SELECT DISTINCT ?p WHERE { ?p a owl:ObjectProperty . ?s ?p ?o
                           FILTER (isLiteral(?o)) }""").rows == []
    assert engine.query("""SELECT DISTINCT ?p WHERE { ?p a owl:DatatypeProperty . ?s ?p ?o
                           FILTER (!isLiteral(?o)) }""").rows == []


@pytest.mark.parametrize("which", ["ontology", "ontology and data"])
def test_owlready2_loads_the_graph_without_a_warning(which, tmp_path):
    import contextlib
    import io
    import warnings

    import owlready2

    from rammegraf.engine import OxigraphEngine
    from rammegraf.store import graph_files, load_in_memory, ontology_files

    files = ontology_files() if which == "ontology" else graph_files()
    path = tmp_path / "graph.nt"
    path.write_bytes(OxigraphEngine(load_in_memory(files)).dump())
    said = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(said), \
            contextlib.redirect_stdout(said):
        warnings.simplefilter("always")
        ontology = owlready2.World().get_ontology(path.as_uri()).load()
    assert said.getvalue() == "" and [str(w.message) for w in caught] == []
    assert ontology.search_one(iri="https://w3id.org/rammegraf/ontology#Initiative") is not None


# --- Issue 26: a third reading ---------------------------------------------------

ID = "https://w3id.org/rammegraf/id/"

# The plan's tasks, per initiative: the "Opgaver" the reports set (and the to-dos their
# status columns give an initiative), not the events they record.
PLAN_TASKS = {
    "monitorering-af-f-act": {"afdaek-udbredelse-af-f-act", "regional-projektleder-f-act"},
    "botilbudsteams": {"definere-opgaven-for-botilbudsteams", "udbredelse-af-botilbudsteams",
                       "samarbejdsaftaler-botilbudsteam-og-botilbud"},
    "etablering-af-afklaringspladser": {"afklaringspladser-i-udviklingsomraadet"},
    "bedre-kommunikation-mellem-sektorer": {"revidere-aftale-om-korrespondancebreve"},
    "faelleskommunale-principper": {
        "bruttokatalog-faelles-principper", "faelles-om-kvalitet", "faelles-om-kvalitet-kvalitetsmodel",
        "afdaekning-kl-standardkontrakter", "kapacitetsfleksibilitet", "overblik-over-udbudsstrukturen",
        "typer-af-tilbud-i-rammeaftalen", "afgraensning-af-maalgruppen", "national-laanepulje",
        "eksisterende-viden-om-kapacitet", "ordentlighed-mellem-koeber-og-saelger"},
    "temadag-overgangen-2026": {"opstartsmoede-temadag"},
}

# The events the reports record (rg:ReportedEvent): initiative and the reports that tell of them
REPORTED_EVENTS = {
    "etablering-af-dobbeltdiagnosetilbud-paabegyndt": ("styrkede-indsatser-svaer-psykisk-sygdom", {APRIL, AUGUST}),
    "udkast-revideret-aftale-korrespondancebreve": ("bedre-kommunikation-mellem-sektorer", {AUGUST}),
    "op-til-10-filer-til-korrespondancebrev": ("bedre-kommunikation-mellem-sektorer", {AUGUST}),
    "horsensklyngen-i-gang-med-f-act": ("monitorering-af-f-act", {AUGUST}),
    "formand-for-arbejdsgruppen-principper-udpeget": ("faelleskommunale-principper", {APRIL, AUGUST}),
}


def test_the_initiatives_tasks_are_the_plans_tasks(shipped: Graph):
    found: dict[str, set[str]] = {}
    for initiative, task in shipped.subject_objects(RG.hasTask):
        found.setdefault(str(initiative).rsplit("/", 1)[-1], set()).add(str(task).rsplit("/", 1)[-1])
    assert found == PLAN_TASKS
    assert sum(len(t) for t in found.values()) == 19  # 16 + the quality model, existing knowledge, decency
    assert len(set(shipped.subjects(RDF.type, RG.Task))) == 19


def test_reported_events_are_not_tasks_and_are_told_by_their_initiatives_reports(shipped: Graph):
    events = {str(e).removeprefix(ID + "haendelse/"): e for e in shipped.subjects(RDF.type, RG.ReportedEvent)}
    assert events.keys() == REPORTED_EVENTS.keys()
    for slug, (initiative, told) in REPORTED_EVENTS.items():
        event = events[slug]
        assert (event, RDF.type, RG.Task) not in shipped
        assert set(shipped.subjects(RG.hasEvent, event)) == {URIRef(ID + "initiativ/" + initiative)}
        reports = set(shipped.subjects(RG.records, event))
        assert {shipped.value(r, RG.asOf).toPython() for r in reports} == told
        assert {shipped.value(r, RG.statusOf) for r in reports} == {URIRef(ID + "initiativ/" + initiative)}
        assert not set(shipped.subjects(RG.reached, event))


def test_aarhus_is_in_the_national_pilot_not_an_actor_of_afklaringspladser(shipped: Graph):
    pilot = URIRef(ID + "forsoegsordning/afklaringspladser")
    aarhus = URIRef(ID + "kommune/aarhus")
    initiative = URIRef(ID + "initiativ/etablering-af-afklaringspladser")
    assert (pilot, RDF.type, RG.Pilot) in shipped
    assert set(shipped.objects(pilot, RG.participant)) == {aarhus}  # the report names only Aarhus
    assert (shipped.value(pilot, RG.periodText).toPython(), shipped.value(pilot, RG.periodStart).toPython(),
            shipped.value(pilot, RG.periodEnd).toPython()) == ("2024-2026", date(2024, 1, 1), date(2026, 12, 31))
    assert (initiative, RG.involves, aarhus) not in shipped
    assert (initiative, SKOS.related, pilot) in shipped


def test_kl_and_socialtilsyn_midt_are_not_involved_in_the_principles(shipped: Graph):
    principles = URIRef(ID + "initiativ/faelleskommunale-principper")
    kl, tilsyn = URIRef(ID + "organisation/kl"), URIRef(ID + "organisation/socialtilsyn-midt")
    assert not {kl, tilsyn} & set(shipped.objects(principles, RG.involves))
    assert list(shipped.subjects(RG.involves, kl)) == []  # KL only wrote the standard contracts
    # Socialtilsyn Midt receives the reports the decision point proposes
    assert list(shipped.subjects(RG.involves, tilsyn)) == [URIRef(ID + "beslutningspunkt/obligatoriske-standardkontrakter")]
    # KKR is named only in April, as the organiser of an "evt. kommende" conference
    assert list(shipped.subjects(RG.involves, URIRef(ID + "udvalg/kkr-midtjylland"))) == []


def test_only_the_serviceloven_kind_are_framework_agreements(shipped: Graph):
    assert set(shipped.subjects(RDF.type, RG.FrameworkAgreement)) == {
        URIRef(ID + "aftale/rammeaftale-2025-26"), URIRef(ID + "aftale/rammeaftale-sjaelland")}
    assert (URIRef(ID + "aftale/rammeaftale-korrespondancemeddelelser"), RDF.type,
            RG.CollaborationAgreement) in shipped


def test_the_96_hour_decision_is_dated_only_by_what_the_sources_carry(shipped: Graph):
    milestone = URIRef(ID + "milepael/behandlingsansvar-96-timer-aftalt")
    assert (str(shipped.value(milestone, RG.dateText)), shipped.value(milestone, RG.earliest).toPython(),
            shipped.value(milestone, RG.latest).toPython()) == (
        "I sundhedsreformen", date(2024, 11, 1), AUGUST)  # not before the reform; by the report


def test_august_reached_the_f_act_survey_and_the_quality_model_input(shipped: Graph):
    august = {o for s in shipped.subjects(RG.asOf, Literal(AUGUST)) for o in shipped.objects(s, RG.reached)}
    assert URIRef(ID + "opgave/afdaek-udbredelse-af-f-act") in august
    assert URIRef(ID + "opgave/faelles-om-kvalitet") in august
    assert URIRef(ID + "opgave/faelles-om-kvalitet-kvalitetsmodel") not in august  # the model itself is open


def test_the_theme_day_has_its_own_milestone_in_2026(shipped: Graph):
    theme_day = URIRef(ID + "initiativ/temadag-overgangen-2026")
    held = URIRef(ID + "milepael/temadag-overgangen-afholdes")
    assert (theme_day, RG.hasMilestone, held) in shipped
    assert (shipped.value(held, RG.earliest).toPython(), shipped.value(held, RG.latest).toPython()) == (
        date(2026, 1, 1), date(2026, 12, 31))
