"""Charts: Vega-Lite specs built from a query result, drawn twice from the same spec.

In the browser ``static/vega.js`` (Vega, Vega-Lite and vega-embed, vendored) draws
a spec with Vega's expression interpreter, so the pages' policy needs no
``unsafe-eval`` (``static/charts.js``); on the server vl-convert draws it to SVG or
PNG without a browser (``svg``, ``png``) for pages read without JavaScript, for
downloads and for documents.

A named query declares its chart in its header, one line::

    # chart: bar x=initiatives y=actor
    # chart: bar x=count y=area color=phase      (count: the rows per area and phase)
    # chart: gantt x=earliest x2=latest y=milestone
    # chart: tick x=date y=organiser

The mark is one of ``MARKS``; ``x``, ``x2``, ``y`` and ``color`` name result
variables (``count`` on x or y counts the rows). A result without a declared chart
gets a suggestion from its columns' types (``suggest``), as YASGUI's chart plugin
and datasette-vega do.

A result, as the pages have it (``web.jobs.common.html_result``), is a dict:
``vars`` (the variable names), ``captions`` (words for people, optional),
``types`` (``temporal``, ``quantitative`` or ``nominal`` per column, optional:
guessed from the text otherwise) and ``rows`` of cells ``{"text", "href"?, "iri"?}``.

Every spec carries its words: ``title``; ``description``, the text alternative
that says what the chart shows (the SVG's ``<desc>``); and in
``usermeta.rammegraf.table`` the chart's numbers as a table (headers and rows of
cells), which the page shows one click away. Category labels are never cut: long
ones are wrapped onto lines (``labelExpr`` splits them) and shown whole in the
tooltip. Marks whose value is one of our resources link to its page (``href``).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, fields
from datetime import date, timedelta

from .errors import RammegrafError

MARKS = ("bar", "line", "point", "area", "tick", "rule", "gantt")
CHANNELS = ("x", "x2", "y", "color")
COUNT = "count"
RESERVED = ("diagram", "mark") + CHANNELS   # page parameters: no named query may declare these
VL_VERSION = "6.4"                          # the Vega-Lite vl-convert draws with, and static/vega.js carries
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
ROW_CAP = 1000                              # rows a chart draws (the table shows them all)
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"   # vl-convert carries Liberation Sans: æ, ø, å in any PNG
INK = "#1f2328"
MUTED_BAR = "#8c959f"
WRAP_Y = 34                                 # characters per line of a label beside a horizontal axis
WRAP_X = 16                                 # … and under a vertical bar
WRAP_LEGEND = 40
LINES = "split(datum.label, '\\n')"         # a wrapped label's lines (a Vega expression)

# d3's locales (vl-convert's da-DK and en-GB): Danish decimal commas and month names
LOCALES = {
    "da": ({"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr"]},
           {"dateTime": "%A den %d %B %Y %X", "date": "%d-%m-%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
            "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
            "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
            "months": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
                       "oktober", "november", "december"],
            "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]}),
    "en": ({"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
           {"dateTime": "%a %e %b %X %Y", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
            "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
            "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
            "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                       "October", "November", "December"],
            "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}),
}

WORDS = {
    "da": {"bar": "Søjlediagram", "stacked": "Stablet søjlediagram", "line": "Kurvediagram",
           "area": "Arealdiagram", "point": "Punktdiagram", "tick": "Streger på en tidsakse",
           "rule": "Lodrette linjer på en tidsakse", "gantt": "Tidslinje med intervaller",
           "count": "Antal", "per": "pr.", "by": "fordelt på", "over_time": "over tid", "none": "(ingen)",
           "highest": "højeste", "lowest": "laveste", "bars": "søjler", "points": "punkter",
           "intervals": "intervaller", "from": "fra", "to": "til", "first": "det første", "and": "og",
           "result": "Resultat", "against": "mod", "others": "andre"},
    "en": {"bar": "Bar chart", "stacked": "Stacked bar chart", "line": "Line chart", "area": "Area chart",
           "point": "Scatter plot", "tick": "Ticks on a time axis", "rule": "Vertical lines on a time axis",
           "gantt": "Timeline of intervals", "count": "Count", "per": "per", "by": "by",
           "over_time": "over time", "none": "(none)", "highest": "highest", "lowest": "lowest",
           "bars": "bars", "points": "points", "intervals": "intervals", "from": "from", "to": "to",
           "first": "the first", "and": "and", "result": "Result", "against": "against",
           "others": "others"},
}
MONTHS = {"da": LOCALES["da"][1]["months"], "en": LOCALES["en"][1]["months"]}


class ChartError(RammegrafError):
    """A chart that cannot be drawn as asked: a sentence that says why."""


@dataclass(frozen=True)
class ChartDecl:
    """What a ``# chart:`` line (or the page's chooser) asks for."""

    mark: str
    x: str | None = None
    x2: str | None = None
    y: str | None = None
    color: str | None = None

    def channels(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "mark" and getattr(self, f.name)}

    def line(self) -> str:
        """The declaration as a header line's value (``bar x=count y=area``)."""
        return " ".join([self.mark] + [f"{k}={v}" for k, v in self.channels().items()])


