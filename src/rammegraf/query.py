"""Named SPARQL queries: read their header, bind typed parameters, run them.

A named query is ``queries/<name>.rq``, opening with a comment header::

    # title@da: Initiativer der afhænger af en aktørs milepæl senest en dato
    # title@en: Initiatives that depend on an actor's milestone by a date
    # description@da: …
    # description@en: …
    # param: actor iri org:Organization = https://w3id.org/rammegraf/id/region/midtjylland
    # param: deadline xsd:date = 2026-01-01

Parameters are bound as RDF terms (``initBindings``), never pasted into the text:
a value holding a quote or ``}`` is one literal and cannot change the query.
Queries run read-only: SPARQL Update, SERVICE and FROM / FROM NAMED are refused
before anything runs, so nothing is fetched from the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from .errors import RammegrafError, did_you_mean
from .namespaces import ID, PREFIXES
from .store import shipped_root

TYPES = ("xsd:date", "xsd:integer", "xsd:decimal", "xsd:string", "xsd:boolean", "iri")
_KEY = re.compile(r"^#\s*([A-Za-z][\w-]*(?:@[a-z]{2})?)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\S+)(?:\s+(?P<cls>[A-Za-z][\w-]*:[A-Za-z]\w*))?"
    r"(?:\s*=\s*(?P<default>.*))?$")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class QueryError(RammegrafError):
    """A query that cannot run: unknown name, bad header, bad parameter value."""

    def __init__(self, message: str, *, query: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.query = query

    def where(self) -> str:
        return self.query or ""


class QueryRefused(QueryError):
    """A query that is valid SPARQL but not allowed: Update, SERVICE, FROM."""


class QuerySyntaxError(QueryError):
    """Text that is not SPARQL: the parser's message with line and column."""

    def __init__(self, message: str, *, query: str | None, line: int | None,
                 column: int | None) -> None:
        super().__init__(message, query=query)
        self.line = line
        self.column = column

    def where(self) -> str:
        parts = [p for p in (self.query,
                             f"linje {self.line}" if self.line else None,
                             f"kolonne {self.column}" if self.column else None) if p]
        return ", ".join(parts)


