"""The projection from RDF to a networkx graph of the things analysts think in.

Nodes are initiatives, development areas, goals, agreements and plans, acts and
provisions, actors (organisations and people), milestones and meetings. Each has
its label, its kind and, for an initiative, its phase as of a chosen date.
Status reports fold into their initiative (phase, date, text, source); tasks,
challenges and decision points fold into their initiative too, so an actor
responsible for a task is linked to the initiative ("via" names the task).
Literals, source documents, phases and ontology terms are not nodes.

Everything is read from the engine with SPARQL. The whole projection is one
pass over the links; the neighbourhood of one resource (``around=``) is built
hop by hop from the store, a handful of queries a hop whatever the number of
nodes in it (each set bound as one VALUES block), so a view of one area costs
the same however large the rest of the graph is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .labels import Labels
from .namespaces import FOAF, ORG, RG
from .sparql import term_text
from .terms import date_of, is_iri, iri, text

# The kinds of node, most specific class first; the key is what views colour by.
KINDS: tuple[tuple[str, str], ...] = (
    ("initiative", RG.Initiative),
    ("area", RG.DevelopmentArea),
    ("goal", RG.Goal),
    ("plan", RG.Plan),
    ("agreement", RG.Agreement),
    ("act", RG.Act),
    ("provision", RG.LegalProvision),
    ("municipality", RG.Municipality),
    ("region", RG.Region),
    ("committee", RG.Committee),
    ("workinggroup", RG.WorkingGroup),
    ("cluster", RG.Cluster),
    ("organisation", ORG.Organization),
    ("person", FOAF.Person),
    ("milestone", RG.Milestone),
    ("meeting", RG.Meeting),
)
ORDER = {kind: i for i, (kind, _) in enumerate(KINDS)}
ITEM_LINKS = (RG.hasTask, RG.hasChallenge, RG.hasDecisionPoint)
CHUNK = 400          # IRIs in one VALUES block sent to a SPARQL server
# Above this many IRIs a lookup of items or owners reads every item link once and
# joins by hash: at a million triples 16,000 item links cost 0.04 s to read, and
# 2,000 IRIs looked up in three properties 0.09 s (60,000: 2.6 s against 0.46 s).
HASH_ITEMS_ABOVE = 1000
# ... and a lookup of kinds reads the members of each node class (38,000 at a million,
# 0.1 s; 8,000 IRIs looked up 0.2 s, most of them status reports that are no node).
HASH_KINDS_ABOVE = 2000
# ... but no more than this many IRIs in one such query: at ten million triples the
# kinds of 35,000 IRIs took 2.8 s in blocks of 15,000, 3.0 s in blocks of 10,000, and
# 163 s in blocks of 20,000 (one block of 35,000 had not ended after 300 s).
HASH_KINDS_BLOCK = 10_000


@dataclass(frozen=True)
class StatusInfo:
    as_of: str
    phase: str          # local name, e.g. "InProgress"
    phase_label: str
    text: str
    source: str


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def batches(engine, items: list) -> Iterable[list]:
    """A set of IRIs as the VALUES blocks to send: the embedded store takes the whole
    set in one query (Oxigraph looks each up; a query costs its rows, and ~10 ms
    however few), a SPARQL server takes it in chunks (its request size is its own)."""
    if getattr(engine, "remote", False):
        yield from chunks(items)
    elif items:
        yield items


def _rows_for(engine, query: str, name: str, values: list[str], *, hashed: str | None = None,
              hash_above: int | None = None, hash_block: int | None = None) -> list[tuple]:
    """The rows of ``query`` with ?``name`` bound to each of ``values`` (IRIs). On the
    embedded store, more than ``hash_above`` values run ``hashed`` instead: the same
    patterns as one sub-select, read whole and joined to the values by hash (with
    ``hash_block``, at most that many values a query)."""
    parts = batches(engine, values)
    if hashed is not None and not getattr(engine, "remote", False) and len(values) > hash_above:
        query = hashed
        if hash_block is not None:
            parts = chunks(values, hash_block)
    return [row for part in parts for row in engine.query(query, {name: [iri(v) for v in part]}).rows]


def class_kinds(engine) -> dict[str, str]:
    """Each class (and its sub-classes in the ontology) to its node kind. The
    sub-classes are followed here: Virtuoso 7 refuses ``rdfs:subClassOf*`` towards
    a bound class ("transitive start not given")."""
    children: dict[str, set[str]] = {}
    for sub, parent in engine.query("SELECT ?sub ?parent WHERE { ?sub rdfs:subClassOf ?parent }").rows:
        children.setdefault(parent.value, set()).add(sub.value)
    mapping: dict[str, str] = {}
    for kind, cls in KINDS:  # most specific kind first: a class takes the first that reaches it
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                mapping.setdefault(current, kind)
                todo.extend(children.get(current, ()))
    return mapping


_KINDS = "SELECT ?n ?c WHERE { ?n a ?c }"
_ITEM_PATTERNS = ("{ ?initiative rg:hasTask ?item } UNION { ?initiative rg:hasChallenge ?item } UNION "
                  "{ ?initiative rg:hasDecisionPoint ?item }")
_ITEMS = "SELECT ?item ?initiative WHERE { " + _ITEM_PATTERNS + " }"
_ITEMS_HASHED = "SELECT ?item ?initiative WHERE { { SELECT ?item ?initiative WHERE { " + _ITEM_PATTERNS + " } } }"


def _kinds_of(engine, classes: dict[str, str], nodes: list | None) -> dict[str, str]:
    """The node kind of each typed resource (of ``nodes``, or of all)."""
    kinds: dict[str, str] = {}
    if nodes is None:
        rows = engine.query(_KINDS, {"c": [iri(c) for c in classes]}).rows
    else:
        # by class, each a pattern of its own: Oxigraph reads only the members of the
        # node classes (a VALUES ?c beside ?n a ?c made it scan every rdf:type triple)
        members = " UNION ".join(f"{{ ?n a {term_text(iri(c))} BIND ({term_text(iri(c))} AS ?c) }}"
                                 for c in sorted(classes))
        hashed = "SELECT ?n ?c WHERE { { SELECT ?n ?c WHERE { " + members + " } } }"
        rows = _rows_for(engine, _KINDS, "n", nodes, hashed=hashed, hash_above=HASH_KINDS_ABOVE,
                         hash_block=HASH_KINDS_BLOCK)
    for node, cls in rows:
        kind = classes.get(cls.value)
        if kind and is_iri(node) and (node.value not in kinds or ORDER[kind] < ORDER[kinds[node.value]]):
            kinds[node.value] = kind
    return kinds


def node_count(engine) -> int:
    """How many nodes the whole projection has (its typed resources), without projecting it:
    counted by the engine, none of them decoded (at a million triples 0.27 s, where reading
    their kinds took 0.64 s)."""
    classes = _Projection(engine).classes
    rows = engine.query("SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE { ?n a ?c FILTER (isIRI(?n)) }",
                        {"c": [iri(c) for c in classes]}).rows
    return int(rows[0][0].value) if rows and rows[0][0] is not None else 0


def _owners(engine, items: list[str] | None) -> dict[str, str]:
    """Each task, challenge or decision point to its initiative."""
    if items is None:
        rows = engine.query(_ITEMS).rows
    else:
        rows = _rows_for(engine, _ITEMS, "item", items, hashed=_ITEMS_HASHED, hash_above=HASH_ITEMS_ABOVE)
    return {item.value: initiative.value for item, initiative in rows}


def _items(engine, initiatives: list[str]) -> dict[str, str]:
    """The tasks, challenges and decision points of these initiatives (item → initiative)."""
    rows = _rows_for(engine, _ITEMS, "initiative", initiatives, hashed=_ITEMS_HASHED, hash_above=HASH_ITEMS_ABOVE)
    return {item.value: initiative.value for item, initiative in rows}


_STATUS_REPORTS = """SELECT ?initiative ?day ?phase ?text ?source WHERE {
    ?report rg:statusOf ?initiative . OPTIONAL { ?report rg:asOf ?day }
    OPTIONAL { ?report rg:phase ?phase } OPTIONAL { ?report rg:text ?text }
    OPTIONAL { ?report prov:wasDerivedFrom ?source } }"""


def status_reports(engine, initiatives: list[str]) -> list[tuple]:
    """The status reports of these initiatives as rows (initiative, day, phase, text,
    source); all but the initiative may be None."""
    return _rows_for(engine, _STATUS_REPORTS, "initiative", initiatives)


def status_as_of(engine, as_of: date | None = None, lang: str = "da", *, initiatives: list[str] | None = None,
                 labels: Labels | None = None, reports: list[tuple] | None = None) -> dict[str, StatusInfo]:
    """Each initiative's latest status on or before ``as_of`` (the latest of all if None),
    of ``initiatives``' reports, or of ``reports`` already read (``status_reports``)."""
    query = """SELECT ?initiative ?day ?phase ?text ?source WHERE {
        ?report rg:statusOf ?initiative ; rg:asOf ?day .
        OPTIONAL { ?report rg:phase ?phase } OPTIONAL { ?report rg:text ?text }
        OPTIONAL { ?report prov:wasDerivedFrom ?source } }"""
    if reports is not None:
        rows = reports
    else:
        rows = engine.query(query).rows if initiatives is None else _rows_for(engine, query, "initiative", initiatives)
    latest: dict[str, tuple] = {}
    for initiative, day, phase, words, source in rows:
        when = date_of(day)
        if when is None or (as_of is not None and when > as_of):
            continue
        if initiative.value not in latest or when > latest[initiative.value][0]:
            latest[initiative.value] = (when, phase, words, source)
    labels = labels or Labels(engine, lang)
    labels.load(t for _, phase, _, source in latest.values() for t in (phase, source) if t is not None)
    return {initiative: StatusInfo(
                as_of=when.isoformat(),
                phase=phase.value.rsplit("#", 1)[-1] if phase is not None else "",
                phase_label=(labels.of(phase) or "") if phase is not None else "",
                text=text(words), source=(labels.of(source) or "") if source is not None else "")
            for initiative, (when, phase, words, source) in latest.items()}


