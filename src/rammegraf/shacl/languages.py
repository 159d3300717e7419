"""Checks decided by counting a focus node's values on one predicate: sh:minCount,
sh:maxCount, value conditions (sh:datatype, sh:in, sh:pattern, …), and by their
language tags: sh:uniqueLang, sh:languageIn, sh:datatype rdf:langString, and a node
shape's sh:or of property shapes made of these (rgsh:LabelDanish).

The label checks read every label of every typed resource, and what costs is
decoding each label from disk: every mention of a label in an expression (lang(),
isLiteral()) looks its text up again, 2.6 µs a label at 1M, 8.3 µs at 10M
(1.48 million labels: 12.3 s, where the scan alone takes 1.0 s). Four checks
decoded them four times (10M, serial: LabelDanish 24.6 s, LabelLanguage 20.5 s,
LabelUniqueLang 16.9 s, LabelPresent 5.6 s). Here one query reads each value
once, counts a focus node's values, those per language tag the shapes name and
those failing each condition, and keeps the focus nodes whose counts do not pass
every check (10M: 23.1 s for the four label checks); each check's own query then
runs only on those (none, in data that conforms), so the results are the checks'
own, exactly as before. The checks on a status report's date and phase (a count
each way and a condition: three scans of 915,000 status reports at 10M) are one
query the same way.
"""

from __future__ import annotations

from ..namespaces import RDF
from .conditions import _SIMPLE_TAG
from .evaluator import _lang_matches
from .model import Check
from .shapes import is_true

_VALUE_RULES = ("minCount", "maxCount", "uniqueLang", "languageIn", "datatype")
# value conditions a value is counted against in the same query (each a FILTER expression on
# the value alone; sh:class, an anti-join of its own, and shapes with EXISTS stay apart)
_CONDITIONS = ("datatype", "in", "nodeKind", "pattern", "languageIn", "minInclusive", "maxInclusive",
               "minExclusive", "maxExclusive", "minLength", "maxLength")
_LANGUAGES = {"in", "tagged", "unique"}


