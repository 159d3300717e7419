"""Self-contained HTML graph views: open offline, mail, or put on an intranet.

The page is our own Jinja2 template (package data, autoescaped). vis-network is
embedded inline from the copy the pyvis package ships, so no request leaves the
page; a Content-Security-Policy with the hashes of our two scripts forbids any
other script. The layout is computed here (networkx), physics is off, and the
node and edge lists go to vis-network as JSON, so a 2,000-node view opens at
once. Labels reach the page only as JSON data and the DOM only as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from .errors import RammegrafError, did_you_mean
from .labels import Labels
from .namespaces import ID, RG
from .network import KINDS, build_network, chunks, report_dates
from .terms import iri, text

VIEW_PREFIXES = {
    "area": ("udviklingsomraade",),
    "initiative": ("initiativ",),
    "law": ("lov",),
    "actor": ("kommune", "region", "udvalg", "organisation", "arbejdsgruppe", "klynge", "person"),
    "node": ("",),   # any node, by the path after /id/ (the web app's "vis i graf" links)
}

# (shape, colour) per node kind; initiatives take their colour from their phase.
STYLE = {
    "initiative": ("dot", "#6baed6"), "area": ("star", "#6a3d9a"), "goal": ("triangle", "#cab2d6"),
    "plan": ("hexagon", "#b15928"), "agreement": ("square", "#ff7f00"), "act": ("diamond", "#e31a1c"),
    "provision": ("diamond", "#fb9a99"), "municipality": ("triangleDown", "#1f78b4"),
    "region": ("triangleDown", "#08306b"), "committee": ("hexagon", "#33a02c"),
    "workinggroup": ("hexagon", "#b2df8a"), "cluster": ("triangleDown", "#a6cee3"),
    "organisation": ("square", "#969696"), "person": ("triangle", "#fdbf6f"),
    "milestone": ("star", "#ffd92f"), "meeting": ("square", "#66c2a5"),
}
PHASE_COLOURS = {
    "Proposed": "#9e9ac8", "NotStarted": "#bdbdbd", "AwaitingStart": "#fdd49e",
    "InProgress": "#6baed6", "Implementing": "#31a354", "Implemented": "#006d2c", "Parked": "#e6550d",
}
KIND_LABELS = {
    "da": {"initiative": "Initiativ", "area": "Udviklingsområde", "goal": "Målsætning", "plan": "Plan",
           "agreement": "Aftale", "act": "Lov", "provision": "Paragraf", "municipality": "Kommune",
           "region": "Region", "committee": "Udvalg/forum", "workinggroup": "Arbejdsgruppe",
           "cluster": "Sundhedsklynge", "organisation": "Organisation", "person": "Person",
           "milestone": "Milepæl", "meeting": "Møde"},
    "en": {"initiative": "Initiative", "area": "Development area", "goal": "Goal", "plan": "Plan",
           "agreement": "Agreement", "act": "Act", "provision": "Provision", "municipality": "Municipality",
           "region": "Region", "committee": "Committee/forum", "workinggroup": "Working group",
           "cluster": "Health cluster", "organisation": "Organisation", "person": "Person",
           "milestone": "Milestone", "meeting": "Meeting"},
}
UI = {
    "da": {"search": "Søg efter en knude", "find": "Find", "kinds": "Slags", "areas": "Udviklingsområder",
           "phases": "Faser", "date": "Status pr.", "nophase": "Ingen status på datoen", "table": "Tabel",
           "nodes": "Knuder", "edges": "Forbindelser", "label": "Navn", "kind": "Slags", "phase": "Fase",
           "degree": "Forbindelser", "from": "Fra", "to": "Til", "link": "Forbindelse", "close": "Luk",
           "source": "Kilde", "status": "Status", "links": "Forbindelser", "notfound": "Ingen knude hedder",
           "shown": "viste knuder", "legend": "Signatur", "via": "via", "details": "Oplysninger",
           "intro": "Klik på en knude for at se detaljer. Brug filtrene til at skjule og vise knuder."},
    "en": {"search": "Search for a node", "find": "Find", "kinds": "Kinds", "areas": "Development areas",
           "phases": "Phases", "date": "Status as of", "nophase": "No status on that date", "table": "Table",
           "nodes": "Nodes", "edges": "Links", "label": "Name", "kind": "Kind", "phase": "Phase",
           "degree": "Links", "from": "From", "to": "To", "link": "Link", "close": "Close",
           "source": "Source", "status": "Status", "links": "Links", "notfound": "No node is called",
           "shown": "nodes shown", "legend": "Legend", "via": "via", "details": "Details",
           "intro": "Click a node for details. Use the filters to hide and show nodes."},
}
DETAILS = (RG.dateText, RG.earliest, RG.latest, RG.onDate, RG.timeText, RG.place, RG.virtual,
           RG.approvedOn, RG.implementationStart, RG.consolidation, RG.municipalityCode, RG.regionCode)

_DETAILS_QUERY = ("SELECT ?s ?p ?v WHERE { VALUES ?p { " + " ".join(f"<{p}>" for p in DETAILS)
                  + " } ?s ?p ?v }")


class ViewError(RammegrafError):
    """A view that names nothing in the graph."""


@dataclass(frozen=True)
class View:
    net: object                 # networkx MultiDiGraph of the nodes shown
    title: str
    focus: str | None           # the IRI the view is centred on


def select_view(engine, view: str = "all", *, depth: int = 2, as_of: date | None = None,
                lang: str = "da", labels: Labels | None = None) -> View:
    """The whole projection, or the neighbourhood (``depth`` hops) of one resource,
    read from the engine."""
    if depth < 0:
        raise ViewError("--depth skal være 0 eller mere (must be 0 or more)")
    labels = labels or Labels(engine, lang)
    if view in ("", "all"):
        net = build_network(engine, as_of=as_of, lang=lang, labels=labels)
        return View(net, "Hele grafen" if lang == "da" else "The whole graph", None)
    kind, sep, slug = view.partition(":")
    if not sep or kind not in VIEW_PREFIXES or not slug:
        raise ViewError(f"ukendt visning '{view}'; brug all, area:SLUG, actor:SLUG, initiative:SLUG "
                        "eller law:SLUG (unknown view)")
    focus = _find(engine, kind, slug)
    net = build_network(engine, as_of=as_of, lang=lang, around=focus, depth=depth, labels=labels)
    if focus not in net:
        raise ViewError(f"<{focus}> er ikke en knude i grafen (not a node of the graph)")
    return View(net, net.nodes[focus]["label"], focus)


def _find(engine, kind: str, slug: str) -> str:
    """The IRI a view names: ``area:SLUG`` is ``…/id/udviklingsomraade/SLUG``, and so on."""
    slug = slug.strip().strip("/")
    candidates = [ID[f"{prefix}/{slug}" if prefix else slug] for prefix in VIEW_PREFIXES[kind]]
    candidates.append(ID[slug])
    for candidate in candidates:
        if engine.query("ASK { ?n a ?t }", {"n": iri(candidate)}).boolean:
            return candidate
    starts = [ID[p + "/" if p else ""] for p in VIEW_PREFIXES[kind]]
    rows = engine.query("SELECT DISTINCT ?n WHERE { ?n a ?t FILTER (isIRI(?n)) }").rows
    pool = [n.value for (n,) in rows if any(n.value.startswith(start) for start in starts)]
    slugs = sorted(n.split("/id/", 1)[1] if kind == "node" else n.split("/id/", 1)[1].split("/", 1)[1]
                   for n in pool if "/id/" in n)
    hint = did_you_mean(slug, slugs, show=lambda c: f"{kind}:{c}")
    raise ViewError(f"ingen {kind} med slug '{slug}' i grafen (no such {kind})", hint=hint)


def layout(net, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in pixels, computed once in Python so the browser draws at once.

    Small views get Kamada-Kawai (tidy, O(n²) memory); large ones the grid variant
    of Fruchterman-Reingold, which repels only nodes closer than 2k and so runs in
    about O(n log n + edges) a step instead of networkx's all-pairs O(n²).
    """
    import networkx as nx

    n = net.number_of_nodes()
    if n == 0:
        return {}
    simple = nx.Graph(net.to_undirected(as_view=True))
    simple.remove_edges_from(nx.selfloop_edges(simple))
    scale = 120 * math.sqrt(n) + 200
    if n <= 2:
        pos = nx.circular_layout(simple, scale=scale)
    elif n <= 600:
        pos = nx.kamada_kawai_layout(simple, scale=scale)
    else:
        pos = _grid_force_layout(simple, seed=seed, scale=scale)
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in pos.items()}


