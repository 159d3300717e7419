"""The projection from RDF to a networkx graph of the things analysts think in.

Nodes are initiatives, development areas, goals, agreements and plans, acts and
provisions, actors (organisations and people), milestones and meetings. Each has
its label, its kind and, for an initiative, its phase as of a chosen date.
Status reports fold into their initiative (phase, date, text, source); tasks,
challenges and decision points fold into their initiative too, so an actor
responsible for a task is linked to the initiative ("via" names the task).
Literals, source documents, phases and ontology terms are not nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG, PROV, RDF, RDFS

from .labels import label_of
from .namespaces import RG

# The kinds of node, most specific class first; the key is what views colour by.
KINDS: tuple[tuple[str, URIRef], ...] = (
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
ITEM_LINKS = (RG.hasTask, RG.hasChallenge, RG.hasDecisionPoint)


@dataclass(frozen=True)
class StatusInfo:
    as_of: str
    phase: str          # local name, e.g. "InProgress"
    phase_label: str
    text: str
    source: str


def class_kinds(graph: Graph) -> dict[URIRef, str]:
    """Each class (and its sub-classes in the ontology) to its node kind."""
    mapping: dict[URIRef, str] = {}
    for kind, cls in KINDS:
        for sub in graph.transitive_subjects(RDFS.subClassOf, cls):
            mapping.setdefault(sub, kind)
    return mapping


def node_kinds(graph: Graph) -> dict[URIRef, str]:
    """Every resource that becomes a node, with its kind (the most specific one)."""
    by_class = class_kinds(graph)
    order = {kind: i for i, (kind, _) in enumerate(KINDS)}
    kinds: dict[URIRef, str] = {}
    for subject, cls in graph.subject_objects(RDF.type):
        kind = by_class.get(cls)
        if kind and isinstance(subject, URIRef):
            current = kinds.get(subject)
            if current is None or order[kind] < order[current]:
                kinds[subject] = kind
    return kinds


def status_as_of(graph: Graph, as_of: date | None = None, lang: str = "da") -> dict[URIRef, StatusInfo]:
    """Each initiative's latest status on or before ``as_of`` (the latest of all if None)."""
    latest: dict[URIRef, tuple[date, URIRef]] = {}
    for report, initiative in graph.subject_objects(RG.statusOf):
        day = graph.value(report, RG.asOf)
        if not isinstance(day, Literal):
            continue
        day = day.toPython()
        if not isinstance(day, date) or (as_of is not None and day > as_of):
            continue
        if initiative not in latest or day > latest[initiative][0]:
            latest[initiative] = (day, report)
    out = {}
    for initiative, (day, report) in latest.items():
        phase = graph.value(report, RG.phase)
        source = graph.value(report, PROV.wasDerivedFrom)
        out[initiative] = StatusInfo(
            as_of=day.isoformat(),
            phase=str(phase).rsplit("#", 1)[-1] if phase else "",
            phase_label=label_of(graph, phase, lang) or "" if phase else "",
            text=str(graph.value(report, RG.text) or ""),
            source=label_of(graph, source, lang) or "" if source else "")
    return out


def round_dates(graph: Graph) -> list[date]:
    """The dates of the status rounds in the graph, oldest first."""
    return sorted({d.toPython() for d in graph.objects(None, RG.asOf) if isinstance(d, Literal)})


def report_dates(graph: Graph) -> list[str]:
    """The same dates as ÅÅÅÅ-MM-DD text (for pages and JSON)."""
    return [day.isoformat() for day in round_dates(graph)]


def build_network(graph: Graph, *, as_of: date | None = None, lang: str = "da"):
    """A networkx MultiDiGraph: nodes keyed by IRI string, edges keyed by property."""
    import networkx as nx

    kinds = node_kinds(graph)
    owner = {item: initiative for link in ITEM_LINKS
             for initiative, item in graph.subject_objects(link)}
    statuses = status_as_of(graph, as_of, lang)
    areas: dict[URIRef, list[str]] = {}
    for initiative, area in graph.subject_objects(RG.developmentArea):
        areas.setdefault(initiative, []).append(str(area))

    net = nx.MultiDiGraph()
    for node, kind in kinds.items():
        attrs = {"label": label_of(graph, node, lang) or str(node), "kind": kind, "iri": str(node)}
        if node in areas:
            attrs["areas"] = sorted(areas[node])
        status = statuses.get(node)
        if status:
            attrs.update(phase=status.phase, phase_label=status.phase_label, status_date=status.as_of,
                         status_text=status.text, status_source=status.source)
        net.add_node(str(node), **attrs)

    property_labels: dict[URIRef, str] = {}
    for subject, prop, obj in graph:
        if not isinstance(obj, URIRef) or prop == RDF.type or prop in ITEM_LINKS:
            continue
        via = None
        if subject in owner:
            subject, via = owner[subject], subject
        if obj in owner:
            obj, via = owner[obj], obj
        if subject not in kinds or obj not in kinds or subject == obj:
            continue
        if prop not in property_labels:
            property_labels[prop] = label_of(graph, prop, lang) or str(prop)
        attrs = {"property": str(prop), "label": property_labels[prop]}
        if via is not None:
            attrs["via"] = label_of(graph, via, lang) or str(via)
        key = f"{prop}|{via or ''}"
        net.add_edge(str(subject), str(obj), key=key, **attrs)
    return net


def flat_for_export(net):
    """A copy whose attributes are all strings (GraphML and GEXF take no lists)."""
    out = net.copy()
    for _, attrs in out.nodes(data=True):
        for key, value in list(attrs.items()):
            if isinstance(value, list):
                attrs[key] = "; ".join(value)
    return out
