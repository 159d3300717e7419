"""Conditions: FILTER expressions that are true when a term conforms.

``condition(name, value, x, shape)`` is one parameter of a shape on the term
{x}; ``conforms(shape, x)`` is a whole shape on {x} — its parameters, its nested
property shapes (to any depth) and the shapes those name with sh:node, sh:and,
sh:or, sh:xone, sh:not and sh:qualifiedValueShape. A shape that names itself
on the way (recursion, which SHACL 1.0 §3.4.3 leaves undefined) is refused.
"""

from __future__ import annotations

import itertools
import re

from ..namespaces import RDF, SH, XSD
from . import datatypes
from .model import ShapeError, nt, refuse, string

NODE_KINDS = {
    "IRI": "isIRI({x})", "BlankNode": "isBlank({x})", "Literal": "isLiteral({x})",
    "BlankNodeOrIRI": "(isIRI({x}) || isBlank({x}))", "BlankNodeOrLiteral": "(isBlank({x}) || isLiteral({x}))",
    "IRIOrLiteral": "(isIRI({x}) || isLiteral({x}))",
}
RANGES = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
_SIMPLE_TAG = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")   # a language range without * (sh:languageIn)


def same(x: str, term) -> str:
    """A FILTER expression for another server: {x} is the RDF term ``term`` (sameTerm,
    written without it).

    Virtuoso 7.2's sameTerm() is never true for a string literal, and two sameTerm()
    joined by || are never true even for IRIs (``sameTerm(?v, A) || sameTerm(?v, B)``
    answers nothing where each alone answers). An IRI is compared with =, which is
    term equality for IRIs; a literal by its lexical form, datatype and language, its
    lexical form as written and as Oxigraph stores it ("4.0" and "4")."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"(isIRI({x}) && {x} = {nt(term)})"
    if not isinstance(term, ox.Literal):
        return f"sameTerm({x}, {nt(term)})"     # a blank node: refused by nt()
    forms = sorted({term.value, _stored(term).value})
    lexical = " || ".join(f"STR({x}) = {string(f)}" for f in forms)
    kind = (f"lang({x}) = {string(term.language)}" if term.language else
            f"datatype({x}) = <{term.datatype.value}> && lang({x}) = \"\"")
    return f"(isLiteral({x}) && ({lexical}) && {kind})"


def _stored(term):
    """The literal as Oxigraph's store keeps it."""
    import pyoxigraph as ox

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x-rammegraf:s"), ox.NamedNode("urn:x-rammegraf:p"), term, ox.DefaultGraph()))
    return next(iter(store)).object


NUMERIC = ("integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
           "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
           "unsignedShort", "unsignedByte")


def compared(a: str, op: str, b: str, b_datatype: str | None = None) -> str:
    """A FILTER expression for another server: {a} op {b}, false where the two cannot
    be compared.

    Comparable means both numbers or both of one datatype, written out because
    Virtuoso 7.2 compares an xsd:date with an xsd:dateTime, where SPARQL (and
    Oxigraph) raise a type error, which SHACL 1.0 §4.4.3-4 makes a result."""
    numbers = ", ".join(f"<{XSD[n]}>" for n in NUMERIC)
    kind_b = f"<{b_datatype}>" if b_datatype else f"datatype({b})"
    if b_datatype is not None and b_datatype.removeprefix(str(XSD)) in NUMERIC:
        kind = f"datatype({a}) IN ({numbers})"
    elif b_datatype is not None:
        kind = f"datatype({a}) = {kind_b}"
    else:
        kind = f"(datatype({a}) = {kind_b} || (datatype({a}) IN ({numbers}) && {kind_b} IN ({numbers})))"
    return f"COALESCE(isLiteral({a}) && {kind} && {a} {op} {b}, false)"


