"""Named SPARQL queries: read their header, bind typed parameters, run them.

A named query is ``queries/<name>.rq``, opening with a comment header::

    # title@da: Initiativer der afhænger af en aktørs milepæl senest en dato
    # title@en: Initiatives that depend on an actor's milestone by a date
    # description@da: …
    # description@en: …
    # param: actor iri org:Organization = https://w3id.org/rammegraf/id/region/midtjylland
    # param: deadline xsd:date = 2026-01-01
    # caption@da: deadline = Senest
    # chart: bar x=initiatives y=actor

``chart`` declares the chart the web app draws beside the table (rammegraf.charts).
Parameters are bound as RDF terms (a VALUES block written from terms by
rammegraf.sparql), never pasted into the text: a value holding a quote or ``}``
is one literal and cannot change the query. Queries run read-only: SPARQL
Update, SERVICE and FROM / FROM NAMED are refused before anything runs, so
nothing is written and nothing is fetched from the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .charts import RESERVED, ChartDecl, ChartError, check_variables, parse_chart
from .errors import did_you_mean
from .namespaces import ID, PREFIXES
from .sparql import QueryError, QueryRefused, QuerySyntaxError, prepare  # noqa: F401 - the query API
from .store import shipped_root
from .terms import literal

TYPES = ("xsd:date", "xsd:integer", "xsd:decimal", "xsd:string", "xsd:boolean", "iri")
_KEY = re.compile(r"^#\s*([A-Za-z][\w-]*(?:@[a-z]{2})?)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\S+)(?:\s+(?P<cls>[A-Za-z][\w-]*:[A-Za-z]\w*))?"
    r"(?:\s*=\s*(?P<default>.*))?$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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
    captions: dict[str, dict[str, str]] = field(default_factory=dict)   # lang → variable → words
    chart: ChartDecl | None = None      # the chart its header declares (rammegraf.charts)
    dashboard: int | None = None        # its place on the front page (a chart there), or None

    def caption(self, name: str, lang: str = "da") -> str:
        """The words for people for a parameter or result column (the variable's name if none)."""
        return self.captions.get(lang, {}).get(name) or self.captions.get("da", {}).get(name) or name

    def title(self, lang: str = "da") -> str:
        return self.titles.get(lang) or self.titles.get("da") or self.name

    def description(self, lang: str = "da") -> str:
        return self.descriptions.get(lang) or self.descriptions.get("da") or ""

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return prepare(self.text, name=self.name).form

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
    captions: dict[str, dict[str, str]] = {}
    chart: ChartDecl | None = None
    dashboard: int | None = None
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
        elif key in ("caption@da", "caption@en"):
            variable, equals, words = value.partition("=")
            if not equals or not re.fullmatch(r"[A-Za-z_]\w*", variable.strip()) or not words.strip():
                raise QueryError(f"linje {number}: en billedtekst skrives 'caption@da: variabel = ord'; "
                                 f"fik '{value}' (a caption is 'caption@da: variable = words')", query=where)
            captions.setdefault(key[-2:], {})[variable.strip()] = words.strip()
        elif key == "chart":
            if chart is not None:
                raise QueryError(f"linje {number}: hovedet har allerede et diagram (the header declares a chart "
                                 "already)", query=where)
            try:
                chart = parse_chart(value)
                check_variables(chart, text)
            except ChartError as error:
                raise QueryError(f"linje {number}: {error.message}; fik '{value}'", query=where) from None
        elif key == "dashboard":
            if not value.strip().isdigit():
                raise QueryError(f"linje {number}: 'dashboard:' tager et tal, pladsen på forsiden (fx "
                                 f"'dashboard: 40'); fik '{value}' (the front page's place, a number)", query=where)
            dashboard = int(value)
        else:
            raise QueryError(f"linje {number}: ukendt nøgle '{key}' i hovedet; tilladt er title@da, "
                             "title@en, description@da, description@en, param, caption@da, caption@en, chart og "
                             "dashboard (unknown header key)", query=where)
    if dashboard is not None and chart is None:
        raise QueryError("en forespørgsel på forsiden (dashboard:) skal have et diagram (chart:) "
                         "(a front-page query needs a chart)", query=where)
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
                      descriptions=descriptions, params=tuple(params), captions=captions, chart=chart,
                      dashboard=dashboard)