def round_dates(engine) -> list[date]:
    """The dates of the status rounds in the graph, oldest first. A round is a report
    on the whole plan (rg:StatusRound: the seeds, what ``round import`` writes) with at
    least one status report; a status report made on its own, with a source that is
    no round (a form's single update), adds no date here. Read from the derived facts
    of a local store or of a server's copy (servercopy); else asked of the server
    (computing every fact there for the dates alone would cost more than this query)."""
    from .servercopy import kept

    if getattr(engine, "store", None) is not None or kept(engine):
        from .facts import round_dates as from_facts

        return from_facts(engine)
    # the inner EXISTS makes Oxigraph test the reports of each round one by one and stop
    # at the first; as one pattern it joined all of a round's reports first (0.5 s at 1M)
    rows = engine.query("""SELECT DISTINCT ?d WHERE { ?round a rg:StatusRound ; dcterms:date ?d .
        FILTER EXISTS { ?report prov:wasDerivedFrom ?round .
                        FILTER EXISTS { ?report rg:statusOf ?initiative } } }""").rows
    return sorted({d for (term,) in rows if (d := date_of(term)) is not None})


def latest_round(engine, as_of: date | None = None) -> date | None:
    """The date of the latest round on or before ``as_of`` (of all, if None); None when there is none."""
    found = [d for d in round_dates(engine) if as_of is None or d <= as_of]
    return found[-1] if found else None