def _grid_force_layout(graph, *, seed: int, scale: float, iterations: int = 80) -> dict:
    """Fruchterman-Reingold with cut-off repulsion (their "grid variant"), from a
    spectral start. Ideal edge length k = 1 in a square of side sqrt(n)."""
    import networkx as nx
    import numpy as np
    from scipy.spatial import cKDTree

    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    start = nx.spectral_layout(graph)
    pos = np.array([start[node] for node in nodes], dtype=np.float64)
    pos -= pos.min(axis=0)
    side = math.sqrt(n)
    pos = pos / max(float(np.ptp(pos)), 1e-9) * side + rng.uniform(-0.5, 0.5, size=(n, 2))
    k, temperature = 1.0, side / 10
    cooling = (0.02 / temperature) ** (1 / iterations)
    for _ in range(iterations):
        disp = np.zeros_like(pos)
        pairs = cKDTree(pos).query_pairs(2 * k, output_type="ndarray")
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
            push = delta * (k * k / dist ** 2)[:, None]
            np.add.at(disp, pairs[:, 0], push)
            np.add.at(disp, pairs[:, 1], -push)
        if len(edges):
            delta = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 0.01)
            pull = delta * (dist / k)[:, None]
            np.add.at(disp, edges[:, 0], -pull)
            np.add.at(disp, edges[:, 1], pull)
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= cooling
    pos -= pos.mean(axis=0)
    pos *= scale / max(float(np.abs(pos).max()), 1e-9)
    return {node: pos[i] for i, node in enumerate(nodes)}


