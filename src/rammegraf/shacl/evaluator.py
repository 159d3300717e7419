"""SHACL Core in Python, term by term, on one focus node at a time: what
``exact`` uses where a query cannot see the data's own literal (a literal or
blank sh:targetNode, a literal the store keeps in another form). It reads the
graph from the store (or a server) and the written literals from ``Originals``."""

from __future__ import annotations

import re

from ..namespaces import RDF, SH
from . import datatypes
from .model import Path_, ShapeError, nt
from .shapes import is_true


class Graph:
    """What the exact evaluator reads: a local store, or a SPARQL engine."""

    def __init__(self, source, run) -> None:
        import pyoxigraph as ox

        store = getattr(source, "store", source)
        self.store = store if isinstance(store, ox.Store) else None
        self.run = run

    def objects(self, subject, predicate: str) -> list:
        import pyoxigraph as ox

        if isinstance(subject, ox.Literal):
            return []
        if self.store is not None:
            return [q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None,
                                                                   ox.DefaultGraph())]
        return [r["o"] for r in self.run(f"SELECT ?o WHERE {{ {nt(subject)} <{predicate}> ?o }}")]

    def subjects(self, predicate: str, obj) -> list:
        import pyoxigraph as ox

        if self.store is not None:
            return [q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(predicate), obj,
                                                                    ox.DefaultGraph())]
        return [r["s"] for r in self.run(f"SELECT ?s WHERE {{ ?s <{predicate}> {nt(obj)} }}")]

    def pairs(self, subject) -> list:
        import pyoxigraph as ox

        if isinstance(subject, ox.Literal):
            return []
        if self.store is not None:
            return [(q.predicate, q.object) for q in self.store.quads_for_pattern(subject, None, None,
                                                                                ox.DefaultGraph())]
        return [(r["p"], r["o"]) for r in self.run(f"SELECT ?p ?o WHERE {{ {nt(subject)} ?p ?o }}")]


