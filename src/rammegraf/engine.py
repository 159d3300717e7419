"""Where queries run: the Oxigraph store (rammegraf.store), or a SPARQL 1.1 server.

Both answer the same checked query (rammegraf.sparql refuses Update, SERVICE and
FROM first, and the engine runs the canonical text of the tokens it checked) with
parameters bound as a VALUES block at the top of the WHERE group, written as RDF
terms (a quote or a brace stays inside its literal). Answers are pyoxigraph terms
from every engine, so tables, labels and tests treat them alike;
tests/test_engine.py and tests/test_endpoint.py check that every named query
gives the same rows everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlsplit

from .credentials import shown   # a URL in a message never shows its user information
from .errors import RammegrafError
from .namespaces import ID, PREFIXES, XSD
from .sparql import Prepared, Token, engine_syntax_error, prepare


# Relative IRIs in a query resolve against the resources' own namespace, so
# <initiativ/botilbudsteams> names that initiative on every engine.
BASE = str(ID)


@dataclass
class Answer:
    """A query result in pyoxigraph terms."""
    form: str                                   # SELECT, ASK, CONSTRUCT, DESCRIBE
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None                 # ASK
    triples: list = field(default_factory=list)  # CONSTRUCT and DESCRIBE: pyoxigraph Triples
    truncated: bool = False                     # rows (or triples) were cut at the limit

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def checked(text: str, name: str = "-") -> Prepared:
    """A query text prepared once: the jobs' own queries, and the queries a
    dashboard sends again and again, are the same strings each time."""
    return _checked(text, name) if len(text) < 10_000 else prepare(text, name=name)


@lru_cache(maxsize=512)
def _checked(text: str, name: str) -> Prepared:
    return prepare(text, name=name)


def _prepared(query) -> Prepared:
    return query if isinstance(query, Prepared) else checked(query)


class OxigraphEngine:
    """An Oxigraph store (in memory or on disk) behind the engine interface."""

    remote = False

    def __init__(self, store, folder=None) -> None:
        self.store = store
        self.folder = folder  # the on-disk store's folder (its search index lives there), or None

    @classmethod
    def open(cls, data_dirs=None, *, persistent: bool | None = None, cache=None,
             progress: bool | None = None) -> OxigraphEngine:
        from .store import graph_files, on_disk, open_store, store_location

        store = open_store(data_dirs, persistent=persistent, cache=cache, progress=progress)
        disk = on_disk(graph_files(data_dirs), persistent)
        return cls(store, store_location(data_dirs, cache=cache) if disk else None)

    def __len__(self) -> int:
        if self.folder is not None:   # an on-disk store is read-only: its build counted it (a count scans: 0.5 s at 1M)
            import json

            from .store import MANIFEST

            try:
                return int(json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))["triples"])
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return len(self.store)

    def query(self, query, bindings: dict | None = None, *, limit: int | None = None) -> Answer:
        """Run a query (text or Prepared) with ``bindings`` (name → pyoxigraph term);
        ``limit`` cuts the rows (or triples) and marks the answer truncated."""
        prepared = _prepared(query)
        unordered = _unordered(prepared) if prepared.form == "SELECT" else None
        if unordered is not None:  # sorted here when the values allow it (see _unordered)
            answer = _in_order(self._run(unordered[0], bindings, None), unordered, limit)
            if answer is not None:
                return answer
        return self._run(prepared, bindings, limit)

    def _run(self, prepared: Prepared, bindings: dict | None, limit: int | None) -> Answer:
        import pyoxigraph as ox

        text = prepared.text(bindings)
        try:
            result = self.store.query(text, prefixes=PREFIXES, base_iri=BASE, default_graph=ox.DefaultGraph(),
                                      named_graphs=[])
            return _answer(result, prepared.form, limit)
        except SyntaxError as error:
            raise engine_syntax_error(prepared, str(error)) from None
        except (OSError, RuntimeError, ValueError) as error:
            raise RammegrafError(f"forespørgslen kunne ikke udføres: {error} "
                                 "(the query could not be evaluated)") from None

    def dump(self) -> bytes:
        """Every triple as N-Triples (for push and for the rdflib graph pySHACL reads)."""
        import pyoxigraph as ox

        return self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


# ORDER BY on the on-disk store decodes both terms from RocksDB at every comparison:
# 37,387 rows of naaet-pr-initiativ took 7.8 s to sort there and 3.8 s to find. A
# query that ends in ORDER BY of plain variables runs without it and is sorted here,
# once the values of each key are of one kind whose SPARQL order Python has (IRIs,
# xsd:string, texts with a language, integers and decimals, dates; unbound first); any other mixture runs
# the query again as written.
_NUMERIC = {str(XSD) + name for name in (
    "integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_STRING = str(XSD) + "string"
_DATE = str(XSD) + "date"


@lru_cache(maxsize=512)
def _unordered(prepared: Prepared) -> tuple[Prepared, tuple[tuple[str, bool], ...], int, bool] | None:
    """The query without its closing ``ORDER BY ?a DESC(?b) …`` and the keys (name,
    descending), when that clause is the last one (no LIMIT or OFFSET after it) and
    has only variables; how many keys that the query does not project were added at
    the end of its projection; and whether the rows are to be made distinct again
    without them (under DISTINCT or REDUCED a key added makes more rows distinct: SPARQL
    orders before it projects and drops duplicates, so the first of each is kept)."""
    significant = [(i, t) for i, t in enumerate(prepared.tokens) if t.kind not in ("ws", "comment")]
    closing = max((n for n, (_, t) in enumerate(significant) if t.text == "}"), default=-1)
    rest = significant[closing + 1:]  # after the WHERE group: GROUP BY, HAVING, ORDER BY, …
    start = next((n for n in range(len(rest) - 1)
                  if [t.text.upper() for _, t in rest[n:n + 2]] == ["ORDER", "BY"]), None)
    if start is None:
        return None
    rest = rest[start:]
    keys, position = [], 2
    while position < len(rest):
        token = rest[position][1]
        if token.kind == "var":
            keys.append((token.text[1:], False))
            position += 1
        elif (token.text.upper() in ("ASC", "DESC") and position + 3 < len(rest)
              and rest[position + 1][1].text == "(" and rest[position + 2][1].kind == "var"
              and rest[position + 3][1].text == ")"):
            keys.append((rest[position + 2][1].text[1:], token.text.upper() == "DESC"))
            position += 4
        else:
            return None
    tokens = prepared.tokens[:rest[0][0]]
    projected = _projection(tokens)
    if projected is None:
        return None
    end, names, distinct = projected
    missing = [name for name, _ in keys if names is not None and name not in names]
    added = list(dict.fromkeys(missing))
    at = tokens[end].start
    written = tuple(token for name in added for token in (Token("var", "?" + name, at), Token("ws", " ", at)))
    return (replace(prepared, tokens=tokens[:end] + written + tokens[end:]), tuple(keys), len(added),
            bool(added) and distinct)


def _in_order(answer: Answer, unordered, limit: int | None) -> Answer | None:
    """The answer to _unordered's query in the order its keys say, without the keys it
    added (and their duplicates, under DISTINCT); None when Python cannot tell that order."""
    rows = _sorted(answer.vars, answer.rows, unordered[1])
    if rows is None:
        return None
    width = len(answer.vars) - unordered[2]  # the keys added to the projection go
    if unordered[2]:
        rows = [row[:width] for row in rows]
    if unordered[3]:
        rows = list(dict.fromkeys(rows))
    truncated = limit is not None and len(rows) > limit
    return Answer("SELECT", vars=answer.vars[:width], rows=rows[:limit] if truncated else rows, truncated=truncated)


def _projection(tokens) -> tuple[int, set[str] | None, bool] | None:
    """Where the top-level SELECT's projection ends (the index of WHERE or its group),
    the names it projects (None for ``*``) and whether it is DISTINCT or REDUCED."""
    select = next((i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() == "SELECT"), None)
    if select is None:
        return None
    names: set[str] = set()
    depth, distinct, star = 0, False, False
    for index in range(select + 1, len(tokens)):
        token = tokens[index]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and (token.text == "{" or (token.kind == "word" and token.text.upper() == "WHERE")):
            return index, None if star else names, distinct
        elif depth == 0 and token.kind == "word" and token.text.upper() in ("DISTINCT", "REDUCED"):
            distinct = True
        elif depth == 0 and token.text == "*":
            star = True
        elif token.kind == "var" and (depth == 0 or tokens[index - 2].text.upper() == "AS"):
            names.add(token.text[1:])
    return None


def _sorted(names: list[str], rows: list[tuple], keys) -> list[tuple] | None:
    """``rows`` in SPARQL's order of ``keys``, or None when Python cannot tell that order."""
    import pyoxigraph as ox

    ordered = list(rows)
    for name, descending in reversed(keys):  # stable sorts, the last key first
        if name not in names:
            return None
        column = names.index(name)
        kinds = set()
        for row in rows:
            term = row[column]
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                kinds.add("iri")
            elif isinstance(term, ox.Literal) and term.language is not None:
                kinds.add("text")  # Oxigraph orders these by text, then by language tag
            elif isinstance(term, ox.Literal):
                datatype = term.datatype.value
                if datatype in _NUMERIC:
                    kinds.add("number")
                elif datatype == _STRING:
                    kinds.add("string")
                elif datatype == _DATE and len(term.value) == 10 and term.value[4] == "-":
                    kinds.add("date")
                else:
                    return None
            else:
                return None
        if len(kinds) > 1:
            return None
        if kinds == {"number"}:
            def value(term):
                return Decimal(term.value)
        elif kinds == {"text"}:
            def value(term):
                return term.value, term.language
        else:
            def value(term):
                return term.value

        def key(row, column=column, value=value):
            term = row[column]
            return (0, 0) if term is None else (1, value(term))
        ordered.sort(key=key, reverse=descending)
    return ordered