# ---------------------------------------------------------------------------------------
# The declaration
# ---------------------------------------------------------------------------------------

REQUIRED = {"bar": ("x", "y"), "line": ("x", "y"), "area": ("x", "y"), "point": ("x", "y"),
            "tick": ("x",), "rule": ("x",), "gantt": ("x", "x2", "y")}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_chart(value: str) -> ChartDecl:
    """A ``# chart:`` line's value as a declaration, or a ChartError that says what is wrong."""
    words = value.split()
    if not words:
        raise ChartError(f"et diagram skrives 'chart: {'|'.join(MARKS)} x=variabel y=variabel …'; "
                         "linjen er tom (a chart is 'chart: MARK x=variable y=variable …')")
    channels: dict[str, str] = {}
    for word in words[1:]:
        key, equals, name = word.partition("=")
        if not equals or key not in CHANNELS:
            raise ChartError(f"'{_shown(word)}' skal være kanal=variabel med kanal blandt {', '.join(CHANNELS)} "
                             "(each part is channel=variable)")
        if key in channels:
            raise ChartError(f"kanalen '{key}' står to gange (the channel is given twice)")
        if not _NAME.fullmatch(name):
            raise ChartError(f"'{_shown(name)}' er ikke et variabelnavn (not a variable name)")
        channels[key] = name
    return declaration(words[0], channels)


def declaration(mark: str, channels: dict[str, str]) -> ChartDecl:
    """A declaration from a mark and its channels, checked: a known mark, its channels present,
    ``count`` only on x or y."""
    if mark not in MARKS:
        raise ChartError(f"ukendt diagramtype '{_shown(mark)}'; brug {', '.join(MARKS)} "
                         f"(unknown mark; use one of these)")
    missing = [c for c in REQUIRED[mark] if not channels.get(c)]
    if missing:
        raise ChartError(f"et {mark}-diagram skal have {', '.join(REQUIRED[mark])}; mangler {', '.join(missing)} "
                         f"(a {mark} chart needs these channels)")
    counted = [c for c, v in channels.items() if v == COUNT]
    if counted and (set(counted) - {"x", "y"} or len(counted) > 1 or mark == "gantt"):
        raise ChartError("count kan kun stå på x eller y, på én af dem, og ikke i et gantt-diagram "
                         "(count goes on x or y, one of them, and not in a gantt chart)")
    if channels.get("x2") and mark != "gantt":
        raise ChartError("x2 hører til gantt-diagrammer (x2 belongs to gantt charts)")
    return ChartDecl(mark, **{c: channels.get(c) for c in CHANNELS})


def chosen(params) -> ChartDecl | None:
    """The page's chooser (``?mark=bar&x=…&y=…&color=…``) as a declaration; None when no mark is chosen."""
    mark = (params.get("mark") or "").strip()
    if not mark:
        return None
    channels = {c: params.get(c, "").strip() for c in CHANNELS if params.get(c, "").strip()}
    for name in channels.values():
        if not _NAME.fullmatch(name):
            raise ChartError(f"'{_shown(name)}' er ikke et variabelnavn (not a variable name)")
    return declaration(mark, channels)


def _shown(text: str) -> str:
    """What a sentence may repeat of a value from a page's address: printable, at most 60 characters."""
    printable = "".join(c for c in text if c.isprintable())
    return printable if len(printable) <= 60 else printable[:59] + "…"


def check_variables(decl: ChartDecl, query_text: str) -> None:
    """Every variable a declaration names occurs in the query (``?name`` or ``$name``)."""
    body = "\n".join(line for line in query_text.splitlines() if not line.lstrip().startswith("#"))
    for channel, name in decl.channels().items():
        if name != COUNT and not re.search(rf"[?$]{re.escape(name)}\b", body):
            raise ChartError(f"{channel}={name}: forespørgslen har ingen variabel ?{name} "
                             "(the query has no such variable)")