class Exact:
    """SHACL Core in Python, term by term, on one focus node at a time."""

    def __init__(self, compiler, graph: Graph, originals=None) -> None:
        """``originals``: exact.Originals, the written literals where the store changed them."""
        self.compiler, self.shapes, self.graph = compiler, compiler.shapes, graph
        self.written = originals.objects if originals else (lambda subject, predicate, stored: [stored])
        self._compared: dict = {}

    # -- value nodes ----------------------------------------------------------
    def values(self, focus, path: Path_) -> list:
        return list(dict.fromkeys(self._walk([focus], path)))

    def _walk(self, nodes: list, path: Path_) -> list:
        if path.kind == "pred":
            return [o for n in nodes for stored in self.graph.objects(n, path.iri)
                    for o in self.written(n, path.iri, stored)]
        if path.kind == "inv":
            inner = path.parts[0]
            if inner.kind != "pred":
                return self._inverse(nodes, inner)
            return [s for n in nodes for s in self.graph.subjects(inner.iri, n)]
        if path.kind == "seq":
            for part in path.parts:
                nodes = list(dict.fromkeys(self._walk(nodes, part)))
            return nodes
        if path.kind == "alt":
            return [v for part in path.parts for v in self._walk(nodes, part)]
        found = list(nodes) if path.kind in ("star", "opt") else []
        frontier = list(nodes)
        while frontier:
            step = [v for v in self._walk(frontier, path.parts[0]) if v not in found]
            found += list(dict.fromkeys(step))
            frontier = [] if path.kind == "opt" else list(dict.fromkeys(step))
        return found

    def _inverse(self, nodes: list, path: Path_) -> list:
        """^(a path): walked backwards, part by part."""
        if path.kind == "inv":
            return self._walk(nodes, path.parts[0])
        if path.kind == "seq":
            return self._walk(nodes, Path_("seq", parts=tuple(Path_("inv", parts=(p,)) for p in reversed(path.parts))))
        if path.kind == "alt":
            return self._walk(nodes, Path_("alt", parts=tuple(Path_("inv", parts=(p,)) for p in path.parts)))
        return self._walk(nodes, Path_(path.kind, parts=(Path_("inv", parts=path.parts),)))

    # -- one value against one parameter --------------------------------------
    def meets(self, name: str, value, v, shape) -> bool:
        import pyoxigraph as ox

        if name == "class":
            wanted = self.compiler.subclasses.get(value.value, {value.value})
            return not isinstance(v, ox.Literal) and any(
                getattr(t, "value", None) in wanted for t in self.graph.objects(v, RDF.type))
        if name == "datatype":
            return datatypes.literal_has(v, value.value)
        if name == "nodeKind":
            kind = {ox.NamedNode: "IRI", ox.BlankNode: "BlankNode", ox.Literal: "Literal"}[type(v)]
            return kind in value.value.rsplit("#", 1)[-1]
        if name == "pattern":
            return not isinstance(v, ox.BlankNode) and _regex(value.value, self.shapes._one(shape.node, SH.flags),
                                                              v.value)
        if name == "languageIn":
            return isinstance(v, ox.Literal) and bool(v.language) and any(
                _lang_matches(v.language, t.value) for t in self.shapes._list(value))
        if name == "in":
            return v in self.shapes._list(value)
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[name]
            return self.compare(v, op, value)
        if name in ("minLength", "maxLength"):
            if isinstance(v, ox.BlankNode):
                return False
            return len(v.value) >= int(value.value) if name == "minLength" else len(v.value) <= int(value.value)
        if name == "node":
            return self.conforms(self.shapes.shape(value), v)
        if name in ("or", "and", "xone"):
            answers = [self.conforms(self.shapes.shape(m), v) for m in self.shapes._list(value)]
            return any(answers) if name == "or" else all(answers) if name == "and" else sum(answers) == 1
        if name == "not":
            return not self.conforms(self.shapes.shape(value), v)
        if name == "closed":
            allowed = set(self.compiler.allowed(shape))
            return all(p.value in allowed for p, _ in self.graph.pairs(v))
        if name == "hasValue":
            return v == value
        if name == "equals":
            return self.values(v, Path_("pred", value.value)) == [v]
        if name == "disjoint":
            return v not in self.values(v, Path_("pred", value.value))
        raise ShapeError(f"sh:{name} kan ikke prøves her (cannot be checked here)")

    def compare(self, a, op: str, b) -> bool:
        """A SPARQL comparison of two terms (false where they cannot be compared),
        false for an ill-typed literal whatever the store made of it."""
        import pyoxigraph as ox

        for term in (a, b):
            if not isinstance(term, ox.Literal):
                return False
            if not term.language and not datatypes.valid(term.value, term.datatype.value):
                return False
        key = (a, op, b)
        if key not in self._compared:
            self._compared[key] = bool(ox.Store().query(f"ASK {{ FILTER(COALESCE({nt(a)} {op} {nt(b)}, false)) }}"))
        return self._compared[key]

    # -- shapes ----------------------------------------------------------------
    def conforms(self, shape, v) -> bool:
        if shape.deactivated:
            return True
        return not any(True for _ in self.failures(shape, v))

    def failures(self, shape, focus):
        """(shape, name, value, row) for each result of ``shape`` on ``focus``, nested ones too."""
        for name, value in shape.params:
            for row in self.rows(shape, name, value, focus):
                yield shape, name, value, row
        for prop in shape.properties:
            if prop.deactivated:
                continue
            for v in ([focus] if shape.path is None else self.values(focus, shape.path)):
                yield from self.failures(prop, v)
        if shape.sparql or shape.components:
            raise ShapeError(f"SPARQL-begrænsningen i {shape.node} kan ikke prøves på {focus} "
                             "(a SPARQL constraint cannot be checked on this focus node)")

    def rows(self, shape, name: str, value, focus) -> list[dict]:
        """The rows a check's query would give for one focus node, from the data's own terms."""
        if name in ("qualifiedValueShape",) or shape.path is not None and name in (
                "minCount", "maxCount", "uniqueLang", "hasValue", "equals", "disjoint", "lessThan",
                "lessThanOrEquals"):
            return self.focus_rows(shape, name, value, focus)
        if shape.path is None and name in ("hasValue",):
            return [] if focus == value else [{"this": focus}]
        if shape.path is None and name in ("equals", "disjoint"):
            other = self.values(focus, Path_("pred", value.value))
            if name == "disjoint":
                return [{"this": focus, "value": focus}] if focus in other else []
            wrong = ([] if focus in other else [focus]) + [o for o in other if o != focus]
            return [{"this": focus, "value": w} for w in wrong]
        if name == "closed":
            allowed = set(self.compiler.allowed(shape))
            nodes = [focus] if shape.path is None else self.values(focus, shape.path)
            return [{"this": focus, "path": p, "value": o} for v in nodes for p, o in self.graph.pairs(v)
                    if p.value not in allowed]
        nodes = [focus] if shape.path is None else self.values(focus, shape.path)
        return [{"this": focus, "value": v} for v in nodes if not self.meets(name, value, v, shape)]

    def focus_rows(self, shape, name: str, value, focus) -> list[dict]:
        values = self.values(focus, shape.path)
        if name == "minCount":
            return [{"this": focus}] if len(values) < int(value.value) else []
        if name == "maxCount":
            return [{"this": focus}] if len(values) > int(value.value) else []
        if name == "hasValue":
            return [] if value in values else [{"this": focus}]
        if name == "uniqueLang":
            if not is_true(value):
                return []
            seen: dict = {}
            for v in values:
                if getattr(v, "language", None):
                    seen.setdefault(v.language.lower(), []).append(v)
            return [{"this": focus, "lang": lang} for lang, found in seen.items() if len(found) > 1]
        other = self.values(focus, Path_("pred", value.value)) if name != "qualifiedValueShape" else []
        if name == "equals":
            return [{"this": focus, "value": v} for v in values if v not in other] + \
                [{"this": focus, "value": v} for v in other if v not in values]
        if name == "disjoint":
            return [{"this": focus, "value": v} for v in values if v in other]
        if name in ("lessThan", "lessThanOrEquals"):
            op = "<" if name == "lessThan" else "<="
            return [{"this": focus, "value": v, "other": o} for v in values for o in other
                    if not self.compare(v, op, o)]
        return self.qualified_rows(shape, value, focus, values)

    def qualified_rows(self, shape, value, focus, values) -> list[dict]:
        disjoint = is_true(self.shapes._one(shape.node, SH.qualifiedValueShapesDisjoint))
        siblings = [self.shapes.shape(s) for s in self.compiler.siblings(shape, value)] if disjoint else []
        qualified = self.shapes.shape(value)
        count = sum(1 for v in values if self.conforms(qualified, v)
                    and not any(self.conforms(s, v) for s in siblings))
        low, high = self.compiler.qualified_bounds(shape)
        out = []
        if low is not None and count < low:
            out.append({"this": focus, "component": "sh:QualifiedMinCountConstraintComponent"})
        if high is not None and count > high:
            out.append({"this": focus, "component": "sh:QualifiedMaxCountConstraintComponent"})
        return out


def _regex(pattern: str, flags, text: str) -> bool:
    """SPARQL's REGEX in Python (XPath flags s, m, i, x; q quotes the pattern)."""
    options = 0
    letters = flags.value if flags is not None else ""
    for letter, option in (("i", re.IGNORECASE), ("s", re.DOTALL), ("m", re.MULTILINE), ("x", re.VERBOSE)):
        if letter in letters:
            options |= option
    if "q" in letters:
        pattern = re.escape(pattern)
    try:
        return re.search(pattern, text, options) is not None
    except re.error:
        return False


def _lang_matches(tag: str, wanted: str) -> bool:
    """langMatches (RFC 4647 basic filtering)."""
    tag, wanted = tag.lower(), wanted.lower()
    if wanted == "*":
        return bool(tag)
    return tag == wanted or tag.startswith(wanted + "-")
