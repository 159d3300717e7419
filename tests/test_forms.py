"""Entry forms made from the shapes: the fields each form asks for, what an answer
becomes, and each validation result at its field."""

from __future__ import annotations

import pytest

from rammegraf import forms
from rammegraf.namespaces import ID, RG

INITIATIVE = "initiativ/botilbudsteams"
AUGUST = "kilde/handlingsplan-2025-08-20"


def test_the_forms_are_the_shapes_forms_in_their_order(engine):
    assert list(forms.forms(engine)) == ["initiativ", "statusrapport", "milepael", "moede", "opgave", "udfordring",
                                         "beslutningspunkt", "person", "kilde"]


def test_a_status_report_asks_what_its_shapes_require_in_sh_order(engine):
    form = forms.form(engine, "statusrapport")
    got = [(f.name, f.widget, f.required, f.multiple) for f in form.fields]
    assert got == [("rdfs-label", "text", True, True), ("rg-statusOf", "resource", True, False),
                   ("rg-asOf", "date", True, False), ("rg-phase", "choice", True, False),
                   ("rg-text", "textarea", True, True), ("prov-wasDerivedFrom", "resource", True, False),
                   ("rg-reached", "resource", False, True)]
    phase = form.field("rg-phase")
    assert [labels["da"] for _, labels in phase.choices] == [
        "Foreslået", "Ikke igangsat", "Afventer opstart", "I gang", "Under implementering", "Implementeret",
        "Parkeret"]
    assert form.field("rg-statusOf").classes == (RG.Initiative,)
    assert form.field("rg-text").languages == ("da",)
    assert form.field("rdfs-label").languages == ("da", "en")
    # labels and help from the ontology
    assert form.field("rg-asOf").text("da") == "pr. dato"
    assert "initiativ" in form.field("rg-statusOf").text("da", "help")


def test_a_meeting_has_a_checkbox_an_optional_place_and_required_subjects(engine):
    form = forms.form(engine, "moede")
    assert form.field("rg-virtual").widget == "checkbox"
    assert (form.field("rg-place").widget, form.field("rg-place").required) == ("text", False)
    about = form.field("rg-about")
    assert about.required and about.multiple and set(about.classes) == {RG.Initiative, RG.DecisionPoint, RG.Task}


def test_an_initiative_makes_its_first_status_report_in_a_nested_form(engine):
    form = forms.form(engine, "initiativ")
    nested = form.field("inv-rg-statusOf")
    assert nested.widget == "nested" and nested.nested.slug == "statusrapport"
    # the responsible actor may be an organisation or a person (from the shape for whoever uses rg:responsible)
    assert set(form.field("rg-responsible").classes) == {"http://www.w3.org/ns/org#Organization",
                                                         "http://xmlns.com/foaf/0.1/Person"}


def test_a_task_belongs_to_its_initiative_by_the_link_whose_range_it_is(engine):
    task = forms.form(engine, "opgave").field("inv-rg-hasTask")
    challenge = forms.form(engine, "udfordring").field("inv-rg-hasChallenge")
    assert (task.predicate, challenge.predicate) == (RG.hasTask, RG.hasChallenge)
    assert task.inverse and task.required


def status(**changes):
    values = {"rg-statusOf": ["Botilbudsteams"], "rg-asOf": ["2025-08-20"], "rg-phase": [RG.InProgress],
              "rg-text@da": ["Teams etableres."], "prov-wasDerivedFrom": [AUGUST]}
    values.update(changes)
    return values


def test_a_label_names_its_resource_and_the_label_template_and_iri_template_fill_in(engine):
    answer = forms.read(forms.form(engine, "statusrapport"), status(**{"rg-asOf": ["2026-01-15"]}), engine)
    assert answer.problems == {}
    assert answer.iri == f"{ID}status/botilbudsteams-2026-01-15"
    assert answer.shown["rdfs-label@da"] == ["Status for Botilbudsteams pr. 15.1.2026"]
    turtle = forms.turtle(answer).decode()
    assert "status:botilbudsteams-2026-01-15 a rg:StatusReport" in turtle
    assert "rg:statusOf initiativ:botilbudsteams" in turtle