# ---------------------------------------------------------------------------------------
# Columns and their types
# ---------------------------------------------------------------------------------------

TEMPORAL_TYPES = ("date", "dateTime", "dateTimeStamp")
NUMERIC_TYPES = ("integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
                 "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
                 "unsignedShort", "unsignedByte")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def column_types(rows, width: int) -> list[str]:
    """Each column's kind from its RDF terms: ``temporal`` (xsd:date, dateTime, …),
    ``quantitative`` (the numeric types) or ``nominal`` (anything else, and columns that mix)."""
    import pyoxigraph as ox

    kinds: list[str | None] = [None] * width
    for row in rows:
        for at, term in enumerate(row):
            if term is None or kinds[at] == "nominal":
                continue
            kind = "nominal"
            if isinstance(term, ox.Literal) and term.datatype.value.startswith(_XSD):
                local = term.datatype.value[len(_XSD):]
                kind = "temporal" if local in TEMPORAL_TYPES else "quantitative" if local in NUMERIC_TYPES \
                    else "nominal"
            kinds[at] = kind if kinds[at] in (None, kind) else "nominal"
    return [k or "nominal" for k in kinds]


def guess_types(result: dict) -> list[str]:
    """Column kinds from the cells' text, for a result that does not carry its ``types``."""
    out = []
    for at in range(len(result["vars"])):
        texts = [row[at]["text"] for row in result["rows"] if row[at].get("text") and not row[at].get("href")]
        linked = any(row[at].get("href") for row in result["rows"])
        if texts and not linked and all(_DATE.fullmatch(t) for t in texts):
            out.append("temporal")
        elif texts and not linked and all(_NUMBER.fullmatch(t) for t in texts):
            out.append("quantitative")
        else:
            out.append("nominal")
    return out


@dataclass(frozen=True)
class Column:
    name: str
    caption: str
    kind: str       # temporal, quantitative or nominal
    at: int


def columns(result: dict) -> dict[str, Column]:
    names = result["vars"]
    captions = result.get("captions") or names
    kinds = result.get("types") or guess_types(result)
    return {n: Column(n, c, k, at) for at, (n, c, k) in enumerate(zip(names, captions, kinds))}


# ---------------------------------------------------------------------------------------
# From a result to a spec
# ---------------------------------------------------------------------------------------

def spec_for(query, result: dict, lang: str = "da", *, choice: ChartDecl | None = None) -> dict:
    """The chart of a named query's result: the one chosen on the page, else the one its
    header declares, else the suggestion; titled with the query's title."""
    decl = choice or getattr(query, "chart", None) or suggestion(result)
    return build(decl, result, lang, title=query.title(lang))


def suggest(result: dict, lang: str = "da", *, title: str | None = None) -> dict:
    """A chart for any result, chosen from its columns' types (ChartError when there is
    nothing to draw: no rows, or no dates, numbers or repeated values)."""
    return build(suggestion(result), result, lang, title=title)


def suggestion(result: dict) -> ChartDecl:
    """What to draw, from the columns' kinds: two dates and a label → intervals (gantt);
    a date and a number → a line; a date and labels → points on a time axis; a label and
    a number → bars; two numbers → a scatter plot; labels that repeat → bars counting them."""
    if not result.get("rows"):
        raise ChartError("der er ingen rækker at tegne (there are no rows to draw)")
    cols = list(columns(result).values())
    rows = result["rows"]
    distinct = {c.name: len({row[c.at].get("text", "") for row in rows}) for c in cols}
    temporal = [c.name for c in cols if c.kind == "temporal"]
    numbers = [c.name for c in cols if c.kind == "quantitative"]
    labels = [c.name for c in cols if c.kind == "nominal" and any(row[c.at].get("text") for row in rows)]

    def colour(*taken: str) -> str | None:
        return next((n for n in labels if n not in taken and 1 < distinct[n] <= 12), None)

    if len(temporal) >= 2 and labels:
        return ChartDecl("gantt", x=temporal[0], x2=temporal[1], y=labels[0])
    if temporal and numbers:
        return ChartDecl("line", x=temporal[0], y=numbers[0], color=colour())
    if temporal and labels:
        return ChartDecl("point", x=temporal[0], y=labels[0], color=colour(labels[0]))
    if temporal:
        return ChartDecl("tick", x=temporal[0])
    if numbers and labels:
        return ChartDecl("bar", x=numbers[0], y=labels[0], color=colour(labels[0]))
    if len(numbers) >= 2:
        return ChartDecl("point", x=numbers[0], y=numbers[1])
    if numbers:
        return ChartDecl("tick", x=numbers[0])
    repeated = sorted((n for n in labels if 1 < distinct[n] < len(rows)), key=lambda n: distinct[n])
    if repeated:
        return ChartDecl("bar", x=COUNT, y=repeated[0], color=colour(repeated[0]))
    raise ChartError("resultatet har ingen datoer, tal eller gentagne værdier at tegne; vælg selv "
                     "diagramtype og variabler (the result has no dates, numbers or repeated values to draw: "
                     "choose the mark and variables yourself)")


