"""Validate the graph (or new entries with it) against ontology/shapes.ttl.

Two engines give the same results:

- ``oxigraph`` (the default): the shapes compiled to SPARQL (``rammegraf.shacl``),
  one query per constraint over all its targets, run by the store itself. It
  needs neither rdflib nor pySHACL, so a whole ``rammegraf validate`` of the
  shipped data takes a fraction of a second, and a million triples a few seconds.
- ``pyshacl``: pySHACL on an rdflib graph made from the engine's triples, the
  reference implementation; the tests hold the two engines to the same results.

A graph conforms when it has no result of severity sh:Violation; warnings are
shown but allowed (our rule for the exit code and the text; the SHACL results
graph of ``--format ttl`` says ``sh:conforms false`` whenever it has any result,
as SHACL 1.0 §3.6.1 requires).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from .namespaces import PREFIXES, RDF, SH, curie
from .store import shapes_file
from .terms import text as term_text  # a term for people: IRI, literal text or _:id

ENGINES = ("oxigraph", "pyshacl")


@dataclass(frozen=True)
class ValidationResult:
    focus_node: object          # pyoxigraph term
    path: str | None            # the property path, written as SPARQL ("rg:phase", "^rg:hasTask")
    severity: str               # "Violation", "Warning" or "Info" (or the IRI of another severity)
    constraint: str             # e.g. "sh:MinCountConstraintComponent"
    source_shape: object        # pyoxigraph term
    value: object | None        # pyoxigraph term
    messages: dict[str, str] = field(default_factory=dict)
    path_node: object = None    # the path (shacl.Path_), written as its own structure in the results graph
    source_constraint: object = None   # sh:sourceConstraint: a SPARQL constraint's node

    def message(self, lang: str = "da") -> str:
        """The message in ``lang``, else Danish, else any message there is."""
        for key in (lang, "da", "en", ""):
            if key in self.messages:
                return self.messages[key]
        return next(iter(self.messages.values()), self.constraint)

    @property
    def focus(self) -> str:
        """The focus node as text: an IRI, or _:id for a blank node."""
        return term_text(self.focus_node)

    def key(self) -> tuple:
        """What two engines must agree on: focus, path, component, severity, value."""
        return (str(self.focus_node), self.path, self.constraint, self.severity,
                None if self.value is None else str(self.value))


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: tuple[ValidationResult, ...]
    shapes: object = None       # the Shapes the results came from (for their path nodes)

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Warning")

    def triples(self) -> list:
        """The SHACL validation report as pyoxigraph triples (SHACL 1.0 §3.6)."""
        import pyoxigraph as ox

        a = ox.NamedNode(RDF.type)
        report = ox.BlankNode()
        out = [ox.Triple(report, a, ox.NamedNode(SH.ValidationReport)),
               ox.Triple(report, ox.NamedNode(SH.conforms), ox.Literal(str(not self.results).lower(),
                                                                     datatype=ox.NamedNode(_XSD_BOOLEAN)))]
        for result in self.results:
            node = ox.BlankNode()
            severity = SH[result.severity] if result.severity in ("Violation", "Warning", "Info") \
                else result.severity
            out += [ox.Triple(report, ox.NamedNode(SH.result), node),
                    ox.Triple(node, a, ox.NamedNode(SH.ValidationResult)),
                    ox.Triple(node, ox.NamedNode(SH.focusNode), result.focus_node),
                    ox.Triple(node, ox.NamedNode(SH.resultSeverity), ox.NamedNode(severity)),
                    ox.Triple(node, ox.NamedNode(SH.sourceConstraintComponent),
                              ox.NamedNode(_expand(result.constraint))),
                    ox.Triple(node, ox.NamedNode(SH.sourceShape), result.source_shape)]
            if result.path_node is not None:
                path, path_triples = result.path_node.triples()
                out += [ox.Triple(node, ox.NamedNode(SH.resultPath), path), *path_triples]
            if result.value is not None:
                out.append(ox.Triple(node, ox.NamedNode(SH.value), result.value))
            if result.source_constraint is not None:
                out.append(ox.Triple(node, ox.NamedNode(SH.sourceConstraint), result.source_constraint))
            for lang, text in sorted(result.messages.items()):
                out.append(ox.Triple(node, ox.NamedNode(SH.resultMessage),
                                     ox.Literal(text, language=lang) if lang else ox.Literal(text)))
        return out

    def turtle(self) -> str:
        import pyoxigraph as ox

        prefixes = {p: ns for p, ns in PREFIXES.items() if p != "id"}  # id:status\/… would need escapes
        return ox.serialize(self.triples(), format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _expand(name: str) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and local else name


# ---------------------------------------------------------------------------
# The compiled engine
# ---------------------------------------------------------------------------

class Meter:
    """Constraints checked so far, on a terminal when validation takes over a second."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.stream = sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done_count, self.start, self.shown = max(total, 1), 0, time.monotonic(), 0.0

    def step(self) -> None:
        self.done_count += 1
        now = time.monotonic()
        if self.enabled and now - self.start >= 1.0 and now - self.shown >= 0.2:
            self.shown = now
            self.stream.write(f"\rrammegraf: validerer (validating) {100 * self.done_count // self.total:3d} % "
                              f"({self.done_count} af {self.total} begrænsninger, constraints)")
            self.stream.flush()

    def finish(self) -> None:
        if self.shown:
            self.stream.write(f"\rrammegraf: valideret (validated) {self.total} begrænsninger på "
                              f"{time.monotonic() - self.start:.1f} s" + " " * 20 + "\n")
            self.stream.flush()


