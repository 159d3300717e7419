"""`rammegraf serve`: the analysts' browser app and a SPARQL 1.1 Protocol endpoint.

Read-only and safe to put on an intranet: templates autoescape, every response
carries a restrictive Content-Security-Policy, no file path comes from a request,
uploads have a size limit and nothing is written to disk. Every SPARQL query and
every validation runs in a forked worker with a time limit (rammegraf.limits),
so a slow query is stopped while other requests are answered; results past the
row cap are cut with a notice. Update, SERVICE, FROM and dataset parameters are
refused before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .errors import RammegrafError
from .labels import display, label_of
from .limits import TimeLimitExceeded, run_limited
from .namespaces import ID, PREFIXES, RG, bind_prefixes
from .query import QueryError, QueryRefused, get_query, named_queries, prepare
from .webtext import TEXT

TEMPLATES = Path(__file__).parent / "templates"
STATIC = {"app.css": ("app.css", "text/css"), "tables.js": ("tables.js", "text/javascript")}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
                    "x-frame-options": "DENY", "cross-origin-opener-policy": "same-origin"}

RESULT_TYPES = {  # media type -> (rdflib format, kind of result it suits)
    "application/sparql-results+json": ("json", "rows"), "application/json": ("json", "rows"),
    "application/sparql-results+xml": ("xml", "rows"), "text/csv": ("csv", "rows"),
    "text/tab-separated-values": ("tsv", "rows"), "text/turtle": ("turtle", "graph"),
    "application/n-triples": ("nt", "graph"), "application/ld+json": ("json-ld", "graph"),
}
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                "nt": "application/n-triples", "jsonld": "application/ld+json"}
EDITOR_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()
                            if p in ("rg", "rdfs", "xsd", "skos", "prov", "org", "foaf", "dcterms"))


@dataclass
class Settings:
    timeout: float = 10.0               # seconds a SPARQL query may run
    validate_timeout: float = 60.0      # seconds a validation may run (heavier than most queries)
    row_cap: int = 10_000
    upload_limit: int = 1_000_000
    today: date | None = None           # None: the real date (tests fix it)


# ---------------------------------------------------------------------------
# Work done in a forked worker (rammegraf.limits): the query and the validation
# ---------------------------------------------------------------------------

def _execute(graph: Graph, text: str, bindings: dict, row_cap: int, media: str | None):
    """Run a checked query. For ``media`` return serialised bytes; without, the rows."""
    prepared = prepare(text, name="sparql")
    result = graph.query(prepared, initBindings=bindings)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = bind_prefixes(result.graph)
        fmt = RESULT_TYPES.get(media, ("turtle", "graph"))
        fmt = fmt[0] if fmt[1] == "graph" else "turtle"
        return {"form": result.type, "body": out.serialize(format=fmt, encoding="utf-8"),
                "format": fmt, "truncated": False}
    if result.type == "ASK":
        answer = bool(result.askAnswer)
        if media is None:
            return {"form": "ASK", "answer": answer}
        fmt = RESULT_TYPES.get(media, ("json", "rows"))
        fmt = fmt[0] if fmt[1] == "rows" and fmt[0] in ("json", "xml") else "json"
        return {"form": "ASK", "body": result.serialize(format=fmt), "format": fmt, "truncated": False}
    variables = list(result.vars)
    rows = []
    truncated = False
    for row in result:
        if len(rows) == row_cap:
            truncated = True
            break
        rows.append(tuple(row))
    if media is None:
        return {"form": "SELECT", "vars": [str(v) for v in variables], "rows": rows, "truncated": truncated}
    from rdflib.query import Result

    cut = Result("SELECT")
    cut.vars = variables
    cut.bindings = [{v: value for v, value in zip(variables, row) if value is not None} for row in rows]
    fmt = RESULT_TYPES.get(media, ("json", "rows"))
    fmt = fmt[0] if fmt[1] == "rows" else "json"
    body = _tsv(variables, rows) if fmt == "tsv" else cut.serialize(format=fmt)
    return {"form": "SELECT", "body": body, "format": fmt, "truncated": truncated}


def _tsv(variables, rows) -> bytes:
    """SPARQL 1.1 TSV results: ?var headers, terms written as in N-Triples (rdflib has
    a TSV parser but no serializer)."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if value is None else value.n3() for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _check_upload(graph: Graph, raw: bytes, name: str, lang: str) -> dict:
    """Validate an uploaded entry together with the graph (in the worker: the
    graph it changes is the worker's copy)."""
    from .store import parse_bytes
    from .validate import check_entries

    entries = bind_prefixes(Graph())
    parse_bytes(raw, entries, name=name, suffix=Path(name).suffix or ".ttl")
    check = check_entries(entries, graph)
    return {
        "conforms": check.report.conforms,
        "violations": len(check.report.violations), "warnings": len(check.report.warnings),
        "results": [{"focus": str(r.focus_node), "label": label_of(check.graph, r.focus_node, lang) or "",
                     "path": r.path or "", "severity": r.severity, "message": r.message(lang)}
                    for r in check.report.results],
    }


