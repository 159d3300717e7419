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
from .network import KINDS, batches, build_network, report_dates, status_reports
from .terms import iri, text

VIEW_PREFIXES = {
    "area": ("udviklingsomraade",),
    "initiative": ("initiativ",),
    "law": ("lov",),
    "actor": ("kommune", "region", "udvalg", "organisation", "arbejdsgruppe", "klynge", "person"),
    "node": ("",),   # any node, by the path after /id/ (the web app's "vis i graf" links)
}

# (icon, colour) per node kind: each kind its own silhouette (ICONS), so colour is
# never the only cue; initiatives take their colour from their phase.
STYLE = {
    "initiative": ("circle", "#6baed6"), "area": ("star", "#6a3d9a"), "goal": ("triangle", "#cab2d6"),
    "plan": ("hexagon", "#b15928"), "agreement": ("contract", "#ff7f00"), "act": ("diamond", "#e31a1c"),
    "provision": ("page", "#fb9a99"), "municipality": ("house", "#1f78b4"),
    "region": ("shield", "#08306b"), "committee": ("bubble", "#33a02c"),
    "workinggroup": ("group", "#b2df8a"), "cluster": ("cross", "#a6cee3"),
    "organisation": ("building", "#969696"), "person": ("person", "#fdbf6f"),
    "milestone": ("flag", "#ffd92f"), "meeting": ("calendar", "#66c2a5"),
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
def _star(cx: float, cy: float, outer: float, inner: float, points: int = 5) -> str:
    corners = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi * i / points - math.pi / 2
        corners.append(f"{cx + radius * math.cos(angle):.1f} {cy + radius * math.sin(angle):.1f}")
    return "M" + " L".join(corners) + "Z"


def _polygon(cx: float, cy: float, radius: float, sides: int, turn: float = 0.0) -> str:
    corners = [f"{cx + radius * math.cos(2 * math.pi * i / sides + turn):.1f} "
               f"{cy + radius * math.sin(2 * math.pi * i / sides + turn):.1f}" for i in range(sides)]
    return "M" + " L".join(corners) + "Z"


# Each icon on a 64×64 grid: the silhouette (filled with the kind's colour, outlined
# dark) and an inner mark in a colour that stands out on that fill ("{c}"). Paths and
# shapes only, no text: an SVG image drawn on a canvas gets no fonts.
ICONS = {
    "circle": ('<circle cx="32" cy="32" r="28"/>', '<path d="M25 19v26l20-13z" fill="{c}"/>'),
    "star": (f'<path d="{_star(32, 35, 30, 13)}"/>', ""),
    "triangle": ('<path d="M32 4 61 58H3z"/>', '<circle cx="32" cy="42" r="7" fill="{c}"/>'),
    "hexagon": (f'<path d="{_polygon(32, 32, 29, 6)}"/>',
                '<path d="M20 24h24M20 32h24M20 40h16" stroke="{c}" stroke-width="4"/>'),
    "contract": ('<rect x="5" y="5" width="54" height="54" rx="9"/>',
                 '<path d="M17 33l10 10 20-22" fill="none" stroke="{c}" stroke-width="7"/>'),
    "diamond": ('<path d="M32 2 62 32 32 62 2 32z"/>', '<path d="M32 19 45 32 32 45 19 32z" fill="{c}"/>'),
    "page": ('<path d="M12 3h27l14 14v44H12z"/>',
             '<path d="M39 3v14h14M20 30h25M20 38h25M20 46h17" fill="none" stroke="{c}" stroke-width="3.5"/>'),
    "house": ('<path d="M32 4 61 30h-9v29H12V30H3z"/>', '<rect x="26" y="40" width="12" height="19" fill="{c}"/>'),
    "shield": ('<path d="M32 3 58 12v18c0 16-11 26-26 31C17 56 6 46 6 30V12z"/>',
               '<path d="M19 24 32 36 45 24" fill="none" stroke="{c}" stroke-width="6"/>'),
    "bubble": ('<path d="M11 6h42q7 0 7 7v26q0 7-7 7H29L15 59V46h-4q-7 0-7-7V13q0-7 7-7z"/>',
               '<circle cx="20" cy="26" r="4.5" fill="{c}"/><circle cx="32" cy="26" r="4.5" fill="{c}"/>'
               '<circle cx="44" cy="26" r="4.5" fill="{c}"/>'),
    "group": ('<circle cx="32" cy="19" r="15"/><circle cx="18" cy="43" r="15"/><circle cx="46" cy="43" r="15"/>', ""),
    "cross": ('<path d="M22 3h20v19h19v20H42v19H22V42H3V22h19z"/>', ""),
    "building": ('<rect x="11" y="3" width="42" height="58" rx="2"/>',
                 '<path d="M18 10h10v8H18zM36 10h10v8H36zM18 24h10v8H18zM36 24h10v8H36zM18 38h10v8H18zM36 38h10v8H36z'
                 'M27 50h10v11H27z" fill="{c}"/>'),
    "person": ('<circle cx="32" cy="17" r="13"/><path d="M6 61c0-17 11-28 26-28s26 11 26 28z"/>', ""),
    "flag": ('<path d="M15 6h43L47 21l11 15H15z"/><path d="M13 3v58" fill="none" stroke-width="6"/>', ""),
    "calendar": ('<rect x="5" y="11" width="54" height="49" rx="6"/>',
                 '<path d="M5 23h54" stroke="{c}" stroke-width="4"/>'
                 '<path d="M19 3v15M45 3v15" stroke="#1f2328" stroke-width="6" stroke-linecap="round"/>'
                 '<path d="M15 31h8v7h-8zM28 31h8v7h-8zM41 31h8v7h-8zM15 44h8v7h-8zM28 44h8v7h-8z" fill="{c}"/>'),
}
INK = "#1f2328"          # label text and icon outlines
HALO = "#ffffff"         # the light outline behind every label
NO_PHASE = "#ffffff"     # an initiative with no status on the chosen date
# Label sizes in graph units by kind (the rest LABEL_SIZE); a label is drawn only when
# it shows at least LABEL_MIN_PX on screen, except the selected node, its neighbours
# and the view's landmarks, which are drawn at LABEL_KEEP_PX at any zoom.
LABEL_SIZE = 14
LABEL_SIZES = {"area": 22, "initiative": 17, "plan": 16, "agreement": 15, "region": 16}
LABEL_MIN_PX = 12
LABEL_KEEP_PX = 14
ICON_MIN_PX = 8          # an icon's half-width on screen, at least
KEEP_ALL = 20            # up to this many neighbours, all are labelled even where labels overlap
LANDMARKS = 10


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=256)
def icon_svg(name: str, fill: str) -> str:
    """The icon as an SVG document, in ``fill`` with a dark outline."""
    shape, mark = ICONS[name]
    mark = mark.replace("{c}", INK if contrast(fill, INK) >= contrast(fill, "#ffffff") else "#ffffff")
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
            f'<g fill="{fill}" stroke="{INK}" stroke-width="3" stroke-linejoin="round">{shape}</g>{mark}</svg>')