def _runner(source, *, named_graphs=()):
    """A function running a SELECT text on ``source`` and giving its rows as dicts
    (variable name → term); ``substitutions`` bind variables at the query's top
    (Oxigraph only: a blank node cannot be written in a query's text)."""
    import pyoxigraph as ox

    from .shacl.model import ShapeError

    store = getattr(source, "store", source)
    if isinstance(store, ox.Store):
        graphs = [ox.NamedNode(g) for g in named_graphs]

        def run(text, substitutions=None):
            bound = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
            try:
                solutions = store.query(text, default_graph=ox.DefaultGraph(), named_graphs=graphs,
                                        substitutions=bound or None)
            except SyntaxError as error:
                raise ShapeError(f"en forespørgsel fra formene kan ikke læses af Oxigraph: {error} "
                                 "(a query from the shapes does not parse)") from None
            names = [v.value for v in solutions.variables]
            return [dict(zip(names, solution)) for solution in solutions]
        return run

    def remote(text, substitutions=None):
        if substitutions:
            raise ShapeError("en blank node kan ikke forudbindes i en forespørgsel til en SPARQL-server "
                             "(a blank focus node cannot be pre-bound in a query to a server)")
        answer = source.query(text)
        return [dict(zip(answer.vars, row)) for row in answer.rows]
    return remote


def _validate_compiled(source, *, shapes=None, focus_nodes=None, progress: bool | None = None,
                       originals=None) -> ValidationReport:
    from .shacl import Compiler, shapes_for, subclass_table

    import pyoxigraph as ox

    shapes = shapes if shapes is not None else shapes_for()
    run = _runner(source)
    local = isinstance(getattr(source, "store", source), ox.Store)
    compiler = Compiler(shapes, subclass_table(run, shapes.classes()), portable=not local)
    checks = compiler.compile()
    if originals is None or not originals.complete:
        _refuse_unkept_datatypes(shapes)
    focus = None if focus_nodes is None else sorted(set(focus_nodes), key=str)
    found: list = []              # (check, result)
    meter = Meter(len(checks), progress)
    if focus is not None and not focus:
        checks = []
    with _shapes_graph(source, shapes, compiler.needs_shapes_graph) as graphs:
        run = _runner(source, named_graphs=graphs)
        for check, rows in _each(run, checks, focus, parallel=_parallel(source, focus)):
            for part, part_rows in _parts(run, check, rows, focus):
                found += [(part, result) for result in _results(part, part_rows)]
            meter.step()
        if originals or compiler.literal_targets:
            from .shacl.exact import rework

            found = rework(found, checks, compiler, run, source, originals, focus)
    meter.finish()
    ordered = tuple(sorted((result for _, result in found), key=_order))
    return ValidationReport(conforms=not any(r.severity == "Violation" for r in ordered),
                            results=ordered, shapes=shapes)


