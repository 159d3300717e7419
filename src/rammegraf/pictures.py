"""Pictures for the secretariat: a timeline per initiative, a municipality × initiative matrix.

Both are drawn with matplotlib (no display needed) as SVG, with text kept as text,
or PNG. The matrix is also a CSV.
"""

from __future__ import annotations

import io

from .labels import Labels
from .namespaces import RG
from .query import get_query, run_on
from .terms import date_of, iri, text
from .viz import PHASE_COLOURS

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"      # labels stay text in the SVG
    matplotlib.rcParams["svg.hashsalt"] = "rammegraf"  # the same graph gives the same file
    import matplotlib.pyplot as plt

    return plt


def _save(figure, fmt: str) -> bytes:
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": "rammegraf"}
    figure.savefig(out, format=fmt, bbox_inches="tight", dpi=110, metadata=metadata)
    return out.getvalue()


def timeline(engine, fmt: str = "svg", *, lang: str = "da") -> bytes:
    """Status reports (dots coloured by phase) and milestones (bars over their
    interval) per initiative, grouped by development area."""
    plt = _pyplot()
    from matplotlib.dates import date2num

    labels = Labels(engine, lang)
    rows = _initiatives_by_area(engine, labels)
    position = {initiative.value: y for y, (_, initiative, _) in enumerate(rows)}
    reports = engine.query("SELECT ?i ?day ?phase WHERE { ?r rg:statusOf ?i ; rg:asOf ?day ; rg:phase ?phase }").rows
    height = max(3.0, 0.42 * len(rows) + 1.5)
    figure, axes = plt.subplots(figsize=(13, height))
    for initiative, day, phase in reports:
        when = date_of(day)
        if initiative.value in position and when is not None:
            axes.plot(date2num(when), position[initiative.value], "o", markersize=9,
                      color=PHASE_COLOURS.get(phase.value.rsplit("#", 1)[-1], "#999999"),
                      markeredgecolor="#333333", zorder=3)
    for initiative, start, end in _milestones(engine):
        if initiative in position:
            axes.barh(position[initiative], max(date2num(end) - date2num(start), 2), left=date2num(start),
                      height=0.25, color="#bbbbbb", edgecolor="#666666", zorder=2)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([f"{name[:70]}{'…' if len(name) > 70 else ''}" for _, _, name in rows], fontsize=8)
    axes.invert_yaxis()
    axes.xaxis_date()
    axes.grid(axis="x", color="#eeeeee")
    previous = None
    for y, (area, _, _) in enumerate(rows):
        if area != previous:
            axes.axhline(y - 0.5, color="#888888", linewidth=0.8)
            axes.text(1.0, y - 0.45, area, transform=axes.get_yaxis_transform(), ha="right", va="top",
                      fontsize=8, color="#555555")
            previous = area
    labels.load(iri(RG[key]) for key in PHASE_COLOURS)
    handles = [plt.Line2D([], [], marker="o", linestyle="", markersize=8, color=colour, markeredgecolor="#333",
                          label=labels.of(iri(RG[key])) or key) for key, colour in PHASE_COLOURS.items()]
    handles.append(plt.Rectangle((0, 0), 1, 1, color="#bbbbbb", label="Milepæl" if lang == "da" else "Milestone"))
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=8, fontsize=8,
                frameon=False)
    axes.set_title("Status og milepæle pr. initiativ" if lang == "da" else "Status and milestones per initiative")
    data = _save(figure, fmt)
    plt.close(figure)
    return data


def _initiatives_by_area(engine, labels: Labels) -> list[tuple[str, object, str]]:
    """(area label, initiative, initiative label), by area number and name; an
    initiative in several areas stands under the first."""
    rows = engine.query("""SELECT ?i ?area ?number WHERE { ?i a rg:Initiative .
        OPTIONAL { ?i rg:developmentArea ?area OPTIONAL { ?area skos:notation ?number } } }""").rows
    labels.load(t for row in rows for t in row[:2])
    first: dict = {}
    for initiative, area, number in rows:
        key = (text(number) or "9", area.value if area is not None else "")
        if initiative not in first or key < first[initiative][0]:
            first[initiative] = (key, area)
    out = [(key[0], labels.display(area) if area is not None else "", initiative, labels.display(initiative))
           for initiative, (key, area) in first.items()]
    out.sort(key=lambda r: (r[0], r[3].casefold()))
    return [(area, initiative, name) for _, area, initiative, name in out]


def _milestones(engine) -> set[tuple[str, object, object]]:
    """(initiative IRI, earliest, latest) for each milestone an initiative has or
    waits for, directly or through a task or decision point."""
    rows = engine.query("""SELECT DISTINCT ?i ?earliest ?latest ?m WHERE {
        { ?i rg:hasMilestone ?m } UNION { ?i rg:dependsOn ?m . ?m a rg:Milestone }
        UNION { ?i rg:hasTask|rg:hasDecisionPoint ?item . ?item rg:hasMilestone ?m }
        ?i a rg:Initiative . ?m rg:earliest ?earliest ; rg:latest ?latest }""").rows
    return {(i.value, date_of(a), date_of(b)) for i, a, b, _ in rows
            if date_of(a) is not None and date_of(b) is not None}


def matrix(engine, *, lang: str = "da") -> tuple[list[str], list[str], list[list[int]]]:
    """Municipalities × initiatives: 1 where the initiative names the municipality
    (responsible, involved or partner) directly or through its health cluster."""
    labels = Labels(engine, lang)
    found = engine.query("SELECT ?m WHERE { ?m a rg:Municipality }").rows
    labels.load(m for (m,) in found)
    municipalities = sorted({labels.display(m) for (m,) in found}, key=str.casefold)
    initiatives = [name for _, _, name in _initiatives_by_area(engine, labels)]
    cells = [[0] * len(initiatives) for _ in municipalities]
    answer = run_on(engine, get_query("kommuners-involvering"))
    labels.load(t for row in answer.rows for t in row[:2])
    for municipality, initiative, *_ in answer.rows:
        row = municipalities.index(labels.display(municipality))
        column = initiatives.index(labels.display(initiative))
        cells[row][column] = 1
    return municipalities, initiatives, cells


def matrix_csv(engine, *, lang: str = "da") -> bytes:
    municipalities, initiatives, cells = matrix(engine, lang=lang)
    from .tables import delimited

    return delimited(["kommune" if lang == "da" else "municipality", *initiatives],
                     [[name, *row] for name, row in zip(municipalities, cells)]).encode("utf-8")


def matrix_picture(engine, fmt: str = "svg", *, lang: str = "da") -> bytes:
    plt = _pyplot()
    municipalities, initiatives, cells = matrix(engine, lang=lang)
    figure, axes = plt.subplots(figsize=(max(6, 0.5 * len(initiatives) + 3), max(4, 0.35 * len(municipalities) + 3)))
    axes.imshow(cells, cmap="Blues", vmin=0, vmax=1.4, aspect="auto")
    axes.set_yticks(range(len(municipalities)))
    axes.set_yticklabels(municipalities, fontsize=8)
    axes.set_xticks(range(len(initiatives)))
    axes.set_xticklabels([f"{n[:45]}{'…' if len(n) > 45 else ''}" for n in initiatives], rotation=60,
                         ha="right", fontsize=7)
    axes.set_title("Kommuner × initiativer" if lang == "da" else "Municipalities × initiatives")
    data = _save(figure, fmt)
    plt.close(figure)
    return data