class LanguageChecks:
    """Mixed into the Compiler."""

    def language_key(self, check: Check):
        """(targets, predicate) when ``check`` is decided by counting its focus node's
        values on one predicate by language tag, else None. Not for another server,
        whose default graph may hold a triple twice (a count would be too high)."""
        if self.portable or check.hops or check.parts or check.top is None:
            return None
        found = self._rules(check.shape, check.name, check.param)
        if found is None:
            return None
        predicate, _ = found
        targets = tuple(sorted((kind, str(term)) for kind, term in check.top.targets))
        return targets, predicate

    def _rules(self, shape, name: str, value, inside: bool = False):
        """(predicate IRI, rules) for one parameter of a shape, or None. A rule is
        ("min", n), ("max", n), ("unique",), ("in", tags), ("tagged",), ("or", [rules, …])
        or ("cond", a FILTER expression on ?y) (not ``inside`` an sh:or)."""
        if shape.path is None:
            if name != "or" or inside:
                return None
            members, predicates = [], set()
            for node in self.shapes._list(value):
                member = self.shapes.shape(node)
                if member.path is None or member.properties or member.sparql or member.components or \
                        member.deactivated or not member.params:
                    return None
                rules = []
                for member_name, member_value in member.params:
                    found = self._rules(member, member_name, member_value, inside=True)
                    if found is None:
                        return None
                    predicates.add(found[0])
                    rules += found[1]
                members.append(rules)
            if len(predicates) != 1:
                return None
            return predicates.pop(), [("or", members)]
        if shape.path.kind != "pred" or name not in _VALUE_RULES + _CONDITIONS:
            return None
        if name == "minCount":
            return shape.path.iri, [("min", int(value.value))]
        if name == "maxCount":
            return shape.path.iri, [("max", int(value.value))]
        if name == "uniqueLang":
            return shape.path.iri, [("unique",)] if is_true(value) else []
        if name == "datatype" and value.value == RDF.langString:
            return shape.path.iri, [("tagged",)]
        if name == "languageIn":
            tags = [t.value for t in self.shapes._list(value)]
            if tags and all(_SIMPLE_TAG.match(t) for t in tags):
                return shape.path.iri, [("in", tags)]
        if inside:
            return None
        return shape.path.iri, [("cond", self.condition(name, value, "?y", shape))]

    def by_languages(self, group: list[Check]) -> Check:
        """One query for the checks of ``group`` (one language key): the focus nodes
        whose values on the predicate do not pass them all, counted by language tag;
        the checks' own queries then run on those nodes (``parts``)."""
        first = group[0]
        rules = [rule for check in group for rule in self._rules(check.shape, check.name, check.param)[1]]
        predicate = self._rules(first.shape, first.name, first.param)[0]
        tags = sorted({t.lower() for t in _tags(rules)})
        counts = [f"COALESCE(?lang{i}, 0)" for i in range(len(tags))]
        conditions = list(dict.fromkeys(rule[1] for rule in rules if rule[0] == "cond"))
        tests = [f"COALESCE(?bad{i}, 0) = 0" for i in range(len(conditions))]
        if rule_names(rules) & _LANGUAGES:
            # a value of another language tag (or none: lang() of an IRI is an error, so
            # ""), or a tag in another case, is counted in ?n only: the node is kept
            tests.append(f"COALESCE(?n, 0) = {' + '.join(counts) or '0'}")
        clean = _all([*tests, *(_passes(rule, tags, counts) for rule in rules if rule[0] != "cond")])
        sums = " ".join([*(f'(SUM(IF(COALESCE(?l = "{t}", false), 1, 0)) AS ?lang{i})' for i, t in enumerate(tags)),
                         # a condition in error counts as failed: the node is kept, its own query decides
                         *(f"(SUM(IF(BOUND(?y) && !COALESCE({c}, false), 1, 0)) AS ?bad{i})"
                           for i, c in enumerate(conditions))])
        # lang() only where a tag is counted: each mention of ?y decodes it from disk
        values = f'?this <{predicate}> ?y' + (' BIND(COALESCE(lang(?y), "") AS ?l)' if tags else "")
        # the whole graph: the targets' triples and the values in one group by node, so the
        # targets need no DISTINCT of their own nor a join (10M: 23.1 s; the targets as a
        # DISTINCT subquery joined with the values grouped, 26.2 s; the values alone 17.9 s)
        body = (f"SELECT ?this {{chain}} WHERE {{ {{ SELECT ?this (COUNT(?target) AS ?targets) (COUNT(?y) AS ?n) "
                f"{sums} WHERE {{ {{ {{ {first.pattern} }} BIND(true AS ?target) }} UNION {{ {values} }} }} "
                f"GROUP BY ?this }} FILTER(?targets > 0 && !({clean})) }}")
        # given focus nodes: their values looked up from them
        near = (f"SELECT ?this {{chain}} WHERE {{ {{ SELECT ?this (COUNT(?y) AS ?n) {sums} WHERE {{ {{focus}} "
                f"OPTIONAL {{ {values} }} }} GROUP BY ?this }} FILTER(!({clean})) }}")
        return Check(first.shape, first.component, body, False, first.messages, pattern=first.pattern,
                     near=near, parts=group, near_pattern=first.near_pattern, hops=first.hops,
                     unique=first.unique, top=first.top)


def _tags(rules: list) -> list[str]:
    out = []
    for rule in rules:
        if rule[0] == "in":
            out += rule[1]
        elif rule[0] == "or":
            out += [t for member in rule[1] for t in _tags(member)]
    return out


def _passes(rule, tags: list[str], counts: list[str]) -> str:
    """A FILTER expression: a focus node whose values all carry one of ``tags``
    (lower case, each counted in ``counts``) passes ``rule``."""
    kind = rule[0]
    n = "COALESCE(?n, 0)"
    if kind == "min":
        return f"{n} >= {rule[1]}"
    if kind == "max":
        return f"{n} <= {rule[1]}"
    if kind == "unique":
        return _all([f"{c} <= 1" for c in counts])
    if kind == "in":
        outside = [c for t, c in zip(tags, counts) if not any(_lang_matches(t, r) for r in rule[1])]
        return _all([f"{c} = 0" for c in outside])
    if kind == "tagged":
        return "true"   # every value carries one of the tags (each a simple tag, never "")
    return "(" + " || ".join(f"({_all([_passes(r, tags, counts) for r in member])})" for member in rule[1]) + ")"


def _all(tests: list[str]) -> str:
    return " && ".join(t for t in tests if t != "true") or "true"


def rule_names(rules: list) -> set[str]:
    """The kinds of rule in ``rules``, those inside sh:or too."""
    out = set()
    for rule in rules:
        out.add(rule[0])
        if rule[0] == "or":
            out |= {n for member in rule[1] for n in rule_names(member)}
    return out