def test_words_instead_of_a_phase_are_named_at_the_phase(engine):
    """The first attempt of a new user: "I gang" instead of rg:InProgress."""
    answer = forms.read(forms.form(engine, "statusrapport"), status(**{"rg-phase": ["I gang"]}), engine)
    verdict = forms.check(answer, engine)
    assert verdict["conforms"] is False
    assert verdict["errors"]["rg-phase"] == [("Violation", "Vælg en af mulighederne på listen.")]


def test_missing_and_wrong_values_are_named_at_their_fields(engine):
    answer = forms.read(forms.form(engine, "statusrapport"),
                        status(**{"rg-text@da": [""], "prov-wasDerivedFrom": ["Ingen sådan kilde"],
                                  "rg-asOf": ["2026-02-30"]}), engine, lang="en")
    verdict = forms.check(answer, engine, "en")
    errors = {name: [text for _, text in found] for name, found in verdict["errors"].items()}
    assert errors["rg-text@da"] == ["A status report must have its status text in Danish (rg:text \"…\"@da)."]
    assert errors["prov-wasDerivedFrom"][0].startswith("Nothing labelled 'Ingen sådan kilde' can be chosen here")
    assert errors["rg-asOf"] == ["'2026-02-30' is not a date; write YYYY-MM-DD, e.g. 2026-01-31."]
    assert verdict["iri"] is None   # the IRI needs the date: said at the label, the rest checked all the same
    assert errors["rdfs-label@da"][0].startswith("The IRI is made from the label and the fields")


def test_a_status_report_on_a_date_that_has_one_is_a_clash_at_the_label(engine):
    answer = forms.read(forms.form(engine, "statusrapport"), status(), engine)
    verdict = forms.check(answer, engine)
    assert not verdict["conforms"]
    assert "Der findes allerede «Status for Botilbudsteams pr. 20.8.2025»" in verdict["errors"]["rdfs-label@da"][0][1]


def test_a_conforming_status_report_has_no_errors_and_pyshacl_agrees(engine):
    from rammegraf.validate import check_entries

    answer = forms.read(forms.form(engine, "statusrapport"), status(**{"rg-asOf": ["2025-08-20"],
                                                                       "rg-statusOf": ["initiativ/xss"]}), engine)
    # no initiative called xss in the shipped data: named at the field
    assert "rg-statusOf" not in answer.problems   # a path is taken as written …
    verdict = forms.check(answer, engine)
    assert verdict["errors"]["rg-statusOf"]        # … and the shapes say it is no initiative
    good = forms.read(forms.form(engine, "milepael"), {
        "rdfs-label@da": ["Afklaring af botilbudsteams"], "rg-dateText": ["ultimo 2026"],
        "inv-rg-hasMilestone": ["Botilbudsteams"], "prov-wasDerivedFrom": [AUGUST],
        "rg-responsible": ["DASSOS"]}, engine, stamp=forms.stamp(creator="analytiker"))
    verdict = forms.check(good, engine)
    assert verdict["conforms"] and verdict["errors"] == {} and verdict["general"] == []
    assert good.shown["rg-earliest"] == ["2026-10-01"] and good.shown["rg-latest"] == ["2026-12-31"]
    with check_entries(good.triples, engine, validator="pyshacl") as oracle:
        assert oracle.report.conforms