@dataclass(frozen=True)
class Param:
    name: str
    type: str                   # one of TYPES
    cls: str | None = None      # for iri: the class the value must be an instance of
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    path: Path | None = None
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()

    def title(self, lang: str = "da") -> str:
        return self.titles.get(lang) or self.titles.get("da") or self.name

    def description(self, lang: str = "da") -> str:
        return self.descriptions.get(lang) or self.descriptions.get("da") or ""

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (the first keyword after the prologue)."""
        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))
        match = _FORM.search(body)
        return match.group(1).upper() if match else "SELECT"

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "ingen (none)"
        raise QueryError(f"ukendt parameter '{name}'; forespørgslen har: {known} "
                         f"(unknown parameter)", query=self.name)


# ---------------------------------------------------------------------------
# Reading queries
# ---------------------------------------------------------------------------

def queries_dir() -> Path:
    return shipped_root() / "queries"


def query_names(folder: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (folder or queries_dir()).glob("*.rq"))


def named_queries(folder: Path | None = None) -> list[NamedQuery]:
    """Every named query, each with a header that parses and is complete."""
    return [read_query(p, require_header=True) for p in sorted((folder or queries_dir()).glob("*.rq"))]


def get_query(name: str, folder: Path | None = None) -> NamedQuery:
    """The named query ``name``; an unknown name suggests the closest ones."""
    folder = folder or queries_dir()
    path = folder / f"{name}.rq"
    if not _NAME.match(name) or not path.is_file():
        hint = did_you_mean(name, query_names(folder)) or \
            "Se listen med `rammegraf queries` (see the list)."
        raise QueryError(f"der er ingen navngiven forespørgsel '{name}' (no such named query)",
                         hint=hint)
    return read_query(path, require_header=True)


def read_query(path: Path, *, require_header: bool = False) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"kan ikke læses (cannot be read): {exc}", query=str(path)) from None
    return parse_query_text(text, name=path.stem, path=path, require_header=require_header)


def parse_query_text(text: str, *, name: str = "-", path: Path | None = None,
                     require_header: bool = False) -> NamedQuery:
    """Split the header from the query; a header line that does not parse is an error."""
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    params: list[Param] = []
    where = str(path) if path else name
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _KEY.match(stripped)
        if not match:
            continue  # a plain comment line
        key, value = match.groups()
        if key in ("title@da", "title@en"):
            titles[key[-2:]] = value
        elif key in ("description@da", "description@en"):
            descriptions[key[-2:]] = value
        elif key == "param":
            params.append(_parse_param(value, where, number))
        else:
            raise QueryError(f"linje {number}: ukendt nøgle '{key}' i hovedet; tilladt er title@da, "
                             "title@en, description@da, description@en og param "
                             "(unknown header key)", query=where)
    if require_header:
        missing = [k for k, d in (("title@da", titles), ("title@en", titles),
                                  ("description@da", descriptions), ("description@en", descriptions))
                   if k[-2:] not in d]
        if missing:
            raise QueryError(f"hovedet mangler {', '.join(missing)} (the header lacks them)",
                             query=where)
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryError("en parameter er erklæret to gange (a parameter is declared twice)",
                         query=where)
    return NamedQuery(name=name, text=text, path=path, titles=titles,
                      descriptions=descriptions, params=tuple(params))


def _parse_param(value: str, where: str, number: int) -> Param:
    match = _PARAM.match(value)
    if not match or match.group("type") not in TYPES:
        raise QueryError(f"linje {number}: parameteren skal skrives 'navn type [klasse] [= standard]' "
                         f"med type blandt {', '.join(TYPES)}; fik '{value}' "
                         "(a parameter is 'name type [class] [= default]')", query=where)
    cls = match.group("cls")
    if cls and match.group("type") != "iri":
        raise QueryError(f"linje {number}: kun iri-parametre kan have en klasse "
                         "(only iri parameters take a class)", query=where)
    if cls and cls.split(":", 1)[0] not in PREFIXES:
        raise QueryError(f"linje {number}: ukendt præfiks i '{cls}' (unknown prefix)", query=where)
    default = match.group("default")
    return Param(name=match.group("name"), type=match.group("type"), cls=cls,
                 default=default.strip() if default is not None else None)


# ---------------------------------------------------------------------------
# Binding parameter values
# ---------------------------------------------------------------------------

def bind(query: NamedQuery, values: dict[str, str], graph: Graph) -> dict[str, Node]:
    """Typed RDF terms for every parameter, from ``values`` or the defaults."""
    for name in values:
        query.param(name)  # unknown names are an error
    bindings: dict[str, Node] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            raise QueryError(f"parameteren '{param.name}' ({param.type}) mangler en værdi; "
                             f"brug --param {param.name}=… (missing value)", query=query.name)
        bindings[param.name] = convert(param, raw, graph, query=query.name)
    return bindings


def convert(param: Param, raw: str, graph: Graph, *, query: str = "-") -> Node:
    """One parameter value as an RDF term of the declared type, or a QueryError."""
    def bad(expected: str) -> QueryError:
        return QueryError(f"parameteren '{param.name}' skal være {expected}; fik {raw!r} "
                          f"(parameter '{param.name}' must be {param.type})", query=query)

    raw = raw.strip()
    if param.type == "xsd:date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise bad("en dato ÅÅÅÅ-MM-DD")
        try:
            return Literal(date.fromisoformat(raw).isoformat(), datatype=XSD.date)
        except ValueError:
            raise bad("en gyldig dato ÅÅÅÅ-MM-DD") from None
    if param.type == "xsd:integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise bad("et heltal")
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "xsd:decimal":
        try:
            return Literal(Decimal(raw.replace(",", ".")), datatype=XSD.decimal)
        except InvalidOperation:
            raise bad("et decimaltal") from None
    if param.type == "xsd:boolean":
        truth = {"true": True, "ja": True, "1": True, "false": False, "nej": False, "0": False}
        if raw.lower() not in truth:
            raise bad("true/false (ja/nej)")
        return Literal(truth[raw.lower()])
    if param.type == "xsd:string":
        return Literal(raw)
    return resolve_iri(graph, raw, cls=param.cls, name=param.name, query=query)


def resolve_iri(graph, raw: str, *, cls: str | None = None, name: str = "iri",
                query: str = "-") -> URIRef:
    """An IRI from a full IRI, an ``id/…`` or ``kind/slug`` path, or a label.

    ``graph`` is an rdflib graph or an engine (rammegraf.engine): the look-ups are
    SPARQL with bound values, so they work the same on every store.
    """
    from .engine import as_engine

    engine = as_engine(graph)
    raw = raw.strip().strip("<>")
    cls_iri = expand_curie(cls) if cls else None
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
        candidates = [URIRef(raw)]
    elif re.fullmatch(r"(id/)?[a-z0-9-]+(/[a-z0-9-]+)+", raw):
        candidates = [ID[raw.removeprefix("id/")]]
    else:
        rows = engine.query("SELECT DISTINCT ?n WHERE { { ?n rdfs:label ?l } UNION { ?n skos:altLabel ?l } "
                            "FILTER (LCASE(STR(?l)) = LCASE(?text)) } ORDER BY ?n",
                            {"text": Literal(raw)})
        candidates = [row[0] for row in rows if isinstance(row[0], URIRef)]
    candidates = [c for c in candidates if _typed(engine, c, cls_iri)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = "; ".join(f"<{c}>" for c in candidates)
        raise QueryError(f"'{raw}' passer på flere ressourcer: {names}; brug IRI'en "
                         "(ambiguous: use the IRI)", query=query)
    what = f" af klassen {cls}" if cls else ""
    raise QueryError(f"parameteren '{name}': ingen ressource{what} hedder eller har IRI'en "
                     f"'{raw}' (no such resource)", query=query, hint=_suggest(engine, raw, cls_iri))


def _typed(engine, node: URIRef, cls: URIRef | None) -> bool:
    """Whether ``node`` is described in the store (and an instance of ``cls``)."""
    if cls is None:
        rows = engine.query("SELECT ?n WHERE { ?n a ?t } LIMIT 1", {"n": node})
    else:
        rows = engine.query("SELECT ?n WHERE { ?n a/rdfs:subClassOf* ?c } LIMIT 1", {"n": node, "c": cls})
    return len(rows) > 0


def instances(graph: Graph, cls: URIRef) -> list[URIRef]:
    rows = graph.query("SELECT DISTINCT ?n WHERE { ?n a/rdfs:subClassOf* ?c }",
                       initBindings={"c": cls}, initNs={"rdfs": RDFS})
    return [row[0] for row in rows if isinstance(row[0], URIRef)]


def _suggest(engine, raw: str, cls: URIRef | None) -> str | None:
    if cls is not None:
        rows = engine.query("SELECT ?n ?l WHERE { ?n a/rdfs:subClassOf* ?c ; rdfs:label ?l "
                            "FILTER (lang(?l) = \"da\") }", {"c": cls})
    else:
        rows = engine.query("SELECT ?n ?l WHERE { ?n a ?t ; rdfs:label ?l FILTER (lang(?l) = \"da\") }")
    labels = {str(label): node for node, label in rows}
    return did_you_mean(raw, sorted(labels), show=lambda c: f"{c} <{labels[c]}>")


def expand_curie(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(str(PREFIXES[prefix]) + local)


# ---------------------------------------------------------------------------
# Checking and running
# ---------------------------------------------------------------------------

def prepare(text: str, *, name: str = "-"):
    """Parse and check a query: read-only, no SERVICE, no FROM. Returns rdflib's Query."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        if _is_update(text, parseUpdate):
            raise QueryRefused("SPARQL Update er ikke tilladt: rammegraf læser kun "
                             "(SPARQL Update is refused: read-only)", query=name) from None
        raise QuerySyntaxError(f"ikke gyldig SPARQL (not valid SPARQL): {exc.msg}",
                               query=name, line=exc.lineno, column=exc.col) from None
    except Exception as exc:  # e.g. an unknown prefix is raised as a plain Exception
        raise QuerySyntaxError(f"ikke gyldig SPARQL (not valid SPARQL): {exc}",
                               query=name, line=None, column=None) from None
    check_read_only(prepared, name=name)
    return prepared