def round_before(engine, day: date) -> date | None:
    """The date of the latest round strictly before ``day`` (the round a round is compared with)."""
    found = [d for d in round_dates(engine) if d < day]
    return found[-1] if found else None


def round_members(engine, day: date) -> dict[str, object]:
    """Each initiative with a status report in the round of ``day`` (derived from a
    rg:StatusRound of that date), to its phase (a term; None if the report has none)."""
    from .facts import facts_of

    return {initiative: iri(phase) if phase else None
            for initiative, phase in facts_of(engine).round_members(day).items()}


def not_in_round(engine, day: date) -> set[str]:
    """The initiatives that are not in the report of the round of ``day``: they had a
    status report before that date (of a round or a single update) and have none in
    the round. An initiative first reported after the round is never counted against
    a round it could not have been in; a single update is never a round, so it makes
    no other initiative "not in the report"."""
    from .facts import facts_of

    known = facts_of(engine)
    return known.reported_before(day) - known.round_members(day).keys()


def report_dates(engine) -> list[str]:
    """The same dates as ÅÅÅÅ-MM-DD text (for pages and JSON)."""
    return [day.isoformat() for day in round_dates(engine)]


# ---------------------------------------------------------------------------
# The projection
# ---------------------------------------------------------------------------

# A status report is no node and folds into its initiative through rg:statusOf alone,
# read with the history (status_reports): its link to the initiative is never an edge.
# Left out here, the links to an area's 800 initiatives at a million triples are 2,700
# rows, not 8,600, and the 5,900 reports are not looked up as owners and kinds.
_ALL_LINKS = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o "
              "FILTER (isIRI(?o) && isIRI(?s) && ?p != rdf:type && ?p != rg:statusOf) }")