@dataclass(frozen=True)
class Channel:
    """One encoded channel: the column it shows (None for count), its words and kind."""

    name: str               # x, x2, y or color
    column: Column | None
    caption: str
    kind: str


def build(decl: ChartDecl, result: dict, lang: str = "da", *, title: str | None = None) -> dict:
    """The Vega-Lite spec that draws ``result`` as ``decl`` says, with its words and table."""
    words = WORDS[lang]
    channels = _channels(decl, result, words)
    _check_kinds(decl, channels)
    rows = result["rows"][:ROW_CAP]
    counted = next((c for c in channels.values() if c.column is None), None)
    data, table = _counted(channels, rows, counted, lang, words) if counted \
        else _plain(decl, channels, rows, lang, words)
    if not data:
        raise ChartError("ingen række har værdier for diagrammets variabler (no row has values for the chart's "
                         "variables)")
    title = title or _title(decl, channels, words)
    encoding = _encoding(decl, channels, data, result, lang)
    spec = {
        "$schema": SCHEMA,
        "title": {"text": _lines(title, 60), "anchor": "start"},
        "description": describe(decl, channels, data, lang, truncated=len(result["rows"]) > ROW_CAP),
        "data": {"values": data},
        "mark": _mark(decl),
        "encoding": encoding,
        "config": config(),
        "usermeta": {"rammegraf": {"table": table, "declaration": decl.line(),
                                   "truncated": len(result["rows"]) > ROW_CAP},
                     "embedOptions": {"formatLocale": LOCALES[lang][0], "timeFormatLocale": LOCALES[lang][1]}},
    }
    spec.update(_size(channels, data))
    return spec


def _channels(decl: ChartDecl, result: dict, words: dict) -> dict[str, Channel]:
    cols = columns(result)
    out = {}
    for name, variable in decl.channels().items():
        if variable == COUNT:
            out[name] = Channel(name, None, words["count"], "quantitative")
            continue
        if variable not in cols:
            raise ChartError(f"{name}={variable}: resultatet har ingen variabel '{variable}'; det har "
                             f"{', '.join(cols) or 'ingen'} (the result has no such variable)")
        column = cols[variable]
        out[name] = Channel(name, column, column.caption, column.kind)
    return out


def _check_kinds(decl: ChartDecl, channels: dict[str, Channel]) -> None:
    def kind(name: str) -> str | None:
        return channels[name].kind if name in channels else None

    def refuse(da: str, en: str) -> None:
        raise ChartError(f"{da} ({en})")

    if decl.mark == "bar" and "quantitative" not in (kind("x"), kind("y")):
        refuse("et søjlediagram skal have et tal eller count på x eller y",
               "a bar chart needs a number or count on x or y")
    if decl.mark in ("line", "area") and kind("y") != "quantitative":
        refuse(f"et {decl.mark}-diagram skal have et tal eller count på y", f"a {decl.mark} chart needs a number on y")
    if decl.mark in ("tick", "rule") and kind("x") not in ("temporal", "quantitative"):
        refuse("streger står på en tids- eller talakse: x skal være en dato eller et tal",
               "ticks and rules stand on a time or number axis: x must be a date or a number")
    if decl.mark == "gantt" and (kind("x") not in ("temporal", "quantitative") or kind("x2") != kind("x")):
        refuse("et gantt-diagram skal have datoer (eller tal) på både x og x2",
               "a gantt chart needs dates (or numbers) on both x and x2")


