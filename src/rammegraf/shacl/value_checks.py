"""Checks of value nodes one by one (SHACL 1.0 §4.1-4.6 and sh:closed §4.8.1):
each value node that fails the condition is a result (focus, value).

For the whole graph each check is an anti-join or a scan of the path with the
condition as a FILTER, in a subquery of its own so that Oxigraph joins it with
the targets by hashing; conditions on the same path and targets are merged into
one scan (``combined``) that finds the failing focus nodes, and each
condition's own query then runs only for them.
"""

from __future__ import annotations

from ..namespaces import RDF, SH
from .model import Check
from .shapes import VALUE_PARAMS


class ValueChecks:
    """Mixed into the Compiler."""

    def value_checks(self, shape, name: str, value) -> list[Check]:
        component = "sh:" + VALUE_PARAMS[name]
        messages = shape.messages
        if name == "closed":
            return [self.closed_check(shape, value)]
        if shape.path is None:
            # A node shape: its one value node is the focus node itself.
            body = self.or_by_counting(value) if name == "or" else None
            cond = self.condition(name, value, "?this", shape)
            near = f"SELECT ?this {{chain}} WHERE {{ {{focus}} FILTER(!{cond}) }}"
            return [Check(shape, component, body or near, False, messages, value_is_focus=True, near=near,
                          cond=None if body else cond, name=name, param=value)]
        path = shape.path.sparql()
        if name == "class" or (name == "or" and self.only_classes(value)):
            classes = [value.value] if name == "class" else [
                self.shapes._one(m, SH["class"]).value for m in self.shapes._list(value)]
            types = " ".join(f"<{t}>" for t in sorted({c for k in classes for c in self.subclasses.get(k, {k})}))
            typed = f"?value <{RDF.type}> ?type . VALUES ?type {{ {types} }}"
            body = (f"SELECT DISTINCT ?this ?value {{chain}} WHERE {{ {{focus}} {{ SELECT ?this ?value WHERE {{ "
                    f"?this {path} ?value MINUS {{ {typed} }} }} }} }}")
            near = (f"SELECT DISTINCT ?this ?value {{chain}} WHERE {{ {{focus}} ?this {path} ?value "
                    f"FILTER NOT EXISTS {{ {typed} }} }}")
            return [Check(shape, component, body, True, messages, near=near, name=name, param=value)]
        cond = self.condition(name, value, "?value", shape)
        check = self.value_check(shape, component, f"?this {path} ?value FILTER(!{cond})", messages)
        check.cond, check.name, check.param = cond, name, value
        return [check]

    def value_check(self, shape, component: str, data: str, messages: dict, extra: str = "",
                    whole: str | None = None) -> Check:
        """Results (?this, ?value) from a pattern over ?this and ?value (``whole``: the
        same pattern written for the whole graph)."""
        body = (f"SELECT DISTINCT ?this ?value{extra} {{chain}} WHERE {{ {{focus}} {{ SELECT ?this ?value{extra} "
                f"WHERE {{ {whole or data} }} }} }}")
        near = f"SELECT DISTINCT ?this ?value{extra} {{chain}} WHERE {{ {{focus}} {data} }}"
        return Check(shape, component, body, True, messages, near=near)

    def closed_check(self, shape, value) -> Check:
        """sh:closed: each triple of a value node whose predicate is neither a property
        shape's path nor ignored is a result with that predicate and object."""
        allowed = ", ".join(f"<{iri}>" for iri in self.allowed(shape))
        test = f"FILTER(?path NOT IN ({allowed}))" if allowed else ""
        start = "BIND(?this AS ?v)" if shape.path is None else f"?this {shape.path.sparql()} ?v ."
        data = f"{start} ?v ?path ?value {test}"
        body = f"SELECT DISTINCT ?this ?path ?value {{chain}} WHERE {{ {{focus}} {data} }}"
        return Check(shape, "sh:ClosedConstraintComponent", body, True, shape.messages, near=body,
                     path_column=True, name="closed", param=value)

    def combined(self, group: list[Check]) -> Check:
        """Several value conditions on one path and the same targets as one query
        that finds the focus nodes failing any of them; each condition's own query
        then runs only for those nodes (none, in data that conforms)."""
        if len(group) == 1:
            return group[0]
        first = group[0]
        failing = " || ".join(f"!{c.cond}" for c in self.tested(group))
        if first.path is None:
            body = f"SELECT DISTINCT ?this {{chain}} WHERE {{ {{focus}} FILTER({failing}) }}"
            near = body
        else:
            data = f"?this {first.path.sparql()} ?value FILTER({failing})"
            body = (f"SELECT DISTINCT ?this {{chain}} WHERE {{ {{focus}} {{ SELECT DISTINCT ?this WHERE {{ {data} }} "
                    f"}} }}")
            near = f"SELECT DISTINCT ?this {{chain}} WHERE {{ {{focus}} {data} }}"
        return Check(first.shape, first.component, body, False, first.messages, pattern=first.pattern,
                     near=near, parts=group, near_pattern=first.near_pattern, hops=first.hops,
                     unique=first.unique)

    def tested(self, group: list[Check]) -> list[Check]:
        """The conditions a combined query tests. Each mention of a term decodes it again
        (a long literal or an IRI looked up on disk), so a condition is left out where
        another one of the group fails on every term it fails on; its own query still
        runs on every node found. Two such pairs:

        - sh:datatype rdf:langString beside sh:languageIn: a value without a language
          tag has none in the list. rg:text at 1M (fastest of three): a task's or an
          event's 0.64 -> 0.35 s, a status report's (StatusText) 0.70 -> 0.56 s.
        - sh:nodeKind sh:IRI beside sh:pattern on focus nodes that cannot be literals
          (subjects of triples, IRI target nodes): such a node is an IRI or a blank
          node, and the pattern's condition is false on a blank node (STR() of it is
          an error). IriShape over every typed resource: 0.88 -> 0.52 s at 1M (isIRI()
          alone reads the 167,000 IRIs in 0.34 s)."""
        if self.portable:
            return group
        first, names = group[0], {c.name for c in group}
        left_out = set()
        if "languageIn" in names:
            left_out |= {id(c) for c in group if c.name == "datatype" and c.param.value == RDF.langString}
        if "pattern" in names and first.path is None and not first.hops and first.top is not None and \
                not any(kind == "targetObjectsOf" for kind, _ in first.top.targets):
            left_out |= {id(c) for c in group if c.name == "nodeKind" and
                         c.param.value.rsplit("#", 1)[-1] in ("IRI", "IRIOrLiteral")}
        return [c for c in group if id(c) not in left_out]

    def or_by_counting(self, value) -> str | None:
        """A node-level sh:or whose members are property shapes on one path with
        counts and value conditions (rgsh:LabelDanish), for the whole graph: one
        scan of the path, counted per node, instead of EXISTS per node."""
        members = [self.shapes.shape(m) for m in self.shapes._list(value)]
        paths = {m.path for m in members}
        if len(paths) != 1 or None in paths or any(m.properties or m.sparql or m.components or m.deactivated
                                                   for m in members):
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
                elif name in VALUE_PARAMS and name not in ("node", "or", "and", "not", "xone", "closed"):
                    bad = f"?bad{len(sums)}"
                    sums.append(f"(SUM(IF({self.condition(name, param, '?y', member)}, 0, 1)) AS {bad})")
                    parts.append(f"COALESCE({bad}, 0) = 0")
                else:
                    return None
            tests.append("(" + " && ".join(parts or ["true"]) + ")")
        return (f"SELECT ?this {{chain}} WHERE {{ {{focus}} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?y) AS ?n) "
                f"{' '.join(sums)} WHERE {{ ?this {path} ?y }} GROUP BY ?this }} FILTER(!({' || '.join(tests)})) }}")

    def only_classes(self, value) -> bool:
        """An sh:or whose members each say only sh:class X (an anti-join answers it)."""
        for member in self.shapes._list(value):
            shape = self.shapes.shape(member)
            if shape.path is not None or shape.properties or shape.sparql or shape.components or \
                    shape.deactivated or [n for n, _ in shape.params] != ["class"]:
                return False
        return True