def page_data(engine, view: View, *, lang: str = "da", as_of: date | None = None,
              labels: Labels | None = None) -> dict:
    """Everything the page needs, as plain data (no HTML)."""
    labels = labels or Labels(engine, lang)
    net = view.net
    positions = layout(net)
    histories = _histories(engine, net, labels)
    details = _details(engine, net, labels)
    degrees = dict(net.degree())
    nodes = []
    for node, attrs in net.nodes(data=True):
        kind = attrs["kind"]
        x, y = positions[node]
        nodes.append({
            "id": node, "label": attrs["label"], "kind": kind, "x": x, "y": y,
            "size": round(10 + 4 * math.sqrt(degrees.get(node, 0)), 1),
            "areas": attrs.get("areas", []), "history": histories.get(node, []),
            "details": details.get(node, []),
        })
    edges = [{"id": f"e{i}", "from": u, "to": v, "label": d["label"], "via": d.get("via")}
             for i, (u, v, d) in enumerate(net.edges(data=True))]
    dates = report_dates(engine)
    start = as_of.isoformat() if as_of else (dates[-1] if dates else "")
    area_rows = engine.query("SELECT ?a ?n WHERE { ?a a rg:DevelopmentArea OPTIONAL { ?a skos:notation ?n } }").rows
    labels.load(a for a, _ in area_rows)
    areas = [{"id": a.value, "label": labels.display(a)}
             for a, _ in sorted(area_rows, key=lambda r: (text(r[1]), r[0].value))]
    kinds_present = {n["kind"] for n in nodes}
    labels.load(iri(RG[key]) for key in PHASE_COLOURS)
    return {
        "title": view.title, "lang": lang, "focus": view.focus, "date": start, "dates": dates,
        "nodes": nodes, "edges": edges, "areas": areas,
        "kinds": [{"key": k, "label": KIND_LABELS[lang][k], "shape": STYLE[k][0], "color": STYLE[k][1]}
                  for k, _ in KINDS if k in kinds_present],
        "phases": [{"key": key, "label": labels.of(iri(RG[key])) or key, "color": colour}
                   for key, colour in PHASE_COLOURS.items()],
        "ui": UI[lang],
    }