def _number(text: str) -> float | int | None:
    try:
        found = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(found) if found.is_integer() and abs(found) < 2**53 else found


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def show_date(day: date, lang: str) -> str:
    """A date as people write it: 8. april 2025, 8 April 2025."""
    month = MONTHS[lang][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def show_number(number, lang: str) -> str:
    text = f"{number:,}" if isinstance(number, int) else f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if lang == "da" else text


def _wrap(text: str, width: int) -> str:
    """A label on lines of at most ``width`` characters, broken only between words (a long
    word stays whole): joined with spaces again it is the label."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _lines(text: str, width: int) -> list[str] | str:
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    return lines if len(lines) > 1 else text


def _value(channel: Channel, cell: dict, lang: str, none: str):
    """(value drawn, text shown) for one cell, or (None, '') when it cannot be drawn."""
    text = cell.get("text", "")
    if channel.kind == "quantitative":
        number = _number(text) if text else None
        return (number, show_number(number, lang)) if number is not None else (None, "")
    if channel.kind == "temporal":
        day = _day(text) if text else None
        return (text, show_date(day, lang) if day and len(text) == 10 else text) if day else (None, "")
    width = WRAP_LEGEND if channel.name == "color" else WRAP_X if channel.name == "x" else WRAP_Y
    return (_wrap(text, width), text) if text else (none, none)


def _link(decl: ChartDecl, channels: dict[str, Channel]) -> Channel | None:
    """The channel whose resource a mark links to: the category the mark stands for."""
    for name in ("y", "x", "color"):
        channel = channels.get(name)
        if channel is not None and channel.kind == "nominal" and channel.column is not None:
            return channel
    return None


def _local(cell: dict) -> str | None:
    href = cell.get("href")
    return href if href and href.startswith("/") and not href.startswith("//") else None


def _plain(decl: ChartDecl, channels: dict[str, Channel], rows: list, lang: str, words: dict):
    """One datum per row that has values for every positional channel."""
    link = _link(decl, channels)
    data, table = [], []
    for row in rows:
        datum, cells = {}, []
        for name in _order(channels):                  # the category first, as a reader scans a table
            channel = channels[name]
            cell = row[channel.column.at]
            drawn, shown = _value(channel, cell, lang, words["none"])
            if drawn is None:
                break
            if name == "x2" and decl.mark == "gantt" and channel.kind == "temporal":
                drawn = (_day(drawn) + timedelta(days=1)).isoformat()   # the last day is inside the interval
            datum[name], datum[f"{name}_text"] = drawn, shown
            cells.append({"text": shown, **({"href": _local(cell)} if _local(cell) else {})})
        else:
            if link is not None and _local(row[link.column.at]):
                datum["href"] = _local(row[link.column.at])
            datum["desc"] = "; ".join(f"{channels[n].caption}: {datum[n + '_text']}" for n in _order(channels))
            data.append(datum)
            table.append(cells)
    headers = [channels[n].caption for n in _order(channels)]
    return data, {"headers": headers, "rows": table}


def _order(channels: dict[str, Channel]) -> list[str]:
    return [n for n in ("y", "x", "x2", "color") if n in channels]


def _counted(channels: dict[str, Channel], rows: list, counted: Channel, lang: str, words: dict):
    """One datum per category (and colour): the number of rows, in the order the query gave them."""
    keys = [n for n in ("y", "x", "color") if n in channels and n != counted.name]
    groups: dict[tuple, dict] = {}
    for row in rows:
        key, datum, hrefs = [], {}, {}
        for name in keys:
            cell = row[channels[name].column.at]
            drawn, shown = _value(channels[name], cell, lang, words["none"])
            if drawn is None:
                break
            key.append(shown)
            datum[name], datum[f"{name}_text"] = drawn, shown
            hrefs[name] = _local(cell)
        else:
            entry = groups.setdefault(tuple(key), {**datum, "_hrefs": hrefs, counted.name: 0})
            entry[counted.name] += 1
    data, table = [], []
    category = keys[0] if keys else None
    for entry in groups.values():
        hrefs = entry.pop("_hrefs")
        entry[f"{counted.name}_text"] = str(entry[counted.name])
        if category and hrefs.get(category):
            entry["href"] = hrefs[category]
        entry["desc"] = "; ".join(f"{channels[n].caption}: {entry[n + '_text']}" for n in _order(channels))
        data.append(entry)
        table.append([{"text": entry[f"{n}_text"], **({"href": hrefs[n]} if hrefs.get(n) else {})} for n in keys]
                     + [{"text": entry[f"{counted.name}_text"]}])
    headers = [channels[n].caption for n in keys] + [words["count"]]
    return data, {"headers": headers, "rows": table}


def _mark(decl: ChartDecl) -> dict:
    return {"bar": {"type": "bar"}, "gantt": {"type": "bar", "cornerRadius": 2},
            "point": {"type": "point", "filled": True, "size": 90, "opacity": 0.9},
            "tick": {"type": "tick", "thickness": 3}, "rule": {"type": "rule", "strokeWidth": 2},
            "line": {"type": "line", "point": True}, "area": {"type": "area", "line": True, "opacity": 0.75},
            }[decl.mark]


def _encoding(decl: ChartDecl, channels: dict[str, Channel], data: list, result: dict, lang: str) -> dict:
    encoding = {}
    for name, channel in channels.items():
        if name == "x2":
            encoding["x2"] = {"field": "x2"}
            continue
        field = {"field": name, "type": channel.kind, "title": channel.caption}
        if channel.kind == "temporal":
            field["scale"] = {"type": "utc", "nice": True, "padding": 8}   # dates are days, not local times
        if channel.kind == "quantitative" and name != "color" and all(isinstance(d[name], int) for d in data):
            field["axis"] = {"tickMinStep": 1}          # counts: no tick at 0,5
        if channel.kind == "nominal":
            field["sort"] = None                       # the order the query gave
            if name == "x":
                field["axis"] = {"labelExpr": LINES, "labelLimit": 0, "labelAngle": 0}
            elif name == "y":                          # the title above the labels, never across them
                field["axis"] = {"labelExpr": LINES, "labelLimit": 0, "titleAngle": 0, "titleAlign": "right",
                                 "titleAnchor": "start", "titleX": 0, "titleY": -8, "titleBaseline": "bottom"}
            else:
                field["legend"] = {"labelExpr": LINES, "labelLimit": 0}
                palette = _phase_palette(channel, result, WORDS[lang]["none"])
                if palette:
                    field["scale"] = palette
        encoding[name] = field
    encoding["tooltip"] = [{"field": f"{n}_text", "title": channels[n].caption} for n in _order(channels)]
    if any("href" in datum for datum in data):
        encoding["href"] = {"field": "href"}
        for datum in data:
            datum.setdefault("href", "")               # no link (Vega-Lite would make "undefined" one)
    encoding["description"] = {"field": "desc"}
    return encoding


def _phase_palette(channel: Channel, result: dict, none: str) -> dict | None:
    """The phases' own colours (the graph page's) when a colour channel shows phases; a row
    without one is grey."""
    from .namespaces import RG
    from .viz import PHASE_COLOURS

    shown: dict[str, str] = {}
    empty = False
    for row in result["rows"][:ROW_CAP]:
        cell = row[channel.column.at]
        if not cell.get("text"):
            empty = True
            continue
        key = (cell.get("iri") or "").removeprefix(str(RG))
        if key not in PHASE_COLOURS:
            return None
        shown[key] = _wrap(cell["text"], WRAP_LEGEND)
    if not shown:
        return None
    keys = [k for k in PHASE_COLOURS if k in shown]
    return {"domain": [shown[k] for k in keys] + ([none] if empty else []),
            "range": [PHASE_COLOURS[k] for k in keys] + (["#d0d7de"] if empty else [])}


def _size(channels: dict[str, Channel], data: list) -> dict:
    def lines(name: str) -> int:
        return max((str(d.get(name, "")).count("\n") + 1 for d in data), default=1)

    def longest(name: str) -> int:
        return max((len(part) for d in data for part in str(d.get(name, "")).split("\n")), default=1)

    size = {"width": 520, "height": 280}
    if channels.get("y") and channels["y"].kind == "nominal":
        size["height"] = {"step": max(22, 14 * lines("y") + 12)}
    if channels.get("x") and channels["x"].kind == "nominal":
        size["width"] = {"step": max(36, 7 * longest("x") + 14)}
    return size


def config() -> dict:
    """The look every chart shares: the app's ink, Liberation Sans (metric-compatible with Arial, carried
    by vl-convert, so the server's PNG has æ, ø and å whatever fonts the machine has), whole labels."""
    text = {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": INK, "labelLimit": 0}
    return {"font": FONT, "background": "white",
            "title": {"fontSize": 15, "color": INK, "anchor": "start", "offset": 10, "limit": 0},
            "axis": {**text, "titlePadding": 8, "labelPadding": 4, "labelLineHeight": 14},
            "legend": {**text, "orient": "bottom", "direction": "vertical", "symbolLimit": 0, "columns": 1},
            "header": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": INK,
                       "labelLimit": 0},
            "bar": {"color": "#4c78a8"}, "view": {"stroke": "#d0d7de"}, "scale": {"bandPaddingInner": 0.25}}


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