def _refuse_unkept_datatypes(shapes) -> None:
    """sh:datatype of a type Oxigraph's store does not keep (the integer types as
    xsd:integer, xsd:dateTimeStamp as xsd:dateTime) cannot be decided on a store the
    validator did not fill itself: refused, with what to do instead."""
    from .namespaces import curie
    from .shacl.datatypes import STORED_AS
    from .shacl.model import ShapeError

    for shape in list(shapes._shapes.values()):
        for name, value in shape.params:
            if name == "datatype" and getattr(value, "value", None) in STORED_AS:
                raise ShapeError(
                    f"formen {shape.node} bruger sh:datatype {curie(value.value)}, som ikke kan afgøres på et lager: "
                    f"Oxigraph gemmer sådanne værdier som {curie(STORED_AS[value.value])}; brug rammegraf shacl på "
                    f"filerne (sh:datatype {curie(value.value)} cannot be decided on a store, which keeps such "
                    f"values as {curie(STORED_AS[value.value])}: use `rammegraf shacl` on the files)")


def _parts(run, check, rows, focus=None):
    """The rows of each constraint of a check: a combined check found nodes failing
    some condition, and each condition's own query runs on them; a SPARQL query
    pre-bound per focus node runs once for each (for given focus nodes also one
    that is joined for the whole graph: ``near_prebound``)."""
    if check.parts:
        failing = sorted({row["this"] for row in rows}, key=str)
        if focus is None and (len(failing) > WHOLE_AFTER or any(_blank(f) for f in failing)):
            # each constraint's own query over every node: the same rows, every node with a
            # result being among those found; a blank node cannot be named in a query
            return [(part, run(part.query(None))) for part in check.parts]
        return [(part, run(part.query(failing))) for part in check.parts] if failing else []
    prebound = check.prebound if focus is None else (check.prebound or check.near_prebound)
    if prebound is not None:
        found = []
        for row in rows:
            text, substitutions = prebound.text(row["this"])
            found += [{**each, "this": row["this"]} for each in run(text, substitutions)]
        return [(check, found)]
    return [(check, rows)]


# Nodes a combined check found beyond which its constraints' own queries run over every
# node instead of on those named: the five label checks took 2.9 s on 10,000 nodes,
# 13.8 s on 50,000 and 4.5 s on every typed resource at 1M.
WHOLE_AFTER = 10_000


def _blank(term) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.BlankNode)


def _results(check, rows) -> list:
    """The validation results of a check's rows."""
    from .shacl import Path_
    from .shacl.sparql_checks import message, result_path

    out = []
    shape = check.shape
    templates = check.messages or _default_messages(check.component)
    for row in rows:
        this, path, messages = row["this"], shape.path, templates
        if check.name in ("sparql", "component"):
            value = row.get("value")
            if value is None and check.value_is_focus:
                value = this
            path = result_path(row, shape)
            messages = message(templates, row, check.param if check.name == "component" else None)
        elif check.path_column:
            value, path = row.get("value"), Path_("pred", row["path"].value)
        else:
            value = this if check.value_is_focus else row.get("value")
        out.append(ValidationResult(this, path.render() if path is not None else None, shape.severity,
                                    check.component, shape.node, value, messages, path,
                                    check.source_constraint))
    return out


class _shapes_graph:
    """$shapesGraph: the shapes beside the data as a named graph while the queries run
    (an in-memory store; removed again after)."""

    def __init__(self, source, shapes, needed: bool) -> None:
        self.source, self.shapes, self.needed, self.added = source, shapes, needed, []

    def __enter__(self) -> list:
        if not self.needed:
            return []
        import pyoxigraph as ox

        from .shacl.sparql_checks import SHAPES_GRAPH

        from .shacl.model import ShapeError

        store = getattr(self.source, "store", self.source)
        if not isinstance(store, ox.Store) or getattr(self.source, "folder", None) is not None:
            raise ShapeError("$shapesGraph kan kun bruges, når grafen er i hukommelsen (rammegraf shacl, små data) "
                             "(the shapes graph can only be put beside an in-memory graph)")
        graph = ox.NamedNode(SHAPES_GRAPH)
        self.added = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in self.shapes.graph.triples]
        store.extend(self.added)
        return [SHAPES_GRAPH]

    def __exit__(self, *exc) -> None:
        if self.added:
            store = getattr(self.source, "store", self.source)
            for quad in self.added:
                store.remove(quad)


def _parallel(source, focus) -> bool:
    """Queries side by side for the whole graph of an on-disk store (a small
    in-memory one answers faster than threads start; focus nodes need a few
    milliseconds in all)."""
    return focus is None and getattr(source, "folder", None) is not None