def _histories(engine, net, labels: Labels) -> dict[str, list[dict]]:
    initiatives = [n for n, attrs in net.nodes(data=True) if attrs["kind"] == "initiative"]
    out: dict[str, list[dict]] = {}
    rows = []
    for part in chunks(initiatives):
        rows += engine.query("""SELECT ?initiative ?day ?phase ?text ?source WHERE {
            ?report rg:statusOf ?initiative . OPTIONAL { ?report rg:asOf ?day }
            OPTIONAL { ?report rg:phase ?phase } OPTIONAL { ?report rg:text ?text }
            OPTIONAL { ?report prov:wasDerivedFrom ?source } }""",
                             {"initiative": [iri(i) for i in part]}).rows
    labels.load(t for row in rows for t in (row[2], row[4]) if t is not None)
    for initiative, day, phase, words, source in rows:
        out.setdefault(initiative.value, []).append({
            "date": text(day),
            "phase": phase.value.rsplit("#", 1)[-1] if phase is not None else "",
            "phaseLabel": (labels.of(phase) or "") if phase is not None else "",
            "text": text(words),
            "source": (labels.of(source) or "") if source is not None else "",
        })
    for history in out.values():
        history.sort(key=lambda h: h["date"])
    return out


def _details(engine, net, labels: Labels) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    labels.load(iri(p) for p in DETAILS)
    order = {p: i for i, p in enumerate(DETAILS)}
    rows = []
    for part in chunks(list(net.nodes)):
        rows += engine.query(_DETAILS_QUERY, {"s": [iri(n) for n in part]}).rows
    for subject, prop, value in sorted(rows, key=lambda r: (order[r[1].value], text(r[2]))):
        out.setdefault(subject.value, []).append([labels.of(prop) or prop.value, text(value)])
    return out


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network as the pyvis package ships it (never fetched from a CDN)."""
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return path.read_text(encoding="utf-8")


def _script_safe_json(data: dict) -> str:
    """JSON that cannot close its <script> element or open a comment in it."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _scripts() -> dict[str, str]:
    return {"vis_js": vis_network_js(),
            "tables_js": (TEMPLATES / "tables.js").read_text(encoding="utf-8"),
            "app_js": (TEMPLATES / "graph.js").read_text(encoding="utf-8")}


def page_csp() -> str:
    """The graph page's Content-Security-Policy: only its own scripts, by hash."""
    hashes = " ".join(f"'{_sha256(script)}'" for script in _scripts().values())
    return ("default-src 'none'; "
            f"script-src {hashes}; "
            "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")


def render_html(data: dict) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    # the scripts go into the page as they are, so the CSP hashes match them
    return env.get_template("graph.html").render(
        title=data["title"], lang=data["lang"], ui=data["ui"], csp=page_csp(),
        data_json=_script_safe_json(data), **_scripts())


def graph_page(engine, *, view: str = "all", depth: int = 2, as_of: date | None = None,
               lang: str = "da") -> str:
    """The HTML page for one view of the graph."""
    labels = Labels(engine, lang)
    selected = select_view(engine, view, depth=depth, as_of=as_of, lang=lang, labels=labels)
    return render_html(page_data(engine, selected, lang=lang, as_of=as_of, labels=labels))