def _title(decl: ChartDecl, channels: dict[str, Channel], words: dict) -> str:
    """A title for a chart without one (the SPARQL page's): what it shows, in its captions' words."""
    x, y = channels.get("x"), channels.get("y")
    colour = f" {words['by']} {_lower(channels['color'].caption)}" if "color" in channels else ""
    if decl.mark == "gantt":
        return f"{y.caption}: {_lower(x.caption)} {words['to']} {_lower(channels['x2'].caption)}"
    if decl.mark == "bar":
        value, category = (x, y) if x.kind == "quantitative" else (y, x)
        return f"{value.caption} {words['per']} {_lower(category.caption)}{colour}"
    if x.kind == "temporal":
        return f"{(y or x).caption} {words['over_time']}{colour}" if y else x.caption
    return f"{y.caption} {words['against']} {_lower(x.caption)}{colour}" if y else x.caption


def _names(names: list[str], words: dict) -> str:
    shown = names[:3]
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + f" {words['and']} {rest} {words['others']}"
    return ", ".join(shown[:-1]) + f" {words['and']} {shown[-1]}" if len(shown) > 1 else shown[0]


def _span(datum: dict) -> str:
    return datum["x_text"] if datum["x_text"] == datum["x2_text"] else f"{datum['x_text']} – {datum['x2_text']}"


