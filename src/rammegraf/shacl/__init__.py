"""SHACL validation compiled to SPARQL and run by the store (issues 14 and 27).

pySHACL checks one focus node at a time and re-parses each SPARQL constraint per
node; at a million triples it does not finish. Here each constraint of each
shape becomes one SPARQL query over *all* its targets at once, which Oxigraph
answers with its indexes (hash joins and anti-joins), and each answer row is one
SHACL validation result: focus node, path, constraint component, severity,
value, and the shape's messages in Danish and English.

    shapes = shapes_for()                                       # shapes.ttl, read once
    table = subclass_table(run, shapes.classes())               # each class's subclasses in the data
    for check in Compiler(shapes, table).compile():             # one query per constraint
        run(check.query(None))                                  # or check.query(focus_nodes)

With focus nodes (new entries), every query starts from a VALUES block of those
nodes, so it reads only what they touch. All of SHACL Core and SHACL-SPARQL is
compiled (tests/test_shacl_suite.py runs the W3C test suite); what cannot be
checked — recursive shapes, a SPARQL constraint nested in sh:node — is refused
when the shapes are read, with the feature named, never skipped.

The modules: ``model`` (paths, checks), ``shapes`` (reading a shapes graph),
``compiler`` (shapes and nesting to checks), ``conditions`` (a term conforms to
a shape), ``value_checks``, ``count_checks`` and ``sparql_checks`` (the families
of constraints), ``prebinding`` (a SHACL-SPARQL query, checked and written with
its pre-bound values), ``datatypes`` (XSD lexical spaces), ``exact`` (the data's
own literals where Oxigraph's store keeps a canonical form) and ``evaluator``
(SHACL Core in Python, term by term, which ``exact`` uses).
"""

from __future__ import annotations

from pathlib import Path

from ..namespaces import RDFS
from .compiler import Compiler
from .model import DEFAULT_MESSAGES, Check, Path_, ShapeError, nt, string
from .shapes import FOCUS_PARAMS, QUIET, VALUE_PARAMS, Shape, Shapes

__all__ = ["Compiler", "Check", "Path_", "Shape", "ShapeError", "Shapes", "DEFAULT_MESSAGES", "FOCUS_PARAMS",
           "QUIET", "VALUE_PARAMS", "nt", "string", "shapes_for", "subclass_table"]


def subclass_table(run, classes: set[str]) -> dict[str, set[str]]:
    """Each class with itself and its subclasses in the data (rdfs:subClassOf*).

    The closure is computed here from the rdfs:subClassOf pairs, not by the
    server: Virtuoso 7 answers ``?sub rdfs:subClassOf* ?c`` with its start bound
    by VALUES with "Virtuoso 37000 Error TR…: transitive start not given" (it
    wants a constant or a variable bound by a triple before the path)."""
    table = {c: {c} for c in classes}
    if not classes:
        return table
    import pyoxigraph as ox

    below: dict[str, set[str]] = {}
    for row in run(f"SELECT ?sub ?sup WHERE {{ ?sub <{RDFS.subClassOf}> ?sup }}"):
        sub, sup = row["sub"], row["sup"]
        if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
            below.setdefault(sup.value, set()).add(sub.value)
    for cls, found in table.items():
        todo = [cls]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
    return table


_SHAPES: dict = {}


def shapes_for(path: Path | None = None) -> Shapes:
    """The shapes of ``path`` (default: the shipped shapes), read once per file state."""
    from ..store import shapes_file

    path = Path(path or shapes_file())
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _SHAPES:
        _SHAPES.clear()
        _SHAPES[key] = Shapes.load(path)
    return _SHAPES[key]
