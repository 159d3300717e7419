"""SHACL-SPARQL: SPARQL-based constraints (sh:sparql, SHACL 1.0 §5) and
SPARQL-based constraint components (§6), with sh:prefixes, pre-bound variables
($this, $value, parameters, $currentShape, $shapesGraph) and $PATH.

Pre-binding is SHACL's "values insertion" (Appendix A): every basic graph
pattern of the query is joined with the pre-bound values. Written in SPARQL,
that is a VALUES row at the start of every group of the query (and so inside
UNION branches, OPTIONAL, EXISTS and subqueries too), which any SPARQL 1.1
engine reads. A query whose $this stands only in its top-level group is the
same query joined once with all focus nodes, so it runs once for all of them
(and rgsh:selectAll, the same constraint written for all at once, is used for
the whole graph as written); any other query runs once per focus node. The
restrictions of Appendix A (no MINUS, SERVICE or VALUES; no AS for a pre-bound
variable; subqueries that return the pre-bound variables) are checked when the
shapes are read, and a query that breaks one is a failure with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..namespaces import SH
from .model import Check, ShapeError, refuse
from .prebinding import Query

SHAPES_GRAPH = "urn:x-rammegraf:shapes-graph"   # the name of the shapes graph beside the data ($shapesGraph)
_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


# ---------------------------------------------------------------------------
# Reading: prefixes and components
# ---------------------------------------------------------------------------

def prefixes_of(shapes, node) -> str:
    """The PREFIX lines declared by the values of sh:prefixes of ``node`` and what
    they owl:imports (SHACL 1.0 §5.2.1); one prefix declared twice differently is a failure."""
    declared: dict[str, str] = {}
    for holder in shapes._objects(node, SH.prefixes):
        for source in shapes.imports(holder):
            for declaration in shapes._objects(source, SH.declare):
                prefix, namespace = shapes._one(declaration, SH.prefix), shapes._one(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise ShapeError(f"sh:declare i {source} mangler sh:prefix eller sh:namespace "
                                     "(a prefix declaration needs sh:prefix and sh:namespace)")
                if declared.get(prefix.value, namespace.value) != namespace.value:
                    raise ShapeError(f"præfikset {prefix.value}: erklæres to gange forskelligt for {node} "
                                     "(a prefix is declared twice with different namespaces)")
                declared[prefix.value] = namespace.value
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))


@dataclass
class Validator:
    kind: str            # "select" or "ask"
    text: str
    prefixes: str
    messages: dict
    node: object


def read_component(shapes, node):
    """A SPARQL-based constraint component: its parameters and validators."""
    from .shapes import Component

    parameters = []
    for parameter in shapes._objects(node, SH.parameter):
        path = shapes._one(parameter, SH.path)
        if path is None or not hasattr(path, "value") or path.__class__.__name__ != "NamedNode":
            raise ShapeError(f"en parameter af {node} har ingen sh:path (a parameter needs an IRI as sh:path)")
        name = re.split(r"[#/:]", path.value)[-1]
        optional = shapes._one(parameter, SH.optional)
        parameters.append((name, path.value, optional is not None and optional.value == "true"))
    validators = {}
    for key, predicate in (("node", SH.nodeValidator), ("property", SH.propertyValidator), ("any", SH.validator)):
        found = shapes._one(node, predicate)
        if found is not None:
            validators[key] = _validator(shapes, found)
    messages = {getattr(m, "language", None) or "": m.value for m in shapes._objects(node, SH.message)}
    return Component(node, parameters, validators, messages)


def _validator(shapes, node) -> Validator:
    select, ask = shapes._one(node, SH.select), shapes._one(node, SH.ask)
    if (select is None) == (ask is None):
        raise ShapeError(f"validatoren {node} skal have én sh:select eller sh:ask "
                         "(a validator has one sh:select or sh:ask)")
    messages = {getattr(m, "language", None) or "": m.value for m in shapes._objects(node, SH.message)}
    return Validator("select" if select is not None else "ask", (select or ask).value, prefixes_of(shapes, node),
                     messages, node)


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

@dataclass
class Prebound:
    """A SELECT run once per focus node, with $this pre-bound by values insertion."""
    query: Query
    values: dict            # the other pre-bound values (parameters, $currentShape, $shapesGraph)
    path: str | None
    written: bool = False   # for another server: values written in place (Query.text)

    def text(self, this) -> tuple[str, dict]:
        """The text for one focus node, and the substitutions the engine binds (a
        blank node cannot be written in a query: Oxigraph binds it at the top)."""
        import pyoxigraph as ox

        if isinstance(this, ox.BlankNode):
            return self.query.text(self.values, path=self.path, written=self.written), {"this": this}
        return self.query.text({**self.values, "this": this}, path=self.path, written=self.written), {}


def context_values(compiler, shape, query: Query) -> dict:
    """$currentShape and $shapesGraph, where the query uses them."""
    import pyoxigraph as ox

    values = {}
    if query.uses("currentShape"):
        if isinstance(shape.node, ox.BlankNode):
            raise refuse(shape.node, "$currentShape", "formen er en blank node, som ikke kan skrives i en "
                         "forespørgsel (a blank node shape cannot be pre-bound)")
        values["currentShape"] = shape.node
    if query.uses("shapesGraph"):
        compiler.needs_shapes_graph = True
        values["shapesGraph"] = ox.NamedNode(SHAPES_GRAPH)
    return values


def sparql_constraint(compiler, shape, constraint) -> Check:
    """An sh:sparql constraint of a node or property shape."""
    query = Query(constraint.select, constraint.prefixes, owner=constraint.node,
                  prebound={"this", "shapesGraph", "currentShape"})
    values = context_values(compiler, shape, query)
    path = shape.path.sparql() if shape.path is not None else None
    messages = constraint.messages or shape.messages
    check = Check(shape, "sh:SPARQLConstraintComponent", "", True, messages, source_constraint=constraint.node,
                  name="sparql", param=constraint)
    check.value_is_focus = shape.path is None
    _plan(compiler, check, query, values, path, select_all=constraint.select_all, prefixes=constraint.prefixes)
    return check


def _plan(compiler, check: Check, query: Query, values: dict, path, *, select_all=None, prefixes: str = "") -> None:
    """One query for all focus nodes where that is the same, else one per focus node.

    On another SPARQL server a query with a transitive path runs once per focus
    node, its start written in: Virtuoso 7.2 cannot start ``$this rg:dependsOn+
    $this`` from focus nodes bound by a subquery (Virtuoso 37000 Error SQ156,
    "Internal Optimized compiler error : unknown table for a column"), and without
    a bound start it refuses a transitive path ("transitive start not given").

    On Oxigraph a query whose $this is bound at its top level and stands elsewhere
    only in FILTER (NOT) EXISTS is joined too (``Query.correlated_at_top``): the
    milestones' two constraints ran once per milestone, 22,496 queries (6 s) at
    1M triples and 183,000 (78 s) at 10M. Another server keeps one query per focus
    node (Virtuoso 7 finds nothing in a NOT EXISTS on $this; StatusRoundShape)."""
    correlated = not query.only_at_top("this") and not compiler.portable and query.correlated_at_top("this")
    joined = (query.only_at_top("this") or correlated) and not (compiler.portable and query.transitive())
    if select_all is not None and compiler.portable and \
            Query(select_all, prefixes, owner=check.shape.node, prebound=set()).transitive():
        select_all = None       # Virtuoso 7.2 wants a transitive path's start given (above)
    if select_all is not None or joined:
        chosen = query
        if select_all is not None:
            # rgsh:selectAll is joined with all focus nodes as written: no pre-binding, so
            # SHACL's rules for it (Appendix A) do not apply
            chosen = Query(select_all, prefixes, owner=check.source_constraint or check.shape.node, prebound=set())
            if chosen.projects("value") != query.projects("value"):
                raise ShapeError(f"rgsh:selectAll i {check.shape.node} skal projicere de samme variabler som "
                                 "sh:select (must project the same variables as sh:select)")
        check.body = chosen.text(values, path=path, focus="{focus}", written=compiler.portable)
        check.near = query.text(values, path=path, focus="{focus}", written=compiler.portable)
        check.has_value = query.projects("value")
        if correlated and select_all is None:
            # for a few focus nodes (new entries) still one query each: joined, Oxigraph
            # evaluates the NOT EXISTS once for the whole graph (a scan of its pattern)
            check.near = "SELECT DISTINCT ?this {chain} WHERE { {focus} }"
            check.near_prebound = Prebound(query, values, path, compiler.portable)
        return
    check.body = "SELECT DISTINCT ?this {chain} WHERE { {focus} }"
    check.prebound = Prebound(query, values, path, compiler.portable)


def component_checks(compiler, shape, use) -> list[Check]:
    """A shape's use of a SPARQL-based constraint component: its validator, with the
    parameters pre-bound (SHACL 1.0 §6.3)."""
    component = use.component
    kind = "property" if shape.path is not None else "node"
    validator = component.validators.get(kind) or component.validators.get("any")
    if validator is None:
        raise refuse(shape.node, f"komponenten {component.node}", f"den har ingen validator for en "
                     f"{'egenskabsform' if kind == 'property' else 'knudeform'} (the component has no "
                     f"validator for a {kind} shape)")
    names = {n for n, _, _ in component.parameters}
    messages = validator.messages or component.messages or shape.messages
    from ..namespaces import curie

    named = curie(component.node.value) if hasattr(component.node, "value") else str(component.node)
    check = Check(shape, named, "", True, messages, name="component", param=use)
    path = shape.path.sparql() if shape.path is not None else None
    if validator.kind == "ask":
        query = Query(validator.text, validator.prefixes, owner=validator.node,
                      prebound={"this", "value", "shapesGraph", "currentShape", *names})
        values = {**context_values(compiler, shape, query), **_parameter_values(query, use, names)}
        prologue, body = query.text(values, path=path, body_only=True, written=compiler.portable)
        data = f"?this {path} ?value" if path is not None else "BIND(?this AS ?value)"
        check.body = (f"{prologue} SELECT DISTINCT ?this ?value {{chain}} WHERE {{ {{focus}} {data} "
                      f"FILTER NOT EXISTS {{ {body} }} }}")
        check.value_is_focus = path is None
        return [check]
    query = Query(validator.text, validator.prefixes, owner=validator.node,
                  prebound={"this", "shapesGraph", "currentShape", *names})
    values = {**context_values(compiler, shape, query), **_parameter_values(query, use, names)}
    check.value_is_focus = path is None
    _plan(compiler, check, query, values, path)
    return [check]


def _parameter_values(query: Query, use, names: set[str]) -> dict:
    import pyoxigraph as ox

    values = {}
    for name in names:
        if name in use.bindings and query.uses(name):
            if isinstance(use.bindings[name], ox.BlankNode):
                raise refuse(use.component.node, f"${name}", "parameterværdien er en blank node, som ikke kan "
                             "skrives i en forespørgsel (a blank node parameter cannot be pre-bound)")
            values[name] = use.bindings[name]
    return values


def message(templates: dict, row: dict, use=None) -> dict:
    """The messages with {?var} and {$var} replaced by the row's (or the parameters') values."""
    from ..terms import text as term_text

    bound = dict(use.bindings) if use is not None else {}
    bound.update({k: v for k, v in row.items() if v is not None})
    return {lang: _TEMPLATE.sub(lambda m: term_text(bound[m.group(1)]) if m.group(1) in bound else m.group(0),
                                text)
            for lang, text in templates.items()}


def result_path(row: dict, shape):
    """sh:resultPath from a row: ?path when it is an IRI, else the shape's path."""
    import pyoxigraph as ox

    found = row.get("path")
    if isinstance(found, ox.NamedNode):
        from .model import Path_

        return Path_("pred", found.value)
    return shape.path


__all__ = ["Query", "Prebound", "sparql_constraint", "component_checks", "prefixes_of", "read_component",
           "message", "result_path", "SHAPES_GRAPH"]
