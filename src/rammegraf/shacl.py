"""SHACL validation compiled to SPARQL and run by the store (issue 14).

pySHACL checks one focus node at a time and re-parses each SPARQL constraint per
node; at a million triples it does not finish. Here each constraint of each
shape becomes one SPARQL query over *all* its targets at once, which Oxigraph
answers with its indexes (hash joins and anti-joins), and each answer row is one
SHACL validation result: focus node, path, constraint component, severity,
value, and the shape's messages in Danish and English.

    shapes = shapes_for()                                       # shapes.ttl, read by Oxigraph
    table = subclass_table(run, shapes.classes())               # each class's subclasses in the data
    for check in Compiler(shapes, table).compile():             # one query per constraint
        run(check.query(None))                                  # or check.query(focus_nodes)

With focus nodes (new entries), every query starts from a VALUES block of those
nodes, so it reads only what they touch. The SHACL core features the shapes use
are compiled, and a few more (sh:node, sh:and, sh:not, sh:xone, value ranges,
lengths, sh:hasValue, sh:equals, sh:disjoint, sh:lessThan, sh:targetNode,
sh:targetObjectsOf); a shape with a feature outside that set is refused when the
shapes are read, with the feature named, instead of being skipped in silence.

One place differs from pySHACL on purpose: SHACL 1.0 §4.4.3-4 makes a pair of
values that cannot be compared (an xsd:date and an xsd:dateTime) a result of
sh:lessThan / sh:lessThanOrEquals; pySHACL reports nothing for it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RammegrafError
from .namespaces import RDF, RDFS, RGSH, SH, XSD, curie


class ShapeError(RammegrafError):
    """The shapes use a SHACL feature this validator does not compile."""


# ---------------------------------------------------------------------------
# Terms and SPARQL text
# ---------------------------------------------------------------------------

def nt(term) -> str:
    """A pyoxigraph term in SPARQL (N-Triples syntax is valid SPARQL for IRIs and
    literals; blank nodes of the shapes never reach a query)."""
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        raise ShapeError(f"en blank node kan ikke bruges som værdi i en form ({term}) "
                         "(a blank node cannot be used as a value in a shape)")
    return str(term)


def string(text: str) -> str:
    """A SPARQL string literal for ``text``."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"'


# ---------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Path_:
    """A SHACL property path: kind is one of pred, inv, alt, seq, star, plus, opt."""
    kind: str
    iri: str = ""
    parts: tuple = ()

    def sparql(self) -> str:
        if self.kind == "pred":
            return f"<{self.iri}>"
        if self.kind == "inv":
            return f"^({self.parts[0].sparql()})"
        if self.kind == "alt":
            return "(" + "|".join(p.sparql() for p in self.parts) + ")"
        if self.kind == "seq":
            return "(" + "/".join(p.sparql() for p in self.parts) + ")"
        return f"({self.parts[0].sparql()}){ {'star': '*', 'plus': '+', 'opt': '?'}[self.kind]}"

    def render(self) -> str:
        """Written the SPARQL way with prefixes, as reports show it: rg:a, ^rg:a, (a|b), a/b."""
        if self.kind == "pred":
            return curie(self.iri)
        if self.kind == "inv":
            return "^" + self.parts[0].render()
        if self.kind == "alt":
            return "(" + "|".join(p.render() for p in self.parts) + ")"
        if self.kind == "seq":
            return "/".join(p.render() for p in self.parts)
        return self.parts[0].render() + {"star": "*", "plus": "+", "opt": "?"}[self.kind]


# ---------------------------------------------------------------------------
# Reading the shapes
# ---------------------------------------------------------------------------

