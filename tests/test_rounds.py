"""Deadlines: the state of each milestone on chosen dates, and the calendar file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from rammegraf.cli import main
from rammegraf.rounds import deadlines, state_of, to_ics

MS = "https://w3id.org/rammegraf/id/milepael/"


@pytest.mark.parametrize("as_of, within, state", [
    (date(2026, 1, 1), 30, None),            # medio 2026 starts 1 April: not yet in the window
    (date(2026, 3, 15), 30, "upcoming"),
    (date(2026, 4, 1), 30, "due"),            # due while the interval is open …
    (date(2026, 9, 30), 30, "due"),           # … to its last day
    (date(2026, 10, 1), 30, "overdue"),       # overdue only after it
])
def test_state_of_fuzzy_interval(as_of, within, state):
    assert state_of(date(2026, 4, 1), date(2026, 9, 30), as_of, within) == state


def states(graph, as_of: date, within: int = 90) -> dict[str, str]:
    return {d.milestone.removeprefix(MS): d.state for d in deadlines(graph, as_of=as_of, within=within)}


def test_deadlines_on_chosen_dates(engine):
    feb = states(engine, date(2026, 2, 15), within=60)
    assert feb["opstartsmoede-temadag"] == "due"                    # primo 2026
    assert feb["temadag-for-dassos"] == "upcoming"                  # i foråret 2026: from 1 March
    assert feb["lovgivning-om-afklaringspladser"] == "upcoming"     # medio 2026 starts 1 April ≤ 16 April
    assert "lovgivning-om-afklaringspladser" not in states(engine, date(2026, 2, 15), within=30)
    assert feb["regionens-organisering-paa-plads"] == "overdue"     # 1.1.26
    assert "krav-om-afklaringspladser" not in feb                   # 1 January 2027
    dec = states(engine, date(2025, 12, 31), within=0)
    assert "regionens-organisering-paa-plads" not in dec               # 1.1.26 is after, and within=0
    assert dec["status-udbredelse-korrespondancebreve"] == "overdue"  # efteråret 2025 ended 30 Nov
    assert len(states(engine, date(2028, 1, 1))) == 27              # everything has passed by 2028


def test_deadlines_name_initiative_and_responsible(engine):
    (item,) = [d for d in deadlines(engine, as_of=date(2026, 2, 15))
               if d.milestone == MS + "opstartsmoede-temadag"]
    assert (item.date_text, item.initiatives, item.responsible) == (
        "primo 2026", ("Temadag januar 2026",), ("Fællessekretariatet",))


def test_ics_has_one_stable_all_day_event_per_milestone(engine):
    from icalendar import Calendar

    every = deadlines(engine, as_of=date(2026, 2, 15), include_all=True)
    data = to_ics(every)
    assert data == to_ics(deadlines(engine, as_of=date(2026, 2, 15), include_all=True))  # stable
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 27
    assert len({str(e["UID"]) for e in events}) == 27
    (medio,) = [e for e in events if str(e["UID"]) == "milepael.lovgivning-om-afklaringspladser@rammegraf"]
    assert medio.decoded("DTSTART") == date(2026, 4, 1)
    assert medio.decoded("DTEND") == date(2026, 10, 1)          # exclusive: the day after 30 September
    assert str(medio["SUMMARY"]) == "Lovgivningen om afklaringspladser forventes på plads"


def _library_ics(items, *, lang: str = "da", as_of: date | None = None) -> bytes:
    """The calendar as the icalendar library wrote it (rounds.to_ics before it wrote its own
    lines): the oracle the written file is held to."""
    from datetime import datetime, timedelta, timezone

    from icalendar import Calendar, Event

    from rammegraf.rounds import STATE_WORDS

    words = STATE_WORDS.get(lang, STATE_WORDS["en"])
    calendar = Calendar()
    calendar.add("prodid", "-//rammegraf//Rammeaftale 2025-26//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Rammeaftale 2025-26 – milepæle" if lang == "da"
                 else "Rammeaftale 2025-26 – milestones")
    for item in items:
        event = Event()
        event.add("uid", item.milestone.rsplit("/id/", 1)[-1].replace("/", ".") + "@rammegraf")
        event.add("summary", item.label)
        event.add("dtstart", item.earliest)
        event.add("dtend", item.latest + timedelta(days=1))
        event.add("dtstamp", datetime(item.earliest.year, item.earliest.month, item.earliest.day, tzinfo=timezone.utc))
        lines = [f"{'Dato' if lang == 'da' else 'Date'}: {item.date_text}"]
        if item.initiatives:
            lines.append(f"{'Initiativ' if lang == 'da' else 'Initiative'}: {'; '.join(item.initiatives)}")
        if item.responsible:
            lines.append(f"{'Ansvarlig' if lang == 'da' else 'Responsible'}: {'; '.join(item.responsible)}")
        if as_of is not None:
            state = words.get(item.state, item.state)
            lines.append((f"Tilstand pr. {as_of.isoformat()}: " if lang == "da" else f"State as of {as_of.isoformat()}: ")
                         + state + (f" – {item.reason}" if item.reason else ""))
            event.add("categories", [state])
        event.add("description", "\n".join(lines))
        event.add("url", item.milestone)
        calendar.add_component(event)
    return calendar.to_ical()


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("as_of", [date(2025, 9, 1), None])
def test_ics_is_the_icalendar_librarys_file_byte_for_byte(engine, lang, as_of):
    every = deadlines(engine, as_of=as_of or date(2026, 2, 15), include_all=True, lang=lang)
    assert len(every) == 27
    assert to_ics(every, lang=lang, as_of=as_of) == _library_ics(every, lang=lang, as_of=as_of)


# each meets the fold at another place: a comma, a semicolon or a backslash escaped there, æ, ø
# or å (two octets) or a character of three and four octets at the 74th octet
HOSTILE = ["Linje 1\nlinje 2\r\nlinje 3\rslut", "a,b;c\\d ,;\\ " * 9,
           "Ældre borgeres bøger på sygehuse, plejecentre og i åbne værksteder; æøå ÆØÅ " * 5,
           *("x" * n + "æøå,;\\€😀" * 12 for n in range(60, 76)), "", " ", "tab\tinde"]


@pytest.mark.parametrize("words", HOSTILE)
def test_ics_of_hostile_text_is_the_librarys_and_reads_back(words):
    from icalendar import Calendar

    from rammegraf.rounds import Deadline

    items = [Deadline(milestone=MS + "ø-" + str(n) + "/x,y", label=words + label, date_text=words, earliest=date(2026, 1, 2),
                      latest=date(2026, 3, 31), state="reached", owners=((MS + "i", words),),
                      actors=((MS + "a", "Ærø;Kommune,\\"),), reason=words)
             for n, label in enumerate(("", "æ" * 40, "x" * 37))]
    for as_of in (date(2026, 2, 1), None):
        data = to_ics(items, as_of=as_of)
        assert data == _library_ics(items, as_of=as_of)
        assert all(len(line) <= 75 for line in data.split(b"\r\n"))        # octets, not characters
        assert data.decode("utf-8")                                       # no character cut in two
        events = Calendar.from_ical(data).walk("VEVENT")
        read = lambda text: text.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731  (every line break is one)
        assert [str(e["SUMMARY"]) for e in events] == [read(i.label) for i in items]
        assert str(events[0]["DESCRIPTION"]) == read(f"Dato: {words}\nInitiativ: {words}\nAnsvarlig: Ærø;Kommune,\\"
                                                     + (f"\nTilstand pr. 2026-02-01: nået" + (f" – {words}" if words else "") if as_of else ""))


def test_ics_keeps_a_backslash_before_n_and_leaves_out_control_characters():
    """Where the file is not the library's: a backslash and N stay two characters (the library
    made them a line break), and control characters a TEXT value may not hold are left out."""
    from rammegraf import ics

    assert ics.text("C:\\Net\\new\x00\x07\x1b[0m\x7f\tend") == "C:\\\\Net\\\\new[0m\tend"
    assert ics.fold("X:" + "æ" * 80) == ("X:" + "æ" * 36).encode() + b"\r\n " + ("æ" * 37).encode() + b"\r\n " \
        + ("æ" * 7).encode() + b"\r\n"


def test_deadlines_command_writes_ics(tmp_path: Path):
    target = tmp_path / "milepaele.ics"
    result = CliRunner().invoke(main, ["deadlines", "--as-of", "2026-02-15", "--within", "60",
                                       "--ics", str(target), "--format", "csv"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tilstand,milepæl,")
    assert any(line.startswith("forfalden nu,Opstartsmøde om temadagen indkaldt,primo 2026,2026-01-01,2026-03-31,")
               for line in lines)
    assert target.read_bytes().count(b"BEGIN:VEVENT") == 27


def test_deadlines_command_bad_date_is_usage_error():
    result = CliRunner().invoke(main, ["deadlines", "--as-of", "primo 2026"])
    assert result.exit_code == 2 and "--as-of" in result.output


def test_changes_between_the_two_reports(engine):
    from rammegraf.rounds import changes

    c = changes(engine, from_date=date(2025, 4, 8), to_date=date(2025, 8, 20))
    assert c.changed == (("Botilbudsteams", "Ikke igangsat", "I gang"),
                         ("Monitorering af F-ACT", "Ikke igangsat", "I gang"),
                         ("Velfærdsteknologi", "Afventer opstart", "Parkeret"))
    assert c.new == (("Etablering af afklaringspladser", "Foreslået"),)
    assert [name for name, _ in c.dropped] == [
        "Forebyggende indsatser (den midtjyske samarbejdsmodel)",
        "Opbygning af et lettilgængeligt tilbud i kommunerne til børn og unge i psykisk mistrivsel "
        "og med symptomer på psykisk lidelse",
        "Samarbejdsaftale om børn og unge i psykisk mistrivsel",
        "Samarbejdsaftale om børn og unge i risikogrupper"]
    assert len(c.unchanged) == 7 and len(c.milestones_added) == 12
    assert ("Organiseringen i regionen er på plads", "1.1.26") in c.milestones_added
    assert [m for m, _, _ in c.milestones_passed] == [
        "Status på implementering leveret til Sundhedsstyregruppen",
        "Regionsrådet besluttede en strategi for udbredelse af F-ACT",
        "Deadline for besvarelse af undersøgelsen om standardkontrakter",
        "Dobbeltdiagnosetilbuddets 2. fase går i gang"]


def test_changes_unknown_round_is_a_sentence():
    result = CliRunner().invoke(main, ["changes", "--from", "2025-04-01", "--to", "2025-08-20"])
    assert result.exit_code == 2
    assert "der er ingen statusrunde pr. 2025-04-01; runderne er 2025-04-08, 2025-08-20" in result.stderr


@pytest.mark.parametrize("fmt, first", [("text", "Ændringer fra 2025-04-08 til 2025-08-20"),
                                        ("md", "# Ændringer fra 2025-04-08 til 2025-08-20")])
def test_changes_command_text_and_markdown(fmt, first):
    result = CliRunner().invoke(main, ["changes", "--from", "2025-04-08", "--to", "2025-08-20", "--format", fmt])
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == first
    assert "- Velfærdsteknologi: Afventer opstart → Parkeret" in result.stdout


def test_changes_html_escapes_labels(engine, tmp_path: Path):
    import pyoxigraph as ox

    from rammegraf.engine import OxigraphEngine
    from rammegraf.rounds import changes, render_changes

    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    botilbudsteams = ox.NamedNode("https://w3id.org/rammegraf/id/initiativ/botilbudsteams")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for quad in list(store.quads_for_pattern(botilbudsteams, label, None)):
        store.remove(quad)  # the payload is its only label
    store.add(ox.Quad(botilbudsteams, label, ox.Literal("<script>alert(1)</script>", language="en")))
    graph = OxigraphEngine(store)
    html = render_changes(changes(graph, from_date=date(2025, 4, 8), to_date=date(2025, 8, 20), lang="en"),
                          "html", lang="en")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: Not started → In progress" in html
    import json

    data = json.loads(render_changes(changes(engine, from_date=date(2025, 4, 8), to_date=date(2025, 8, 20)),
                                     "json"))
    assert data["from_date"] == "2025-04-08" and len(data["changed"]) == 3


REACHED_BY_DECEMBER = {  # milestone → the report that says it was reached (data/rammeaftale-2025-26/naaet.ttl)
    "samarbejdsaftale-mistrivsel-godkendt-i-ssu", "samarbejdsaftale-mistrivsel-implementeringsopstart",
    "udvidelse-indlaeggelse-godkendt-i-ssu", "udvidelse-indlaeggelse-implementeringsopstart",
    "behandlingsansvar-96-timer-aftalt", "opstart-faelleskommunale-principper",
    "status-implementering-indlaeggelse-til-ssg", "f-act-strategi-besluttet", "dobbeltdiagnosetilbud-fase-2",
    # shown reached: F-ACT's start (in progress in August), the survey's deadline (its task reached in August)
    "opstart-monitorering-af-f-act", "standardkontrakter-besvarelse"}


def test_a_reached_milestone_is_never_overdue_and_a_parked_ones_is_on_hold(engine):
    found = {d.milestone.removeprefix(MS): d for d in deadlines(engine, as_of=date(2025, 12, 1))}
    assert {m for m, d in found.items() if d.state == "reached"} == REACHED_BY_DECEMBER
    assert found["dobbeltdiagnosetilbud-fase-2"].evidence.startswith("Status for Styrkede indsatser")
    assert found["dobbeltdiagnosetilbud-fase-2"].evidence.endswith("pr. 20.8.2025")
    assert found["opstart-velfaerdsteknologi"].state == "on_hold"      # parked in August
    assert found["opstart-temadag-overgangen"].state == "upcoming"      # awaiting start is not on hold
    assert found["standardkontrakter-besvarelse"].proof.how == "task"   # its task is reached
    assert found["opstart-monitorering-af-f-act"].proof.how == "started"
    # as of the April round, the August report's statements do not count yet
    april = {d.milestone.removeprefix(MS): d.state for d in deadlines(engine, as_of=date(2025, 5, 3), within=0)}
    assert april["status-implementering-indlaeggelse-til-ssg"] == "overdue"
    assert april["opstart-faelleskommunale-principper"] == "reached"


def test_changes_list_what_was_reached_between_rounds(engine):
    from rammegraf.rounds import changes

    result = changes(engine, from_date=date(2025, 4, 8), to_date=date(2025, 8, 20))
    # the events the reports record (rg:ReportedEvent, issue 26) are not the plan's tasks and
    # are not "reached"; the F-ACT survey and the quality-model input are (issue 26, 1 and 8)
    assert tuple((item, initiative) for item, initiative, _ in result.reached) == (
        ("Afdæk udbredelsen af F-ACT og udfordringerne ved at implementere det", "Monitorering af F-ACT"),
        ("Afdækning af brugen af KL’s standardkontrakter", "Etablering af fælles fælleskommunale principper i Midtjylland"),
        ("Bruttokatalog-skabelon over mulige fælles principper", "Etablering af fælles fælleskommunale principper i Midtjylland"),
        ("Deadline for besvarelse af undersøgelsen om standardkontrakter",
         "Etablering af fælles fælleskommunale principper i Midtjylland"),
        ("Dobbeltdiagnosetilbuddets 2. fase går i gang", "Styrkede indsatser til mennesker med svær grad af psykisk sygdom"),
        ("Er det fortsat aktuelt at definere opgaven for botilbudsteams?", "Botilbudsteams"),
        ("Fælles om kvalitet: input til en fælles midtjysk kvalitetsmodel",
         "Etablering af fælles fælleskommunale principper i Midtjylland"),
        ("Opstart: Monitorering af F-ACT", "Monitorering af F-ACT"),
        ("Regionsrådet besluttede en strategi for udbredelse af F-ACT", "Monitorering af F-ACT"),
        ("Status på implementering leveret til Sundhedsstyregruppen",
         "Udvidelse af Samarbejdsaftalen om den gode indlæggelse og udskrivelse ift. psykiatri"),
        ("Sundhedsreformen: sygehusenes behandlingsansvar udvides fra 72 til 96 timer, også i psykiatrien",
         "72 timers behandlingsansvar – afklare evt. udvidelse af målgruppen til psykiatri"),
    )
    why = {item: reason for item, _, reason in result.reached}
    assert why["Opstart: Monitorering af F-ACT"] == (
        "Monitorering af F-ACT er i gang pr. 20.8.2025 (Handlingsplan Rammeaftale 2025-26, status pr. 20. august 2025)")
    assert why["Deadline for besvarelse af undersøgelsen om standardkontrakter"].startswith(
        "opgaven »Afdækning af brugen af KL’s standardkontrakter« er udført pr. 20.8.2025")
