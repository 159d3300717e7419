"""The timeline and the municipality × initiative matrix."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from rammegraf.cli import main
from rammegraf.pictures import matrix, matrix_csv, timeline

PNG = b"\x89PNG\r\n\x1a\n"


def test_timeline_svg_names_every_initiative_and_is_stable(engine):
    svg = timeline(engine, "svg").decode("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    for name in ("Botilbudsteams", "Velfærdsteknologi", "Temadag januar 2026", "Monitorering af F-ACT"):
        assert name in svg
    assert "Mental sundhed og psykiatri" in svg and "Under implementering" in svg
    assert timeline(engine, "svg") == svg.encode("utf-8")


def test_timeline_png_and_english(engine):
    assert timeline(engine, "png").startswith(PNG)
    assert "Welfare technology" in timeline(engine, "svg", lang="en").decode("utf-8")


def test_matrix_cells_follow_the_involvement_query(engine):
    municipalities, initiatives, cells = matrix(engine)
    assert len(municipalities) == 19 and len(initiatives) == 15
    row = dict(zip(initiatives, cells[municipalities.index("Aarhus Kommune")]))
    assert row["Etablering af afklaringspladser"] == 1          # the pilot, directly
    assert row["Udvidelse af Samarbejdsaftalen om den gode indlæggelse og udskrivelse ift. psykiatri"] == 1  # via Aarhusklyngen
    assert row["Monitorering af F-ACT"] == 0
    assert sum(map(sum, cells)) == 27                            # the rows of kommuners-involvering


def test_matrix_csv_and_picture(engine):
    rows = list(csv.reader(matrix_csv(engine).decode("utf-8").splitlines()))
    assert rows[0][0] == "kommune" and len(rows) == 20 and len(rows[0]) == 16
    assert rows[1][0] == "Aarhus Kommune"


@pytest.mark.parametrize("command, name, start", [
    ("timeline", "tidslinje.png", PNG), ("timeline", "tidslinje.svg", b"<?xml"),
    ("matrix", "matrix.csv", "kommune,".encode()), ("matrix", "matrix.svg", b"<?xml"),
])
def test_picture_commands_write_files(tmp_path: Path, command, name, start):
    target = tmp_path / name
    result = CliRunner().invoke(main, [command, "-o", str(target)])
    assert result.exit_code == 0 and target.read_bytes().startswith(start)


def test_picture_command_refuses_other_suffixes(tmp_path: Path):
    result = CliRunner().invoke(main, ["timeline", "-o", str(tmp_path / "x.jpg")])
    assert result.exit_code == 2 and "filen skal ende på .svg, .png" in result.output
