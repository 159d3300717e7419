"""`pip install .` carries ontology/, data/ and queries/: the command works anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (built,) = out.glob("rammegraf-*.whl")
    return built


def test_wheel_carries_the_shipped_graph(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in (*ROOT.glob("ontology/**/*.ttl"), *ROOT.glob("data/**/*.ttl"), *ROOT.glob("queries/*.rq")):
        assert f"rammegraf/_shipped/{source.relative_to(ROOT).as_posix()}" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_wheel_carries_the_chart_bundle_and_every_licence(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    static = ROOT / "src" / "rammegraf" / "static"
    for source in (*static.glob("*"), *static.glob("LICENSES/charts/*")):
        if source.is_file():
            assert f"rammegraf/static/{source.relative_to(static).as_posix()}" in names, source
    assert {"rammegraf/static/vega.js", "rammegraf/static/charts.js", "rammegraf/static/LICENSES/charts/README",
            "rammegraf/templates/_chart.html", "rammegraf/charts.py"} <= names


def test_installed_wheel_answers_from_another_folder(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import rammegraf.store as s; print(s.shipped_root())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(target / "rammegraf" / "_shipped")
    result = subprocess.run([sys.executable, "-m", "rammegraf", "query", "afhaenger-af-milepael"],
                            cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].startswith("Botilbudsteams  Organiseringen i regionen er på plads")


def test_make_run_installs_only_what_running_needs_and_takes_a_port(tmp_path):
    """`make -n` on a copy with no .venv: what `make run PORT=…` would do."""
    import shutil

    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, copy / name)
    plan = subprocess.run(["make", "--no-print-directory", "-n", "-C", str(copy), "run", "PORT=9123"], capture_output=True, text=True,
                          check=True).stdout
    assert "pip install --progress-bar off -e ." in plan and ".[test]" not in plan
    assert plan.strip().splitlines()[-1].endswith("rammegraf serve --host 127.0.0.1 --port 9123")
    tests = subprocess.run(["make", "--no-print-directory", "-n", "-C", str(copy), "test"], capture_output=True, text=True,
                           check=True).stdout
    assert "-e '.[test]'" in tests and tests.strip().splitlines()[-1].endswith("-m pytest")