def _each(run, checks, focus, *, parallel: bool):
    """Each check with its rows, in order. Oxigraph evaluates a query without
    Python's lock, so on a store the queries run side by side, one per core (at
    most four): 2.3× faster on two cores at 100k triples."""
    import os

    workers = min(os.cpu_count() or 1, 4) if parallel else 1
    if workers == 1 or len(checks) < 2:
        for check in checks:
            yield check, run(check.query(focus))
        return
    from concurrent.futures import ThreadPoolExecutor

    # the checks on every typed resource are the longest: start them first, so the
    # threads end together instead of one finishing them alone
    everything = f"<{RDF.type}> ?o"
    checks = sorted(checks, key=lambda c: everything not in c.pattern)
    with ThreadPoolExecutor(workers, thread_name_prefix="rammegraf-validate") as pool:
        futures = [pool.submit(run, check.query(focus)) for check in checks]
        try:
            for check, future in zip(checks, futures):
                yield check, future.result()
        finally:
            for future in futures:
                future.cancel()


def _default_messages(component: str) -> dict[str, str]:
    from .shacl import DEFAULT_MESSAGES

    return {lang: text.format(component=component) for lang, text in DEFAULT_MESSAGES.items()}


# ---------------------------------------------------------------------------
# pySHACL, the reference
# ---------------------------------------------------------------------------

def load_shapes():
    """The shapes as an rdflib graph, for pySHACL (parsed by Oxigraph, handed over as N-Triples)."""
    from .engine import OxigraphEngine
    from .store import load_in_memory

    return rdflib_graph(OxigraphEngine(load_in_memory([shapes_file()])).dump())


def rdflib_graph(ntriples: bytes, graph=None):
    """An rdflib graph from N-Triples that Oxigraph wrote."""
    import logging

    from rdflib import Graph

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


def _validate_pyshacl(data, *, shapes=None, focus_nodes=None) -> ValidationReport:
    from pyshacl import validate as shacl_validate  # heavy: import only when asked for
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF as RDF_, SH as SH_

    shapes = shapes if shapes is not None else load_shapes()
    _, graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, abort_on_first=False,
        focus_nodes=sorted(URIRef(str(f.value)) if hasattr(f, "value") else f for f in focus_nodes)
        if focus_nodes is not None else None)
    languages = {str(m): m.language for m in shapes.objects(None, SH_.message)
                 if isinstance(m, Literal) and m.language}
    results = []
    for node in graph.subjects(RDF_.type, SH_.ValidationResult):
        messages: dict[str, str] = {}
        for message in graph.objects(node, SH_.resultMessage):
            if isinstance(message, Literal):
                # pySHACL re-creates the messages of SPARQL constraints without their
                # language tag; the shapes graph still knows which language each is.
                lang = message.language or languages.get(str(message), "")
                messages.setdefault(lang, str(message))
        path = graph.value(node, SH_.resultPath)
        value = graph.value(node, SH_.value)
        results.append(ValidationResult(
            focus_node=_ox(graph.value(node, SH_.focusNode)),
            path=_rdflib_path(graph, path) if path is not None else None,
            severity=str(graph.value(node, SH_.resultSeverity)).rsplit("#", 1)[-1],
            constraint=curie(str(graph.value(node, SH_.sourceConstraintComponent))),
            source_shape=_ox(graph.value(node, SH_.sourceShape)),
            value=_ox(value) if value is not None else None,
            messages=messages))
    ordered = tuple(sorted(results, key=_order))
    return ValidationReport(conforms=not any(r.severity == "Violation" for r in ordered), results=ordered)