def _answer(result, form: str, limit: int | None) -> Answer:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return Answer("ASK", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if limit is not None and len(rows) == limit:
                truncated = True
                break
            rows.append(tuple(solution))
        return Answer("SELECT", vars=names, rows=rows, truncated=truncated)
    triples, truncated = [], False
    for triple in result:
        if limit is not None and len(triples) == limit:
            truncated = True
            break
        triples.append(triple)
    return Answer(form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", triples=triples,
                  truncated=truncated)


class EndpointError(RammegrafError):
    """A SPARQL server that cannot be reached or answers with an error."""


# the SPARQL results a server may answer with, by media type (pyoxigraph.QueryResultsFormat's names)
RESULTS_FORMATS = {"application/sparql-results+xml": "XML", "application/sparql-results+json": "JSON",
                   "application/json": "JSON"}
RESULTS_ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9, application/json;q=0.8"


class RemoteEngine:
    """An existing SPARQL 1.1 server (Oxigraph, Fuseki, GraphDB, Virtuoso).

    The protocol cannot bind parameters, so their values go into a VALUES block
    written by rammegraf.sparql; the answer is parsed by pyoxigraph's SPARQL
    results and N-Triples parsers.
    """

    remote = True

    def __init__(self, url: str, *, graph: str | None = None, timeout: float = 30.0) -> None:
        self.url = url
        self.graph_iri = graph
        self.timeout = timeout

    def __len__(self) -> int:
        answer = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(answer.rows[0][0].value)

    def _post(self, text: str, accept: str, expect: tuple[str, ...]) -> tuple[str, bytes]:
        """(the answer's media type, its body)."""
        data = {"query": text}
        if self.graph_iri:
            data["default-graph-uri"] = self.graph_iri
        _status, media, body = _http("POST", self.url, "SPARQL-endpointet (the endpoint)", data=data,
                                     headers={"accept": accept}, timeout=self.timeout, expect=expect)
        return media, body

    def query(self, query, bindings: dict | None = None, *, limit: int | None = None) -> Answer:
        """As OxigraphEngine.query: a query that ends in ORDER BY of plain variables is
        sorted here, because Virtuoso 7.2.5 does not order texts with a language tag by
        their text ("Hovedstaden kommune 3"@da before "… 26"@da, "Initiativ 1 i
        Syddanmark"@da before "… i Sjælland"@da; ORDER BY STR(?label) is right), so its
        rows came in another order than the local engine's at 1M."""
        prepared = _prepared(query)
        unordered = _unordered(prepared) if prepared.form == "SELECT" else None
        if unordered is not None:
            answer = _in_order(self._run(unordered[0], bindings, None), unordered, limit)
            if answer is not None:
                return answer
        return self._run(prepared, bindings, limit)

    def _run(self, prepared: Prepared, bindings: dict | None, limit: int | None) -> Answer:
        import pyoxigraph as ox

        # the server knows no prefixes; the query's own declarations come after and win
        prologue = f"BASE <{BASE}>\n" + "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        text = prepared.text(bindings, prologue=prologue, portable=True)
        if prepared.form in ("CONSTRUCT", "DESCRIBE"):
            _media, content = self._post(text, "application/n-triples", ("application/n-triples", "text/plain"))
            try:
                triples = [ox.Triple(q.subject, q.predicate, q.object)
                           for q in ox.parse(content, format=ox.RdfFormat.N_TRIPLES)]
            except SyntaxError as error:
                raise EndpointError(f"{shown(self.url)} svarede ikke med N-Triples: {error} "
                                    "(the server's answer is not N-Triples)") from None
            cut = limit is not None and len(triples) > limit
            triples = [ox.Triple(t.subject, t.predicate, _canonical_term(t.object)) for t in triples]
            return Answer(prepared.form, triples=triples[:limit] if cut else triples, truncated=cut)
        # XML first: Virtuoso 7 writes it 3-6 times faster than JSON (at 1M, 200,000 rows in
        # 3.0 s against 17.5 s, all 182,000 labels in 4.9 s against 11.0 s), the same terms
        media, content = self._post(text, RESULTS_ACCEPT, tuple(RESULTS_FORMATS))
        try:
            result = ox.parse_query_results(content, format=getattr(ox.QueryResultsFormat, RESULTS_FORMATS[media]))
            answer = _answer(result, prepared.form, limit)
        except (SyntaxError, ValueError, OSError) as error:
            raise EndpointError(f"{shown(self.url)} svarede ikke med SPARQL-resultater: {error} "
                                "(the server's answer is not SPARQL results in XML or JSON)") from None
        answer.rows = [tuple(_canonical_term(term) for term in row) for row in answer.rows]
        if (answer.form == "ASK") != (prepared.form == "ASK"):
            raise EndpointError(f"{shown(self.url)} svarede med {'ja/nej' if answer.form == 'ASK' else 'rækker'} på en "
                                f"{prepared.form}-forespørgsel (the answer has the wrong shape)")
        return answer

    def dump(self) -> bytes:
        """Every triple the server holds (in the graph), as N-Triples."""
        import pyoxigraph as ox

        answer = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        return ox.serialize(answer.triples, format=ox.RdfFormat.N_TRIPLES)


_BOOLEANS = {"1": "true", "0": "false"}


def _canonical_term(term):
    """A literal in its canonical form where a server writes another form of the same
    value: Virtuoso 7 keeps xsd:boolean as a number and answers "1"^^xsd:boolean for
    true (a valid lexical form, XSD 1.1 §3.3.2, but not the canonical "true" the data
    and Oxigraph write), so an answer from it would differ from the local one."""
    import pyoxigraph as ox

    if isinstance(term, ox.Literal) and term.value in _BOOLEANS and term.datatype.value == XSD.boolean:
        return ox.Literal(_BOOLEANS[term.value], datatype=term.datatype)
    return term


# Lines of N-Triples in one request of push. Virtuoso 7.2.5 stored 1,093,816 of the
# 1,233,549 triples of the generated 1M graph sent in one PUT to a fresh database (a
# contiguous eighth of the body missing, answered 201, nothing in its log but "lock
# escalation from shared to exclusive fails"), three times of three; in parts of 100,000
# lines (17 MB) every triple, as fast.
PUSH_PART = 100_000


def _parts(body: bytes, size: int | None = None) -> list[bytes]:
    """N-Triples in parts of ``size`` lines (PUSH_PART), every line that may name a blank
    node in the first part: a blank node's label holds within one request only."""
    size = size or PUSH_PART
    lines = [line + b"\n" for line in body.split(b"\n") if line.strip()]
    if len(lines) <= size:
        return [body]
    blank = [line for line in lines if b"_:" in line]
    rest = [line for line in lines if b"_:" not in line]
    first = max(size - len(blank), 0)
    parts = [b"".join(blank + rest[:first])]
    parts += [b"".join(rest[i:i + size]) for i in range(first, len(rest), size)]
    return parts


def push(engine, store_url: str, *, graph_iri: str | None = None, timeout: float = 30.0) -> int:
    """Replace the default graph (or ``graph_iri``) at a Graph Store Protocol URL
    with the engine's triples (HTTP PUT: replace, not add). Returns the number sent.
    A large graph goes in parts of PUSH_PART lines: the first replaces (PUT), the
    others add to it (POST); ``timeout`` is for each request.
    Only 200, 201 or 204 from the store counts; a redirect (a login proxy) or a web
    page in answer is an error, so "stored" is never said when nothing was."""
    body = engine.dump()
    params = {"graph": graph_iri} if graph_iri else {"default": ""}
    parts = _parts(body)
    total, sent = body.count(b"\n"), 0
    for number, part in enumerate(parts):
        status, media, answer = _http("PUT" if number == 0 else "POST", store_url,
                                      "Graph Store-adressen (the graph store)", params=params, content=part,
                                      headers={"content-type": "application/n-triples"}, timeout=timeout)
        # a web page in answer is a login page, say; Virtuoso 7 confirms a replaced graph
        # with 200, "text/html" and an empty body, which is a confirmation
        web_page = status == 200 and media in ("text/html", "application/xhtml+xml") and answer.strip() != b""
        if status not in (200, 201, 204) or web_page:
            answered = f"{status} {media}" if media else str(status)
            partly = "" if number == 0 else (
                f" Grafen er kun delvist erstattet ({sent:,} af {total:,} tripler); kør push igen "
                "(the graph is only partly replaced; push again).")
            raise EndpointError(f"{shown(store_url)} svarede {answered} i stedet for at gemme graferne; "
                                "er det Graph Store-adressen? (the server did not confirm the store: "
                                "expected 200, 201 or 204)" + partly)
        sent += part.count(b"\n")
    return total


MAX_ANSWER = 256 * 1024 * 1024    # bytes of one answer from a SPARQL server


def _http(method: str, url: str, what: str, *, timeout: float, expect: tuple[str, ...] = (),
          limit: int = MAX_ANSWER, **kwargs) -> tuple[int, str, bytes]:
    """One HTTP request to a server, within ``timeout`` seconds for all of it (connect,
    headers and the whole body, however slowly it drips) and at most ``limit`` bytes;
    no redirect is followed. Returns (status, media type, body). What goes wrong
    (no answer, an error status, too much, the wrong media type) is an EndpointError
    sentence. ``expect``: the media types a 2xx answer must have (empty: any)."""
    import threading

    from .credentials import auth, for_url, scrub

    credentials = for_url(url)   # only sent when the server asks (401), by Digest or Basic
    url = shown(url)   # the user information, if any, goes in the Authorization header
    outcome: dict = {}
    client_box: list = []

    def fetch() -> None:
        import httpx2 as httpx

        try:
            with httpx.Client(timeout=timeout, follow_redirects=False, auth=auth(credentials),
                              trust_env=False) as client:
                client_box.append(client)
                with client.stream(method, url, **kwargs) as response:
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > limit:
                            outcome["too_large"] = True
                            return
                        if "stop" in outcome:
                            return
                        chunks.append(chunk)
                    outcome["response"] = (response.status_code, response.headers.get("content-type", ""),
                                           b"".join(chunks))
        except Exception as error:  # noqa: BLE001  (httpx errors, and anything else on the wire)
            outcome["error"] = error

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        outcome["stop"] = True  # the thread ends at its next chunk; this process does not wait for it
        for client in client_box:
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass
        raise EndpointError(f"{what} {url} svarede ikke færdigt inden for {timeout:g} s "
                            "(no complete answer within the time limit; see --timeout)")
    if outcome.get("too_large"):
        raise EndpointError(f"{what} {url} svarede med mere end {limit // 2**20} MB; det afvises "
                            "(the answer is over the size limit)")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, RammegrafError):   # a refusal of our own (Basic over plain http): its sentence
            raise error
        reason = scrub(str(error) or type(error).__name__, credentials)
        raise EndpointError(f"kan ikke nå {what} {url}: {reason} (cannot reach it)") from None
    status, content_type, body = outcome["response"]
    media = content_type.split(";", 1)[0].strip().lower()
    if status in (401, 403):
        from .credentials import refused_here

        said = (f"brugernavnet fra {credentials.source} blev afvist (the credentials from {credentials.source} "
                "were refused)") if credentials is not None else refused_here(url) or (
            "serveren kræver login: sæt RAMMEGRAF_USER og RAMMEGRAF_PASSWORD, eller en linje for "
            f"{urlsplit(url).hostname} i ~/.netrc (the server asks for credentials)")
        raise EndpointError(f"{url} svarede {status}: {said}")
    if 300 <= status < 400:
        raise EndpointError(f"{url} svarede {status} (en omdirigering, måske til en login-side); "
                            "rammegraf følger ingen omdirigering: giv den endelige adresse "
                            "(the server answered with a redirect, which is not followed)")
    if status >= 400:
        text = body[:300].decode("utf-8", "replace").strip() if media.startswith("text/plain") else media
        raise EndpointError(f"{url} svarede {status}: {scrub(text, credentials)} (the server answered with "
                            "an error)")
    if expect and media not in expect:
        raise EndpointError(f"{url} svarede med {media or 'ukendt indhold'}, ikke {' eller '.join(expect)}; "
                            "er det et SPARQL-endpoint? (the answer is not the expected SPARQL result)")
    return status, media, body


def open_engine(data_dirs=None, *, endpoint: str | None = None, graph_iri: str | None = None,
                persistent: bool | None = None, timeout: float = 30.0):
    """The engine a command runs on: an endpoint if given (each answer within
    ``timeout`` seconds), else the local files."""
    if endpoint:
        return RemoteEngine(endpoint, graph=graph_iri, timeout=timeout)
    return OxigraphEngine.open(data_dirs, persistent=persistent)
