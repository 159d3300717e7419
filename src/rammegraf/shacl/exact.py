"""The data's own terms where Oxigraph's store keeps another form.

Oxigraph stores a typed literal in a canonical form of its value: "4.0"^^xsd:decimal
comes back as "4", "01"^^xsd:integer as "1", "1e400"^^xsd:double as "INF",
"5"^^xsd:byte and even "300"^^xsd:byte (which is no byte) as xsd:integer, a
dateTimeStamp as an xsd:dateTime, and a language tag in lower case. SHACL
compares terms, so a query over the store can name a term that is not in the
data, miss that "300"^^xsd:byte is ill-typed, or merge two values into one.

``Originals`` remembers, for the triples the validator parsed itself (``rammegraf
shacl``, new entries), each literal whose stored form differs. ``rework`` then
checks, in Python and term by term, every constraint that reads literals
exactly (datatypes, patterns, lengths, sh:in, counts, …) on the focus nodes
whose values include such a literal, and names the data's own literal in every
other result (or, where one stored form stands for several written ones, names
them all in the message). A literal sh:targetNode is checked here too: a query
would name it in the store's form. The compiled queries stay as they are, so
data without such literals costs nothing.
"""

from __future__ import annotations

from ..namespaces import XSD
from .evaluator import Exact, Graph
from .model import ShapeError, nt

# Constraints whose answer depends on a literal's exact form (or its datatype).
SENSITIVE = {"datatype", "in", "hasValue", "pattern", "minLength", "maxLength", "languageIn", "uniqueLang",
             "equals", "disjoint", "minCount", "maxCount", "lessThan", "lessThanOrEquals", "minInclusive",
             "maxInclusive", "minExclusive", "maxExclusive", "qualifiedValueShape", "node", "and", "or", "not",
             "xone"}
DEEP = {"node", "and", "or", "not", "xone", "qualifiedValueShape"}


class Originals:
    """For each triple whose literal the store keeps in another form: the literals as written."""

    def __init__(self, *, complete: bool = True) -> None:
        self.by_triple: dict = {}        # (subject, predicate IRI, stored literal) → [written literals]
        self.by_stored: dict = {}        # stored literal → {written literals}
        self.complete = complete         # the triples are the whole data graph (not new entries only)

    @classmethod
    def of(cls, triples, *, complete: bool = True) -> Originals:
        """The literals of ``triples`` (pyoxigraph) that a store would change;
        ``complete``: the triples are the whole graph validated."""
        import pyoxigraph as ox

        found = cls(complete=complete)
        typed = [t for t in triples if isinstance(t.object, ox.Literal)
                 and (t.object.language or t.object.datatype.value != XSD.string)]
        if not typed:
            return found
        scratch = ox.Store()
        predicate = ox.NamedNode("urn:x-rammegraf:o")
        scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-rammegraf:{i}"), predicate, t.object, ox.DefaultGraph())
                       for i, t in enumerate(typed))
        for quad in scratch:
            written = typed[int(quad.subject.value[len("urn:x-rammegraf:"):])]
            if quad.object != written.object:
                key = (written.subject, written.predicate.value, quad.object)
                found.by_triple.setdefault(key, [])
                if written.object not in found.by_triple[key]:
                    found.by_triple[key].append(written.object)
                found.by_stored.setdefault(quad.object, set()).add(written.object)
        return found

    def __bool__(self) -> bool:
        return bool(self.by_triple)

    def objects(self, subject, predicate: str, stored) -> list:
        return self.by_triple.get((subject, predicate, stored)) or [stored]


# ---------------------------------------------------------------------------
# Putting the results right
# ---------------------------------------------------------------------------