_LINKS_FROM = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isIRI(?o) && ?p != rdf:type && ?p != rg:statusOf) }"
_LINKS_TO = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isIRI(?s) && ?p != rdf:type && ?p != rg:statusOf) }"


class _Projection:
    """Nodes, item owners and links read from the engine, folded into a network."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.classes = class_kinds(engine)
        self.kinds: dict[str, str] = {}
        self.known: dict[str, str] = {}     # every node whose kind was read, reached or not
        self.owner: dict[str, str] = {}
        self.links: set[tuple[str, str, str]] = set()

    def everything(self) -> None:
        self.kinds = _kinds_of(self.engine, self.classes, None)
        self.known = self.kinds
        self.owner = _owners(self.engine, None)
        self.links = {(s.value, p.value, o.value) for s, p, o in self.engine.query(_ALL_LINKS).rows}

    def around(self, focus: str, depth: int, *, max_nodes: int | None = None) -> tuple[int, int | None]:
        """The nodes within ``depth`` hops of ``focus`` and every link among them. With
        ``max_nodes``, the nodes of the largest depth that has at most that many (the
        focus at least). Returns that depth, and the number of nodes of the next depth
        when it had too many (else None)."""
        self.kinds = _kinds_of(self.engine, self.classes, [focus])
        if focus not in self.kinds:
            return depth, None
        reached, frontier = {focus}, {focus}
        hops, too_many = depth, None
        for hop in range(depth):
            found = self._neighbours(frontier) - reached
            if max_nodes is not None and len(reached) + len(found) > max_nodes:
                # the links of the frontier are read: the view of ``hop`` hops is whole
                hops, too_many = hop, len(reached) + len(found)
                break
            reached |= found
            frontier = found
            if not frontier:
                break
        else:
            self._neighbours(frontier)  # the links of the outermost ring, to nodes inside it and beyond
        self.known = dict(self.kinds)
        self.kinds = {n: k for n, k in self.kinds.items() if n in reached}
        return hops, too_many

    def _neighbours(self, nodes: set[str]) -> set[str]:
        """Read the links of ``nodes`` (and of their tasks, challenges and decision
        points); the nodes at their other ends."""
        if not nodes:
            return set()
        initiatives = [n for n in nodes if self.kinds.get(n) == "initiative"]
        items = _items(self.engine, initiatives)
        self.owner.update(items)
        ends = sorted(nodes | items.keys())
        rows = _rows_for(self.engine, _LINKS_FROM, "s", ends) + _rows_for(self.engine, _LINKS_TO, "o", ends)
        found = set()
        new = sorted({t.value for row in rows for t in (row[0], row[2]) if is_iri(t)}
                     - self.kinds.keys() - self.owner.keys())
        self.owner.update(_owners(self.engine, new))
        unknown = (set(new) - self.owner.keys()) | {self.owner[n] for n in new if n in self.owner} - self.kinds.keys()
        self.kinds.update(_kinds_of(self.engine, self.classes, sorted(unknown)))
        for s, p, o in rows:
            if not (is_iri(s) and is_iri(o)):
                continue
            self.links.add((s.value, p.value, o.value))
            for end in (self.owner.get(s.value, s.value), self.owner.get(o.value, o.value)):
                if end in self.kinds and end not in nodes:
                    found.add(end)
        return found

    def folded(self, ends: dict[str, str]) -> set[tuple[str, str, str, str | None]]:
        """The links between nodes of ``ends`` as edges (s, p, o, via): a task's,
        challenge's or decision point's links are its initiative's, "via" the item."""
        skip = set(ITEM_LINKS)
        edges = set()
        for s, p, o in self.links:
            if p in skip:
                continue
            via = None
            if s in self.owner:
                s, via = self.owner[s], s
            if o in self.owner:
                o, via = self.owner[o], o
            if s in ends and o in ends and s != o:
                edges.add((s, p, o, via))
        return edges

    def degrees(self) -> dict[str, int]:
        """Each node's number of links in the whole graph, not only among the nodes
        reached: every link of every reached node has been read (the outermost
        ring's too), so the count is complete."""
        counts = dict.fromkeys(self.kinds, 0)
        for s, _, o, _ in self.folded(self.known):
            if s in counts:
                counts[s] += 1
            if o in counts:
                counts[o] += 1
        return counts

    def network(self, *, as_of: date | None, lang: str, labels: Labels, history: bool = False):
        import networkx as nx

        nodes = sorted(self.kinds)
        initiatives = [n for n in nodes if self.kinds[n] == "initiative"]
        reports = status_reports(self.engine, initiatives) if history else None
        statuses = status_as_of(self.engine, as_of, lang, initiatives=initiatives, labels=labels, reports=reports)
        areas: dict[str, list[str]] = {}  # initiatives and goals name their development area
        for initiative, area in _rows_for(self.engine, "SELECT ?i ?a WHERE { ?i rg:developmentArea ?a }", "i", nodes):
            areas.setdefault(initiative.value, []).append(area.value)
        edges = list(self.folded(self.kinds))
        labels.load([iri(n) for n in nodes] + [iri(p) for _, p, _, _ in edges]
                    + [iri(v) for *_, v in edges if v])
        net = nx.MultiDiGraph()
        if history:
            net.graph["reports"] = reports
        for node in nodes:
            attrs = {"label": labels.of(iri(node)) or node, "kind": self.kinds[node], "iri": node}
            if node in areas:
                attrs["areas"] = sorted(areas[node])
            status = statuses.get(node)
            if status:
                attrs.update(phase=status.phase, phase_label=status.phase_label, status_date=status.as_of,
                             status_text=status.text, status_source=status.source)
            net.add_node(node, **attrs)
        for s, p, o, via in sorted(edges, key=lambda e: (e[0], e[1], e[2], e[3] or "")):
            attrs = {"property": p, "label": labels.of(iri(p)) or p}
            if via is not None:
                attrs["via"] = labels.of(iri(via)) or via
            net.add_edge(s, o, key=f"{p}|{via or ''}", **attrs)
        return net


