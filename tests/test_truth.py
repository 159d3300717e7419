"""What the pages say is what the reports say (issue 24, item 5).

A single status report made in a form is no round: it marks no other initiative
"not in the report" or "dropped". A milestone that a later report shows reached
(an initiative's start once it is in progress, a task's deadline once the task is
done) is not overdue in ``deadlines``, /frister, the calendar, ``changes`` or the
named query, and each says why.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from test_entries import client, post, sign_in

from rammegraf.network import not_in_round, round_dates

MS = "https://w3id.org/rammegraf/id/milepael/"
FACT_START = MS + "opstart-monitorering-af-f-act"
SURVEY = MS + "standardkontrakter-besvarelse"
SOURCE = {"rdfs-label@da": "Opdatering om botilbudsteams", "dcterms-title@da": "Opdatering om botilbudsteams",
          "dcterms-date": "2029-01-01"}
REPORT = {"rg-statusOf": "Botilbudsteams", "rg-asOf": "2029-01-01", "rg-phase": "https://w3id.org/rammegraf/ontology#InProgress",
          "rg-text@da": "Teamene arbejder i alle tre klynger.",
          "prov-wasDerivedFrom": "kilde/opdatering-om-botilbudsteams"}


def test_a_status_report_made_in_a_form_marks_no_other_initiative_missing_or_dropped(data):
    from rammegraf.engine import open_engine

    with client(data, write=True) as http:
        sign_in(http)
        assert post(http, "/ny/kilde", SOURCE, "gem").status_code == 303
        saved = post(http, "/ny/statusrapport", REPORT, "gem")
        assert saved.status_code == 303, re.findall(r"<li[^>]*>([^<]*)</li>", saved.text)
        home = http.get("/", headers={"accept": "text/html"}).text
        assert "Teamene arbejder" in http.get("/id/status/botilbudsteams-2029-01-01",
                                              headers={"accept": "text/html"}).text
        rounds = http.get("/runder", headers={"accept": "text/html"}).text
        single = http.get("/runder/2029-01-01", headers={"accept": "text/html"})
        moved = http.get("/foresporgsler/faseskift?from=2025-08-20&to=2029-01-01&format=csv")
    # the front page marks no initiative as missing from the update; the four the August round
    # left out stay marked against that round
    assert "2029-01-01" not in home and "Runden pr. 2025-08-20 sammenlignet med runden pr. 2025-04-08." in home
    assert "<h3>Ikke med i runden (udgået) (4)</h3>" in home
    assert 'href="/runder/2029-01-01"' not in rounds and 'href="/runder/2025-08-20"' in rounds
    assert single.status_code == 404
    assert list(csv.reader(io.StringIO(moved.text)))[1:] == []      # no round on 2029-01-01: no rows
    engine = open_engine(data_dirs=(data,))
    assert round_dates(engine) == [date(2025, 4, 8), date(2025, 8, 20)]
    # and the August round's own members are not changed by it: four initiatives left after April
    assert len(not_in_round(engine, date(2025, 8, 20))) == 4


def test_as_of_september_fact_start_and_survey_deadline_are_reached_and_say_why(data):
    from rammegraf.engine import open_engine
    from rammegraf.query import get_query, run_on
    from rammegraf.rounds import deadlines, to_ics
    from conftest import cli

    engine = open_engine(data_dirs=(data,))
    found = {d.milestone: d for d in deadlines(engine, as_of=date(2025, 9, 1))}
    start, survey = found[FACT_START], found[SURVEY]
    assert (start.state, start.proof.how, start.proof.day) == ("reached", "started", date(2025, 8, 20))
    assert start.reason == ("Monitorering af F-ACT er i gang pr. 20.8.2025 "
                            "(Handlingsplan Rammeaftale 2025-26, status pr. 20. august 2025)")
    assert (survey.state, survey.proof.how) == ("reached", "task")
    assert survey.reason.startswith("opgaven »Afdækning af brugen af KL’s standardkontrakter« er udført pr. 20.8.2025")
    # in English too
    english = {d.milestone: d for d in deadlines(engine, as_of=date(2025, 9, 1), lang="en")}
    assert english[FACT_START].reason.startswith("Monitoring of F-ACT is in progress as of 20 August 2025")
    # as of May, before the August report, F-ACT's start (January) was overdue: the report had it not started
    assert {d.milestone: d.state for d in deadlines(engine, as_of=date(2025, 5, 1))}[FACT_START] == "overdue"
    # the command line, in JSON, says the same
    done = cli("deadlines", "--as-of", "2025-09-01", "--format", "json", "--data", str(data))
    rows = {row["milestone"]: row for row in json.loads(done.stdout)}
    assert rows[FACT_START]["state"] == "reached" and rows[FACT_START]["reached_by"] == "started"
    assert rows[SURVEY]["state"] == "reached" and "Afdækning af brugen" in rows[SURVEY]["reason"]
    # the named query agrees: neither is overdue
    overdue = {row[0].value for row in run_on(engine, get_query("milepaele-overskredet"), {"asOf": "2025-09-01"}).rows}
    assert FACT_START not in overdue and SURVEY not in overdue and overdue
    # the calendar says the state and why
    ics = to_ics(deadlines(engine, as_of=date(2025, 9, 1), include_all=True), as_of=date(2025, 9, 1)).decode()
    unfolded = ics.replace("\r\n ", "")
    assert "Tilstand pr. 2025-09-01: nået – Monitorering af F-ACT er i gang pr. 20.8.2025" in unfolded.replace("\\,", ",")


def test_frister_shows_them_reached_with_the_reason(data):
    with client(data) as http:
        page = http.get("/frister?as_of=2025-09-01&within=90", headers={"accept": "text/html"}).text
        page = page[page.index('<table class="sortable">'):]      # the table, not the chart's numbers
        calendar = http.get("/frister.ics?as_of=2025-09-01").text.replace("\r\n ", "")
    row = next(r for r in page.split("<tr>") if "Opstart: Monitorering af F-ACT" in r)
    assert row.startswith("<td>nået</td>") and "Monitorering af F-ACT er i gang pr. 20.8.2025" in row
    row = next(r for r in page.split("<tr>") if "Deadline for besvarelse af undersøgelsen" in r)
    assert row.startswith("<td>nået</td>") and "opgaven »Afdækning af brugen af KL’s standardkontrakter« er udført" in row
    assert "overskredet" not in "".join(r for r in page.split("<tr>") if "F-ACT" in r or "standardkontrakter" in r)
    assert "Tilstand pr. 2025-09-01" in calendar
