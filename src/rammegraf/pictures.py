"""Pictures for the secretariat: a timeline per initiative, a municipality × initiative matrix.

Both are drawn with matplotlib (no display needed) as SVG, with text kept as text,
or PNG. The matrix is also a CSV.
"""

from __future__ import annotations

import csv
import io

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .labels import label_of
from .namespaces import RG
from .query import get_query, run
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


def timeline(graph: Graph, fmt: str = "svg", *, lang: str = "da") -> bytes:
    """Status reports (dots coloured by phase) and milestones (bars over their
    interval) per initiative, grouped by development area."""
    plt = _pyplot()
    from matplotlib.dates import date2num

    rows = _initiatives_by_area(graph, lang)
    height = max(3.0, 0.42 * len(rows) + 1.5)
    figure, axes = plt.subplots(figsize=(13, height))
    for y, (area, initiative, name) in enumerate(rows):
        for report in graph.subjects(RG.statusOf, initiative):
            day = graph.value(report, RG.asOf).toPython()
            phase = str(graph.value(report, RG.phase)).rsplit("#", 1)[-1]
            axes.plot(date2num(day), y, "o", markersize=9, color=PHASE_COLOURS.get(phase, "#999999"),
                      markeredgecolor="#333333", zorder=3)
        for milestone in _milestones(graph, initiative):
            start, end = (graph.value(milestone, RG.earliest).toPython(),
                          graph.value(milestone, RG.latest).toPython())
            axes.barh(y, max(date2num(end) - date2num(start), 2), left=date2num(start), height=0.25,
                      color="#bbbbbb", edgecolor="#666666", zorder=2)
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
    handles = [plt.Line2D([], [], marker="o", linestyle="", markersize=8, color=colour, markeredgecolor="#333",
                          label=label_of(graph, RG[key], lang) or key) for key, colour in PHASE_COLOURS.items()]
    handles.append(plt.Rectangle((0, 0), 1, 1, color="#bbbbbb", label="Milepæl" if lang == "da" else "Milestone"))
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=8, fontsize=8,
                frameon=False)
    axes.set_title("Status og milepæle pr. initiativ" if lang == "da" else "Status and milestones per initiative")
    data = _save(figure, fmt)
    plt.close(figure)
    return data


def _initiatives_by_area(graph: Graph, lang: str) -> list[tuple[str, URIRef, str]]:
    rows = []
    for initiative in graph.subjects(RDF.type, RG.Initiative):
        areas = sorted(graph.objects(initiative, RG.developmentArea),
                       key=lambda a: str(graph.value(a, URIRef("http://www.w3.org/2004/02/skos/core#notation"))))
        area = label_of(graph, areas[0], lang) if areas else ""
        number = str(graph.value(areas[0], URIRef("http://www.w3.org/2004/02/skos/core#notation"))) if areas else "9"
        rows.append((number, area, initiative, label_of(graph, initiative, lang) or str(initiative)))
    rows.sort(key=lambda r: (r[0], r[3].casefold()))
    return [(area, initiative, name) for _, area, initiative, name in rows]


def _milestones(graph: Graph, initiative: URIRef) -> set[URIRef]:
    found = set(graph.objects(initiative, RG.hasMilestone)) | {
        m for m in graph.objects(initiative, RG.dependsOn) if (m, RDF.type, RG.Milestone) in graph}
    for link in (RG.hasTask, RG.hasDecisionPoint):
        for item in graph.objects(initiative, link):
            found |= set(graph.objects(item, RG.hasMilestone))
    return found


def matrix(graph: Graph, *, lang: str = "da") -> tuple[list[str], list[str], list[list[int]]]:
    """Municipalities × initiatives: 1 where the initiative names the municipality
    (responsible, involved or partner) directly or through its health cluster."""
    municipalities = sorted((label_of(graph, m, lang) or str(m) for m in graph.subjects(RDF.type, RG.Municipality)),
                            key=str.casefold)
    initiatives = [name for _, _, name in _initiatives_by_area(graph, lang)]
    cells = [[0] * len(initiatives) for _ in municipalities]
    for municipality, initiative, _ in run(graph, get_query("kommuners-involvering")):
        row = municipalities.index(label_of(graph, municipality, lang) or str(municipality))
        column = initiatives.index(label_of(graph, initiative, lang) or str(initiative))
        cells[row][column] = 1
    return municipalities, initiatives, cells


def matrix_csv(graph: Graph, *, lang: str = "da") -> bytes:
    municipalities, initiatives, cells = matrix(graph, lang=lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kommune" if lang == "da" else "municipality", *initiatives])
    for name, row in zip(municipalities, cells):
        writer.writerow([name, *row])
    return out.getvalue().encode("utf-8")


def matrix_picture(graph: Graph, fmt: str = "svg", *, lang: str = "da") -> bytes:
    plt = _pyplot()
    municipalities, initiatives, cells = matrix(graph, lang=lang)
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