def icon_uri(name: str, fill: str) -> str:
    """The icon as a data: URI (the pages allow images from data: only)."""
    from urllib.parse import quote

    return "data:image/svg+xml," + quote(icon_svg(name, fill), safe=" =:/,;.-")


UI = {
    "da": {"search": "Søg efter en knude", "find": "Find", "kinds": "Slags", "areas": "Udviklingsområder",
           "phases": "Faser", "date": "Status pr.", "nophase": "Ingen status på datoen", "table": "Tabel",
           "nodes": "Knuder", "edges": "Forbindelser", "label": "Navn", "kind": "Slags", "phase": "Fase",
           "degree": "Forbindelser", "from": "Fra", "to": "Til", "link": "Forbindelse", "close": "Luk",
           "source": "Kilde", "status": "Status", "links": "Forbindelser", "notfound": "Ingen knude hedder",
           "shown": "viste knuder", "legend": "Signatur", "via": "via", "details": "Detaljer",
           "intro": "Klik på en knude for at vælge den; »Detaljer« (eller Enter eller dobbeltklik) viser alt "
                    "om den, og »Udvid naboer« henter dens naboer ind. Brug filtrene til at skjule og vise knuder.",
           "controls": "Filtre og signatur", "controls_label": "Filtre og signatur", "skip": "Spring til grafen",
           "expand": "Udvid naboer", "resource": "Åbn ressourcesiden", "iri": "IRI",
           "in_graph": "i hele grafen", "in_view": "vist her", "history": "Statushistorik",
           "selected": "Valgt", "deselect": "Fravælg",
           "expanded": "nye knuder vist", "nothing_more": "Alle naboer vises allerede; der er intet mere at udvide.",
           "beyond_file": "Knuden har flere naboer i grafen, men de er ikke med i denne fil. "
                          "Lav en visning omkring den: rammegraf graph --view node:",
           "expand_failed": "Naboerne kunne ikke hentes", "loading": "Henter naboer …",
           "canvas": "Netværksgraf. Vælg en knude med musen eller med søgefeltet; Enter åbner detaljer, "
                     "Escape lukker dem, piletasterne flytter og + og − zoomer. De samme knuder og "
                     "forbindelser står i tabellen under grafen.",
           "hidden_by_filter": "skjult af et filter"},
    "en": {"search": "Search for a node", "find": "Find", "kinds": "Kinds", "areas": "Development areas",
           "phases": "Phases", "date": "Status as of", "nophase": "No status on that date", "table": "Table",
           "nodes": "Nodes", "edges": "Links", "label": "Name", "kind": "Kind", "phase": "Phase",
           "degree": "Links", "from": "From", "to": "To", "link": "Link", "close": "Close",
           "source": "Source", "status": "Status", "links": "Links", "notfound": "No node is called",
           "shown": "nodes shown", "legend": "Legend", "via": "via", "details": "Details",
           "intro": "Click a node to select it; “Details” (or Enter, or a double click) shows all about "
                    "it, and “Expand neighbours” brings its neighbours in. Use the filters to hide and "
                    "show nodes.",
           "controls": "Filters and legend", "controls_label": "Filters and legend", "skip": "Skip to the graph",
           "expand": "Expand neighbours", "resource": "Open the resource page", "iri": "IRI",
           "in_graph": "in the whole graph", "in_view": "shown here", "history": "Status history",
           "selected": "Selected", "deselect": "Deselect",
           "expanded": "new nodes shown", "nothing_more": "All neighbours are shown already; there is nothing "
                                                          "more to expand.",
           "beyond_file": "The node has more neighbours in the graph, but they are not in this file. "
                          "Make a view around it: rammegraf graph --view node:",
           "expand_failed": "The neighbours could not be fetched", "loading": "Fetching neighbours …",
           "canvas": "Network graph. Select a node with the mouse or the search box; Enter opens its details, "
                     "Escape closes them, the arrow keys move and + and − zoom. The same nodes and links "
                     "are in the table below the graph.",
           "hidden_by_filter": "hidden by a filter"},
}
DETAILS = (RG.dateText, RG.earliest, RG.latest, RG.onDate, RG.timeText, RG.place, RG.virtual,
           RG.approvedOn, RG.implementationStart, RG.consolidation, RG.municipalityCode, RG.regionCode)

