"""Pictures for the secretariat: a timeline per initiative, a municipality × initiative matrix.

Both are Vega-Lite specs (rammegraf.charts): drawn by Vega in the browser on
/runder, and by vl-convert on the server as SVG (text kept as text) or PNG for
``rammegraf timeline`` and ``rammegraf matrix`` and for the pages read without
JavaScript. Labels are whole (wrapped onto lines, never cut), the phase is a
colour and the way a municipality takes part a colour and a shape, each with a
legend, and every mark has a tooltip and, served, a link to its resource. The
matrix is also a CSV.
"""

from __future__ import annotations

from datetime import timedelta

from .charts import FONT, INK, LINES, LOCALES, SCHEMA, WORDS as CHART_WORDS, _names, _wrap, config, show_date
from .labels import Labels
from .namespaces import ID, ORG, RG, SKOS
from .terms import date_of, iri, text
from .viz import PHASE_COLOURS

MILESTONE_COLOUR = "#8c959f"
WORDS = {
    "da": {"timeline": "Status og milepæle pr. initiativ", "date": "Dato", "phase": "Fase",
           "milestone": "Milepæl", "status": "Status", "area": "Udviklingsområde", "initiative": "Initiativ",
           "what": "Hvad", "when": "Dato eller interval", "shows": "Fase eller milepæl",
           "matrix": "Kommuner × initiativer: hvordan kommunerne deltager", "municipality": "Kommune",
           "how": "Hvordan", "via": "Gennem", "source_words": "kildens ord"},
    "en": {"timeline": "Status and milestones per initiative", "date": "Date", "phase": "Phase",
           "milestone": "Milestone", "status": "Status", "area": "Development area", "initiative": "Initiative",
           "what": "What", "when": "Date or interval", "shows": "Phase or milestone",
           "matrix": "Municipalities × initiatives: how each municipality takes part", "municipality": "Municipality",
           "how": "How", "via": "Through", "source_words": "the source's words"},
}
# how a municipality takes part, strongest first: (key, colour, shape)
WAYS = (("responsible", "#0b5cad", "square"), ("involves", "#1a7f37", "circle"),
        ("potentialPartner", "#9a6700", "triangle-up"), ("cluster", "#8250df", "diamond"))
WRAP_Y = 44                 # characters per line of an initiative's name beside the rows
WAY_WORDS = {"da": {"responsible": "Ansvarlig", "involves": "Involveret", "potentialPartner": "Mulig partner",
                    "cluster": "Gennem sundhedsklynge"},
             "en": {"responsible": "Responsible", "involves": "Involved", "potentialPartner": "Potential partner",
                    "cluster": "Through a health cluster"}}


def _served(lang: str):
    """A resource's page on this site (served), in the reader's language."""
    from .web.urls import link

    def href(value: str) -> str:
        return link("/id/" + value[len(str(ID)):], lang) if value.startswith(str(ID)) else ""
    return href


def _no_link(value: str) -> str:
    return ""


def _y_axis(order: list[str]) -> dict:
    return {"field": "initiative", "type": "nominal", "title": None, "sort": order,
            "axis": {"labelExpr": LINES, "labelLimit": 0, "labelFontSize": 12}}


def _base(title: str, description: str, lang: str, data: list, table: dict) -> dict:
    return {"$schema": SCHEMA, "title": {"text": title, "anchor": "start"}, "description": description,
            "data": {"values": data}, "config": {**config(), "font": FONT},
            "usermeta": {"rammegraf": {"table": table},
                         "embedOptions": {"formatLocale": LOCALES[lang][0], "timeFormatLocale": LOCALES[lang][1]}}}


# ---------------------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------------------

PICTURE_LIMIT = 500   # initiatives a page's timeline or matrix draws at most (above: a sentence instead)


def too_many(engine) -> int | None:
    """The number of initiatives when the graph has more than a picture can show (one row
    each: at a million triples 15,000 rows, and the page's time limit passed before the
    drawing), else None. The command line (``timeline``, ``matrix``) draws them all."""
    found = engine.query("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a rg:Initiative }").rows
    count = int(found[0][0].value) if found and found[0][0] is not None else 0
    return count if count > PICTURE_LIMIT else None


