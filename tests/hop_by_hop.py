"""The neighbourhood projection as it was before issue 28, kept to compare with.

``rammegraf.network`` reads a view set at a time (one VALUES block per set, item
links and types joined by hash for large sets, a cap on the nodes); this is the
hop-by-hop reading it replaced (commit 9009144), chunks of 400 IRIs, each set looked up.
tests/test_network.py checks that both read the same nodes, kinds, links and items.
"""

from __future__ import annotations

from rammegraf.network import _LINKS_FROM, _LINKS_TO, _Projection
from rammegraf.terms import is_iri, iri

CHUNK = 400
ITEMS = ("SELECT ?item ?initiative WHERE { { ?initiative rg:hasTask ?item } UNION "
         "{ ?initiative rg:hasChallenge ?item } UNION { ?initiative rg:hasDecisionPoint ?item } }")


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def kinds_of(engine, classes: dict[str, str], nodes: list) -> dict[str, str]:
    from rammegraf.network import ORDER

    kinds: dict[str, str] = {}
    for part in chunks(nodes):
        for node, cls in engine.query("SELECT ?n ?c WHERE { ?n a ?c }", {"n": [iri(n) for n in part]}).rows:
            kind = classes.get(cls.value)
            if kind and is_iri(node) and (node.value not in kinds or ORDER[kind] < ORDER[kinds[node.value]]):
                kinds[node.value] = kind
    return kinds


def owners(engine, items: list[str]) -> dict[str, str]:
    rows = [row for part in chunks(items) for row in engine.query(ITEMS, {"item": [iri(i) for i in part]}).rows]
    return {item.value: initiative.value for item, initiative in rows}


def items_of(engine, initiatives: list[str]) -> dict[str, str]:
    out = {}
    for part in chunks(initiatives):
        for item, initiative in engine.query(ITEMS, {"initiative": [iri(i) for i in part]}).rows:
            out[item.value] = initiative.value
    return out


class HopByHop(_Projection):
    def around(self, focus: str, depth: int) -> None:
        self.kinds = kinds_of(self.engine, self.classes, [focus])
        if focus not in self.kinds:
            return
        reached, frontier = {focus}, {focus}
        for _ in range(depth):
            found = self._neighbours(frontier) - reached
            reached |= found
            frontier = found
            if not frontier:
                break
        self._neighbours(frontier)
        self.known = dict(self.kinds)
        self.kinds = {n: k for n, k in self.kinds.items() if n in reached}

    def _neighbours(self, nodes: set[str]) -> set[str]:
        if not nodes:
            return set()
        initiatives = [n for n in nodes if self.kinds.get(n) == "initiative"]
        items = items_of(self.engine, initiatives)
        self.owner.update(items)
        ends = sorted(nodes | items.keys())
        rows = []
        for part in chunks(ends):
            terms = [iri(n) for n in part]
            rows += self.engine.query(_LINKS_FROM, {"s": terms}).rows
            rows += self.engine.query(_LINKS_TO, {"o": terms}).rows
        found = set()
        new = sorted({t.value for row in rows for t in (row[0], row[2]) if is_iri(t)}
                     - self.kinds.keys() - self.owner.keys())
        self.owner.update(owners(self.engine, new))
        unknown = (set(new) - self.owner.keys()) | {self.owner[n] for n in new if n in self.owner} - self.kinds.keys()
        self.kinds.update(kinds_of(self.engine, self.classes, sorted(unknown)))
        for s, p, o in rows:
            if not (is_iri(s) and is_iri(o)):
                continue
            self.links.add((s.value, p.value, o.value))
            for end in (self.owner.get(s.value, s.value), self.owner.get(o.value, o.value)):
                if end in self.kinds and end not in nodes:
                    found.add(end)
        return found