def build_network(engine, *, as_of: date | None = None, lang: str = "da", around: str | None = None,
                  depth: int = 2, labels: Labels | None = None, degrees: bool = False,
                  max_nodes: int | None = None, history: bool = False):
    """A networkx MultiDiGraph: nodes keyed by IRI string, edges keyed by property.
    With ``around`` (an IRI), only the nodes within ``depth`` hops of it; with
    ``max_nodes`` as well, within as many hops as keep them at most that many:
    ``net.graph["depth"]`` is the depth built and ``net.graph["too_many"]`` the
    number of nodes one hop further, when that was too many (else None). With
    ``degrees``, ``net.graph["degrees"]`` holds each node's number of links in the
    whole graph (a view's edge nodes have links that leave the view). With
    ``history``, ``net.graph["reports"]`` holds the initiatives' status reports
    (``status_reports``), read once for their phases and for a page's histories."""
    projection = _Projection(engine)
    reached = None
    if around is None:
        projection.everything()
    else:
        reached = projection.around(around, depth, max_nodes=max_nodes)
    net = projection.network(as_of=as_of, lang=lang, labels=labels or Labels(engine, lang), history=history)
    if reached is not None:
        net.graph["depth"], net.graph["too_many"] = reached
    if degrees:
        net.graph["degrees"] = projection.degrees()
    return net


def flat_for_export(net):
    """A copy whose attributes are all strings (GraphML and GEXF take no lists)."""
    out = net.copy()
    for _, attrs in out.nodes(data=True):
        for key, value in list(attrs.items()):
            if isinstance(value, list):
                attrs[key] = "; ".join(value)
    return out