# Constraint parameters that take one value each, by component.
VALUE_PARAMS = {
    "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent", "pattern": "PatternConstraintComponent",
    "languageIn": "LanguageInConstraintComponent", "in": "InConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent", "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent", "maxExclusive": "MaxExclusiveConstraintComponent",
    "minLength": "MinLengthConstraintComponent", "maxLength": "MaxLengthConstraintComponent",
    "node": "NodeConstraintComponent", "or": "OrConstraintComponent", "and": "AndConstraintComponent",
    "not": "NotConstraintComponent", "xone": "XoneConstraintComponent",
}
FOCUS_PARAMS = {
    "minCount": "MinCountConstraintComponent", "maxCount": "MaxCountConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent", "hasValue": "HasValueConstraintComponent",
    "equals": "EqualsConstraintComponent", "disjoint": "DisjointConstraintComponent",
    "lessThan": "LessThanConstraintComponent", "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
}
# Parameters read with another one, or not constraints at all.
QUIET = {"path", "message", "severity", "name", "description", "order", "group", "defaultValue",
         "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "sparql",
         "flags", "deactivated", "prefixes", "declare"}


@dataclass
class Shape:
    node: object                        # the shape's IRI or blank node (pyoxigraph term)
    path: Path_ | None                  # a property shape's path; None for a node shape
    severity: str = "Violation"
    messages: dict = field(default_factory=dict)      # language → text
    params: list = field(default_factory=list)        # (name, value) in reading order
    targets: list = field(default_factory=list)       # (kind, term)
    properties: list = field(default_factory=list)    # nested property Shapes
    sparql: list = field(default_factory=list)        # (sh:select, rgsh:selectAll or None, messages)
    deactivated: bool = False