def _ox(term):
    """An rdflib term as a pyoxigraph term."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term)) if str(term).isalnum() else ox.BlankNode()
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))) if term.datatype \
            else ox.Literal(str(term))
    return term


def _rdflib_path(graph, path) -> str:
    """A SHACL property path of an rdflib graph, written the SPARQL way."""
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF as RDF_, SH as SH_

    if isinstance(path, URIRef):
        return curie(str(path))
    inverse = graph.value(path, SH_.inversePath)
    if inverse is not None:
        return "^" + _rdflib_path(graph, inverse)
    alternatives = graph.value(path, SH_.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_rdflib_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    if isinstance(path, BNode) and graph.value(path, RDF_.first) is not None:
        return "/".join(_rdflib_path(graph, p) for p in Collection(graph, path))
    for kind, suffix in ((SH_.zeroOrMorePath, "*"), (SH_.oneOrMorePath, "+"), (SH_.zeroOrOnePath, "?")):
        inner = graph.value(path, kind)
        if inner is not None:
            return _rdflib_path(graph, inner) + suffix
    return str(path)


# ---------------------------------------------------------------------------
# The entry points
# ---------------------------------------------------------------------------

def validate(source, *, shapes=None, focus_nodes=None, engine: str = "oxigraph",
             progress: bool | None = None, originals=None) -> ValidationReport:
    """Validate an engine's graph (or a pyoxigraph Store, or an rdflib graph)
    against the shapes; with ``focus_nodes`` (pyoxigraph terms), only those nodes
    (the rest of the graph is still read). ``shapes``: a ``shacl.Shapes`` for the
    oxigraph engine, an rdflib graph for pySHACL (default: the shipped shapes).
    ``originals`` (``shacl.exact.Originals``): the data's own literals, where the
    caller parsed them (an rdflib graph's are read from it)."""
    if engine == "pyshacl":
        data = source if _is_rdflib(source) else rdflib_graph(source.dump())
        return _validate_pyshacl(data, shapes=shapes, focus_nodes=focus_nodes)
    if engine != "oxigraph":
        raise ValueError(f"unknown engine {engine!r}")
    if _is_rdflib(source):
        import pyoxigraph as ox

        from .shacl.exact import Originals

        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in
                   ox.parse(source.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]
        source = ox.Store()
        source.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        originals = Originals.of(triples)
    if shapes is not None and _is_rdflib(shapes):
        shapes = _shapes_from_rdflib(shapes)
    return _validate_compiled(source, shapes=shapes, focus_nodes=focus_nodes, progress=progress,
                              originals=originals)


def validate_triples(data: list, shapes: list, *, progress: bool | None = None) -> ValidationReport:
    """A data graph against a shapes graph, both given as parsed triples (pyoxigraph),
    nothing else loaded. The data's own literals are remembered where the store
    keeps another form, so every result names terms of the data."""
    return check_graphs(data, shapes, progress=progress).report


@dataclass
class GraphCheck:
    """A data graph validated against a shapes graph of one's own (``rammegraf shacl``);
    ``engine`` holds the data, for the labels of the report."""
    report: ValidationReport
    engine: object


def check_graphs(data: list, shapes: list, *, progress: bool | None = None) -> GraphCheck:
    import pyoxigraph as ox

    from .engine import OxigraphEngine
    from .shacl import ShapeError, Shapes
    from .shacl.exact import Originals

    read = Shapes(shapes)
    if not read.found:
        raise ShapeError("formgrafen har ingen former (intet sh:NodeShape, sh:PropertyShape eller mål), så intet "
                         "kan valideres (the shapes graph has no shapes: nothing to validate is no verdict)")
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in data)
    report = _validate_compiled(store, shapes=read, originals=Originals.of(data), progress=progress)
    return GraphCheck(report, OxigraphEngine(store))


def validate_files(data: list[Path], shapes: list[Path], *, progress: bool | None = None) -> GraphCheck:
    """Data files against shapes files, nothing else loaded (each file parsed by
    Oxigraph; a file given as both is read once, so its blank nodes are the same
    nodes in both graphs)."""
    from .store import parse_file

    parsed: dict = {}

    def read(path: Path) -> list:
        key = Path(path).resolve()
        if key not in parsed:
            parsed[key] = parse_file(Path(path))
        return parsed[key]

    return check_graphs([t for p in data for t in read(p)], [t for p in shapes for t in read(p)],
                        progress=progress)


def _shapes_from_rdflib(graph):
    import pyoxigraph as ox

    from .shacl import Shapes

    ntriples = graph.serialize(format="nt", encoding="utf-8")
    return Shapes([ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)])


def _is_rdflib(source) -> bool:
    return type(source).__module__.startswith("rdflib")


@dataclass
class EntryCheck:
    """New entries validated together with the graph. ``engine`` holds the graph
    and the entries (for labels) until ``close()`` (or the end of a with block)."""
    engine: object
    report: ValidationReport    # every violation, and the warnings about the entries
    hidden_warnings: int        # warnings about existing data, left out of the report
    _cleanup: object = None

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup()

    def __enter__(self) -> EntryCheck:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def validate_entries(paths, *, engine, validator: str = "oxigraph") -> EntryCheck:
    """Validate new files together with the graph the engine holds, so an entry may
    point at what is already there."""
    from .store import parse_file

    return check_entries([t for path in paths for t in parse_file(path)], engine, validator=validator)


