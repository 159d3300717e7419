"""A source's loose words for a date ("primo 2026") as the interval the graph stores.

The conventions are docs/model.md's table "Fuzzy dates" (facts.md §5: none is
official; DESIGN.md fixes primo). ``interval("Opstart: primo 2026")`` is
``(date(2026, 1, 1), date(2026, 3, 31))``; words no convention covers give None,
and the entry form then leaves the dates for the analyst to write.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTHS = {name: number for number, name in enumerate(
    ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
     "november", "december"], start=1)}
# (first month, last month) of the words for parts of a year
PARTS = {"primo": (1, 3), "medio": (4, 9), "ultimo": (10, 12),
         "foråret": (3, 5), "foraaret": (3, 5), "efteråret": (9, 11), "efteraaret": (9, 11)}
QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}

_YEAR = r"((?:19|20)\d\d)"
_PART = re.compile(r"\b(" + "|".join(PARTS) + r")\s+" + _YEAR + r"\b")
_QUARTER = re.compile(r"\b([1-4])\.?\s*kvartal\s+" + _YEAR + r"\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s+(" + "|".join(MONTHS) + r")\s+" + _YEAR + r"\b")
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+" + _YEAR + r"\b")
_ISO = re.compile(r"\b" + _YEAR + r"-(\d\d)-(\d\d)\b")
_DAY = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})(?![\d.]*\d)")
_TOWARDS = re.compile(r"\b(?:frem\s+mod|i|inden\s+udgangen\s+af|år)\s+" + _YEAR + r"\b")
_BARE_YEAR = re.compile(r"^\s*" + _YEAR + r"\s*$")


def interval(words: str) -> tuple[date, date] | None:
    """The first and last day the words mean, by the documented conventions, or None."""
    text = " ".join(str(words or "").casefold().split())
    if not text:
        return None
    found = _ISO.search(text)
    if found:
        day = _safe(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        return (day, day) if day else None
    found = _DAY.search(text)
    if found:
        year = int(found.group(3))
        day = _safe(year + 2000 if year < 100 else year, int(found.group(2)), int(found.group(1)))
        return (day, day) if day else None
    found = _DAY_MONTH.search(text)
    if found:
        day = _safe(int(found.group(3)), MONTHS[found.group(2)], int(found.group(1)))
        return (day, day) if day else None
    found = _QUARTER.search(text)
    if found:
        return _months(int(found.group(2)), *QUARTERS[int(found.group(1))])
    found = _PART.search(text)
    if found:
        return _months(int(found.group(2)), *PARTS[found.group(1)])
    found = _MONTH.search(text)
    if found:
        month = MONTHS[found.group(1)]
        return _months(int(found.group(2)), month, month)
    found = _TOWARDS.search(text) or _BARE_YEAR.search(text)
    if found:
        return _months(int(found.group(1)), 1, 12)
    return None


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