# ---------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------

class WebApp:
    def __init__(self, graph: Graph, settings: Settings) -> None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        self.graph = graph
        self.settings = settings
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
        self.queries = {q.name: q for q in named_queries()}
        prepare("ASK { ?s ?p ?o }")  # import the SPARQL machinery before any fork

    # --- helpers ---------------------------------------------------------------
    def lang(self, request) -> str:
        return "en" if request.query_params.get("lang") == "en" else "da"

    def page(self, request, template: str, status: int = 200, **context):
        from starlette.responses import HTMLResponse

        lang = self.lang(request)
        params = dict(request.query_params)
        params["lang"] = TEXT[lang]["other_code"]
        html = self.env.get_template(template).render(
            t=TEXT[lang], lang=lang, u=lambda path, **q: link(path, lang, **q),
            switch=f"{request.url.path}?{urlencode(params)}", **context)
        return HTMLResponse(html, status_code=status)

    def error_page(self, request, status: int, message: str):
        return self.page(request, "error.html", status=status, message=message)

    def cell(self, value, lang: str) -> dict:
        """A result value for a template: its text, and a local link for our IRIs."""
        if value is None:
            return {"text": ""}
        text = display(self.graph, value, lang)
        if isinstance(value, URIRef) and str(value).startswith(str(ID)):
            return {"text": text, "href": link("/id/" + str(value)[len(str(ID)):], lang)}
        return {"text": text}

    async def limited(self, function, *args, seconds: float | None = None):
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(run_limited, function, *args,
                                       seconds=seconds or self.settings.timeout)

    async def run_query(self, text: str, bindings: dict, media: str | None) -> dict:
        """Check the query here (so a refusal or syntax error keeps its type and
        status), then run it in a time-limited worker."""
        prepare(text, name="sparql")
        return await self.limited(_execute, self.graph, text, bindings, self.settings.row_cap, media)

    # --- pages ---------------------------------------------------------------
    async def home(self, request):
        lang = self.lang(request)
        return self.page(request, "index.html", areas=self.front_areas(lang),
                         deadlines=self.deadlines(lang), counts=self.counts(lang))

    @lru_cache(maxsize=2)
    def front_areas(self, lang: str) -> list[dict]:
        from .query import run

        areas: dict[str, dict] = {}
        for area, initiative, phase, as_of in run(self.graph, self.queries["initiativer-pr-udviklingsomraade"]):
            entry = areas.setdefault(str(area), {"area": self.cell(area, lang), "rows": []})
            entry["rows"].append({"initiative": self.cell(initiative, lang),
                                  "phase": display(self.graph, phase, lang), "as_of": str(as_of)})
        return list(areas.values())

    def deadlines(self, lang: str) -> list[dict]:
        today = self.settings.today or date.today()
        rows = self.graph.query(
            "SELECT ?m ?text ?earliest ?latest WHERE { ?m a rg:Milestone ; rg:dateText ?text ; "
            "rg:earliest ?earliest ; rg:latest ?latest . FILTER (?latest >= ?today) } "
            "ORDER BY ?earliest ?latest ?m LIMIT 10",
            initBindings={"today": Literal(today)}, initNs=PREFIXES)
        return [{"milestone": self.cell(m, lang), "text": str(text), "earliest": str(e), "latest": str(l)}
                for m, text, e, l in rows]

    @lru_cache(maxsize=2)
    def counts(self, lang: str) -> list[tuple[str, int]]:
        out = [(TEXT[lang]["triples"], len(self.graph))]
        for cls in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting, RG.Municipality):
            out.append((label_of(self.graph, cls, lang) or str(cls), len(set(self.graph.subjects(RDF.type, cls)))))
        return out

    async def query_list(self, request):
        lang = self.lang(request)
        items = [{"name": q.name, "title": q.title(lang), "description": q.description(lang)}
                 for q in self.queries.values()]
        return self.page(request, "queries.html", items=items)

    async def query_page(self, request):
        lang = self.lang(request)
        name = request.path_params["name"]
        try:
            named = get_query(name)
        except QueryError as error:
            return self.error_page(request, 404, str(error))
        values = {p.name: request.query_params[p.name] for p in named.params if p.name in request.query_params}
        form = [self.form_field(p, values.get(p.name, p.default or ""), lang) for p in named.params]
        fmt = request.query_params.get("format", "")
        media = FORMAT_PARAM.get(fmt)
        # CSV and TSV downloads show labels, like `rammegraf query --format csv` (iris=1: raw terms);
        # JSON is the standard SPARQL results format
        labelled = fmt in ("csv", "tsv") and request.query_params.get("iris") != "1"
        try:
            from .query import bind

            bindings = bind(named, values, self.graph)
            outcome = await self.run_query(named.text, bindings, None if labelled else media)
        except RammegrafError as error:
            return self.page(request, "query.html", status=_status(error), query=named, form=form,
                             title=named.title(lang), description=named.description(lang), error=str(error))
        if labelled and outcome["form"] == "SELECT":
            return self.labelled_download(outcome, fmt, lang, filename=named.name)
        if media:
            return self.download(outcome, media, filename=named.name)
        return self.page(request, "query.html", query=named, form=form, title=named.title(lang),
                         description=named.description(lang), result=self.html_result(outcome, lang),
                         downloads=self.download_links(request), permalink=str(request.url))

    def form_field(self, param, value: str, lang: str) -> dict:
        field = {"name": param.name, "type": param.type, "value": value, "choices": None, "dates": None}
        if param.type == "iri" and param.cls:
            from .query import expand_curie, instances

            choices = [(str(n), label_of(self.graph, n, lang) or str(n))
                       for n in instances(self.graph, expand_curie(param.cls))]
            field["choices"] = sorted(choices, key=lambda c: c[1].casefold())
        elif param.type == "iri":
            field["datalist"] = sorted({label_of(self.graph, s, lang) or "" for s in self.graph.subjects(RDF.type, None)
                                        if isinstance(s, URIRef)} - {""})
        elif param.type == "xsd:date":
            field["dates"] = sorted({str(d) for d in self.graph.objects(None, RG.asOf)})
        return field

    def html_result(self, outcome: dict, lang: str) -> dict:
        if outcome["form"] == "ASK":
            return {"answer": ("ja" if outcome["answer"] else "nej") if lang == "da"
                    else ("yes" if outcome["answer"] else "no")}
        if outcome["form"] != "SELECT":
            return {"text": outcome["body"].decode("utf-8")}
        return {"vars": outcome["vars"], "truncated": outcome["truncated"],
                "rows": [[self.cell(v, lang) for v in row] for row in outcome["rows"]]}

    def download_links(self, request) -> list[tuple[str, str]]:
        links = []
        for fmt in ("csv", "tsv", "json"):
            params = dict(request.query_params)
            params["format"] = fmt
            links.append((fmt.upper(), f"{request.url.path}?{urlencode(params)}"))
        return links

    def labelled_download(self, outcome: dict, fmt: str, lang: str, *, filename: str):
        from starlette.responses import Response

        from .tables import render

        rows = [[self.cell(v, lang)["text"] for v in row] for row in outcome["rows"]]
        headers = {"content-disposition": f'attachment; filename="{filename}.{fmt}"'}
        if outcome["truncated"]:
            headers["x-rammegraf-truncated"] = str(self.settings.row_cap)
        media = "text/csv" if fmt == "csv" else "text/tab-separated-values"
        return Response(render(outcome["vars"], rows, fmt).encode("utf-8"),
                        media_type=f"{media}; charset=utf-8", headers=headers)

    def download(self, outcome: dict, media: str, *, filename: str | None = None):
        from starlette.responses import Response

        fmt = outcome.get("format", "json")
        types = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                 "nt": "application/n-triples", "json-ld": "application/ld+json"}
        headers = {}
        if filename:
            ext = {"turtle": "ttl", "json-ld": "jsonld"}.get(fmt, fmt)
            headers["content-disposition"] = f'attachment; filename="{filename}.{ext}"'
        if outcome.get("truncated"):
            headers["x-rammegraf-truncated"] = str(self.settings.row_cap)
        content_type = types[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv", "turtle", "nt") else "")
        return Response(outcome["body"], media_type=content_type, headers=headers)

    # --- the SPARQL endpoint ---------------------------------------------------
    async def sparql(self, request):
        try:
            text = await self.sparql_text(request)
        except QueryError as error:
            return self.protocol_error(request, error)
        media = negotiate(request.headers.get("accept", ""), [*RESULT_TYPES, "text/html"])
        media = FORMAT_PARAM.get(request.query_params.get("format", ""), media)
        if media == "text/html" or (text is None and "text/html" in request.headers.get("accept", "")):
            return await self.editor(request, text)
        if text is None:
            return self.protocol_error(request, QueryError("mangler parameteren 'query' (missing 'query')"))
        try:
            outcome = await self.run_query(text, {}, media or "application/sparql-results+json")
        except RammegrafError as error:
            return self.protocol_error(request, error)
        return self.download(outcome, media)

    async def sparql_text(self, request) -> str | None:
        """The query from GET ?query=, a POSTed form, or a POSTed sparql-query body."""
        params = request.query_params
        if "update" in params or any(k in params for k in ("default-graph-uri", "named-graph-uri")):
            raise QueryRefused("kun forespørgsler mod standardgrafen: update, default-graph-uri og "
                               "named-graph-uri afvises (only queries on the default graph)")
        if request.method == "GET":
            return params.get("query")
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        body = await request.body()
        if len(body) > self.settings.upload_limit:
            raise QueryError("forespørgslen er for stor (the query is too large)")
        if content_type == "application/sparql-update":
            raise QueryRefused("SPARQL Update er ikke tilladt: endpointet læser kun (Update is refused)")
        if content_type == "application/sparql-query":
            return body.decode("utf-8", errors="replace")
        if content_type == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs

            form = parse_qs(body.decode("utf-8", errors="replace"))
            if "update" in form or "default-graph-uri" in form or "named-graph-uri" in form:
                raise QueryRefused("kun forespørgsler mod standardgrafen (only queries on the default graph)")
            return form.get("query", [None])[0]
        raise QueryError(f"ukendt indholdstype '{content_type}' (unsupported content type)")

    def protocol_error(self, request, error: RammegrafError):
        from starlette.responses import PlainTextResponse

        status = _status(error)
        if "text/html" in request.headers.get("accept", ""):
            return self.page(request, "sparql.html", status=status, text=request.query_params.get("query", ""),
                             prefixes=EDITOR_PREFIXES, error=str(error))
        return PlainTextResponse(str(error) + "\n", status_code=status)

    async def editor(self, request, text: str | None):
        lang = self.lang(request)
        if not text:
            return self.page(request, "sparql.html", text="", prefixes=EDITOR_PREFIXES)
        try:
            outcome = await self.run_query(text, {}, None)
        except RammegrafError as error:
            return self.page(request, "sparql.html", status=_status(error), text=text,
                             prefixes=EDITOR_PREFIXES, error=str(error))
        return self.page(request, "sparql.html", text=text, prefixes=EDITOR_PREFIXES,
                         result=self.html_result(outcome, lang), downloads=self.download_links(request),
                         permalink=str(request.url))

    # --- resources ---------------------------------------------------------------
    async def resource(self, request):
        from starlette.responses import Response

        lang = self.lang(request)
        node = URIRef(str(ID) + request.path_params["path"])
        if (node, None, None) not in self.graph:
            return self.error_page(request, 404, f"<{node}>: {TEXT[lang]['not_found_text']}")
        media = FORMAT_PARAM.get(request.query_params.get("format", "")) or negotiate(
            request.headers.get("accept", ""), ["text/html", "text/turtle", "application/n-triples",
                                               "application/ld+json"]) or "text/html"
        if media != "text/html":
            out = bind_prefixes(Graph())
            for triple in self.graph.triples((node, None, None)):
                out.add(triple)
            for triple in self.graph.triples((None, None, node)):
                out.add(triple)
            fmt = {"text/turtle": "turtle", "application/n-triples": "nt",
                   "application/ld+json": "json-ld"}.get(media, "turtle")
            return Response(out.serialize(format=fmt, encoding="utf-8"), media_type=media)
        from .describe import describe

        desc = describe(self.graph, node, lang=lang)
        return self.page(request, "resource.html", desc=desc, iri=str(node),
                         props=[(l.property_label, self.cell(l.value, lang)) for l in desc.properties],
                         incoming=[(self.cell(l.value, lang), l.property_label) for l in desc.incoming],
                         graph_link=link("/graf", lang, view="node:" + request.path_params["path"], depth="1"))

    # --- graph, validation, ontology -----------------------------------------------
    async def graph_view(self, request):
        from starlette.responses import HTMLResponse

        lang = self.lang(request)
        view = request.query_params.get("view")
        if not view:
            areas = sorted(self.graph.subjects(RDF.type, RG.DevelopmentArea),
                           key=lambda a: str(self.graph.value(a, SKOS.notation)))
            views = [(TEXT[lang]["whole_graph"], link("/graf", lang, view="all"))]
            views += [(label_of(self.graph, a, lang), link("/graf", lang, view="area:" + str(a).rsplit("/", 1)[-1], depth="1"))
                      for a in areas]
            return self.page(request, "graph_index.html", views=views)
        try:
            depth = int(request.query_params.get("depth", "2"))
            as_of = request.query_params.get("as_of") or None
            page, csp = self.graph_html(view, depth, as_of, lang)
        except ValueError:
            return self.error_page(request, 400, "depth er et heltal og as_of en dato ÅÅÅÅ-MM-DD "
                                                 "(depth is a whole number, as_of a date)")
        except RammegrafError as error:
            return self.error_page(request, 400 if not isinstance(error, QueryError) else 404, str(error))
        return HTMLResponse(page, headers={"content-security-policy": csp})

    @lru_cache(maxsize=32)
    def graph_html(self, view: str, depth: int, as_of: str | None, lang: str) -> tuple[str, str]:
        from .viz import graph_page, page_csp

        day = date.fromisoformat(as_of) if as_of else None
        return graph_page(self.graph, view=view, depth=depth, as_of=day, lang=lang), page_csp()

    async def validate_page(self, request):
        lang = self.lang(request)
        if request.method == "GET":
            return self.page(request, "validate.html", text="")
        size = int(request.headers.get("content-length") or 0)
        if size > self.settings.upload_limit + 10_000:
            return self.page(request, "validate.html", status=413, text="",
                             error=f"for stor: højst {self.settings.upload_limit:,} bytes (too large)")
        form = await request.form(max_files=1, max_fields=4, max_part_size=self.settings.upload_limit)
        text = form.get("turtle") or ""
        upload = form.get("file")
        raw, name = text.encode("utf-8"), "indsat.ttl"
        if upload is not None and getattr(upload, "filename", ""):
            raw = await upload.read(self.settings.upload_limit + 1)
            name = Path(upload.filename).name or "upload.ttl"
        if len(raw) > self.settings.upload_limit:
            return self.page(request, "validate.html", status=413, text="",
                             error=f"for stor: højst {self.settings.upload_limit:,} bytes (too large)")
        try:
            report = await self.limited(_check_upload, self.graph, raw, name, lang,
                                        seconds=self.settings.validate_timeout)
        except RammegrafError as error:
            return self.page(request, "validate.html", status=_status(error), text=text, error=str(error))
        for result in report["results"]:
            result["severity_text"] = TEXT[lang][result["severity"]]
            if result["focus"].startswith(str(ID)) and (URIRef(result["focus"]), None, None) in self.graph:
                result["href"] = link("/id/" + result["focus"][len(str(ID)):], lang)
        # the form was answered: the verdict is in the page (a 4xx would read as a broken page)
        return self.page(request, "validate.html", text=text, report=report)

    async def ontology(self, request):
        lang = self.lang(request)
        return self.page(request, "ontology.html", classes=self.terms(OWL.Class, lang),
                         properties=self.terms(None, lang))

    @lru_cache(maxsize=4)
    def terms(self, kind, lang: str) -> list[dict]:
        kinds = [kind] if kind is not None else [OWL.ObjectProperty, OWL.DatatypeProperty]
        out = []
        for k in kinds:
            for term in self.graph.subjects(RDF.type, k):
                if not str(term).startswith(str(RG)):
                    continue
                labels = {l.language: str(l) for l in self.graph.objects(term, RDFS.label) if isinstance(l, Literal)}
                definitions = {d.language: str(d) for d in self.graph.objects(term, SKOS.definition)
                               if isinstance(d, Literal)}
                out.append({"curie": "rg:" + str(term)[len(str(RG)):], "da": labels.get("da", ""),
                            "en": labels.get("en", ""), "definition": definitions.get(lang, ""),
                            "domain": display(self.graph, self.graph.value(term, RDFS.domain), lang),
                            "range": display(self.graph, self.graph.value(term, RDFS.range), lang)})
        return sorted(out, key=lambda t: t["curie"])

    # --- rounds, deadlines, pictures (issue 7) ---------------------------------------
    def rounds(self) -> list[date]:
        from .network import round_dates

        return round_dates(self.graph)

    async def round_list(self, request):
        return self.page(request, "rounds.html", rounds=[d.isoformat() for d in self.rounds()])

    async def round_page(self, request):
        from .rounds import changes

        lang = self.lang(request)
        try:
            day = date.fromisoformat(request.path_params["day"])
        except ValueError:
            return self.error_page(request, 404, TEXT[lang]["not_found_text"])
        rounds = self.rounds()
        if day not in rounds:
            return self.error_page(request, 404, TEXT[lang]["not_found_text"])
        earlier = [d for d in rounds if d < day]
        result = changes(self.graph, from_date=earlier[-1], to_date=day, lang=lang) if earlier else None
        from .rounds import _sections

        return self.page(request, "round.html", day=day.isoformat(),
                         previous=earlier[-1].isoformat() if earlier else None,
                         sections=_sections(result, lang) if result else [])

    async def deadline_page(self, request):
        from .rounds import STATE_WORDS, deadlines

        lang = self.lang(request)
        try:
            as_of = date.fromisoformat(request.query_params.get("as_of") or
                                       (self.settings.today or date.today()).isoformat())
            within = int(request.query_params.get("within", "90"))
        except ValueError:
            return self.error_page(request, 400, "as_of er en dato ÅÅÅÅ-MM-DD og within et heltal "
                                                 "(as_of is a date, within a whole number)")
        items = [{"state": STATE_WORDS[lang][d.state], "milestone": self.cell(URIRef(d.milestone), lang),
                  "text": d.date_text, "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat(),
                  "initiatives": "; ".join(d.initiatives), "responsible": "; ".join(d.responsible)}
                 for d in deadlines(self.graph, as_of=as_of, within=within, lang=lang)]
        return self.page(request, "deadlines.html", items=items, as_of=as_of.isoformat(), within=within)

    async def deadline_ics(self, request):
        from starlette.responses import Response

        from .rounds import deadlines, to_ics

        lang = self.lang(request)
        every = deadlines(self.graph, as_of=self.settings.today or date.today(), include_all=True, lang=lang)
        return Response(to_ics(every, lang=lang), media_type="text/calendar; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="milepaele.ics"'})

    async def picture(self, request):
        from starlette.responses import Response

        name = request.path_params["name"]
        kinds = {"tidslinje.svg": ("timeline", "svg", "image/svg+xml"),
                 "matrix.svg": ("matrix", "svg", "image/svg+xml"),
                 "matrix.csv": ("matrix", "csv", "text/csv; charset=utf-8")}
        if name not in kinds:  # a fixed table: no path from the request
            return self.error_page(request, 404, TEXT[self.lang(request)]["not_found_text"])
        kind, fmt, media = kinds[name]
        return Response(self.picture_bytes(kind, fmt, self.lang(request)), media_type=media)

    @lru_cache(maxsize=12)
    def picture_bytes(self, kind: str, fmt: str, lang: str) -> bytes:
        from .pictures import matrix_csv, matrix_picture, timeline

        if kind == "timeline":
            return timeline(self.graph, fmt, lang=lang)
        return matrix_csv(self.graph, lang=lang) if fmt == "csv" else matrix_picture(self.graph, fmt, lang=lang)

    async def static(self, request):
        from starlette.responses import Response

        entry = STATIC.get(request.path_params["name"])  # a fixed table: no path from the request
        if entry is None:
            return self.error_page(request, 404, TEXT[self.lang(request)]["not_found_text"])
        filename, media = entry
        return Response((TEMPLATES / filename).read_bytes(), media_type=media,
                        headers={"cache-control": "max-age=3600"})

    async def not_found(self, request, exc):
        status = getattr(exc, "status_code", 404)
        return self.error_page(request, status, TEXT[self.lang(request)]["not_found_text"])


def link(path: str, lang: str, **params) -> str:
    """A local URL that keeps the reader's language."""
    if lang == "en":
        params["lang"] = "en"
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def negotiate(accept: str, offers: list[str]) -> str | None:
    """The offer the Accept header prefers (q-values honoured; */* takes the first offer)."""
    if not accept.strip():
        return None
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        choices.append((q, -position, media.lower()))
    for q, _, media in sorted(choices, reverse=True):
        if q <= 0:
            continue
        if media in offers:
            return media
        if media == "*/*" or media.endswith("/*"):
            prefix = media.split("/")[0]
            for offer in offers:
                if media == "*/*" or offer.startswith(prefix + "/"):
                    return None if media == "*/*" else offer
    return None


def _status(error: RammegrafError) -> int:
    if isinstance(error, TimeLimitExceeded):
        return 503
    if isinstance(error, QueryRefused):
        return 403
    return 400


def create_app(graph: Graph, settings: Settings | None = None):
    """The ASGI app over a loaded graph."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.routing import Route

    web = WebApp(graph, settings or Settings())

    async def security_headers(request, call_next):
        response = await call_next(request)
        response.headers.setdefault("content-security-policy", CSP)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    routes = [
        Route("/", web.home), Route("/foresporgsler", web.query_list),
        Route("/foresporgsler/{name}", web.query_page),
        Route("/sparql", web.sparql, methods=["GET", "POST"]),
        Route("/id/{path:path}", web.resource), Route("/graf", web.graph_view),
        Route("/valider", web.validate_page, methods=["GET", "POST"]),
        Route("/ontologi", web.ontology), Route("/static/{name}", web.static),
        Route("/runder", web.round_list), Route("/runder/{day}", web.round_page),
        Route("/frister", web.deadline_page), Route("/frister.ics", web.deadline_ics),
        Route("/billeder/{name}", web.picture),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(BaseHTTPMiddleware, dispatch=security_headers)],
                    exception_handlers={404: web.not_found, 405: web.not_found})
    app.state.web = web
    return app


def get_once(app, path: str, *, accept: str = "text/html") -> tuple[int, bytes, str]:
    """Answer one request in-process (``rammegraf serve --get``)."""
    from starlette.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get(path, headers={"accept": accept})
    return response.status_code, response.content, response.headers.get("content-type", "")