class Shapes:
    """The shapes of one shapes graph (a pyoxigraph store), read once."""

    def __init__(self, store) -> None:
        self.store = store
        self._shapes: dict = {}
        self.top: list[Shape] = []
        self._read()

    @classmethod
    def load(cls, path: Path | None = None) -> Shapes:
        from .store import load_in_memory, shapes_file

        return cls(load_in_memory([path or shapes_file()]))

    # -- triples ---------------------------------------------------------
    def _objects(self, subject, predicate: str) -> list:
        import pyoxigraph as ox

        return [q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    def _one(self, subject, predicate: str):
        found = self._objects(subject, predicate)
        return found[0] if found else None

    def _list(self, head) -> list:
        out = []
        while head is not None and getattr(head, "value", None) != RDF.nil:
            first = self._one(head, RDF.first)
            if first is None:
                raise ShapeError(f"en RDF-liste i formene er brudt ved {head} (a broken RDF list in the shapes)")
            out.append(first)
            head = self._one(head, RDF.rest)
        return out

    def _path(self, node) -> Path_:
        import pyoxigraph as ox

        if isinstance(node, ox.NamedNode):
            return Path_("pred", node.value)
        if self._one(node, RDF.first) is not None:
            return Path_("seq", parts=tuple(self._path(p) for p in self._list(node)))
        for predicate, kind in ((SH.inversePath, "inv"), (SH.zeroOrMorePath, "star"),
                                (SH.oneOrMorePath, "plus"), (SH.zeroOrOnePath, "opt")):
            inner = self._one(node, predicate)
            if inner is not None:
                return Path_(kind, parts=(self._path(inner),))
        alternatives = self._one(node, SH.alternativePath)
        if alternatives is not None:
            return Path_("alt", parts=tuple(self._path(p) for p in self._list(alternatives)))
        raise ShapeError(f"stien {node} forstås ikke (the path is not understood)")

    # -- shapes ----------------------------------------------------------
    def _read(self) -> None:
        import pyoxigraph as ox

        found = set()
        for kind in ("NodeShape", "PropertyShape"):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(RDF.type), ox.NamedNode(SH[kind])):
                found.add(quad.subject)
        for target in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(SH[target]), None):
                found.add(quad.subject)
        # A shape is checked when it has targets; nested shapes are checked through their parents.
        for node in sorted(found, key=str):
            shape = self.shape(node)
            if shape.targets and not shape.deactivated:
                self.top.append(shape)

    def shape(self, node) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        import pyoxigraph as ox

        path = self._one(node, SH.path)
        shape = Shape(node, self._path(path) if path is not None else None)
        self._shapes[node] = shape
        severity = self._one(node, SH.severity)
        if severity is not None:
            shape.severity = severity.value.rsplit("#", 1)[-1]
        for message in self._objects(node, SH.message):
            shape.messages[getattr(message, "language", None) or ""] = message.value
        deactivated = self._one(node, SH.deactivated)
        shape.deactivated = deactivated is not None and deactivated.value == "true"
        for target in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            shape.targets += [(target, t) for t in self._objects(node, SH[target])]
        if next(self.store.quads_for_pattern(node, ox.NamedNode(RDF.type), ox.NamedNode(RDFS.Class)), None):
            shape.targets.append(("targetClass", node))          # an implicit class target
        for quad in self.store.quads_for_pattern(node, None, None):
            name = quad.predicate.value[len(str(SH)):] if quad.predicate.value.startswith(str(SH)) else None
            if name is None or name in QUIET:
                continue
            if name not in VALUE_PARAMS and name not in FOCUS_PARAMS:
                raise ShapeError(f"formen {node} bruger sh:{name}, som rammegrafs validering ikke kender "
                                 f"(the shape uses sh:{name}, which rammegraf's validator does not compile)")
            shape.params.append((name, quad.object))
        shape.params.sort(key=lambda p: (p[0], str(p[1])))
        shape.properties = [self.shape(p) for p in sorted(self._objects(node, SH.property), key=str)]
        for constraint in sorted(self._objects(node, SH.sparql), key=str):
            select = self._one(constraint, SH.select)
            if select is None:
                raise ShapeError(f"SPARQL-begrænsningen i {node} har ingen sh:select "
                                 "(the SPARQL constraint has no sh:select)")
            off = self._one(constraint, SH.deactivated)
            if off is not None and off.value == "true":
                continue
            messages = {getattr(m, "language", None) or "": m.value for m in self._objects(constraint, SH.message)}
            select_all = self._one(constraint, RGSH.selectAll)
            shape.sparql.append((select.value, select_all.value if select_all is not None else None,
                                 messages or shape.messages))
        return shape

    def classes(self) -> set[str]:
        """Every class the shapes name (sh:class and class targets), for the subclass lookup."""
        out = set()
        for shape in self._shapes.values():
            out |= {t.value for kind, t in shape.targets if kind == "targetClass"}
            out |= {v.value for name, v in shape.params if name == "class"}
        return out

    def path_triples(self, path_node) -> list:
        """The triples that describe a path node (for the results graph)."""
        out, todo, seen = [], [path_node], set()
        import pyoxigraph as ox

        while todo:
            node = todo.pop()
            if node in seen or not isinstance(node, ox.BlankNode):
                continue
            seen.add(node)
            for quad in self.store.quads_for_pattern(node, None, None):
                out.append(ox.Triple(quad.subject, quad.predicate, quad.object))
                todo.append(quad.object)
        return out


# ---------------------------------------------------------------------------
# Compiling
# ---------------------------------------------------------------------------

# Datatypes Oxigraph can cast a string to: a literal of one of them is valid when
# the cast of its text succeeds (Oxigraph keeps an ill-typed literal as written).
CASTABLE = {XSD[n] for n in ("boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time",
                             "duration", "dayTimeDuration", "yearMonthDuration", "int", "long", "short",
                             "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
                             "positiveInteger", "negativeInteger", "nonNegativeInteger",
                             "nonPositiveInteger", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay",
                             "dateTimeStamp")}