# The nodes' own triples, filtered to the detail properties: each node is looked up
# (a VALUES ?p block beside the nodes' made Oxigraph scan every triple of the twelve
# properties for each batch instead, 68,000 at a million triples, 2 s a batch)
_DETAILS_QUERY = ("SELECT ?s ?p ?v WHERE { ?s ?p ?v FILTER (?p IN (" + ", ".join(f"<{p}>" for p in DETAILS)
                  + ")) }")


# A view of one resource holds at most this many nodes (a file's hidden ring
# included): past it a drawing is a hairball, and at a million triples the depth-2
# view of a development area (2,206 nodes, 12,150 with its ring) took over 10 s to
# build. A view that would hold more shows the largest depth that fits, and says so.
MAX_NODES = 1000


class ViewError(RammegrafError):
    """A view that names nothing in the graph."""


class WholeTooLarge(ViewError):
    """The whole graph has more nodes than a served view draws (``select_view``'s
    ``whole_limit``): at a million triples 37,801, which took over 10 s to project."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"hele grafen har {count:,} knuder, flere end de {limit:,} en visning tegner "
                         f"(the whole graph has {count:,} nodes, more than the {limit:,} a view draws)"
                         .replace(",", "."))
        self.count = count


@dataclass(frozen=True)
class View:
    net: object                 # networkx MultiDiGraph of the nodes shown (and of the ring)
    title: str
    focus: str | None           # the IRI the view is centred on
    ring: frozenset = frozenset()   # nodes one hop beyond the view: in the data, hidden until expanded
    degrees: dict | None = None     # each node's number of links in the whole graph
    note: str = ""                  # why the view shows fewer hops than were asked for


def select_view(engine, view: str = "all", *, depth: int = 2, as_of: date | None = None,
                lang: str = "da", labels: Labels | None = None, ring: bool = False,
                whole_limit: int | None = None) -> View:
    """The whole projection, or the neighbourhood (``depth`` hops) of one resource,
    read from the engine. With ``ring``, the network also holds the nodes one hop
    further out (``View.ring``), so a page opened offline can expand its edge nodes.
    With ``whole_limit``, the whole graph is refused (WholeTooLarge) when it has more
    nodes than that: counting them is one query, projecting them all is not."""
    if depth < 0:
        raise ViewError("--depth skal være 0 eller mere (must be 0 or more)")
    labels = labels or Labels(engine, lang)
    if view in ("", "all"):
        if whole_limit is not None:
            from .network import node_count

            count = node_count(engine)
            if count > whole_limit:
                raise WholeTooLarge(count, whole_limit)
        net = build_network(engine, as_of=as_of, lang=lang, labels=labels, degrees=True, history=True)
        return View(net, "Hele grafen" if lang == "da" else "The whole graph", None,
                    degrees=net.graph["degrees"])
    kind, sep, slug = view.partition(":")
    if not sep or kind not in VIEW_PREFIXES or not slug:
        raise ViewError(f"ukendt visning '{view}'; brug all, area:SLUG, actor:SLUG, initiative:SLUG "
                        "eller law:SLUG (unknown view)")
    focus = _find(engine, kind, slug)
    net = build_network(engine, as_of=as_of, lang=lang, around=focus, depth=depth + bool(ring), labels=labels,
                        degrees=True, max_nodes=MAX_NODES, history=True)
    if focus not in net:
        raise ViewError(f"<{focus}> er ikke en knude i grafen (not a node of the graph)")
    outer: frozenset = frozenset()
    if ring and net.graph["depth"] > depth:  # a ring that would pass MAX_NODES is left out
        import networkx as nx

        # the projection reached each node in as many hops as its distance here
        inside = nx.single_source_shortest_path_length(net.to_undirected(as_view=True), focus, cutoff=depth)
        outer = frozenset(net) - inside.keys()
    note = ""
    if net.graph["depth"] < depth:
        note = cut_note(net.graph["depth"], net.graph["too_many"])
    return View(net, net.nodes[focus]["label"], focus, ring=outer, degrees=net.graph["degrees"], note=note)


def cut_note(shown: int, too_many: int) -> str:
    """Why a view shows only ``shown`` hops: one more would hold ``too_many`` nodes."""
    def danish(number: int) -> str:
        return f"{number:,}".replace(",", ".")

    return (f"Dybde {shown + 1} ville vise {danish(too_many)} knuder, flere end de {danish(MAX_NODES)} en "
            f"visning tegner; her er dybde {shown}. Lav en visning omkring en af knuderne for at se længere ud"
            f" (depth {shown + 1} would show {too_many:,} nodes, more than the {MAX_NODES:,} a view draws; "
            f"this is depth {shown}. Make a view around one of the nodes to see further).")


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
    # sorted: an undirected view of a directed graph yields its links in the order of a
    # set of IRIs, which differs from process to process, and so would the sums below
    edges = np.array(sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges()}),
                     dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = _spectral_start(graph, nodes, seed=seed)
    pos -= pos.min(axis=0)
    side = math.sqrt(n)
    pos = pos / max(float(np.ptp(pos)), 1e-9) * side + rng.uniform(-0.5, 0.5, size=(n, 2))
    k, temperature = 1.0, side / 10
    cooling = (0.02 / temperature) ** (1 / iterations)
    # the two axes as arrays of their own, and each node's pushes and pulls summed by
    # bincount straight from the pairs: indexing, stacking and concatenating the pairs'
    # (n, 2) rows again every step took 0.34 s of an 803-node view's 0.36 s (now 0.16 s)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    tails, heads = edges[:, 0].copy(), edges[:, 1].copy()
    for _ in range(iterations):
        pairs = cKDTree(np.column_stack((x, y))).query_pairs(2 * k, output_type="ndarray").reshape(-1, 2)
        first, second = pairs[:, 0], pairs[:, 1]
        dx, dy = x[first] - x[second], y[first] - y[second]
        push = k * k / np.maximum(dx * dx + dy * dy, 1e-4)   # k² / dist, along the unit vector
        dx *= push
        dy *= push
        ex, ey = x[tails] - x[heads], y[tails] - y[heads]
        pull = np.maximum(np.sqrt(ex * ex + ey * ey), 0.01) / k   # dist² / k, along the unit vector
        ex *= pull
        ey *= pull
        sx = (np.bincount(first, dx, n) - np.bincount(second, dx, n)
              - np.bincount(tails, ex, n) + np.bincount(heads, ex, n))
        sy = (np.bincount(first, dy, n) - np.bincount(second, dy, n)
              - np.bincount(tails, ey, n) + np.bincount(heads, ey, n))
        length = np.maximum(np.sqrt(sx * sx + sy * sy), 1e-9)
        step = np.minimum(length, temperature) / length
        x += sx * step
        y += sy * step
        temperature *= cooling
    pos = np.column_stack((x, y))
    pos -= pos.mean(axis=0)
    pos *= scale / max(float(np.abs(pos).max()), 1e-9)
    return {node: pos[i] for i, node in enumerate(nodes)}


def _spectral_start(graph, nodes: list, *, seed: int):
    """The two smallest non-trivial eigenvectors of the graph's Laplacian, one row a
    node: networkx's ``spectral_layout`` for large graphs, but with ARPACK started
    from a fixed vector. From its own random one, the same view came out another
    picture in every process (a page changed each time it was computed)."""
    import networkx as nx
    import numpy as np
    from scipy.sparse import dia_array
    from scipy.sparse.linalg import eigsh

    n = len(nodes)
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, dtype="d")
    laplacian = dia_array((adjacency.sum(axis=1), 0), shape=(n, n)).tocsr() - adjacency
    start = np.random.default_rng(seed + 1).uniform(0.5, 1.5, size=n)
    values, vectors = eigsh(laplacian, 3, which="SM", ncv=max(7, int(math.sqrt(n))), v0=start)
    return np.array(np.real(vectors[:, np.argsort(values)[1:3]]), dtype=np.float64)


def _landmarks(net, shown: list[str], degrees: dict, focus: str | None) -> set[str]:
    """The nodes whose labels show at any zoom: the focus, the development areas,
    then the best linked (at most LANDMARKS in all)."""
    rank = sorted(shown, key=lambda n: (n != focus, net.nodes[n]["kind"] != "area", -degrees.get(n, 0), n))
    return set(rank[:LANDMARKS])


def node_records(engine, net, nodes: list[str], *, labels: Labels, degrees: dict | None = None) -> list[dict]:
    """The page's data for these nodes of ``net`` (no positions)."""
    histories = _histories(engine, net, labels, nodes)
    details = _details(engine, nodes, labels)
    degrees = degrees if degrees is not None else dict(net.degree())
    out = []
    for node in nodes:
        attrs = net.nodes[node]
        record = {"id": node, "label": attrs["label"], "kind": attrs["kind"],
                  "size": round(10 + 4 * math.sqrt(degrees.get(node, 0)), 1), "deg": degrees.get(node, 0)}
        if attrs.get("areas"):
            record["areas"] = attrs["areas"]
        if node in histories:
            record["history"] = histories[node]
        if node in details:
            record["details"] = details[node]
        out.append(record)
    return out


