"""The source's loose date words read by the conventions of docs/model.md."""

from __future__ import annotations

from datetime import date

import pytest

from rammegraf.fuzzy import interval


@pytest.mark.parametrize("words, first, last", [
    ("primo 2026", date(2026, 1, 1), date(2026, 3, 31)),
    ("Opstart: medio 2026", date(2026, 4, 1), date(2026, 9, 30)),
    ("ultimo 2025", date(2025, 10, 1), date(2025, 12, 31)),
    ("1. kvartal 2025", date(2025, 1, 1), date(2025, 3, 31)),
    ("3. kvartal 2024", date(2024, 7, 1), date(2024, 9, 30)),
    ("i foråret 2026", date(2026, 3, 1), date(2026, 5, 31)),
    ("efteråret 2025", date(2025, 9, 1), date(2025, 11, 30)),
    ("Opstart: Januar 2026", date(2026, 1, 1), date(2026, 1, 31)),
    ("februar 2028", date(2028, 2, 1), date(2028, 2, 29)),
    ("1.1.26", date(2026, 1, 1), date(2026, 1, 1)),
    ("20/9/24", date(2024, 9, 20), date(2024, 9, 20)),
    ("den 02. maj 2025", date(2025, 5, 2), date(2025, 5, 2)),
    ("pr. 1. januar 2027", date(2027, 1, 1), date(2027, 1, 1)),
    ("frem mod 2027, hvor det skal være fuldt implementeret", date(2027, 1, 1), date(2027, 12, 31)),
    ("2026-06-30", date(2026, 6, 30), date(2026, 6, 30)),
])
def test_words_give_their_interval(words, first, last):
    assert interval(words) == (first, last)


@pytest.mark.parametrize("words", ["", "snart", "27/6", "i november", "31.2.2026", "primo", "når loven er vedtaget"])
def test_words_without_a_year_or_a_convention_give_nothing(words):
    assert interval(words) is None


def test_every_milestone_whose_words_carry_a_year_has_the_interval_they_mean(engine):
    """The shipped milestones were dated by hand by the same table: where the words
    carry a year, reading them gives exactly the stored dates."""
    rows = list(engine.query("SELECT ?words ?first ?last WHERE { ?m rg:dateText ?words ; rg:earliest ?first ; "
                             "rg:latest ?last }"))
    read = [(w.value, interval(w.value), (date.fromisoformat(f.value), date.fromisoformat(t.value)))
            for w, f, t in rows]
    with_year = [(w, got, stored) for w, got, stored in read if got is not None]
    assert len(with_year) >= 18
    assert [(w, got) for w, got, stored in with_year if got != stored] == []
    # the rest carry no year (the report's year dated them) or name an event, not a date
    assert sorted(w for w, got, _ in read if got is None) == sorted(
        ["den 25. juni", "I sundhedsreformen", "27/6", "1. september", "pr. 1.7", "i november"])