def _is_update(text: str, parse_update) -> bool:
    try:
        parse_update(text)
    except Exception:
        return False
    return True


def check_read_only(prepared, *, name: str = "-") -> None:
    """Refuse SERVICE and FROM / FROM NAMED: they would fetch from the network."""
    if prepared.algebra.get("datasetClause"):
        raise QueryRefused("FROM og FROM NAMED er ikke tilladt: forespørgsler kører mod den lokale graf "
                         "(FROM / FROM NAMED are refused)", query=name)
    if _contains(prepared.algebra, "ServiceGraphPattern"):
        raise QueryRefused("SERVICE er ikke tilladt: rammegraf henter intet fra andre endpoints "
                         "(SERVICE is refused)", query=name)


def _contains(node, kind: str) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            if current.name == kind:
                return True
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
    return False


def run_on(engine, query: NamedQuery, values: dict[str, str] | None = None):
    """Run a query on an engine (rammegraf.engine) with its parameters bound."""
    bindings = bind(query, values or {}, engine)
    prepare(query.text, name=query.name)  # refuses Update, SERVICE, FROM before anything runs
    return engine.query(query.text, bindings)


def run(graph: Graph, query: NamedQuery, values: dict[str, str] | None = None):
    """Run a query on an rdflib graph with its parameters bound (run_on rdflib's engine)."""
    from .engine import RdflibEngine

    return run_on(RdflibEngine(graph), query, values)