NODE_KINDS = {
    "IRI": "isIRI({x})", "BlankNode": "isBlank({x})", "Literal": "isLiteral({x})",
    "BlankNodeOrIRI": "(isIRI({x}) || isBlank({x}))", "BlankNodeOrLiteral": "(isBlank({x}) || isLiteral({x}))",
    "IRIOrLiteral": "(isIRI({x}) || isLiteral({x}))",
}
# Messages for a shape that has none of its own (SHACL leaves them to the engine).
DEFAULT_MESSAGES = {
    "da": "Værdien opfylder ikke formens krav ({component}).",
    "en": "The value does not satisfy the shape ({component}).",
}


@dataclass
class Check:
    """One query: the results of one constraint of one shape.

    Two texts of the same query: ``body`` for the whole graph, where each part is
    a subquery of its own so that Oxigraph scans each predicate once and joins by
    hashing (its per-row index lookups cost ~10 µs each on disk), and ``near`` for
    a few focus nodes, which starts from them and looks up only what they touch
    (FILTER NOT EXISTS instead of MINUS). Both hold {focus} where the focus nodes go."""
    shape: Shape
    component: str                      # e.g. "sh:MinCountConstraintComponent"
    body: str
    has_value: bool                     # whether the query projects ?value
    messages: dict
    value_is_focus: bool = False        # a node shape: the value node is the focus node
    pattern: str = ""                   # the target pattern
    near: str = ""                      # the text for focus nodes (default: body)
    near_pattern: str = ""              # the target pattern after focus nodes
    cond: str | None = None             # a value condition ?value must meet (combinable)
    parts: list = field(default_factory=list)  # combined: the checks to run on the nodes found

    @property
    def path(self) -> Path_ | None:
        return self.shape.path

    def query(self, focus: list | None) -> str:
        """The query text, over all targets or over ``focus`` (pyoxigraph terms)."""
        if focus is None:
            start = f"{{ SELECT DISTINCT ?this WHERE {{ {self.pattern} }} }}"
            return self.body.replace("{focus}", start)
        values = " ".join(nt(f) for f in focus)
        start = f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {values} }} {self.near_pattern or self.pattern} }} }}"
        return (self.near or self.body).replace("{focus}", start)