def edge_records(net, nodes: set[str] | None = None) -> list[dict]:
    edges = []
    for u, v, d in net.edges(data=True):
        if nodes is not None and (u not in nodes or v not in nodes):
            continue
        edge = {"from": u, "to": v, "label": d["label"]}
        if d.get("via"):
            edge["via"] = d["via"]
        edges.append(edge)
    return edges


def page_data(engine, view: View, *, lang: str = "da", as_of: date | None = None,
              labels: Labels | None = None, served: bool = False) -> dict:
    """Everything the page needs, as plain data (no HTML). The nodes of the view
    carry positions; the ring beyond it (``ring: 1``) none, until expanded."""
    labels = labels or Labels(engine, lang)
    net = view.net
    shown = [n for n in net if n not in view.ring]
    positions = layout(net.subgraph(shown) if view.ring else net)
    degrees = view.degrees if view.degrees is not None else dict(net.degree())
    marks = _landmarks(net, shown, degrees, view.focus)
    nodes = node_records(engine, net, shown + sorted(view.ring), labels=labels, degrees=degrees)
    for node in nodes:
        if node["id"] in positions:
            node["x"], node["y"] = positions[node["id"]]
        else:
            node["ring"] = 1
        if node["id"] in marks:
            node["mark"] = 1
    edges = edge_records(net)
    for i, edge in enumerate(edges):
        edge["id"] = f"e{i}"
    dates = report_dates(engine)
    start = as_of.isoformat() if as_of else (dates[-1] if dates else "")
    area_rows = engine.query("SELECT ?a ?n WHERE { ?a a rg:DevelopmentArea OPTIONAL { ?a skos:notation ?n } }").rows
    labels.load(a for a, _ in area_rows)
    areas = [{"id": a.value, "label": labels.display(a)}
             for a, _ in sorted(area_rows, key=lambda r: (text(r[1]), r[0].value))]
    labels.load(iri(RG[key]) for key in PHASE_COLOURS)
    return {
        "title": view.title, **({"note": view.note} if view.note else {}), "lang": lang, "focus": view.focus,
        "date": start, "dates": dates,
        "nodes": nodes, "edges": edges, "areas": areas,
        "kinds": [{"key": k, "label": KIND_LABELS[lang][k], "icon": STYLE[k][0], "color": STYLE[k][1],
                   "uri": icon_uri(*STYLE[k])} for k, _ in KINDS],
        "phases": [{"key": key, "label": labels.of(iri(RG[key])) or key, "color": colour,
                    "uri": icon_uri(STYLE["initiative"][0], colour)} for key, colour in PHASE_COLOURS.items()],
        "nophase": icon_uri(STYLE["initiative"][0], NO_PHASE),
        "font": {"color": INK, "halo": HALO, "size": LABEL_SIZE, "sizes": LABEL_SIZES, "minPx": LABEL_MIN_PX,
                 "keepPx": LABEL_KEEP_PX, "iconPx": ICON_MIN_PX,
                 "keepAll": KEEP_ALL},
        "idBase": str(ID), "served": served,
        "ui": UI[lang],
    }