def rework(found: list, checks: list, compiler, run, source, originals, focus) -> list:
    """``found``: (check, result) pairs from the compiled queries. Literal and blank
    sh:targetNode values are checked here; with ``originals``, every check that
    reads literals exactly is checked again term by term on the focus nodes whose
    values the store changed, and the other results name the data's own literals."""
    from ..validate import _results

    exact = Exact(compiler, Graph(source, run), originals)
    leaves = [p for c in checks for p in (c.parts or [c])]
    for shape, term in compiler.literal_targets:
        if focus is not None and term not in focus:
            continue
        for check in (c for c in leaves if c.top is shape):
            found += [(check, r) for r in _results(check, _target_rows(exact, check, term, run))]
    if not originals:
        return found
    for check in leaves:
        if check.name not in SENSITIVE:
            continue
        affected = _affected(check, originals, run, focus)
        if not affected:
            continue
        nodes = {row["this"] for row in affected}
        found = [(c, r) for c, r in found if c is not check or r.focus_node not in nodes]
        for row in affected:
            found += [(check, r) for r in _results(check, _check_rows(exact, check, row["this"]))]
    return [(c, _named(r, originals)) if c.name not in SENSITIVE else (c, r) for c, r in found]


def _check_rows(exact: Exact, check, focus) -> list[dict]:
    rows = exact.rows(check.shape, check.name, check.param, focus)
    return [r for r in rows if r.get("component", check.component) == check.component]


def _target_rows(exact: Exact, check, term, run) -> list[dict]:
    """The rows of a check for a literal or blank target node of its shape."""
    nodes = [term]
    for hop in check.hops:
        nodes = [v for n in nodes for v in exact.values(n, hop)]
    if check.name in ("sparql", "component"):
        import pyoxigraph as ox

        if check.hops or isinstance(term, ox.BlankNode):
            raise ShapeError(f"SPARQL-begrænsningen i {check.shape.node} kan ikke prøves på {term} "
                             "(a SPARQL constraint cannot be checked on a blank or nested literal target)")
        text = (check.near or check.body).replace("{focus}", f"{{ VALUES ?this {{ {nt(term)} }} }}")
        rows = run(text.replace("{chain}", ""))
        prebound = check.prebound or check.near_prebound
        if prebound is not None:
            text, substitutions = prebound.text(term)
            rows = [{**r, "this": term} for r in run(text, substitutions)]
        return [{**r, "this": term} for r in rows]
    return [row for n in nodes for row in _check_rows(exact, check, n)]


def _affected(check, originals: Originals, run, focus) -> list[dict]:
    """The focus rows (with their chains) whose evaluation reads a literal the store changed."""
    stored = " ".join(nt(t) for t in sorted(originals.by_stored, key=str))
    chain = " ".join(check.chain)
    start = check.focus_text(focus)
    if check.name in DEEP or check.name in ("hasValue", "equals", "disjoint") and check.path is None:
        text = f"SELECT DISTINCT ?this {chain} WHERE {{ {start} }}"
    elif check.path is None:
        text = f"SELECT DISTINCT ?this {chain} WHERE {{ {start} VALUES ?this {{ {stored} }} }}"
    else:
        reach = f"?this {check.path.sparql()} ?v"
        if check.name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            reach = f"{{ {reach} }} UNION {{ ?this <{check.param.value}> ?v }}"
        text = f"SELECT DISTINCT ?this {chain} WHERE {{ {start} {reach} VALUES ?v {{ {stored} }} }}"
    return run(text)


def _named(result, originals: Originals):
    """A result naming the data's own literal (value and focus node) where the store
    changed it: the one written form, or every form in the message when several
    were written (the store made them one)."""
    import dataclasses

    changes, notes = {}, []
    for field_name in ("focus_node", "value"):
        term = getattr(result, field_name)
        if term not in originals.by_stored:
            continue
        path = result.path_node
        if field_name == "value" and path is not None and path.kind == "pred":
            written = originals.objects(result.focus_node, path.iri, term)
            if written == [term]:
                written = sorted(originals.by_stored[term], key=str)
        else:
            written = sorted(originals.by_stored[term], key=str)
        if len(written) == 1:
            changes[field_name] = written[0]
        else:
            notes.append(", ".join(str(w) for w in written))
    if notes:
        said = "; ".join(notes)
        changes["messages"] = {lang: f"{text} (i data / in the data: {said})"
                               for lang, text in result.messages.items()}
    return dataclasses.replace(result, **changes) if changes else result