def too_many_words(count: int, lang: str) -> str:
    if lang == "da":
        number = f"{count:,}".replace(",", ".")
        return (f"Billedet tegnes ikke her: grafen har {number} initiativer, over {PICTURE_LIMIT} "
                "(se Frister og den enkelte runde, hent matrix.csv, eller tegn det med rammegraf timeline/matrix) "
                f"(not drawn here: {count:,} initiatives, over {PICTURE_LIMIT})")
    return (f"The picture is not drawn here: the graph has {count:,} initiatives, over {PICTURE_LIMIT} "
            "(see Deadlines and each round, download matrix.csv, or draw it with rammegraf timeline/matrix)")


def timeline_spec(engine, *, lang: str = "da", served: bool = True) -> dict:
    """Status reports as points in the phase's colour and milestones as bars over their
    interval, per initiative, grouped by development area (a row of the chart each)."""
    words = WORDS[lang]
    href = _served(lang) if served else _no_link
    labels = Labels(engine, lang)
    rows = _initiatives_by_area(engine, labels)
    placed = {initiative.value: (area, name) for area, initiative, name in rows}
    labels.load(iri(RG[key]) for key in PHASE_COLOURS)
    phases = {str(RG[key]): labels.of(iri(RG[key])) or key for key in PHASE_COLOURS}
    data, table = [], []
    reports = engine.query("SELECT ?i ?day ?phase WHERE { ?r rg:statusOf ?i ; rg:asOf ?day ; rg:phase ?phase }").rows
    for initiative, day, phase in sorted(reports, key=lambda r: (text(r[1]), r[0].value)):
        when = date_of(day)
        if initiative.value not in placed or when is None:
            continue
        area, name = placed[initiative.value]
        phase_label = phases.get(phase.value, labels.display(phase))
        data.append({"kind": "status", "area": area, "initiative": _wrap(name, WRAP_Y), "initiative_text": name,
                     "day": when.isoformat(), "day_text": show_date(when, lang), "legend": phase_label,
                     "href": href(initiative.value), "desc": f"{name}, {show_date(when, lang)}: {phase_label}"})
        table.append([{"text": area}, _cell(name, href(initiative.value)), {"text": words["status"]},
                      {"text": show_date(when, lang)}, {"text": phase_label}])
    for initiative, milestone, start, end, said in _milestones(engine, labels):
        if initiative not in placed:
            continue
        area, name = placed[initiative]
        title = labels.display(iri(milestone))
        span = show_date(start, lang) if start == end else f"{show_date(start, lang)} – {show_date(end, lang)}"
        data.append({"kind": "milestone", "area": area, "initiative": _wrap(name, WRAP_Y), "initiative_text": name,
                     "start": start.isoformat(), "end": (end + timedelta(days=1)).isoformat(), "span": span,
                     "said": said, "milestone": title, "legend": words["milestone"], "href": href(milestone),
                     "desc": f"{name}: {words['milestone'].lower()} {title}, {span}"})
        table.append([{"text": area}, _cell(name, href(initiative)), {"text": words["milestone"]},
                      {"text": f"{span} ({words['source_words']}: {said})" if said else span},
                      _cell(title, href(milestone))])
    areas = list(dict.fromkeys(area for area, _, _ in rows))
    order = [_wrap(name, WRAP_Y) for _, _, name in rows]
    spec = _base(words["timeline"], _timeline_words(data, rows, areas, lang), lang, data,
                 {"headers": [words["area"], words["initiative"], words["what"], words["when"], words["shows"]],
                  "rows": table})
    shown = [p for p in phases.values() if any(d["legend"] == p for d in data)]
    colours = [PHASE_COLOURS[key] for key in PHASE_COLOURS if phases[str(RG[key])] in shown]
    colour = {"field": "legend", "type": "nominal", "title": f"{words['phase']} / {words['milestone'].lower()}",
              "scale": {"domain": shown + [words["milestone"]], "range": colours + [MILESTONE_COLOUR]}}
    x = {"type": "temporal", "title": words["date"], "scale": {"type": "utc", "nice": True, "padding": 10},
         "axis": {"grid": True, "orient": "top", "labelFontSize": 12}}
    step = max(24, 14 * max((o.count("\n") + 1 for o in order), default=1) + 14)
    spec.update({
        "facet": {"row": {"field": "area", "type": "nominal", "sort": areas, "title": None,
                          "header": {"labelAngle": 0, "labelOrient": "top", "labelAnchor": "start",
                                     "labelFontWeight": "bold", "labelFontSize": 13, "labelColor": INK,
                                     "labelLimit": 0, "labelPadding": 6}}},
        "resolve": {"scale": {"y": "independent"}},
        "spacing": 14,
        # one data source for both layers (a filter each would make Vega-Lite warn about the facet's
        # independent scales): a status row has no start, a milestone row no day, and Vega-Lite leaves
        # out a mark whose position is missing
        "spec": {"width": 560, "height": {"step": step}, "layer": [
            {"mark": {"type": "bar", "height": 8, "cornerRadius": 2, "stroke": "#57606a", "strokeWidth": 0.5},
             "encoding": {"y": _y_axis(order), "x": {"field": "start", **x}, "x2": {"field": "end"},
                          "color": colour, "href": {"field": "href"}, "description": {"field": "desc"},
                          "tooltip": [{"field": "milestone", "title": words["milestone"]},
                                      {"field": "span", "title": words["when"]},
                                      {"field": "said", "title": words["source_words"]},
                                      {"field": "initiative_text", "title": words["initiative"]}]}},
            {"mark": {"type": "point", "filled": True, "size": 120, "stroke": INK, "strokeWidth": 1, "opacity": 1},
             "encoding": {"y": _y_axis(order), "x": {"field": "day", **x}, "color": colour,
                          "href": {"field": "href"}, "description": {"field": "desc"},
                          "tooltip": [{"field": "initiative_text", "title": words["initiative"]},
                                      {"field": "day_text", "title": words["date"]},
                                      {"field": "legend", "title": words["phase"]}]}},
        ]},
    })
    return spec


