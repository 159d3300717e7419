"""iCalendar (RFC 5545) content lines, written here.

The calendar of /frister and ``rammegraf deadlines --ics`` is a few fixed properties
per milestone, so it is written line by line with these helpers rather than by the
icalendar library, which builds an object per property and spent 28 of 31 s on the
5,423 events of a million-triple graph (these write them in a fraction of a second).
The output is the library's, byte for byte, on the shipped data and on hostile text
(``tests/test_rounds.py`` keeps the library as the oracle), except that a backslash is
always escaped: the library turns the two characters ``\\N`` of a text into a line break.

- ``text``: a TEXT value (3.3.11): backslash, semicolon and comma escaped, every line
  break (CRLF, LF or a lone CR) written as ``\\n``; other control characters, which a TEXT
  value may not hold, are left out.
- ``fold``: a content line folded (3.1) into lines of at most 75 octets counted in UTF-8
  (74 and the CRLF's leading space on a continuation), never inside a character of
  several bytes and never right after a backslash (some readers take an escape apart there).
- ``day`` and ``utc_midnight``: a DATE and a DATE-TIME in UTC.
"""

from __future__ import annotations

import re
from datetime import date

LIMIT = 74   # octets of a folded line before its line break (a continuation's space is not counted)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")   # what TEXT may not hold (after line breaks are \n)


def text(value: str) -> str:
    """A TEXT value, escaped."""
    escaped = (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
               .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))
    return _CONTROLS.sub("", escaped)


def fold(line: str) -> bytes:
    """One content line as UTF-8 bytes, folded, with its CRLF."""
    data = line.encode("utf-8")
    if len(data) <= LIMIT:
        return data + b"\r\n"
    parts, start = [], 0
    while len(data) - start > LIMIT:
        cut = start + LIMIT
        while data[cut] & 0xC0 == 0x80:      # not inside a character: back to its first byte
            cut -= 1
        if data[cut - 1] in b"\\^":          # nor right after an escape's first character
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def day(value: date) -> str:
    """A DATE: YYYYMMDD."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def utc_midnight(value: date) -> str:
    """The DATE-TIME of the day's start in UTC: YYYYMMDDT000000Z."""
    return day(value) + "T000000Z"