def _parse_param(value: str, where: str, number: int) -> Param:
    match = _PARAM.match(value)
    if not match or match.group("type") not in TYPES:
        raise QueryError(f"linje {number}: parameteren skal skrives 'navn type [klasse] [= standard]' "
                         f"med type blandt {', '.join(TYPES)}; fik '{value}' "
                         "(a parameter is 'name type [class] [= default]')", query=where)
    cls = match.group("cls")
    if match.group("name") in RESERVED:
        raise QueryError(f"linje {number}: '{match.group('name')}' er et navn, siderne selv bruger "
                         f"({', '.join(RESERVED)}); kald parameteren noget andet (a name the pages use: "
                         "call the parameter something else)", query=where)
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

def bind(query: NamedQuery, values: dict[str, str], engine) -> dict:
    """Typed RDF terms (pyoxigraph) for every parameter, from ``values`` or the defaults."""
    for name in values:
        query.param(name)  # unknown names are an error
    bindings: dict = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            raise QueryError(f"parameteren '{param.name}' ({param.type}) mangler en værdi; "
                             f"brug --param {param.name}=… (missing value)", query=query.name)
        bindings[param.name] = convert(param, raw, engine, query=query.name)
    return bindings


def convert(param: Param, raw: str, engine, *, query: str = "-"):
    """One parameter value as an RDF term of the declared type, or a QueryError."""
    def bad(expected: str) -> QueryError:
        return QueryError(f"parameteren '{param.name}' skal være {expected}; fik {raw!r} "
                          f"(parameter '{param.name}' must be {param.type})", query=query)

    raw = raw.strip()
    if param.type == "xsd:date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise bad("en dato ÅÅÅÅ-MM-DD")
        try:
            return literal(date.fromisoformat(raw))
        except ValueError:
            raise bad("en gyldig dato ÅÅÅÅ-MM-DD") from None
    if param.type == "xsd:integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise bad("et heltal")
        return literal(int(raw))
    if param.type == "xsd:decimal":
        try:
            return literal(Decimal(raw.replace(",", ".")))
        except InvalidOperation:
            raise bad("et decimaltal") from None
    if param.type == "xsd:boolean":
        truth = {"true": True, "ja": True, "1": True, "false": False, "nej": False, "0": False}
        if raw.lower() not in truth:
            raise bad("true/false (ja/nej)")
        return literal(truth[raw.lower()])
    if param.type == "xsd:string":
        return literal(raw)
    return resolve_iri(engine, raw, cls=param.cls, name=param.name, query=query)