def _cell(shown: str, href: str) -> dict:
    return {"text": shown, "href": href} if href else {"text": shown}


def _timeline_words(data: list, rows: list, areas: list, lang: str) -> str:
    reports = sorted(d["day"] for d in data if d["kind"] == "status")
    milestones = [d for d in data if d["kind"] == "milestone"]
    first, last = (show_date(_iso(reports[0]), lang), show_date(_iso(reports[-1]), lang)) if reports else ("", "")
    starts = sorted(d["start"] for d in milestones)
    ends = sorted((_iso(d["end"]) - timedelta(days=1)).isoformat() for d in milestones)
    if lang == "da":
        text_ = (f"Tidslinje: status og milepæle for {len(rows)} initiativer i {len(areas)} udviklingsområder. "
                 f"{len(reports)} statusrapporter fra {first} til {last} er prikker i fasens farve")
        if milestones:
            text_ += (f"; {len(milestones)} milepæle fra {show_date(_iso(starts[0]), lang)} til "
                      f"{show_date(_iso(ends[-1]), lang)} er grå bjælker over deres interval")
        return text_ + "."
    text_ = (f"Timeline: status and milestones of {len(rows)} initiatives in {len(areas)} development areas. "
             f"{len(reports)} status reports from {first} to {last} are dots in the phase's colour")
    if milestones:
        text_ += (f"; {len(milestones)} milestones from {show_date(_iso(starts[0]), lang)} to "
                  f"{show_date(_iso(ends[-1]), lang)} are grey bars over their interval")
    return text_ + "."


def _iso(value: str):
    from datetime import date

    return date.fromisoformat(value)


def _initiatives_by_area(engine, labels: Labels, initiatives: set[str] | None = None) -> list[tuple[str, object, str]]:
    """(area label, initiative, initiative label), by area number and name (then IRI); an
    initiative in several areas stands under the first. Read straight from the store's index
    (facts._Reader): at a million triples 0.3 s where the query with its two OPTIONALs took 1–2 s.
    ``initiatives``: every rg:Initiative, when the caller has read them (``_initiatives``)."""
    import pyoxigraph as ox

    from .facts import _Reader

    read = _Reader(engine)
    initiatives = initiatives if initiatives is not None else _initiatives(engine)
    areas: dict[str, list] = {}
    for initiative, area in read.pairs(str(RG.developmentArea)):
        if initiative in initiatives:
            areas.setdefault(initiative, []).append(area)
    named = {a.value for found in areas.values() for a in found if isinstance(a, ox.NamedNode)}
    numbers: dict[str, list] = {}
    for area, number in read.pairs(str(SKOS.notation), subjects=named):
        numbers.setdefault(area, []).append(number)
    labels.load([ox.NamedNode(i) for i in initiatives] + [a for found in areas.values() for a in found])
    out = []
    for initiative in initiatives:
        keyed = [((text(number) if number is not None else "") or "9", area.value, area)
                 for area in areas.get(initiative, ()) for number in numbers.get(area.value, [None])]
        number, _, area = min(keyed, key=lambda k: k[:2]) if keyed else ("9", "", None)
        node = ox.NamedNode(initiative)
        out.append((number, labels.display(area) if area is not None else "", node, labels.display(node)))
    out.sort(key=lambda r: (r[0], r[3].casefold(), r[2].value))
    return [(area, initiative, name) for _, area, initiative, name in out]


