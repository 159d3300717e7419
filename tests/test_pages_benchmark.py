"""benchmarks/pages.py: a row for every page the web app serves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from pages import NOT_PAGES, pages  # noqa: E402

from rammegraf.web.app import create_app  # noqa: E402
from rammegraf.web.base import Settings  # noqa: E402


def routes():
    return create_app(Settings()).app.routes


@pytest.mark.parametrize("size", ["shipped", "1m"])
def test_pages_cover_every_route(size: str):
    """A route added without a row in the page benchmark (or a reason in NOT_PAGES) fails here."""
    paths = [path.split("?", 1)[0] for _, path in pages(size)]
    missing = [route.path for route in routes() if route.path not in NOT_PAGES
               and not any(route.path_regex.fullmatch(path) for path in paths)]
    assert missing == []


def test_pages_not_pages_are_routes():
    assert sorted(set(NOT_PAGES) - {route.path for route in routes()}) == []


def test_pages_every_named_query_has_a_row():
    from rammegraf.query import named_queries

    rows = {path for _, path in pages("shipped")}
    assert {f"/foresporgsler/{q.name}" for q in named_queries()} <= rows
    assert len(rows) == len(pages("shipped"))   # no page twice