_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def resolve_iri(engine, raw: str, *, cls: str | None = None, name: str = "iri", query: str = "-"):
    """An IRI (pyoxigraph NamedNode) from a full IRI, an ``id/…`` or ``kind/slug``
    path, or a label. The look-ups are SPARQL with bound values, so they work the
    same on every engine."""
    from .terms import iri, is_iri

    raw = raw.strip().strip("<>")
    cls_iri = iri(expand_curie(cls)) if cls else None
    if _IRI.fullmatch(raw):
        candidates = [iri(raw)]
    elif re.fullmatch(r"(id/)?[a-z0-9-]+(/[a-z0-9-]+)+", raw):
        candidates = [iri(ID[raw.removeprefix("id/")])]
    else:
        rows = engine.query("SELECT DISTINCT ?n WHERE { { ?n rdfs:label ?l } UNION { ?n skos:altLabel ?l } "
                            "FILTER (LCASE(STR(?l)) = LCASE(?text)) } ORDER BY ?n",
                            {"text": literal(raw)})
        candidates = [row[0] for row in rows if is_iri(row[0])]
    candidates = [c for c in candidates if _typed(engine, c, cls_iri)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = "; ".join(f"<{c.value}>" for c in candidates)
        raise QueryError(f"'{raw}' passer på flere ressourcer: {names}; brug IRI'en "
                         "(ambiguous: use the IRI)", query=query)
    what = f" af klassen {cls}" if cls else ""
    raise QueryError(f"parameteren '{name}': ingen ressource{what} hedder eller har IRI'en "
                     f"'{raw}' (no such resource)", query=query, hint=_suggest(engine, raw, cls_iri))


def _typed(engine, node, cls) -> bool:
    """Whether ``node`` is described in the store (and an instance of ``cls``)."""
    if cls is None:
        answer = engine.query("ASK { ?n a ?t }", {"n": node})
    else:
        answer = engine.query("ASK { ?n a/rdfs:subClassOf* ?c }", {"n": node, "c": cls})
    return bool(answer.boolean)


def instances(engine, cls: str) -> list:
    """The IRIs of every instance of ``cls`` (an IRI string), sub-classes included."""
    from .terms import iri, is_iri

    rows = engine.query("SELECT DISTINCT ?n WHERE { ?n a/rdfs:subClassOf* ?c }", {"c": iri(cls)})
    return [row[0] for row in rows if is_iri(row[0])]


# Above this many triples a did-you-mean reads the search index, where one exists: the scan
# of every label took 9.5 s at 1M triples (7.8 s to read 167,000 labels, 1.6 s of difflib).
SUGGEST_FROM_INDEX = 200_000
# Without an index (a SPARQL server, data held in memory with none built), a did-you-mean
# reads at most this many labels, and says nothing when there are more: on a server at
# 1M triples every label took over 10 s, so a wrong name got a 503 where it needs a 400.
SUGGEST_READ_AT_MOST = 20_000


def _suggest(engine, raw: str, cls) -> str | None:
    from .search import built_index

    index = built_index(engine)
    if index is not None and len(engine) > SUGGEST_FROM_INDEX:
        return _suggest_from_index(engine, index, raw, cls)
    enough = f" LIMIT {SUGGEST_READ_AT_MOST + 1}"
    if cls is not None:
        rows = engine.query("SELECT ?n ?l WHERE { ?n a/rdfs:subClassOf* ?c ; rdfs:label ?l "
                            "FILTER (lang(?l) = \"da\") }" + enough, {"c": cls})
    else:
        rows = engine.query("SELECT ?n ?l WHERE { ?n a ?t ; rdfs:label ?l FILTER (lang(?l) = \"da\") }" + enough)
    if len(rows) > SUGGEST_READ_AT_MOST:
        return None
    labels = {label.value: node.value for node, label in rows}
    return did_you_mean(raw, sorted(labels), show=lambda c: f"{c} <{labels[c]}>")


def _suggest_from_index(engine, path, raw: str, cls) -> str | None:
    """Did you mean, from the search index: the best hits for what was typed (for an IRI
    or a path, its last part's words, "udvalg/dasos" → "dasos"), those of ``cls`` only."""
    from .search import Index, connect
    from .terms import iri

    words = raw.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("-", " ") \
        if _IRI.fullmatch(raw) or "/" in raw else raw
    db = connect(path)
    try:
        index = Index(db)
        hits = index.search(words, lang="da", limit=20)
        if not hits:    # a slip in a short word ("f-akt"): the longer words, each alone
            found: dict[str, list] = {}
            longer = [w for w in index.words(words) if len(w) >= 4]
            for word in longer:
                for hit in index.search(word, lang="da", limit=20):
                    entry = found.setdefault(hit.iri, [0, 0.0, hit])
                    entry[0] += 1
                    entry[1] += hit.score
            # one that shares at least half of them: a word in common alone is no likeness
            hits = [hit for count, _, hit in sorted(found.values(), key=lambda e: (-e[0], -e[1]))
                    if 2 * count >= len(longer)]
    finally:
        db.close()
    close = [h for h in hits if cls is None or _typed(engine, iri(h.iri), cls)][:3]
    return ("Mente du (did you mean): " + "; ".join(f"{h.label} <{h.iri}>" for h in close)) if close else None


def expand_curie(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def prepared_for(query: NamedQuery):
    """A named query checked (Update, SERVICE, FROM refused), its parameters to be written
    where they stand (``Prepared.in_place``) on every engine, as a SPARQL server gets them
    (sparql._written_in_place: a single value, used only in WHERE groups, never in a SELECT
    clause or after AS). So a parameter reaches a sub-select on the embedded store as on
    Virtuoso, and a query can read only the rows of its date (faseskift at 1M: 2.7 → 1.1 s,
    where a VALUES block outside its sub-selects left them to read every status report)."""
    from dataclasses import replace

    return replace(prepare(query.text, name=query.name), in_place=True)


def run_on(engine, query: NamedQuery, values: dict[str, str] | None = None, *, limit: int | None = None):
    """Check a named query (Update, SERVICE, FROM refused before anything runs),
    bind its parameters and run it on an engine (rammegraf.engine)."""
    prepared = prepared_for(query)
    bindings = bind(query, values or {}, engine)
    return engine.query(prepared, bindings, limit=limit)