def neighbours_data(engine, node: str, *, lang: str = "da", as_of: date | None = None) -> dict | None:
    """One node and its neighbours, with every link among them, for a page that
    expands the node; None when the node is not in the graph."""
    labels = Labels(engine, lang)
    net = build_network(engine, as_of=as_of, lang=lang, around=node, depth=1, labels=labels, degrees=True,
                        history=True)
    if node not in net:
        return None
    nodes = [node] + sorted(n for n in net if n != node)
    return {"center": node, "nodes": node_records(engine, net, nodes, labels=labels, degrees=net.graph["degrees"]),
            "edges": edge_records(net)}


def _histories(engine, net, labels: Labels, nodes: list[str]) -> dict[str, list[dict]]:
    initiatives = [n for n in nodes if net.nodes[n]["kind"] == "initiative"]
    out: dict[str, list[dict]] = {}
    if "reports" in net.graph:  # read with the network, for all its initiatives
        wanted = set(initiatives)
        rows = [row for row in net.graph["reports"] if row[0].value in wanted]
    else:
        rows = status_reports(engine, initiatives)
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


def _details(engine, nodes: list[str], labels: Labels) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    labels.load(iri(p) for p in DETAILS)
    order = {p: i for i, p in enumerate(DETAILS)}
    rows = []
    for part in batches(engine, list(nodes)):
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
    """vis-network as the pyvis package ships it (never fetched from a CDN). The file is
    found without importing pyvis, which imports IPython (0.08 s of a view's process)."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RammegrafError("pyvis er ikke installeret (pyvis, which ships vis-network, is not installed)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
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


def page_csp(*, served: bool = False) -> str:
    """The graph page's Content-Security-Policy: only its own scripts, by hash; images
    only from data: (the icons). Served by the web app, it may also ask its own
    server for a node's neighbours; as a file, it can reach nothing at all."""
    hashes = " ".join(f"'{_sha256(script)}'" for script in _scripts().values())
    connect = "connect-src 'self'; " if served else ""
    return ("default-src 'none'; "
            f"script-src {hashes}; "
            f"style-src 'unsafe-inline'; img-src data:; {connect}base-uri 'none'; form-action 'none'")