def _milestones(engine, labels: Labels) -> list[tuple[str, str, object, object, str]]:
    """(initiative IRI, milestone IRI, earliest, latest, the source's words) for each milestone
    an initiative has or waits for, directly or through a task or decision point."""
    rows = engine.query("""SELECT DISTINCT ?i ?m ?earliest ?latest ?words WHERE {
        { ?i rg:hasMilestone ?m } UNION { ?i rg:dependsOn ?m . ?m a rg:Milestone }
        UNION { ?i rg:hasTask|rg:hasDecisionPoint ?item . ?item rg:hasMilestone ?m }
        ?i a rg:Initiative . ?m rg:earliest ?earliest ; rg:latest ?latest .
        OPTIONAL { ?m rg:dateText ?words } }""").rows
    labels.load(row[1] for row in rows)
    found = {(i.value, m.value, date_of(a), date_of(b), text(w)) for i, m, a, b, w in rows
             if date_of(a) is not None and date_of(b) is not None}
    return sorted(found, key=lambda r: (r[2], r[3], r[1], r[0]))


# ---------------------------------------------------------------------------------------
# The municipality matrix
# ---------------------------------------------------------------------------------------

def _initiatives(engine) -> set[str]:
    """Every rg:Initiative (IRIs), straight from the store's index."""
    from .facts import _Reader

    return _Reader(engine).typed(str(RG.Initiative))


