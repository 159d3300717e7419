"""What every part of the compiler shares: the error, terms as SPARQL text,
property paths, and the Check (one query whose rows are validation results)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import RammegrafError
from ..namespaces import RDF, SH, curie


class ShapeError(RammegrafError):
    """The shapes use a SHACL feature this validator does not compile, or are not
    well-formed SHACL (a failure in the sense of SHACL 1.0 §3.6.1: no report)."""


# ---------------------------------------------------------------------------
# Terms and SPARQL text
# ---------------------------------------------------------------------------

def nt(term) -> str:
    """A pyoxigraph term in SPARQL (N-Triples syntax is valid SPARQL for IRIs and
    literals); a blank node has no name a query could use."""
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        raise ShapeError(f"en blank node kan ikke bruges som værdi i en form ({term}) "
                         "(a blank node cannot be used as a value in a shape)")
    return str(term)


def string(text: str) -> str:
    """A SPARQL string literal for ``text``."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"'


def refuse(node, feature: str, why: str) -> ShapeError:
    """The sentence for a shape this validator cannot check: the shape, the feature, why."""
    return ShapeError(f"formen {node} bruger {feature}: {why}")


# ---------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------

SUFFIX = {"star": "*", "plus": "+", "opt": "?"}
PATH_PREDICATE = {"inv": SH.inversePath, "star": SH.zeroOrMorePath, "plus": SH.oneOrMorePath,
                  "opt": SH.zeroOrOnePath}


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
        return f"({self.parts[0].sparql()}){SUFFIX[self.kind]}"

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
        return self.parts[0].render() + SUFFIX[self.kind]

    def triples(self) -> tuple:
        """(node, triples): the path as SHACL writes it, in fresh blank nodes (one
        structure per result, so no two results share one; SHACL 1.0 §2.3.1)."""
        import pyoxigraph as ox

        if self.kind == "pred":
            return ox.NamedNode(self.iri), []
        node, out = ox.BlankNode(), []
        if self.kind in ("seq", "alt"):
            head, items = _rdf_list([p.triples() for p in self.parts])
            out += items
            if self.kind == "seq":
                return head, out
            out.append(ox.Triple(node, ox.NamedNode(SH.alternativePath), head))
            return node, out
        inner, inner_triples = self.parts[0].triples()
        return node, [ox.Triple(node, ox.NamedNode(PATH_PREDICATE[self.kind]), inner), *inner_triples]


def _rdf_list(members: list) -> tuple:
    import pyoxigraph as ox

    head, out = ox.NamedNode(RDF.nil), []
    for node, triples in reversed(members):
        cell = ox.BlankNode()
        out += [ox.Triple(cell, ox.NamedNode(RDF.first), node), ox.Triple(cell, ox.NamedNode(RDF.rest), head),
                *triples]
        head = cell
    return head, out


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

# Messages for a shape that has none of its own (SHACL leaves them to the engine).
DEFAULT_MESSAGES = {
    "da": "Værdien opfylder ikke formens krav ({component}).",
    "en": "The value does not satisfy the shape ({component}).",
}


@dataclass
class Check:
    """One query: the results of one constraint of one shape, in one context.

    Two texts of the same query: ``body`` for the whole graph, where each part is
    a subquery of its own so that Oxigraph scans each predicate once and joins by
    hashing (its per-row index lookups cost ~10 µs each on disk), and ``near`` for
    a few focus nodes, which starts from them and looks up only what they touch
    (FILTER NOT EXISTS instead of MINUS). Both hold {focus} where the focus nodes
    go and {chain} where the chain of outer focus nodes is projected: a shape
    reached through nested sh:property is validated once per chain that reaches
    it (SHACL 1.0 §4.8.2: its results are the results of each outer value node),
    so each chain is a result of its own. The rows name ?this, and ?value, ?path
    (or ?other, ?lang) as the component gives them."""
    shape: object                       # the Shape whose constraint this is
    component: str                      # e.g. "sh:MinCountConstraintComponent"
    body: str
    has_value: bool                     # whether the rows name ?value
    messages: dict
    value_is_focus: bool = False        # a node shape: the value node is the focus node
    pattern: str = ""                   # the target pattern
    near: str = ""                      # the text for focus nodes (default: body)
    near_pattern: str = ""              # the target pattern after focus nodes
    cond: str | None = None             # a value condition ?value must meet (combinable)
    parts: list = field(default_factory=list)  # combined: the checks to run on the nodes found
    hops: tuple = ()                    # nested sh:property: the paths (Path_) from the targets to the focus nodes
    top: object = None                  # the shape with targets this check is reached from
    path_column: bool = False           # the rows name ?path (a SPARQL result, sh:closed)
    source_constraint: object = None    # sh:sourceConstraint (a SPARQL constraint's node)
    prebound: object = None             # a SPARQL query run once per focus node (sparql_checks.Prebound)
    near_prebound: object = None        # the same, for given focus nodes only (the whole graph is joined)
    param: object = None                # the constraint's parameter value(s), for the exact evaluator
    name: str = ""                      # the parameter's local name ("minCount", "sparql", …)
    unique: bool = False                # the target pattern binds each focus node once (no DISTINCT)

    @property
    def path(self) -> Path_ | None:
        return self.shape.path

    @property
    def chain(self) -> list[str]:
        return [f"?c{i}" for i in range(len(self.hops))]

    def focus_text(self, focus: list | None) -> str:
        """The group binding ?this (and the chain) to the focus nodes of this check."""
        if focus is None:
            start = f"{{ SELECT {'' if self.unique else 'DISTINCT '}?this WHERE {{ {self.pattern} }} }}"
        else:
            values = " ".join(nt(f) for f in focus)
            start = (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {values} }} "
                     f"{self.near_pattern or self.pattern} }} }}")
        chain = self.chain
        for i, hop in enumerate(self.hops):
            start = start.replace("?this", chain[i])
            start = (f"{{ SELECT DISTINCT {' '.join(chain[:i + 1])} ?this WHERE {{ {start} "
                     f"{chain[i]} {hop.sparql()} ?this }} }}")
        return start

    def query(self, focus: list | None) -> str:
        """The query text, over all targets or over ``focus`` (pyoxigraph terms)."""
        text = self.body if focus is None else (self.near or self.body)
        return text.replace("{focus}", self.focus_text(focus)).replace("{chain}", " ".join(self.chain))