def render_html(data: dict, *, site: dict | None = None) -> str:
    """The page. ``site`` (the web app's header: its menu, home and language links)
    only when the web app serves it; a file links to no page it does not have."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    # the scripts go into the page as they are, so the CSP hashes match them
    return env.get_template("graph.html").render(
        title=data["title"], note=data.get("note", ""), lang=data["lang"], ui=data["ui"],
        csp=page_csp(served=site is not None),
        site=site, kinds=data["kinds"], data_json=_script_safe_json(data), **_scripts())


def graph_page(engine, *, view: str = "all", depth: int = 2, as_of: date | None = None,
               lang: str = "da", site: dict | None = None, whole_limit: int | None = None) -> str:
    """The HTML page for one view of the graph. As a file (no ``site``), the data
    also holds the ring beyond the view, hidden, so the page can expand offline.
    ``whole_limit``: see select_view (the web app's pages pass one)."""
    return view_page(engine, view=view, depth=depth, as_of=as_of, lang=lang, site=site,
                     whole_limit=whole_limit)[0]


def view_page(engine, *, view: str = "all", depth: int = 2, as_of: date | None = None,
              lang: str = "da", site: dict | None = None, whole_limit: int | None = None) -> tuple[str, View]:
    """The page of ``graph_page`` and the view it draws (its note, for a command to show)."""
    labels = Labels(engine, lang)
    served = site is not None
    selected = select_view(engine, view, depth=depth, as_of=as_of, lang=lang, labels=labels, ring=not served,
                           whole_limit=whole_limit)
    data = page_data(engine, selected, lang=lang, as_of=as_of, labels=labels, served=served)
    return render_html(data, site=site), selected
