"""Validate a graph against ontology/shapes.ttl and return a typed report.

The report is built from pySHACL's results graph, never from its text report:
each result keeps its messages per language so the caller picks Danish or
English. A graph conforms when it has no result of severity sh:Violation;
warnings are shown but allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .namespaces import bind_prefixes
from .store import load_files, shapes_file


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
    return load_files([shapes_file()])


def validate(data: Graph, *, shapes: Graph | None = None, focus_nodes=None) -> ValidationReport:
    """Validate ``data`` (which must hold the ontology, for sh:class) against the shapes;
    with ``focus_nodes``, only those nodes (the rest of the graph is still read)."""
    from pyshacl import validate as shacl_validate  # heavy: import only when validating

    shapes = shapes if shapes is not None else load_shapes()
    _, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, abort_on_first=False,
        focus_nodes=sorted(focus_nodes) if focus_nodes is not None else None)
    bind_prefixes(results_graph)
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


@dataclass(frozen=True)
class EntryCheck:
    """New entries validated together with the shipped graph."""
    graph: Graph                # shipped graph + entries
    report: ValidationReport    # every violation, and the warnings about the entries
    hidden_warnings: int        # warnings about existing data, left out of the report


def validate_entries(paths, *, data_dirs=None, shapes: Graph | None = None) -> EntryCheck:
    """Validate new files together with the ontology and data, so an entry may
    point at what is already there."""
    from .store import load

    entries = load_files(paths)
    return check_entries(entries, load(data_dirs=data_dirs), shapes=shapes)


def check_entries(entries: Graph, base: Graph, *, shapes: Graph | None = None) -> EntryCheck:
    """Add ``entries`` to ``base`` (which it changes) and validate what they touch:
    their own resources and the resources they point at (a new status report makes
    its initiative a focus too), reading the whole graph. Violations are reported
    wherever they are; warnings only for the entries' own resources."""
    base += entries
    subjects = {s for s in entries.subjects() if isinstance(s, URIRef)}
    touched = subjects | {o for o in entries.objects() if isinstance(o, URIRef) and (o, None, None) in base}
    checked = validate(base, shapes=shapes, focus_nodes=touched)
    shown = tuple(r for r in checked.results if r.severity == "Violation" or r.focus_node in subjects)
    report = ValidationReport(conforms=checked.conforms, results=shown, graph=checked.graph)
    return EntryCheck(graph=base, report=report, hidden_warnings=len(checked.results) - len(shown))
