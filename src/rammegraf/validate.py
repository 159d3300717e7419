"""Validate the graph (or new entries with it) against ontology/shapes.ttl.

pySHACL checks an rdflib graph made from the engine's triples (N-Triples written
by Oxigraph, so rdflib parses nothing a user wrote). The report is built from
pySHACL's results graph, never from its text report: each result keeps its
messages per language so the caller picks Danish or English. A graph conforms
when it has no result of severity sh:Violation; warnings are shown but allowed
(our rule for the exit code and the text; the SHACL results graph itself says
``sh:conforms false`` whenever it has any result, as SHACL 1.0 §3.6.1 requires).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .namespaces import bind_prefixes
from .store import shapes_file


@dataclass(frozen=True)
class ValidationResult:
    focus_node: Node
    path: str | None            # the property path, written as SPARQL ("rg:phase", "^rg:hasTask")
    severity: str               # "Violation", "Warning" or "Info"
    constraint: str             # e.g. "sh:MinCountConstraintComponent"
    source_shape: Node
    value: Node | None
    messages: dict[str, str] = field(default_factory=dict)

    def message(self, lang: str = "da") -> str:
        """The message in ``lang``, else Danish, else any message there is."""
        for key in (lang, "da", "en", ""):
            if key in self.messages:
                return self.messages[key]
        return next(iter(self.messages.values()), self.constraint)


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph                # the SHACL results graph (`--format ttl`)

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Warning")


def load_shapes() -> Graph:
    """The shapes as an rdflib graph (parsed by Oxigraph, handed over as N-Triples)."""
    from .engine import OxigraphEngine
    from .store import load_in_memory

    return rdflib_graph(OxigraphEngine(load_in_memory([shapes_file()])).dump())


def rdflib_graph(ntriples: bytes, graph: Graph | None = None) -> Graph:
    """An rdflib graph from N-Triples that Oxigraph wrote."""
    import logging

    graph = graph if graph is not None else Graph()
    if ntriples.strip():
        # rdflib logs a whole traceback for a literal it cannot convert (an impossible
        # date such as 2025-02-30); the shapes report that value, so the log is noise
        term_log = logging.getLogger("rdflib.term")
        level = term_log.level
        term_log.setLevel(logging.CRITICAL)
        try:
            graph.parse(data=ntriples.decode("utf-8"), format="nt")
        finally:
            term_log.setLevel(level)
    return graph


def validate(source, *, shapes: Graph | None = None, focus_nodes=None) -> ValidationReport:
    """Validate an engine's graph (or an rdflib graph) against the shapes; with
    ``focus_nodes``, only those nodes (the rest of the graph is still read)."""
    data = source if isinstance(source, Graph) else rdflib_graph(source.dump())
    return _validate_graph(data, shapes=shapes, focus_nodes=focus_nodes)


def _validate_graph(data: Graph, *, shapes: Graph | None, focus_nodes) -> ValidationReport:
    from pyshacl import validate as shacl_validate  # heavy: import only when validating

    shapes = shapes if shapes is not None else load_shapes()
    _, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, abort_on_first=False,
        focus_nodes=sorted(focus_nodes) if focus_nodes is not None else None)
    bind_prefixes(results_graph)
    _standard_conforms(results_graph)
    languages = _message_languages(shapes)
    results = tuple(sorted((_result(results_graph, node, languages) for node in
                            results_graph.subjects(RDF.type, SH.ValidationResult)),
                           key=_order))
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms=conforms, results=results, graph=results_graph)


def _message_languages(shapes: Graph) -> dict[str, str]:
    """Each sh:message text in the shapes graph, mapped to its language tag."""
    return {str(m): m.language for m in shapes.objects(None, SH.message)
            if isinstance(m, Literal) and m.language}


def _result(graph: Graph, node: Node, languages: dict[str, str]) -> ValidationResult:
    messages: dict[str, str] = {}
    for message in graph.objects(node, SH.resultMessage):
        if isinstance(message, Literal):
            # pySHACL re-creates the messages of SPARQL constraints without their
            # language tag; the shapes graph still knows which language each is.
            lang = message.language or languages.get(str(message), "")
            messages.setdefault(lang, str(message))
    path = graph.value(node, SH.resultPath)
    return ValidationResult(
        focus_node=graph.value(node, SH.focusNode),
        path=render_path(graph, path) if path is not None else None,
        severity=_local(graph.value(node, SH.resultSeverity)),
        constraint=graph.namespace_manager.normalizeUri(
            graph.value(node, SH.sourceConstraintComponent)),
        source_shape=graph.value(node, SH.sourceShape),
        value=graph.value(node, SH.value),
        messages=messages,
    )


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL property path written the SPARQL way: rg:a, ^rg:a, (a|b), a/b."""
    if isinstance(path, URIRef):
        return graph.namespace_manager.normalizeUri(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    if isinstance(path, BNode) and graph.value(path, RDF.first) is not None:
        return "/".join(render_path(graph, p) for p in Collection(graph, path))
    for kind, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, kind)
        if inner is not None:
            return render_path(graph, inner) + suffix
    return str(path)


def _local(iri: Node | None) -> str:
    return str(iri).rsplit("#", 1)[-1] if iri is not None else "Violation"


def _order(result: ValidationResult) -> tuple:
    rank = {"Violation": 0, "Warning": 1, "Info": 2}.get(result.severity, 3)
    return (rank, str(result.focus_node), result.path or "", result.constraint)


def _standard_conforms(results: Graph) -> None:
    """SHACL 1.0 §3.6.1: a report conforms only when it has no result at all
    (pySHACL with allow_warnings says true when every result is a warning)."""
    report = next(results.subjects(RDF.type, SH.ValidationReport), None)
    if report is not None:
        has_results = (report, SH.result, None) in results
        results.set((report, SH.conforms, Literal(not has_results)))


@dataclass(frozen=True)
class EntryCheck:
    """New entries validated together with the graph."""
    engine: object              # an in-memory engine holding the graph and the entries (for labels)
    report: ValidationReport    # every violation, and the warnings about the entries
    hidden_warnings: int        # warnings about existing data, left out of the report


def validate_entries(paths, *, engine) -> EntryCheck:
    """Validate new files together with the graph the engine holds, so an entry may
    point at what is already there."""
    from .store import parse_file

    return check_entries([t for path in paths for t in parse_file(path)], engine)


def check_entries(entries: list, engine, *, shapes: Graph | None = None) -> EntryCheck:
    """Validate ``entries`` (pyoxigraph Triples) with the engine's graph: their own
    resources and the resources they point at (a new status report makes its
    initiative a focus too), reading the whole graph. Violations are reported
    wherever they are; warnings only for the entries' own resources."""
    import pyoxigraph as ox

    from .engine import OxigraphEngine

    combined = ox.Store()
    combined.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    combined.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in entries)
    together = OxigraphEngine(combined)
    subjects = {URIRef(t.subject.value) for t in entries if isinstance(t.subject, ox.NamedNode)}
    objects = {t.object for t in entries if isinstance(t.object, ox.NamedNode)}
    known = {o for o in objects if together.query("ASK { ?o ?p ?x }", {"o": o}).boolean}
    touched = subjects | {URIRef(o.value) for o in known}
    checked = validate(together, shapes=shapes, focus_nodes=touched)
    shown = tuple(r for r in checked.results if r.severity == "Violation" or r.focus_node in subjects)
    report = ValidationReport(conforms=checked.conforms, results=shown, graph=checked.graph)
    return EntryCheck(engine=together, report=report, hidden_warnings=len(checked.results) - len(shown))