def describe(decl: ChartDecl, channels: dict[str, Channel], data: list, lang: str, *,
             truncated: bool = False) -> str:
    """The text alternative: the kind of chart, what it shows, and what stands out (the highest and
    lowest bar, the time span, the first interval), in the page's language."""
    words = WORDS[lang]
    kind = words["stacked"] if decl.mark == "bar" and "color" in channels else words[decl.mark]
    x, y = channels.get("x"), channels.get("y")
    if decl.mark == "bar":
        value, category = (x, y) if x.kind == "quantitative" else (y, x)
        totals: dict[str, float] = {}
        for datum in data:
            label = datum[f"{category.name}_text"]
            totals[label] = totals.get(label, 0) + datum[value.name]
        top, bottom = max(totals.values()), min(totals.values())
        text = f"{kind}: {_lower(value.caption)} {words['per']} {_lower(category.caption)}"
        if "color" in channels:
            text += f", {words['by']} {_lower(channels['color'].caption)}"
        text += (f"; {len(totals)} {words['bars']}; {words['highest']}: "
                 f"{_names([k for k, v in totals.items() if v == top], words)} ({show_number(top, lang)})")
        if bottom != top:
            text += (f"; {words['lowest']}: {_names([k for k, v in totals.items() if v == bottom], words)} "
                     f"({show_number(bottom, lang)})")
    elif decl.mark == "gantt":
        first = min(data, key=lambda d: d["x"])
        last = max(data, key=lambda d: d["x2"])
        text = (f"{kind}: {_lower(y.caption)} {words['from']} {_lower(x.caption)} {words['to']} "
                f"{_lower(channels['x2'].caption)}; {len(data)} {words['intervals']} {words['from']} "
                f"{first['x_text']} {words['to']} {last['x2_text']}; {words['first']}: {first['y_text']} "
                f"({_span(first)})")
    elif x.kind in ("temporal", "quantitative") and (y is None or decl.mark in ("tick", "rule") or
                                                      x.kind == "temporal"):
        first = min(data, key=lambda d: d["x"])
        last = max(data, key=lambda d: d["x"])
        what = f"{_lower(y.caption)} {words['over_time']}" if y is not None and x.kind == "temporal" \
            else _lower((y or x).caption)
        text = (f"{kind}: {what}; {len(data)} {words['points']} {words['from']} {first['x_text']} {words['to']} "
                f"{last['x_text']}")
        if y is not None and y.kind == "quantitative":
            top = max(data, key=lambda d: d["y"])
            text += f"; {words['highest']}: {top['y_text']} ({top['x_text']})"
    else:
        text = f"{kind}: {_lower(y.caption)} {words['against']} {_lower(x.caption)}; {len(data)} {words['points']}"
    if truncated:
        text += ("; de første " if lang == "da" else "; the first ") + f"{ROW_CAP} " + \
            ("rækker er tegnet" if lang == "da" else "rows are drawn")
    return text + "."