class Conditions:
    """Mixed into the Compiler: needs ``self.shapes``, ``self.var``, ``self.types`` and
    ``self.portable`` (the texts for another SPARQL server, written around Virtuoso's bugs;
    Oxigraph gets the plain ones, which it answers faster)."""

    def same(self, x: str, term) -> str:
        """{x} is the RDF term ``term``: sameTerm() on Oxigraph, ``same`` for another server."""
        return same(x, term) if self.portable else f"sameTerm({x}, {nt(term)})"

    def compared(self, a: str, op: str, b: str, b_datatype: str | None = None) -> str:
        """{a} op {b}, false where they cannot be compared: Oxigraph raises SPARQL's type
        error itself; another server gets ``compared``."""
        return compared(a, op, b, b_datatype) if self.portable else f"COALESCE({a} {op} {b}, false)"

    def condition(self, name: str, value, x: str, shape) -> str:
        """A FILTER expression: {x}, a value node of ``shape``, meets the parameter."""
        if name == "class":
            t = self.var("c")
            return f"EXISTS {{ {x} <{RDF.type}> {t} . VALUES {t} {{ {self.types(value.value)} }} }}"
        if name == "datatype":
            return datatypes.sparql(value.value, x, once=not self.portable)
        if name == "nodeKind":
            kind = value.value.rsplit("#", 1)[-1]
            if kind not in NODE_KINDS:
                raise refuse(shape.node, f"sh:nodeKind {value}", "ukendt knudetype (not a node kind)")
            return NODE_KINDS[kind].format(x=x)
        if name == "pattern":
            flags = self.shapes._one(shape.node, SH.flags)
            extra = f", {string(flags.value)}" if flags is not None else ""
            text = f"STR({x})"
            if self.portable:
                # For another server a string literal is matched as it is, not through STR():
                # Virtuoso 7.2's STR() gives its UTF-8 bytes to a PCRE not in UTF-8 mode, so
                # "^§ [0-9]+" never matches "§ 103" (REGEX(?v, …) on the literal does). Not for
                # Oxigraph: the IF costs 0.8 s on the IRI pattern over every typed resource at 1M
                text = f"IF(isLiteral({x}) && (datatype({x}) = <{XSD.string}> || lang({x}) != \"\"), {x}, STR({x}))"
            if not self.portable:
                # {x} decoded once: STR() of a blank node is an error, which COALESCE makes false
                return f"COALESCE(REGEX({text}, {string(value.value)}{extra}), false)"
            return f"(!isBlank({x}) && REGEX({text}, {string(value.value)}{extra}))"
        if name == "languageIn":
            tags = [t.value for t in self.shapes._list(value)]
            if not tags:
                return "false"
            if not self.portable and all(_SIMPLE_TAG.match(t) for t in tags):
                # one lang() for all the tags (each mention of {x} decodes it again): langMatches
                # with a range of subtags is the tag's first subtags, case aside (RFC 4647 §3.3.1)
                ranges = "|".join(sorted({t.lower() for t in tags}))
                return f'COALESCE(REGEX(lang({x}), "^({ranges})(-|$)", "i"), false)'
            return f"(isLiteral({x}) && (" + " || ".join(f"langMatches(lang({x}), {string(t)})" for t in tags) + "))"
        if name == "in":
            members = self.shapes._list(value)
            return "(" + " || ".join(self.same(x, m) for m in members) + ")" if members else "false"
        if name in RANGES:
            import pyoxigraph as ox

            datatype = value.datatype.value if isinstance(value, ox.Literal) and not value.language else None
            return self.compared(x, RANGES[name], nt(value), datatype)
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            if not self.portable:
                return f"COALESCE(STRLEN(STR({x})) {op} {int(value.value)}, false)"
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
        if name == "closed":
            p, o = self.var("p"), self.var("o")
            allowed = ", ".join(f"<{iri}>" for iri in self.allowed(shape))
            test = f"FILTER({p} NOT IN ({allowed}))" if allowed else ""
            return f"NOT EXISTS {{ {x} {p} {o} {test} }}"
        if name == "hasValue":
            return self.same(x, value)
        if name in ("equals", "disjoint"):
            o = self.var("o")
            if name == "disjoint":
                return f"NOT EXISTS {{ {x} <{value.value}> {x} }}"
            return f"(EXISTS {{ {x} <{value.value}> {x} }} && NOT EXISTS {{ {x} <{value.value}> {o} " \
                   f"FILTER(!sameTerm({o}, {x})) }})"
        raise refuse(shape.node, f"sh:{name}", "den hører til en egenskabsform (it needs sh:path)")

    def allowed(self, shape) -> list[str]:
        """sh:closed: the predicates of the shape's property shapes and sh:ignoredProperties."""
        out = [p.path.iri for p in shape.properties if p.path is not None and p.path.kind == "pred"]
        ignored = self.shapes._one(shape.node, SH.ignoredProperties)
        if ignored is not None:
            out += [m.value for m in self.shapes._list(ignored)]
        return sorted(set(out))

    # -- a whole shape ------------------------------------------------------
    def conforms(self, shape, x: str) -> str:
        """A FILTER expression: {x} conforms to ``shape`` (a nested shape)."""
        if shape.deactivated:
            return "true"           # SHACL 1.0 §2.1.5: every term conforms to a deactivated shape
        if shape.node in self._nesting:
            raise refuse(shape.node, "rekursion", "formen indgår i sig selv gennem sh:node, sh:property eller "
                         "lignende, som SHACL 1.0 §3.4.3 ikke definerer (recursive shapes are not supported)")
        if shape.sparql or shape.components:
            raise refuse(shape.node, "SPARQL i en indlejret form", "en SPARQL-begrænsning kan kun stå i en form "
                         "med mål eller direkte under sh:property (a SPARQL constraint cannot be nested in "
                         "sh:node, sh:or, sh:and, sh:not, sh:xone or sh:qualifiedValueShape)")
        self._nesting.append(shape.node)
        try:
            parts = self._conforms_parts(shape, x)
        finally:
            self._nesting.pop()
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _conforms_parts(self, shape, x: str) -> list[str]:
        if shape.path is None:
            parts = [self.condition(name, value, x, shape) for name, value in shape.params
                     if name != "qualifiedValueShape"]
        else:
            parts = [self.property_condition(shape, name, value, x) for name, value in shape.params]
        return parts + [self.conforms(prop, x) for prop in shape.properties]

    def property_condition(self, shape, name: str, value, x: str) -> str:
        """A FILTER expression: the focus node {x} meets a parameter of property shape ``shape``."""
        path = shape.path.sparql()
        if name == "minCount":
            return self.at_least(x, path, int(value.value))
        if name == "maxCount":
            return f"(!{self.at_least(x, path, int(value.value) + 1)})"
        if name == "hasValue":
            return f"EXISTS {{ {x} {path} {nt(value)} }}"
        if name == "uniqueLang":
            if value.value != "true":
                return "true"
            a, b = self.var("a"), self.var("b")
            return (f"NOT EXISTS {{ {x} {path} {a} . {x} {path} {b} FILTER(!sameTerm({a}, {b}) && "
                    f"lang({a}) != \"\" && LCASE(lang({a})) = LCASE(lang({b}))) }}")
        if name in ("equals", "disjoint"):
            y = self.var("y")
            other = f"<{value.value}>"
            if name == "disjoint":
                return f"NOT EXISTS {{ {x} {path} {y} . {x} {other} {y} }}"
            return (f"(NOT EXISTS {{ {x} {path} {y} FILTER NOT EXISTS {{ {x} {other} {y} }} }} && "
                    f"NOT EXISTS {{ {x} {other} {y} FILTER NOT EXISTS {{ {x} {path} {y} }} }})")
        if name in ("lessThan", "lessThanOrEquals"):
            y, z = self.var("y"), self.var("z")
            op = "<" if name == "lessThan" else "<="
            return f"NOT EXISTS {{ {x} {path} {y} . {x} <{value.value}> {z} FILTER(!{self.compared(y, op, z)}) }}"
        if name == "qualifiedValueShape":
            return self.qualified_condition(shape, value, x)
        y = self.var("y")
        return f"NOT EXISTS {{ {x} {path} {y} . FILTER(!{self.condition(name, value, y, shape)}) }}"

    def at_least(self, x: str, path: str, n: int) -> str:
        """A FILTER expression: {x} has at least n distinct values on the path."""
        if n <= 0:
            return "true"
        if n > 3:
            y = self.var("y")
            return (f"EXISTS {{ SELECT {x} WHERE {{ {x} {path} {y} }} GROUP BY {x} "
                    f"HAVING (COUNT(DISTINCT {y}) >= {n}) }}")
        ys = [self.var("y") for _ in range(n)]
        triples = " ".join(f"{x} {path} {y} ." for y in ys)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(ys, 2))
        return f"EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"

    # -- qualified value shapes ----------------------------------------------
    def qualified(self, shape, value, y: str) -> str:
        """{y} conforms to the qualified value shape (and, with
        sh:qualifiedValueShapesDisjoint, to none of its siblings; SHACL 1.0 §4.7.3)."""
        test = self.conforms(self.shapes.shape(value), y)
        disjoint = self.shapes._one(shape.node, SH.qualifiedValueShapesDisjoint)
        from .shapes import is_true

        if is_true(disjoint):
            for sibling in self.siblings(shape, value):
                test += f" && !{self.conforms(self.shapes.shape(sibling), y)}"
        return test

    def siblings(self, shape, value) -> list:
        """The other qualified value shapes of the property shapes of this shape's parents."""
        out = []
        for parent in self.shapes.parents(shape):
            for prop in parent.properties:
                out += [v for n, v in prop.params if n == "qualifiedValueShape" and v != value]
        return list(dict.fromkeys(out))

    def qualified_bounds(self, shape) -> tuple:
        low = self.shapes._one(shape.node, SH.qualifiedMinCount)
        high = self.shapes._one(shape.node, SH.qualifiedMaxCount)
        if low is None and high is None:
            raise ShapeError(f"{shape.node} har sh:qualifiedValueShape uden sh:qualifiedMinCount eller "
                             "sh:qualifiedMaxCount (a qualified value shape needs a count)")
        return (int(low.value) if low is not None else None, int(high.value) if high is not None else None)

    def qualified_condition(self, shape, value, x: str) -> str:
        low, high = self.qualified_bounds(shape)
        y = self.var("y")
        counted = (f"{{ SELECT {x} (COUNT(DISTINCT {y}) AS ?n{y[1:]}) WHERE {{ {x} {shape.path.sparql()} {y} "
                   f"FILTER({self.qualified(shape, value, y)}) }} GROUP BY {x} }}")
        tests = []
        if low is not None:
            tests.append(f"(EXISTS {{ {counted} FILTER(?n{y[1:]} >= {low}) }})" if low > 0 else "true")
        if high is not None:
            tests.append(f"(NOT EXISTS {{ {counted} FILTER(?n{y[1:]} > {high}) }})")
        return "(" + " && ".join(tests) + ")"
