"""The timeline and the municipality × initiative matrix: Vega-Lite specs (rammegraf.pictures),
drawn on the server by vl-convert for `rammegraf timeline` and `rammegraf matrix` and /runder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_charts import LONG, svg_texts

from rammegraf.cli import main
from rammegraf.labels import Labels
from rammegraf.pictures import matrix, matrix_csv, matrix_picture, matrix_spec, timeline, timeline_spec
from rammegraf.query import get_query, run_on

PNG = b"\x89PNG\r\n\x1a\n"


def initiative_names(engine) -> list[str]:
    rows = engine.query("SELECT ?i WHERE { ?i a rg:Initiative }").rows
    labels = Labels(engine, "da")
    return [labels.display(i) for (i,) in rows]


def test_timeline_svg_names_every_initiative_whole_and_is_stable(engine):
    data = timeline(engine, "svg")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    texts = svg_texts(data.decode("utf-8").split("\n", 1)[1])
    names = initiative_names(engine)
    assert len(names) == 15 and LONG in names
    for name in names:                                   # whole, on one line or wrapped, never cut
        assert name in texts, name
    assert not any("…" in t for t in texts)
    for words in ("Mental sundhed og psykiatri", "Overgangen fra børne- og ungeområdet til voksenområdet",
                  "Under implementering", "Milepæl", "Fase / milepæl"):
        assert words in texts, words
    assert timeline(engine, "svg") == data


def test_timeline_says_what_it_shows(engine):
    svg = timeline(engine, "svg").decode("utf-8")
    assert "<title>Status og milepæle pr. initiativ</title>" in svg
    assert ("<desc>Tidslinje: status og milepæle for 15 initiativer i 3 udviklingsområder. 25 statusrapporter fra "
            "8. april 2025 til 20. august 2025 er prikker i fasens farve; 27 milepæle fra ") in svg
    spec = timeline_spec(engine)
    kinds = [row[2]["text"] for row in spec["usermeta"]["rammegraf"]["table"]["rows"]]
    assert kinds.count("Status") == 25 and kinds.count("Milepæl") == 27


def test_timeline_marks_link_to_their_pages_when_served_and_a_file_has_no_dead_links(engine):
    served = timeline_spec(engine)["data"]["values"]
    assert all(d["href"].startswith(("/id/initiativ/", "/id/milepael/")) for d in served)
    assert {d["href"] for d in served if d["kind"] == "milestone"} >= {"/id/milepael/regionens-organisering-paa-plads"}
    assert all(d["href"] == "" for d in timeline_spec(engine, served=False)["data"]["values"])
    assert "xlink:href" not in timeline(engine, "svg").decode("utf-8")
    english = timeline_spec(engine, lang="en")["data"]["values"]
    assert all(d["href"].endswith("?lang=en") for d in english)


def test_timeline_png_and_english(engine):
    assert timeline(engine, "png").startswith(PNG)
    texts = svg_texts(timeline(engine, "svg", lang="en").decode("utf-8").split("\n", 1)[1])
    assert "Welfare technology" in texts and "Phase / milestone" in texts


def test_matrix_cells_say_how_each_municipality_takes_part(engine):
    municipalities, initiatives, cells = matrix(engine)
    assert len(municipalities) == 19 and len(initiatives) == 15
    row = dict(zip(initiatives, cells[municipalities.index("Aarhus Kommune")]))
    assert row["Etablering af afklaringspladser"] == ""    # Aarhus is in the pilot, not the initiative (issue 26)
    assert row["Udvidelse af Samarbejdsaftalen om den gode indlæggelse og udskrivelse ift. psykiatri"] == "cluster"
    assert row["Monitorering af F-ACT"] == ""
    skive = dict(zip(initiatives, cells[municipalities.index("Skive Kommune")]))
    assert skive["Monitorering af F-ACT"] == "involves"                # named, and also in its cluster
    # the same pairs as the query kommuners-involvering
    answer = run_on(engine, get_query("kommuners-involvering"))
    labels = Labels(engine, "da")
    pairs = {(labels.display(m), labels.display(i)) for m, i, _ in answer.rows}
    marked = {(m, i) for m, row in zip(municipalities, cells) for i, c in zip(initiatives, row) if c}
    assert marked == pairs and len(pairs) == 26


def test_matrix_csv_says_how(engine):
    rows = list(csv.reader(matrix_csv(engine).decode("utf-8").splitlines()))
    assert rows[0][0] == "kommune" and len(rows) == 20 and len(rows[0]) == 16
    aarhus = dict(zip(rows[0], rows[1]))
    assert rows[1][0] == "Aarhus Kommune"
    assert aarhus["Etablering af afklaringspladser"] == ""
    assert aarhus["Monitorering af F-ACT"] == ""
    cells = [c for row in rows[1:] for c in row[1:] if c]
    assert len(cells) == 26 and set(cells) == {"Involveret", "Gennem sundhedsklynge"}
    english = list(csv.reader(matrix_csv(engine, lang="en").decode("utf-8").splitlines()))
    assert english[0][0] == "municipality" and "Through a health cluster" in english[1]


def test_matrix_picture_has_a_legend_of_colour_and_shape_and_every_name(engine):
    spec = matrix_spec(engine)
    point = spec["layer"][1]["encoding"]
    assert point["color"]["scale"]["domain"] == point["shape"]["scale"]["domain"] == \
        ["Involveret", "Gennem sundhedsklynge"]
    assert point["shape"]["scale"]["range"] == ["circle", "diamond"]      # colour is never the only cue
    svg = matrix_picture(engine, "svg").decode("utf-8")
    texts = svg_texts(svg.split("\n", 1)[1])
    for words in ("Hvordan", "Involveret", "Gennem sundhedsklynge", "Ringkøbing-Skjern Kommune", LONG):
        assert words in texts, words
    assert "<desc>Matrix: 19 kommuner × 15 initiativer; 26 steder deltager en kommune (23 gennem " \
           "sundhedsklynge, 3 involveret)." in svg
    assert matrix_picture(engine, "png").startswith(PNG)


@pytest.mark.parametrize("command, name, start", [
    ("timeline", "tidslinje.png", PNG), ("timeline", "tidslinje.svg", b"<?xml"),
    ("matrix", "matrix.csv", "kommune,".encode()), ("matrix", "matrix.svg", b"<?xml"), ("matrix", "matrix.png", PNG),
])
def test_picture_commands_write_files(tmp_path: Path, command, name, start):
    target = tmp_path / name
    result = CliRunner().invoke(main, [command, "-o", str(target)])
    assert result.exit_code == 0 and target.read_bytes().startswith(start)


def test_picture_command_refuses_other_suffixes(tmp_path: Path):
    result = CliRunner().invoke(main, ["timeline", "-o", str(tmp_path / "x.jpg")])
    assert result.exit_code == 2 and "filen skal ende på .svg, .png" in result.output
