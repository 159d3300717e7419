"""The compiler: every constraint of every shape with targets, and of every
property shape nested under it through sh:property, as one Check (a query over
all focus nodes at once).

A shape with targets is validated on its focus nodes; a property shape under it
(sh:property) on the same focus nodes when the parent is a node shape, and on
the parent's value nodes when the parent is a property shape — to any depth,
each level one more hop in the focus pattern, and once for each chain of focus
nodes that reaches it (SHACL 1.0 §4.8.2). The families of constraints live in
their own modules: ``conditions`` (a term conforms), ``value_checks`` (value
nodes one by one), ``count_checks`` (a focus node with all its values) and
``sparql_checks`` (SHACL-SPARQL).
"""

from __future__ import annotations

import itertools

from ..namespaces import RDF
from .conditions import Conditions
from .count_checks import CountChecks
from .languages import LanguageChecks, rule_names
from .model import Check, nt, refuse  # noqa: F401
from .shapes import FOCUS_PARAMS, VALUE_PARAMS, Shapes
from .sparql_checks import component_checks, sparql_constraint
from .value_checks import ValueChecks


class Compiler(Conditions, ValueChecks, CountChecks, LanguageChecks):
    def __init__(self, shapes: Shapes, subclasses: dict[str, set[str]], *, portable: bool = False) -> None:
        self.shapes = shapes
        self.portable = portable         # for another SPARQL server (Virtuoso's limits), not Oxigraph
        self.subclasses = subclasses     # class IRI → itself and every subclass in the data
        self.counter = itertools.count()
        self._nesting: list = []         # the shapes being compiled into a condition (recursion guard)
        self.needs_shapes_graph = False  # a SPARQL constraint reads $shapesGraph
        self.literal_targets: list = []  # (shape, literal): literal focus nodes, for the exact evaluator

    def var(self, stem: str) -> str:
        return f"?{stem}{next(self.counter)}"

    def types(self, iri: str) -> str:
        return " ".join(f"<{c}>" for c in sorted(self.subclasses.get(iri, {iri})))

    # -- targets ----------------------------------------------------------
    def target_pattern(self, shape, *, near: bool = False) -> str:
        """The pattern binding ?this to the shape's targets. ``near``: for focus
        nodes bound before it (a FILTER on the type, so the store looks up each
        focus node's types; a VALUES of types would make it read every instance).
        A literal sh:targetNode is left to the exact evaluator: a query would name
        it in the store's canonical form ("4.0" as "4")."""
        import pyoxigraph as ox

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
                if isinstance(term, (ox.Literal, ox.BlankNode)):
                    # no query can name a blank node, nor a literal as written: the exact evaluator
                    if not near and (shape, term) not in self.literal_targets:
                        self.literal_targets.append((shape, term))
                    continue
                # BIND, not VALUES ?this { … }: Virtuoso 7.2 drops the rows of the other
                # branches of a UNION when one branch is a VALUES block binding ?this
                parts.append(f"BIND({nt(term)} AS ?this)")
            elif kind == "targetSubjectsOf":
                parts.append(f"?this {nt(term)} {self.var('o')} .")
            elif kind == "targetObjectsOf":
                parts.append(f"{self.var('s')} {nt(term)} ?this .")
        if not parts:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def unique_targets(self, shape) -> bool:
        """Whether the target pattern binds each focus node once, so that the focus
        nodes need no DISTINCT: one sh:targetClass of a class without subclasses in
        the data (a graph's triples are a set) or one IRI sh:targetNode. Not on
        another server, whose default graph may be several graphs together. At 10M
        triples DISTINCT over 915,000 status reports costs a hash table in each of
        the 15 checks on them (~3 s each)."""
        import pyoxigraph as ox

        if self.portable:
            return False
        kept = [(kind, term) for kind, term in shape.targets
                if not (kind == "targetNode" and isinstance(term, (ox.Literal, ox.BlankNode)))]
        if len(kept) != 1:
            return False
        kind, term = kept[0]
        return kind == "targetNode" or (kind == "targetClass" and len(self.subclasses.get(term.value, {term.value})) == 1)

    # -- the checks ---------------------------------------------------------
    def compile(self) -> list[Check]:
        found = []
        for shape in self.shapes.top:
            pattern, near = self.target_pattern(shape), self.target_pattern(shape, near=True)
            unique = self.unique_targets(shape)
            for check in self.context_checks(shape, ()):
                check.pattern, check.near_pattern, check.top = pattern, near, shape
                check.unique = unique
                found.append(check)
        languages = self.language_groups(found)
        checks, groups = [], {}
        for check in found:
            if id(check) in languages:
                # checks decided by the language tags of the values on one predicate: one scan
                key = ("languages", languages[id(check)])
            elif check.cond is not None and not check.hops:
                # value conditions on the same targets, hops and path: one scan for all
                key = (check.pattern, check.hops, check.path.sparql() if check.path is not None else None)
            else:
                checks.append(check)
                continue
            if key not in groups:
                groups[key] = []
                checks.append(groups[key])
            groups[key].append(check)
        return [c if not isinstance(c, list) else self.by_languages(c) if id(c[0]) in languages
                else self.combined(c) for c in checks]

    def language_groups(self, checks: list[Check]) -> dict:
        """id(check) → its key (targets, predicate), for the checks of a key that would
        otherwise take three queries or more (the value conditions of one path count as
        one, being one scan already), and name a language (sh:languageIn) if they read
        languages at all. At 1M the label checks' four queries took 3.7 s and the one
        query 1.2 s; StatusAsOf's three (counts and datatype) 0.95 s and one 0.39 s,
        StatusPhase's 0.63 s and 0.36 s. Two gained nothing: rg:text's value
        conditions and count took 1.3-1.5 s and as one 0.8-1.2 s, but 0.2 s against
        0.7-1.0 s for a shape with few targets (every node with the path is counted,
        targets or not)."""
        keys = {id(c): self.language_key(c) for c in checks}
        members: dict = {}
        for check in checks:
            if keys[id(check)] is not None:
                members.setdefault(keys[id(check)], []).append(check)
        worth = set()
        for key, group in members.items():
            names = rule_names([r for c in group for r in self._rules(c.shape, c.name, c.param)[1]])
            queries = len([c for c in group if c.cond is None]) + any(c.cond is not None for c in group)
            if queries > 2 and ("in" in names or not names & {"tagged", "unique"}):
                worth.add(key)
        return {i: key for i, key in keys.items() if key in worth}

    def context_checks(self, shape, hops: tuple, seen: tuple = ()) -> list[Check]:
        """The checks of ``shape`` on the focus nodes reached through ``hops``, and of
        the property shapes nested under it."""
        if shape.deactivated:
            return []
        if shape.node in seen:
            raise refuse(shape.node, "rekursion", "formen indgår i sig selv gennem sh:property, som SHACL 1.0 "
                         "§3.4.3 ikke definerer (recursive shapes are not supported)")
        out = self.shape_checks(shape)
        for check in out:
            check.hops = hops
        inner = hops if shape.path is None else (*hops, shape.path)
        for prop in shape.properties:
            out += self.context_checks(prop, inner, (*seen, shape.node))
        return out

    def shape_checks(self, shape) -> list[Check]:
        out = []
        for name, value in shape.params:
            if name in VALUE_PARAMS:
                out += self.value_checks(shape, name, value)
            elif name in FOCUS_PARAMS:
                out += self.focus_checks(shape, name, value)
        for constraint in shape.sparql:
            out.append(sparql_constraint(self, shape, constraint))
        for use in shape.components:
            out += component_checks(self, shape, use)
        return out
