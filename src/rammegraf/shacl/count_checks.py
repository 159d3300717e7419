"""Checks of a focus node and all its value nodes at once: counts (sh:minCount,
sh:maxCount, the qualified value shapes), sh:uniqueLang, sh:hasValue, and the
property pair components sh:equals, sh:disjoint, sh:lessThan and
sh:lessThanOrEquals (SHACL 1.0 §4.2, §4.5, §4.7, §4.8), on property shapes and,
where SHACL allows it, on node shapes (whose one value node is the focus node).

Each result row is one result: one per focus node for a count, one per language
used twice, one per value on either side of sh:equals, one per pair of values
for sh:lessThan (1 < "a" and 1 < "b" are two results).
"""

from __future__ import annotations

from .model import Check, nt, refuse
from .shapes import FOCUS_PARAMS


class CountChecks:
    """Mixed into the Compiler."""

    def focus_checks(self, shape, name: str, value) -> list[Check]:
        component = "sh:" + FOCUS_PARAMS[name]
        if shape.path is None:
            return self.node_focus_checks(shape, name, value, component)
        path, messages = shape.path.sparql(), shape.messages
        if name == "minCount":
            n = int(value.value)
            if n == 1:
                body = f"SELECT ?this {{chain}} WHERE {{ {{focus}} MINUS {{ ?this {path} ?v }} }}"
                near = f"SELECT ?this {{chain}} WHERE {{ {{focus}} FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
            else:
                body = (f"SELECT ?this {{chain}} WHERE {{ {{focus}} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) "
                        f"WHERE {{ ?this {path} ?v }} GROUP BY ?this }} FILTER(COALESCE(?n, 0) < {n}) }}")
                near = (f"SELECT ?this {{chain}} WHERE {{ {{focus}} OPTIONAL {{ ?this {path} ?v }} }} "
                        f"GROUP BY ?this {{chain}} HAVING (COUNT(DISTINCT ?v) < {n})")
            return [Check(shape, component, body, False, messages, near=near, name=name, param=value)]
        if name == "maxCount":
            n = int(value.value)
            body = (f"SELECT ?this {{chain}} WHERE {{ {{focus}} {{ SELECT ?this WHERE {{ ?this {path} ?v }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n}) }} }}")
            near = (f"SELECT ?this {{chain}} WHERE {{ {{focus}} ?this {path} ?v }} "
                    f"GROUP BY ?this {{chain}} HAVING (COUNT(DISTINCT ?v) > {n})")
            return [Check(shape, component, body, False, messages, near=near, name=name, param=value)]
        if name == "uniqueLang":
            from .shapes import is_true

            if not is_true(value):
                return []
            inner = (f"?this {path} ?a FILTER(isLiteral(?a) && lang(?a) != \"\") "
                     f"BIND(LCASE(lang(?a)) AS ?lang)")
            if not self.portable:
                # ?a decoded once, not three times: lang() of a non-literal is an error,
                # which leaves ?lang unbound and the FILTER false
                inner = f"?this {path} ?a BIND(LCASE(lang(?a)) AS ?lang) FILTER(?lang != \"\")"
            body = (f"SELECT ?this ?lang {{chain}} WHERE {{ {{focus}} {{ SELECT ?this ?lang WHERE {{ {inner} }} "
                    f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?a) > 1) }} }}")
            near = (f"SELECT ?this ?lang {{chain}} WHERE {{ {{focus}} {inner} }} "
                    f"GROUP BY ?this ?lang {{chain}} HAVING (COUNT(DISTINCT ?a) > 1)")
            return [Check(shape, component, body, False, messages, near=near, name=name, param=value)]
        if name == "hasValue":
            body = f"SELECT ?this {{chain}} WHERE {{ {{focus}} MINUS {{ ?this {path} {nt(value)} }} }}"
            near = f"SELECT ?this {{chain}} WHERE {{ {{focus}} FILTER NOT EXISTS {{ ?this {path} {nt(value)} }} }}"
            return [Check(shape, component, body, False, messages, near=near, name=name, param=value)]
        if name == "qualifiedValueShape":
            return self.qualified_checks(shape, value)
        return [self.pair_check(shape, name, value, component)]

    def pair_check(self, shape, name: str, value, component: str) -> Check:
        other, path, extra, whole = f"<{value.value}>", shape.path.sparql(), "", None
        if name == "equals":
            data = (f"{{ ?this {path} ?value MINUS {{ ?this {other} ?value }} }} UNION "
                    f"{{ ?this {other} ?value MINUS {{ ?this {path} ?value }} }}")
        elif name == "disjoint":
            data = f"?this {path} ?value . ?this {other} ?value"
            whole = f"{self.scan('?this', path, '?value')} {self.scan('?this', other, '?value')}"
        else:
            op = "<" if name == "lessThan" else "<="
            # SHACL 1.0 §4.4.3-4: values that cannot be compared are results too; one per pair
            test = f"FILTER(!{self.compared('?value', op, '?other')})"
            data = f"?this {path} ?value . ?this {other} ?other {test}"
            whole = f"{self.scan('?this', path, '?value')} {self.scan('?this', other, '?other')} {test}"
            extra = " ?other"
        check = self.value_check(shape, component, data, shape.messages, extra,
                                 whole=None if self.portable else whole)
        check.name, check.param = name, value
        return check

    @staticmethod
    def scan(subject: str, path: str, obj: str) -> str:
        """A path as a subquery of its own: for the whole graph the two sides of a pair
        are then two scans joined by hashing, where one pattern after the other
        looks up the second for each row of the first (MilestoneOrder at 10M
        triples: 183,000 lookups, 18 s, 45× its time at 1M)."""
        return f"{{ SELECT {subject} {obj} WHERE {{ {subject} {path} {obj} }} }}"

    def node_focus_checks(self, shape, name: str, value, component: str) -> list[Check]:
        """sh:hasValue, sh:equals and sh:disjoint on a node shape: the value node is
        the focus node itself (SHACL 1.0 §4.8.3, §4.5.1-2)."""
        other = f"<{value.value}>" if hasattr(value, "value") else ""
        if name == "hasValue":
            data = f"FILTER(!{self.same('?this', value)})"
            body = f"SELECT ?this {{chain}} WHERE {{ {{focus}} {data} }}"
            return [Check(shape, component, body, False, shape.messages, near=body, name=name, param=value)]
        if name == "equals":
            # each UNION branch is evaluated on its own, so each starts from the focus nodes
            data = (f"{{ {{focus}} BIND(?this AS ?value) FILTER NOT EXISTS {{ ?this {other} ?this }} }} UNION "
                    f"{{ {{focus}} ?this {other} ?value FILTER(!sameTerm(?value, ?this)) }}")
        elif name == "disjoint":
            data = f"{{focus}} ?this {other} ?this BIND(?this AS ?value)"
        else:
            raise refuse(shape.node, f"sh:{name}", "den hører til en egenskabsform (it needs sh:path)")
        body = f"SELECT DISTINCT ?this ?value {{chain}} WHERE {{ {data} }}"
        return [Check(shape, component, body, True, shape.messages, near=body, name=name, param=value)]

    def qualified_checks(self, shape, value) -> list[Check]:
        """sh:qualifiedValueShape with sh:qualifiedMinCount and/or sh:qualifiedMaxCount:
        the value nodes that conform to it (and to none of its siblings, when
        disjoint), counted per focus node."""
        low, high = self.qualified_bounds(shape)
        path = shape.path.sparql()
        counted = (f"OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?y) AS ?n) WHERE {{ ?this {path} ?y "
                   f"FILTER({self.qualified(shape, value, '?y')}) }} GROUP BY ?this }}")
        out = []
        for bound, test, kind in ((low, "<", "Min"), (high, ">", "Max")):
            if bound is None:
                continue
            body = f"SELECT ?this {{chain}} WHERE {{ {{focus}} {counted} FILTER(COALESCE(?n, 0) {test} {bound}) }}"
            out.append(Check(shape, f"sh:Qualified{kind}CountConstraintComponent", body, False, shape.messages,
                             near=body, name="qualifiedValueShape", param=value))
        return out
