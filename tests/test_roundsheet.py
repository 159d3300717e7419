"""A status round as a spreadsheet: round new → fill in → round import."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rammegraf.cli import main


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def new_sheet(data: Path, tmp_path: Path, name: str = "runde.xlsx") -> Path:
    sheet = tmp_path / name
    result = run("round", "new", "--date", "2025-12-01", "--title", "Status pr. 1. december 2025",
                 "-o", sheet, "--data", data)
    assert result.exit_code == 0 and result.stdout == f"15 initiativer skrevet til {sheet}\n"
    return sheet


def fill(sheet: Path, values: dict[str, dict[int, object]], header: dict[int, object] | None = None) -> None:
    book = load_workbook(sheet)
    rows = book["Statusrunde"]
    for row in rows.iter_rows(min_row=2):
        for column, value in values.get(row[0].value, {}).items():
            row[column].value = value
    for column, value in (header or {}).items():
        rows.cell(row=1, column=column + 1).value = value
    book.save(sheet)


def import_(sheet: Path, data: Path, *extra):
    return run("round", "import", sheet, "--data", data, "--into", data / "rammeaftale-2025-26", *extra)


BOTILBUD = "initiativ/botilbudsteams"


def test_round_new_sheet_has_the_phases_drop_down(data, tmp_path):
    book = load_workbook(new_sheet(data, tmp_path))
    rows = list(book["Statusrunde"].iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "initiativ", "udviklingsområde")
    f_act = next(r for r in rows if r[0] == "initiativ/monitorering-af-f-act")
    assert (f_act[3], f_act[5]) == ("I gang", "2025-08-20")
    (check,) = book["Statusrunde"].data_validations.dataValidation
    assert "I gang" in check.formula1 and "Parkeret" in check.formula1
    assert dict(book["Runde"].iter_rows(values_only=True))["dato"] == "2025-12-01"


def test_round_trip_reaches_the_named_queries(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    fill(sheet, {BOTILBUD: {6: "I gang", 7: "Samarbejdsaftaler forberedes.", 8: "Samarbejdsaftaler indgået",
                            9: "primo 2026", 10: "2026-01-01", 11: "2026-03-31"},
                 "initiativ/velfaerdsteknologi": {6: "Parkeret", 7: "Fortsat parkeret."}})
    assert import_(sheet, data, "--dry-run").stdout.endswith("intet skrevet (--dry-run)\n")
    result = import_(sheet, data)
    assert result.exit_code == 0 and "2 statusrapporter pr. 2025-12-01 er gyldige" in result.stdout
    assert (data / "rammeaftale-2025-26" / "status-2025-12-01.ttl").is_file()
    history = run("query", "statushistorik", "-p", "initiative=Botilbudsteams", "--data", data, "--format", "csv")
    assert list(csv.reader(history.stdout.splitlines()))[-1] == [
        "2025-12-01", "I gang", "Status pr. 1. december 2025", "Samarbejdsaftaler forberedes."]
    deadlines = run("deadlines", "--as-of", "2026-02-01", "--data", data, "--format", "csv")
    assert "forfalden nu,Samarbejdsaftaler indgået,primo 2026,2026-01-01,2026-03-31,Botilbudsteams," in deadlines.stdout
    assert run("validate", "--data", data).exit_code == 0


def test_round_imported_twice_is_refused(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    fill(sheet, {BOTILBUD: {6: "I gang", 7: "Forberedes."}})
    assert import_(sheet, data).exit_code == 0
    before = digest(data)
    again = import_(sheet, data)
    assert again.exit_code == 1 and "er allerede indlæst" in again.stderr
    assert digest(data) == before


@pytest.mark.parametrize("values, header, words", [
    ({BOTILBUD: {6: "I gang", 7: "x"}}, {6: "fase"}, "Statusrunde!1: kolonnen 'ny fase' mangler"),
    ({BOTILBUD: {0: "initiativ/findes-ikke", 6: "I gang", 7: "x"}}, None,
     "Statusrunde!A4: 'initiativ/findes-ikke' er ikke et initiativ i grafen"),
    ({BOTILBUD: {6: "Færdig", 7: "x"}}, None, "Statusrunde!G4: fasen 'Færdig' findes ikke; brug en af:"),
    ({BOTILBUD: {6: "I gang", 7: ""}}, None, "Statusrunde!H4: statusteksten er tom"),
    ({BOTILBUD: {6: "I gang", 7: "x", 8: "Aftaler", 10: "primo 2026", 11: "2026-03-31"}}, None,
     "Statusrunde!K4: 'primo 2026' er ikke en dato ÅÅÅÅ-MM-DD"),
    ({BOTILBUD: {6: "I gang", 7: "x", 8: "Baglæns", 10: "2026-03-31", 11: "2026-01-01"}}, None,
     "Milepælens tidligste dato (rg:earliest) ligger efter dens seneste dato (rg:latest)."),
])
def test_bad_sheet_names_row_and_column_and_writes_nothing(data, tmp_path, values, header, words):
    sheet = new_sheet(data, tmp_path)
    fill(sheet, values, header)
    before = digest(data)
    result = import_(sheet, data)
    assert result.exit_code == 1 and words in result.stderr
    assert digest(data) == before


def test_csv_round_with_date_option(data, tmp_path):
    sheet = tmp_path / "runde.csv"
    assert run("round", "new", "--date", "2025-12-01", "--title", "T", "-o", sheet, "--data", data).exit_code == 0
    rows = list(csv.reader(sheet.read_text(encoding="utf-8").splitlines()))
    for row in rows[1:]:
        if row[0] == BOTILBUD:
            row[6], row[7] = "In progress", "Forberedes."   # the English phase name works too
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert import_(sheet, data).exit_code == 1              # a .csv has no date of its own
    result = import_(sheet, data, "--date", "2025-12-01")
    assert result.exit_code == 0 and "1 statusrapporter" in result.stdout


def test_import_killed_before_the_rename_leaves_data_unchanged(data, tmp_path, monkeypatch):
    import os

    from rammegraf.engine import OxigraphEngine
    from rammegraf.roundsheet import import_round

    sheet = new_sheet(data, tmp_path)
    fill(sheet, {BOTILBUD: {6: "I gang", 7: "Forberedes."}})
    before = digest(data)

    def killed(fd):
        raise KeyboardInterrupt  # the process dies after writing the temporary file

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        import_round(sheet, into=data / "rammeaftale-2025-26", open_engine=lambda: OxigraphEngine.open([data]))
    assert digest(data) == before  # no status file, and no temporary file left behind


def test_the_sheet_lists_open_items_and_import_writes_what_was_reached(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    rows = {r[0]: r for r in load_workbook(sheet)["Statusrunde"].iter_rows(values_only=True)}
    assert rows["id"][12:14] == ("åbne milepæle og opgaver", "nået (id'er fra kolonnen før, adskilt af ;)")
    open_items = rows[BOTILBUD][12].splitlines()
    assert open_items == ["milepael/regionens-organisering-paa-plads: Organiseringen i regionen er på plads",
                          "opgave/samarbejdsaftaler-botilbudsteam-og-botilbud: Samarbejdsaftaler mellem "
                          "botilbudsteamet og de respektive botilbud",
                          "opgave/udbredelse-af-botilbudsteams: Udbredelsen af botilbudsteams i Region Midt"]
    # task 1 was reached in August: it is not offered again
    assert not any("definere-opgaven-for-botilbudsteams" in line for line in open_items)
    fill(sheet, {BOTILBUD: {6: "I gang", 7: "Udbredelsen er kortlagt.",
                            13: "opgave/udbredelse-af-botilbudsteams: Hvad ved vi …"}})
    assert import_(sheet, data).exit_code == 0
    reached = run("query", "naaet-pr-initiativ", "-p", "date=2025-12-01", "--data", data, "--iris", "--format", "csv")
    row = [r for r in csv.reader(reached.stdout.splitlines())
           if r[1] == "https://w3id.org/rammegraf/id/opgave/udbredelse-af-botilbudsteams"]
    assert row == [["https://w3id.org/rammegraf/id/initiativ/botilbudsteams",
                    "https://w3id.org/rammegraf/id/opgave/udbredelse-af-botilbudsteams",
                    "https://w3id.org/rammegraf/ontology#Task", "2025-12-01"]]


def test_an_item_that_is_not_open_cannot_be_marked_reached(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    fill(sheet, {BOTILBUD: {6: "I gang", 7: "x", 13: "opgave/definere-opgaven-for-botilbudsteams; milepael/findes-ikke"}})
    before = digest(data)
    result = import_(sheet, data)
    assert result.exit_code == 1 and digest(data) == before
    assert "Statusrunde!N4: 'opgave/definere-opgaven-for-botilbudsteams' er ikke en åben milepæl" in result.stderr
    assert "Statusrunde!N4: 'milepael/findes-ikke' er ikke en åben milepæl" in result.stderr