def involvement(engine, *, initiatives: set[str] | None = None) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(municipality, initiative) → (how, clusters): how the initiative names the municipality —
    responsible, involved or potential partner directly (the strongest), else through its
    health cluster — and the clusters it comes through. The pairs are kommuners-involvering's.
    Read straight from the store's index by object (facts._Reader: the municipalities and
    clusters are a hundred; at a million triples 0.7 s where the query joining them took 2–4 s).
    ``initiatives``: every rg:Initiative, when the caller has read them (``_initiatives``)."""
    from .facts import _Reader

    read = _Reader(engine)
    municipalities, clusters = read.typed(str(RG.Municipality)), read.typed(str(RG.Cluster))
    initiatives = initiatives if initiatives is not None else _initiatives(engine)
    members: dict[str, set] = {}
    for cluster, member in read.pairs(str(ORG.hasMember), subjects=clusters):
        if getattr(member, "value", None) in municipalities:
            members.setdefault(cluster, set()).add(member.value)
    ways: dict[tuple[str, str], tuple[set, set]] = {}
    for key, _, _ in WAYS[:3]:
        for initiative, target in read.pairs(str(RG[key]), objects=municipalities | clusters):
            if initiative not in initiatives:
                continue
            if target.value in municipalities:
                ways.setdefault((target.value, initiative), (set(), set()))[0].add(key)
            for municipality in members.get(target.value, ()):
                ways.setdefault((municipality, initiative), (set(), set()))[1].add(target.value)
    order = [key for key, _, _ in WAYS]
    return {pair: (min(direct, key=order.index) if direct else "cluster", sorted(clusters))
            for pair, (direct, clusters) in ways.items()}


def matrix(engine, *, lang: str = "da") -> tuple[list[str], list[str], list[list[str]]]:
    """Municipalities × initiatives: per cell, how the initiative names the municipality
    (a key of WAYS), or '' where it does not."""
    labels = Labels(engine, lang)
    found = engine.query("SELECT ?m WHERE { ?m a rg:Municipality }").rows
    labels.load(m for (m,) in found)
    municipalities = sorted(((labels.display(m), m.value) for (m,) in found), key=lambda p: p[0].casefold())
    every = _initiatives(engine)
    initiatives = [(name, initiative.value) for _, initiative, name in _initiatives_by_area(engine, labels, every)]
    ways = involvement(engine, initiatives=every)
    column = {i: n for n, (_, i) in enumerate(initiatives)}
    row = {m: n for n, (_, m) in enumerate(municipalities)}
    cells = [[""] * len(initiatives) for _ in municipalities]
    for (m, i), (how, _) in ways.items():   # the pairs that take part (35,000 of 1.5 million cells at 1M)
        if m in row and i in column:
            cells[row[m]][column[i]] = how
    return [n for n, _ in municipalities], [n for n, _ in initiatives], cells


def matrix_csv(engine, *, lang: str = "da") -> bytes:
    """The matrix as CSV: a row per municipality, a column per initiative, each cell saying how
    it takes part (empty: it does not)."""
    import csv
    import io

    from .tables import safe_cell

    municipalities, initiatives, cells = matrix(engine, lang=lang)
    # every cell through safe_cell, as tables.delimited does, but each word once, not per cell
    # (1.5 million cells at 1M: 2 s of calls)
    words = {key: safe_cell(word) for key, word in WAY_WORDS[lang].items()} | {"": ""}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in ["kommune" if lang == "da" else "municipality", *initiatives]])
    writer.writerows([safe_cell(name), *map(words.__getitem__, row)] for name, row in zip(municipalities, cells))
    return out.getvalue().encode("utf-8")


def matrix_spec(engine, *, lang: str = "da", served: bool = True) -> dict:
    """The matrix as a chart: a grid of municipalities (across) and initiatives (down, grouped by
    area as on the timeline), a mark where a municipality takes part, its colour and shape saying how."""
    words, ways_words = WORDS[lang], WAY_WORDS[lang]
    href = _served(lang) if served else _no_link
    labels = Labels(engine, lang)
    found = engine.query("SELECT ?m WHERE { ?m a rg:Municipality }").rows
    labels.load(m for (m,) in found)
    municipalities = sorted(((labels.display(m), m.value) for (m,) in found), key=lambda p: p[0].casefold())
    every = _initiatives(engine)
    initiatives = [(name, initiative.value) for _, initiative, name in _initiatives_by_area(engine, labels, every)]
    ways = involvement(engine, initiatives=every)
    labels.load(iri(c) for _, clusters in ways.values() for c in clusters)
    data, table = [], []
    for m_name, m in municipalities:
        for i_name, i in initiatives:
            datum = {"municipality": m_name, "initiative": _wrap(i_name, WRAP_Y), "initiative_text": i_name}
            if (m, i) in ways:
                how, clusters = ways[(m, i)]
                through = ", ".join(labels.display(iri(c)) for c in clusters)
                datum.update({"how": ways_words[how], "via": through, "href": href(i),
                              "desc": f"{m_name}, {i_name}: {ways_words[how]}"
                                      + (f" ({words['via'].lower()} {through})" if through else "")})
                table.append([_cell(m_name, href(m)), _cell(i_name, href(i)), {"text": ways_words[how]},
                              {"text": through}])
            data.append(datum)
    order = [_wrap(name, WRAP_Y) for name, _ in initiatives]
    taking = [d for d in data if "how" in d]
    spec = _base(words["matrix"], _matrix_words(municipalities, initiatives, taking, lang), lang, data,
                 {"headers": [words["municipality"], words["initiative"], words["how"], words["via"]], "rows": table})
    step = max(24, 14 * max((o.count("\n") + 1 for o in order), default=1) + 14)
    x = {"field": "municipality", "type": "nominal", "title": None, "sort": [n for n, _ in municipalities],
         "axis": {"orient": "top", "labelAngle": -50, "labelAlign": "left", "labelLimit": 0, "labelFontSize": 12,
                  "domain": False, "ticks": False}}
    y = {**_y_axis(order), "axis": {"labelExpr": LINES, "labelLimit": 0, "labelFontSize": 12, "domain": False,
                                    "ticks": False}}
    shown = [key for key, _, _ in WAYS if any(d.get("how") == ways_words[key] for d in taking)]
    scale = {"domain": [ways_words[k] for k in shown]}
    spec.update({"width": {"step": 28}, "height": {"step": step}, "layer": [
        {"mark": {"type": "rect", "fill": "#f6f8fa", "stroke": "#ffffff", "strokeWidth": 2},
         "encoding": {"x": x, "y": y}},
        {"transform": [{"filter": {"field": "how", "oneOf": [ways_words[k] for k in shown]}}],
         "mark": {"type": "point", "filled": True, "size": 150, "opacity": 1, "stroke": "#ffffff", "strokeWidth": 0.5},
         "encoding": {"x": x, "y": y,
                      "color": {"field": "how", "type": "nominal", "title": words["how"],
                                "scale": {**scale, "range": [c for k, c, _ in WAYS if k in shown]}},
                      "shape": {"field": "how", "type": "nominal", "title": words["how"],
                                "scale": {**scale, "range": [s for k, _, s in WAYS if k in shown]}},
                      "href": {"field": "href"}, "description": {"field": "desc"},
                      "tooltip": [{"field": "municipality", "title": words["municipality"]},
                                  {"field": "initiative_text", "title": words["initiative"]},
                                  {"field": "how", "title": words["how"]},
                                  {"field": "via", "title": words["via"]}]}},
    ]})
    return spec


def _matrix_words(municipalities: list, initiatives: list, taking: list, lang: str) -> str:
    per_way: dict[str, int] = {}
    per_town: dict[str, int] = {}
    for d in taking:
        per_way[d["how"]] = per_way.get(d["how"], 0) + 1
        per_town[d["municipality"]] = per_town.get(d["municipality"], 0) + 1
    ways = ", ".join(f"{n} {how.lower()}" for how, n in per_way.items())
    most = max(per_town.values(), default=0)
    towns = _names([t for t, n in per_town.items() if n == most], CHART_WORDS[lang]) if per_town else "–"
    if lang == "da":
        return (f"Matrix: {len(municipalities)} kommuner × {len(initiatives)} initiativer; {len(taking)} steder "
                f"deltager en kommune ({ways}). Flest: {towns} ({most} initiativer). Farve og form siger hvordan.")
    return (f"Matrix: {len(municipalities)} municipalities × {len(initiatives)} initiatives; a municipality takes part "
            f"in {len(taking)} places ({ways}). Most: {towns} ({most} initiatives). Colour and shape say how.")


# ---------------------------------------------------------------------------------------
# As files (the command line)
# ---------------------------------------------------------------------------------------

def timeline(engine, fmt: str = "svg", *, lang: str = "da") -> bytes:
    """The timeline as an SVG or PNG file."""
    return _file(timeline_spec(engine, lang=lang, served=False), fmt)


def matrix_picture(engine, fmt: str = "svg", *, lang: str = "da") -> bytes:
    """The matrix as an SVG or PNG file."""
    return _file(matrix_spec(engine, lang=lang, served=False), fmt)


def _file(spec: dict, fmt: str) -> bytes:
    from .charts import png, svg_document

    return png(spec) if fmt == "png" else svg_document(spec)


# ---------------------------------------------------------------------------------------
# Milestones on a time axis, coloured by their state (the front page and /frister)
# ---------------------------------------------------------------------------------------

# state → colour (the order is the legend's): reached green, on hold grey, overdue red,
# due amber, upcoming blue, later pale blue
STATE_COLOURS = {"reached": "#1a7f37", "on_hold": "#8c959f", "overdue": "#cf222e", "due": "#bf8700",
                 "upcoming": "#0969da", "later": "#9ec5f4"}
MILESTONE_WORDS = {
    "da": {"title": "Milepæle på en tidsakse pr. {day}", "state": "Tilstand", "milestone": "Milepæl",
           "when": "Interval", "said": "Kildens ord", "initiative": "Initiativ", "why": "Hvorfor nået",
           "line": "den valgte dato", "none": "Ingen milepæle at vise.",
           "desc": "{n} milepæle som bjælker over deres interval, farvet efter tilstand pr. {day} "
                   "(en lodret linje): {counts}."},
    "en": {"title": "Milestones on a time axis as of {day}", "state": "State", "milestone": "Milestone",
           "when": "Interval", "said": "The source's words", "initiative": "Initiative", "why": "Why reached",
           "line": "the chosen date", "none": "No milestones to show.",
           "desc": "{n} milestones as bars over their interval, coloured by their state as of {day} "
                   "(a vertical line): {counts}."},
}


def milestones_spec(items, as_of, *, lang: str = "da", served: bool = True, title: str | None = None) -> dict:
    """Milestones (rammegraf.rounds.Deadline, as milestone_states gives them) as bars from
    their first to their last day, one row each, coloured by state, with a rule at
    ``as_of``; each bar links to its milestone. Its table: state, milestone, interval,
    the source's words, the initiatives and (reached) why."""
    from .rounds import STATE_WORDS

    words, states = MILESTONE_WORDS[lang], STATE_WORDS[lang]
    href = _served(lang) if served else _no_link
    day = show_date(as_of, lang)
    data, table, order = [], [], []
    for item in items:
        name = _wrap(item.label, WRAP_Y)
        if name in order:      # two milestones of one name: the second row says which
            name = _wrap(f"{item.label} ({item.date_text})", WRAP_Y)
        order.append(name)
        span = (show_date(item.earliest, lang) if item.earliest == item.latest
                else f"{show_date(item.earliest, lang)} – {show_date(item.latest, lang)}")
        owners = "; ".join(label for _, label in item.owners)
        data.append({"milestone": name, "milestone_text": item.label, "start": item.earliest.isoformat(),
                     "end": (item.latest + timedelta(days=1)).isoformat(), "state": states[item.state],
                     "span": span, "said": item.date_text, "owners": owners, "why": item.reason,
                     "href": href(item.milestone),
                     "desc": f"{item.label}: {states[item.state]}, {span}" + (f" ({item.reason})" if item.reason else "")})
        table.append([{"text": states[item.state]}, _cell(item.label, href(item.milestone)), {"text": span},
                      {"text": item.date_text}, {"text": owners}, {"text": item.reason}])
    counted = {}
    for item in items:
        counted[states[item.state]] = counted.get(states[item.state], 0) + 1
    counts = ", ".join(f"{n} {state}" for state, n in counted.items()) or words["none"]
    spec = _base(title or words["title"].format(day=day),
                 words["desc"].format(n=len(items), day=day, counts=counts), lang, data,
                 {"headers": [words["state"], words["milestone"], words["when"], words["said"], words["initiative"],
                              words["why"]], "rows": table})
    shown = [key for key in STATE_COLOURS if any(i.state == key for i in items)]
    colour = {"field": "state", "type": "nominal", "title": words["state"],
              "scale": {"domain": [states[k] for k in shown], "range": [STATE_COLOURS[k] for k in shown]},
              "legend": {"orient": "bottom", "direction": "horizontal"}}
    x = {"type": "temporal", "title": None, "scale": {"type": "utc", "nice": True, "padding": 10},
         "axis": {"grid": True, "orient": "top", "labelFontSize": 12, "format": "%b %Y"}}
    step = max(22, 14 * max((o.count("\n") + 1 for o in order), default=1) + 10)
    y = {"field": "milestone", "type": "nominal", "title": None, "sort": order,
         "axis": {"labelExpr": LINES, "labelLimit": 0, "labelFontSize": 12}}
    spec.update({"width": 520, "height": {"step": step}, "layer": [
        {"mark": {"type": "bar", "height": 10, "cornerRadius": 2},
         "encoding": {"y": y, "x": {"field": "start", **x}, "x2": {"field": "end"}, "color": colour,
                      "href": {"field": "href"}, "description": {"field": "desc"},
                      "tooltip": [{"field": "milestone_text", "title": words["milestone"]},
                                  {"field": "state", "title": words["state"]},
                                  {"field": "span", "title": words["when"]},
                                  {"field": "said", "title": words["said"]},
                                  {"field": "owners", "title": words["initiative"]},
                                  {"field": "why", "title": words["why"]}]}},
        # a one-day milestone is a bar too narrow to see: a square marks its first day
        {"mark": {"type": "point", "shape": "square", "filled": True, "size": 70, "opacity": 1},
         "encoding": {"y": y, "x": {"field": "start", **x}, "color": colour, "href": {"field": "href"},
                      "description": {"field": "desc"},
                      "tooltip": [{"field": "milestone_text", "title": words["milestone"]},
                                  {"field": "state", "title": words["state"]},
                                  {"field": "span", "title": words["when"]}]}},
        {"data": {"values": [{"day": as_of.isoformat(), "label": words["line"]}]},
         "mark": {"type": "rule", "color": INK, "strokeDash": [4, 3], "strokeWidth": 1.5},
         "encoding": {"x": {"field": "day", "type": "temporal"},
                      "tooltip": [{"field": "label", "type": "nominal", "title": day}]}},
    ]} if data else {"data": {"values": [{"none": words["none"]}]}, "mark": {"type": "text", "align": "left"},
                   "encoding": {"text": {"field": "none"}}})
    return spec