class Compiler:
    def __init__(self, shapes: Shapes, subclasses: dict[str, set[str]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses     # class IRI → itself and every subclass in the data
        self.counter = itertools.count()

    def var(self, stem: str) -> str:
        return f"?{stem}{next(self.counter)}"

    def types(self, iri: str) -> str:
        return " ".join(f"<{c}>" for c in sorted(self.subclasses.get(iri, {iri})))

    # -- targets ----------------------------------------------------------
    def target_pattern(self, shape: Shape, *, near: bool = False) -> str:
        """The pattern binding ?this to the shape's targets. ``near``: for focus
        nodes bound before it (a FILTER on the type, so the store looks up each
        focus node's types; a VALUES of types would make it read every instance)."""
        parts = []
        for kind, term in shape.targets:
            if kind == "targetClass":
                t = self.var("t")
                if near:
                    types = ", ".join(f"<{c}>" for c in sorted(self.subclasses.get(term.value, {term.value})))
                    parts.append(f"?this <{RDF.type}> {t} . FILTER({t} IN ({types}))")
                else:
                    parts.append(f"?this <{RDF.type}> {t} . VALUES {t} {{ {self.types(term.value)} }}")
            elif kind == "targetNode":
                parts.append(f"VALUES ?this {{ {nt(term)} }}")
            elif kind == "targetSubjectsOf":
                parts.append(f"?this {nt(term)} {self.var('o')} .")
            elif kind == "targetObjectsOf":
                parts.append(f"{self.var('s')} {nt(term)} ?this .")
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    # -- conditions: a FILTER expression true when {x} conforms ----------------
    def condition(self, name: str, value, x: str, shape: Shape) -> str:
        if name == "class":
            t = self.var("c")
            return f"EXISTS {{ {x} <{RDF.type}> {t} . VALUES {t} {{ {self.types(value.value)} }} }}"
        if name == "datatype":
            return self.datatype(value.value, x)
        if name == "nodeKind":
            return NODE_KINDS[value.value.rsplit("#", 1)[-1]].format(x=x)
        if name == "pattern":
            flags = self.shapes._one(shape.node, SH.flags)
            extra = f", {string(flags.value)}" if flags is not None else ""
            return f"(!isBlank({x}) && REGEX(STR({x}), {string(value.value)}{extra}))"
        if name == "languageIn":
            tags = [t.value for t in self.shapes._list(value)]
            if not tags:
                return "false"
            return f"(isLiteral({x}) && (" + " || ".join(f"langMatches(lang({x}), {string(t)})" for t in tags) + "))"
        if name == "in":
            members = self.shapes._list(value)
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({x}, {nt(m)})" for m in members) + ")"
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[name]
            return f"COALESCE({x} {op} {nt(value)}, false)"
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            return f"(!isBlank({x}) && STRLEN(STR({x})) {op} {int(value.value)})"
        if name == "node":
            return self.conforms(self.shapes.shape(value), x)
        if name in ("or", "and", "xone"):
            members = [self.conforms(self.shapes.shape(m), x) for m in self.shapes._list(value)]
            if not members:
                return "false" if name in ("or", "xone") else "true"
            if name == "or":
                return "(" + " || ".join(members) + ")"
            if name == "and":
                return "(" + " && ".join(members) + ")"
            counted = " + ".join(f"IF({m}, 1, 0)" for m in members)
            return f"(({counted}) = 1)"
        if name == "not":
            return f"(!{self.conforms(self.shapes.shape(value), x)})"
        raise ShapeError(f"sh:{name} kan ikke bruges inde i en anden form (cannot be nested)")

    def datatype(self, iri: str, x: str) -> str:
        if iri == RDF.langString:
            return f"(isLiteral({x}) && lang({x}) != \"\")"
        if iri == XSD.string:
            return f"(isLiteral({x}) && datatype({x}) = <{iri}>)"
        test = f"(isLiteral({x}) && datatype({x}) = <{iri}>"
        if iri in CASTABLE:
            test += f" && COALESCE(isLiteral(<{iri}>(STR({x}))), false)"
        return test + ")"

    def conforms(self, shape: Shape, x: str) -> str:
        """A FILTER expression: {x} conforms to ``shape`` (a nested shape)."""
        if shape.sparql:
            raise ShapeError(f"en SPARQL-begrænsning kan ikke stå i en indlejret form ({shape.node}) "
                             "(a SPARQL constraint cannot be nested)")
        parts = []
        if shape.path is None:
            parts += [self.condition(name, value, x, shape) for name, value in shape.params]
        else:
            path = shape.path.sparql()
            for name, value in shape.params:
                if name == "minCount":
                    parts.append(self.at_least(x, path, int(value.value)))
                elif name == "maxCount":
                    parts.append(f"(!{self.at_least(x, path, int(value.value) + 1)})")
                elif name in VALUE_PARAMS:
                    y = self.var("y")
                    parts.append(f"NOT EXISTS {{ {x} {path} {y} . FILTER(!{self.condition(name, value, y, shape)}) }}")
                else:
                    raise ShapeError(f"sh:{name} kan ikke bruges i en indlejret form endnu (not nested yet)")
        for prop in shape.properties:
            parts.append(self.conforms(prop, x))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def at_least(self, x: str, path: str, n: int) -> str:
        if n <= 0:
            return "true"
        ys = [self.var("y") for _ in range(n)]
        triples = " ".join(f"{x} {path} {y} ." for y in ys)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(ys, 2))
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

    # -- the checks ---------------------------------------------------------
    def compile(self) -> list[Check]:
        checks, groups = [], {}
        for shape in self.shapes.top:
            pattern, near = self.target_pattern(shape), self.target_pattern(shape, near=True)
            for check in [c for prop in [shape, *(p for p in shape.properties if not p.deactivated)]
                          for c in self.shape_checks(prop)]:
                check.pattern, check.near_pattern = pattern, near
                if check.cond is not None:
                    # value conditions on the same targets and path: one scan for all
                    key = (pattern, check.path.sparql() if check.path is not None else None)
                    if key not in groups:
                        groups[key] = []
                        checks.append(groups[key])
                    groups[key].append(check)
                else:
                    checks.append(check)
        return [self.combined(c) if isinstance(c, list) else c for c in checks]

    def combined(self, group: list[Check]) -> Check:
        """Several value conditions on one path and the same targets as one query
        that finds the focus nodes failing any of them; each condition's own query
        then runs only for those nodes (none, in data that conforms)."""
        if len(group) == 1:
            return group[0]
        first = group[0]
        failing = " || ".join(f"!{c.cond}" for c in group)
        if first.path is None:
            body = f"SELECT DISTINCT ?this WHERE {{ {{focus}} FILTER({failing}) }}"
            near = body
        else:
            data = f"?this {first.path.sparql()} ?value FILTER({failing})"
            body = f"SELECT DISTINCT ?this WHERE {{ {{focus}} {{ SELECT DISTINCT ?this WHERE {{ {data} }} }} }}"
            near = f"SELECT DISTINCT ?this WHERE {{ {{focus}} {data} }}"
        return Check(first.shape, first.component, body, False, first.messages, pattern=first.pattern,
                     near=near, parts=group, near_pattern=first.near_pattern)

    def shape_checks(self, shape: Shape) -> list[Check]:
        out = []
        messages = shape.messages
        if shape.path is None:
            # A node shape: its one value node is the focus node itself.
            for name, value in shape.params:
                if name not in VALUE_PARAMS:
                    raise ShapeError(f"sh:{name} hører til en egenskabsform (needs sh:path) i {shape.node}")
                body = near = None
                if name == "or":
                    body = self.or_by_counting(value)
                cond = self.condition(name, value, "?this", shape)
                near = f"SELECT ?this WHERE {{ {{focus}} FILTER(!{cond}) }}"
                out.append(Check(shape, "sh:" + VALUE_PARAMS[name], body or near, False, messages,
                                 value_is_focus=True, near=near, cond=None if body else cond))
            for select, select_all, sparql_messages in shape.sparql:
                out.append(self.sparql_check(shape, select, select_all, sparql_messages))
            return out
        path = shape.path.sparql()
        for name, value in shape.params:
            component = "sh:" + (VALUE_PARAMS.get(name) or FOCUS_PARAMS[name])
            if name == "minCount":
                n = int(value.value)
                if n == 1:
                    body = f"SELECT ?this WHERE {{ {{focus}} MINUS {{ ?this {path} ?v }} }}"
                    near = f"SELECT ?this WHERE {{ {{focus}} FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
                else:
                    body = (f"SELECT ?this WHERE {{ {{focus}} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) "
                            f"WHERE {{ ?this {path} ?v }} GROUP BY ?this }} FILTER(COALESCE(?n, 0) < {n}) }}")
                    near = (f"SELECT ?this WHERE {{ {{focus}} OPTIONAL {{ ?this {path} ?v }} }} "
                            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                out.append(Check(shape, component, body, False, messages, near=near))
            elif name == "maxCount":
                n = int(value.value)
                body = (f"SELECT ?this WHERE {{ {{focus}} {{ SELECT ?this WHERE {{ ?this {path} ?v }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n}) }} }}")
                near = (f"SELECT ?this WHERE {{ {{focus}} ?this {path} ?v }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
                out.append(Check(shape, component, body, False, messages, near=near))
            elif name == "uniqueLang":
                if value.value != "true":
                    continue
                inner = (f"?this {path} ?a FILTER(isLiteral(?a) && lang(?a) != \"\") "
                         f"BIND(LCASE(lang(?a)) AS ?lang)")
                body = (f"SELECT ?this ?lang WHERE {{ {{focus}} {{ SELECT ?this ?lang WHERE {{ {inner} }} "
                        f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?a) > 1) }} }}")
                near = (f"SELECT ?this ?lang WHERE {{ {{focus}} {inner} }} "
                        f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?a) > 1)")
                out.append(Check(shape, component, body, False, messages, near=near))
            elif name == "hasValue":
                body = f"SELECT ?this WHERE {{ {{focus}} MINUS {{ ?this {path} {nt(value)} }} }}"
                near = f"SELECT ?this WHERE {{ {{focus}} FILTER NOT EXISTS {{ ?this {path} {nt(value)} }} }}"
                out.append(Check(shape, component, body, False, messages, near=near))
            elif name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
                other = f"<{value.value}>"
                if name == "equals":
                    data = (f"{{ ?this {path} ?value MINUS {{ ?this {other} ?value }} }} UNION "
                            f"{{ ?this {other} ?value MINUS {{ ?this {path} ?value }} }}")
                elif name == "disjoint":
                    data = f"?this {path} ?value . ?this {other} ?value"
                else:
                    op = "<" if name == "lessThan" else "<="
                    # SHACL 1.0 §4.4.3-4: values that cannot be compared are results too.
                    data = f"?this {path} ?value . ?this {other} ?other FILTER(!COALESCE(?value {op} ?other, false))"
                out.append(self.value_check(shape, component, data, messages))
            elif name == "class" or (name == "or" and self.only_classes(value)):
                classes = [value.value] if name == "class" else [
                    self.shapes._one(m, SH["class"]).value for m in self.shapes._list(value)]
                types = " ".join(f"<{t}>" for t in sorted({c for k in classes for c in self.subclasses.get(k, {k})}))
                typed = f"?value <{RDF.type}> ?type . VALUES ?type {{ {types} }}"
                body = (f"SELECT DISTINCT ?this ?value WHERE {{ {{focus}} {{ SELECT ?this ?value WHERE {{ "
                        f"?this {path} ?value MINUS {{ {typed} }} }} }} }}")
                near = (f"SELECT DISTINCT ?this ?value WHERE {{ {{focus}} ?this {path} ?value "
                        f"FILTER NOT EXISTS {{ {typed} }} }}")
                out.append(Check(shape, component, body, True, messages, near=near))
            else:
                cond = self.condition(name, value, "?value", shape)
                check = self.value_check(shape, component, f"?this {path} ?value FILTER(!{cond})", messages)
                check.cond = cond
                out.append(check)
        if shape.sparql:
            raise ShapeError(f"SPARQL-begrænsninger i egenskabsformer kendes ikke endnu ({shape.node}) "
                             "(SPARQL constraints in property shapes are not compiled)")
        return out

    def value_check(self, shape: Shape, component: str, data: str, messages: dict) -> Check:
        """Results (?this, ?value) from a pattern over ?this and ?value."""
        body = f"SELECT DISTINCT ?this ?value WHERE {{ {{focus}} {{ SELECT ?this ?value WHERE {{ {data} }} }} }}"
        near = f"SELECT DISTINCT ?this ?value WHERE {{ {{focus}} {data} }}"
        return Check(shape, component, body, True, messages, near=near)

    def or_by_counting(self, value) -> str | None:
        """A node-level sh:or whose members are property shapes on one path with
        counts and value conditions (rgsh:LabelDanish), for the whole graph: one
        scan of the path, counted per node, instead of EXISTS per node."""
        members = [self.shapes.shape(m) for m in self.shapes._list(value)]
        paths = {m.path for m in members}
        if len(paths) != 1 or None in paths or any(m.properties or m.sparql for m in members):
            return None
        path = members[0].path.sparql()
        sums, tests = [], []
        for member in members:
            parts = []
            for name, param in member.params:
                if name == "minCount":
                    parts.append(f"COALESCE(?n, 0) >= {int(param.value)}")
                elif name == "maxCount":
                    parts.append(f"COALESCE(?n, 0) <= {int(param.value)}")
                elif name in VALUE_PARAMS and name not in ("node", "or", "and", "not", "xone"):
                    bad = f"?bad{len(sums)}"
                    sums.append(f"(SUM(IF({self.condition(name, param, '?y', member)}, 0, 1)) AS {bad})")
                    parts.append(f"COALESCE({bad}, 0) = 0")
                else:
                    return None
            tests.append("(" + " && ".join(parts or ["true"]) + ")")
        return (f"SELECT ?this WHERE {{ {{focus}} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?y) AS ?n) {' '.join(sums)} "
                f"WHERE {{ ?this {path} ?y }} GROUP BY ?this }} FILTER(!({' || '.join(tests)})) }}")

    def only_classes(self, value) -> bool:
        """An sh:or whose members each say only sh:class X (an anti-join answers it)."""
        for member in self.shapes._list(value):
            shape = self.shapes.shape(member)
            if shape.path is not None or shape.properties or shape.sparql or \
                    [n for n, _ in shape.params] != ["class"]:
                return False
        return True

    def sparql_check(self, shape: Shape, select: str, select_all: str | None, messages: dict) -> Check:
        """A SPARQL-based constraint: $this bound to the focus nodes by a subquery
        at the start of its WHERE clause (not once per focus node). With
        rgsh:selectAll, the same constraint written for all nodes at once is used
        for the whole graph (the agreement tests hold it to sh:select's results)."""
        near, projects_value = self.with_focus(shape, select)
        body = near
        if select_all is not None:
            body, all_value = self.with_focus(shape, select_all)
            if all_value != projects_value:
                raise ShapeError(f"rgsh:selectAll i {shape.node} skal projicere de samme variabler som sh:select "
                                 "(must project the same variables as sh:select)")
        return Check(shape, "sh:SPARQLConstraintComponent", body, projects_value, messages,
                     value_is_focus=not projects_value, near=near)

    @staticmethod
    def with_focus(shape: Shape, select: str) -> tuple[str, bool]:
        text = re.sub(r"\$this\b", "?this", select)
        if re.search(r"\$(PATH|currentShape|shapesGraph)\b", text):
            raise ShapeError(f"SPARQL-begrænsningen i {shape.node} bruger $PATH, $currentShape eller "
                             "$shapesGraph (not compiled)")
        match = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if match is None:
            raise ShapeError(f"SPARQL-begrænsningen i {shape.node} har ingen WHERE (has no WHERE clause)")
        projects_value = re.search(r"\?value\b", text[:match.start()]) is not None
        return text[:match.end()] + " {focus} " + text[match.end():], projects_value


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def subclass_table(run, classes: set[str]) -> dict[str, set[str]]:
    """Each class with itself and its subclasses in the data (rdfs:subClassOf*)."""
    table = {c: {c} for c in classes}
    if not classes:
        return table
    values = " ".join(f"<{c}>" for c in sorted(classes))
    import pyoxigraph as ox

    for sub, cls in run(f"SELECT ?sub ?c WHERE {{ VALUES ?c {{ {values} }} ?sub <{RDFS.subClassOf}>* ?c }}"):
        if isinstance(sub, ox.NamedNode):
            table[cls.value].add(sub.value)
    return table


_SHAPES: dict = {}


def shapes_for(path: Path | None = None) -> Shapes:
    """The shapes of ``path`` (default: the shipped shapes), read once per file state."""
    from .store import shapes_file

    path = Path(path or shapes_file())
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _SHAPES:
        _SHAPES.clear()
        _SHAPES[key] = Shapes.load(path)
    return _SHAPES[key]