def check_entries(entries: list, engine, *, shapes=None, validator: str = "oxigraph",
                  replacing: list = (), in_place: bool = False) -> EntryCheck:
    """Validate ``entries`` (pyoxigraph Triples) with the engine's graph: their own
    resources and the resources they point at (a new status report makes its
    initiative a focus too). Violations are reported wherever they are; warnings
    only for the entries' own resources.

    The graph and the entries are put together without copying the graph: an
    on-disk store is checkpointed (RocksDB hard-links its files, milliseconds at
    any size) into a folder beside it that the entries are added to and that is
    removed by ``close()``; an in-memory graph (small) is copied; a remote one is
    read whole, as before. ``replacing`` are the triples of an entry being edited:
    they are taken out of the graph before the new version is put in.

    ``in_place`` (for a process that owns its in-memory store and runs one thing at
    a time: a web worker) puts the entries into the engine's own store instead of a
    copy, and ``close()`` takes out exactly what was put in and puts back what was
    taken out; at 100k triples a check then costs the validation alone, not a copy."""
    import pyoxigraph as ox

    from .engine import OxigraphEngine

    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in entries]
    old = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in replacing]
    store = getattr(engine, "store", None)
    if in_place and getattr(engine, "folder", None) is None and isinstance(store, ox.Store):
        combined = store
        taken = [q for q in dict.fromkeys(old) if q in store]
        gone = set(taken)
        added = [q for q in dict.fromkeys(quads) if q in gone or q not in store]

        def cleanup():
            for quad in added:
                store.remove(quad)
            store.extend(taken)
    else:
        combined, cleanup = _together(engine)
        taken, added = old, quads
    for quad in taken:  # an entry being edited: its old version goes, the new one comes
        combined.remove(quad)
    combined.extend(added)
    try:
        together = OxigraphEngine(combined)
        subjects = {t.subject for t in entries if isinstance(t.subject, ox.NamedNode)}
        objects = sorted({t.object for t in entries if isinstance(t.object, ox.NamedNode)}, key=str)
        known = set()
        if objects:
            values = " ".join(str(o) for o in objects)
            known = {row[0] for row in combined.query(
                f"SELECT DISTINCT ?o WHERE {{ VALUES ?o {{ {values} }} ?o ?p ?x }}")}
        touched = subjects | known
        if validator == "pyshacl":
            checked = validate(together, shapes=shapes, focus_nodes=touched, engine="pyshacl")
        else:
            from .shacl.exact import Originals

            # the entries' own literals are named as written; the graph's are the store's
            checked = validate(combined, shapes=shapes, focus_nodes=touched,
                               originals=Originals.of(entries, complete=False))
        shown = tuple(r for r in checked.results if r.severity == "Violation" or r.focus_node in subjects)
        report = ValidationReport(conforms=checked.conforms, results=shown, shapes=checked.shapes)
    except BaseException:
        if cleanup is not None:
            cleanup()
        raise
    return EntryCheck(engine=together, report=report, hidden_warnings=len(checked.results) - len(shown),
                      _cleanup=cleanup)


class _Checkpoint:
    """A writable copy of an on-disk store: a RocksDB checkpoint (hard links, so
    milliseconds at any size) in a folder beside it, removed by ``close()``, or
    when the object is collected, or at exit."""

    def __init__(self, store, beside: Path) -> None:
        import pyoxigraph as ox

        self.place = Path(tempfile.mkdtemp(prefix=".check-", dir=beside))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.place), True)
        try:
            store.backup(str(self.place / "store"))
            self.store = ox.Store(str(self.place / "store"))
        except (OSError, RuntimeError) as error:
            self.close()
            from .errors import RammegrafError

            raise RammegrafError(f"grafen kunne ikke kopieres til valideringen: {error} "
                                 "(the graph could not be checkpointed for validation)") from None

    def close(self) -> None:
        self.store = None
        self._finalizer()


def _together(engine):
    """A writable store holding the engine's graph, and how to remove it."""
    import pyoxigraph as ox

    folder = getattr(engine, "folder", None)
    store = getattr(engine, "store", None)
    if folder is not None and isinstance(store, ox.Store):
        checkpoint = _Checkpoint(store, Path(folder).parent)
        return checkpoint.store, checkpoint.close
    copy = ox.Store()
    copy.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return copy, None


def _order(result: ValidationResult) -> tuple:
    rank = {"Violation": 0, "Warning": 1, "Info": 2}.get(result.severity, 3)
    return (rank, str(result.focus_node), result.path or "", result.constraint, str(result.value))