# ---------------------------------------------------------------------------------------
# Drawn on the server
# ---------------------------------------------------------------------------------------

# vl-convert resolves a relative href against Vega's default base; the marks' links are ours
_VEGA_BASE = 'xlink:href="https://vega.github.io/vega-datasets/'
_ALLOWED = {"svg", "g", "path", "rect", "line", "text", "tspan", "a", "title", "desc", "circle", "ellipse",
            "polygon", "polyline", "defs", "clipPath", "linearGradient", "radialGradient", "stop"}


def _render_options(spec: dict) -> dict:
    embed = spec.get("usermeta", {}).get("embedOptions", {})
    return {"vl_version": VL_VERSION, "allowed_base_urls": [],   # inline data only: nothing is fetched
            "format_locale": embed.get("formatLocale"), "time_format_locale": embed.get("timeFormatLocale")}


def svg(spec: dict) -> str:
    """The chart as an SVG document, drawn by vl-convert (Vega in its own V8, no browser): with the
    title as ``<title>``, the text alternative as ``<desc>``, ``role="img"``, links to our pages
    only, ids of its own (two charts inline on one page do not share a clip path), and nothing a
    page must not hold (no script, style or event attribute: checked, else ChartError)."""
    import vl_convert

    try:
        drawn = vl_convert.vegalite_to_svg(spec, **_render_options(spec))
    except ValueError as error:
        raise ChartError(f"diagrammet kan ikke tegnes (the chart cannot be drawn): {str(error)[:300]}") from None
    return _finish_svg(drawn, spec)


def png(spec: dict, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG (twice the pixels by default, for sharp print), with its title and text
    alternative as the PNG's Title and Description text chunks."""
    import vl_convert

    try:
        drawn = vl_convert.vegalite_to_png(spec, scale=scale, **_render_options(spec))
    except ValueError as error:
        raise ChartError(f"diagrammet kan ikke tegnes (the chart cannot be drawn): {str(error)[:300]}") from None
    return _png_text(drawn, {"Title": title_of(spec), "Description": spec.get("description", "")})


def title_of(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def _finish_svg(drawn: str, spec: dict) -> str:
    import hashlib
    from html import escape

    from defusedxml import ElementTree

    drawn = drawn.replace(_VEGA_BASE + "/", 'xlink:href="/')
    prefix = "c" + hashlib.sha1(repr(spec).encode("utf-8")).hexdigest()[:8]
    for found in sorted(set(re.findall(r'\bid="([^"]+)"', drawn)), key=len, reverse=True):
        new = f"{prefix}-{found}"
        drawn = drawn.replace(f'id="{found}"', f'id="{new}"').replace(f"url(#{found})", f"url(#{new})")
    _check_svg(ElementTree.fromstring(drawn))
    head, _, body = drawn.partition(">")
    words = f"<title>{escape(title_of(spec))}</title><desc>{escape(spec.get('description', ''))}</desc>"
    return f'{head} role="img">{words}{body}'


def _check_svg(root) -> None:
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        bad = tag not in _ALLOWED and f"<{tag}>"
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.lower().startswith("on") or local == "style" or (local == "href" and not (
                    value.startswith("/") and not value.startswith("//"))):
                bad = f"{local}={value[:40]!r}"
        if bad:
            raise ChartError(f"serverens tegning indeholder {bad}, som en side ikke må vise "
                             "(the server's drawing holds something a page must not show)")


def _png_text(data: bytes, entries: dict[str, str]) -> bytes:
    """A PNG with iTXt chunks (UTF-8 text, PNG 1.2 §4.2.3.3) after its header chunk."""
    import struct
    import zlib

    chunks = b""
    for key, value in entries.items():
        body = key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8")
        chunks += struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    end_of_header = 8 + 4 + 4 + 13 + 4            # signature, IHDR's length, type, data and CRC
    return data[:end_of_header] + chunks + data[end_of_header:]


def svg_document(spec: dict) -> bytes:
    """The chart as an SVG file: the drawing with an XML declaration, UTF-8."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg(spec) + "\n").encode("utf-8")