def test_a_new_initiative_conforms_only_with_its_first_status_report(engine):
    form = forms.form(engine, "initiativ")
    values = {"rdfs-label@da": ["Fælles kompetencecenter"], "rg-developmentArea": ["Mental sundhed og psykiatri"],
              "rg-pursues": ["maalsaetning/mental-sundhed-og-mistrivsel"], "rg-governedBy": ["Rammeaftale 2025-26"],
              "prov-wasDerivedFrom": [AUGUST], "rg-responsible": ["DASSOS"]}
    without = forms.check(forms.read(form, values, engine), engine)
    assert without["errors"].get("inv-rg-statusOf.rg-asOf") or without["errors"].get("inv-rg-statusOf")
    values.update({"inv-rg-statusOf.rg-asOf": ["2025-08-20"], "inv-rg-statusOf.rg-phase": [RG.Proposed],
                   "inv-rg-statusOf.rg-text@da": ["Foreslået i DASSOS."],
                   "inv-rg-statusOf.prov-wasDerivedFrom": [AUGUST]})
    answer = forms.read(form, values, engine)
    verdict = forms.check(answer, engine)
    assert verdict["errors"] == {} and verdict["conforms"], verdict
    assert answer.nested == {"inv-rg-statusOf": f"{ID}status/faelles-kompetencecenter-2025-08-20"}
    assert answer.shown["inv-rg-statusOf.rdfs-label@da"] == ["Status for Fælles kompetencecenter pr. 20.8.2025"]


def test_an_edited_entry_is_checked_without_its_old_version(engine):
    from rammegraf.engine import OxigraphEngine

    form = forms.form(engine, "milepael")
    first = forms.read(form, {"rdfs-label@da": ["Midlertidig milepæl"], "rg-dateText": ["primo 2027"],
                              "prov-wasDerivedFrom": [AUGUST], "rg-responsible": ["DASSOS"]}, engine)
    import pyoxigraph as ox

    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in first.triples)
    saved = OxigraphEngine(store)
    second = forms.read(form, {"rdfs-label@da": ["Midlertidig milepæl"], "rg-dateText": ["medio 2027"],
                               "prov-wasDerivedFrom": [AUGUST], "rg-responsible": ["DASSOS"]}, saved,
                        editing=first.iri)
    # with the old version still in: two earliest dates; taken out: conforms
    assert not forms.check(second, saved, creating=False)["conforms"]
    assert forms.check(second, saved, replacing=first.triples, creating=False)["conforms"]


@pytest.mark.parametrize("text, made", [("Møde i DASSOS, 3. september", "moede-i-dassos-3-september"),
                                        ("Åben café: Ærø & Øster Snede", "aaben-cafe-aeroe-oester-snede"),
                                        ("  ---  ", "")])
def test_slugs_are_made_as_the_datas_other_iris(text, made):
    assert forms.slug(text) == made


def test_a_date_that_is_not_the_sources_date_is_named_at_the_date(engine):
    answer = forms.read(forms.form(engine, "statusrapport"), status(**{"rg-asOf": ["2025-12-01"]}), engine)
    verdict = forms.check(answer, engine)
    assert verdict["errors"] == {"rg-asOf": [
        ("Violation", "Statusdatoen (rg:asOf) er ikke kildedokumentets dato (dcterms:date).")]}


def test_a_check_in_place_leaves_the_store_as_it_was(engine):
    """A worker checks an entry in its own store (no copy of the graph): afterwards the
    store holds exactly what it held, also when the entry repeats triples the graph
    has and when an edit takes some out for the check."""
    import pyoxigraph as ox

    from rammegraf.engine import OxigraphEngine

    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    mine = OxigraphEngine(store)
    before = set(store)
    answer = forms.read(forms.form(mine, "statusrapport"), status(**{"rg-asOf": ["2025-12-01"]}), mine)
    existing = next(iter(store.quads_for_pattern(None, ox.NamedNode(RG.statusOf), None)))
    repeated = ox.Triple(existing.subject, existing.predicate, existing.object)
    answer.triples.append(repeated)   # a triple the graph already has
    replacing = [ox.Triple(q.subject, q.predicate, q.object) for q in
                 store.quads_for_pattern(existing.subject, ox.NamedNode(RG.phase), None)]
    copy = forms.check(answer, mine, replacing=replacing)
    placed = forms.check(answer, mine, replacing=replacing, in_place=True)
    assert placed == copy and placed["errors"] == {"rg-asOf": [
        ("Violation", "Statusdatoen (rg:asOf) er ikke kildedokumentets dato (dcterms:date).")]}
    assert set(store) == before
