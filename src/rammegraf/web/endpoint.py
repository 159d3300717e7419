"""The SPARQL 1.1 Protocol endpoint at /sparql, and the editor page for a browser.

A query comes by GET (``?query=``), by POST form, or by POST with
``Content-Type: application/sparql-query``; exactly one query, else 400. Update
(as ``update``, an ``application/sparql-update`` body or in the query), SERVICE,
FROM and the dataset parameters are refused with 403 before anything runs. The
answer's format follows ``Accept`` (``Vary: Accept``), 406 when none can carry it.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, PlainTextResponse, Response

from ..errors import RammegrafError
from ..namespaces import EDITOR_PREFIXES, PREFIXES
from ..query import QueryError, QueryRefused
from ..sparql import shape
from ..webtext import TEXT
from .base import ClientGone, TooLarge, Web, error_headers, status_of
from .diagrams import chart_context, diagram_args
from .jobs.charts import FILES
from .paging import paged
from .urls import here, negotiate

EDITOR_TEXT = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in EDITOR_PREFIXES)
FORMAT_PARAMS = ("format", "output", "results")   # Virtuoso's, sparqler's and Joseki's names; all accepted
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
PATHS = ("/sparql", "/sparql/")  # both answer; a redirect would be built from the Host header
TEXT_TYPES = ("text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples")
POSITION = re.compile(r"linje (\d+), kolonne (\d+)")  # QuerySyntaxError's words, the only form an error reaches us in


class Endpoint:
    def __init__(self, web: Web) -> None:
        self.web = web

    def routes(self):
        from starlette.routing import Route

        return [Route(path, self.sparql, methods=["GET", "POST"]) for path in PATHS] + [
            Route("/sparql/ord", self.words)]

    async def words(self, request):
        """What the editor completes (prefixes, classes, properties with their labels), as JSON."""
        try:
            data = await self.web.job(request, "vocabulary", cached=True)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            return PlainTextResponse(str(error) + "\n", status_code=status_of(error), headers=error_headers(error))
        return JSONResponse(data, headers={"cache-control": "max-age=300"})

    async def asgi(self, scope, receive, send) -> None:
        """The endpoint as a plain ASGI app (rammegraf.web.app calls it directly)."""
        from starlette.requests import Request

        request = Request(scope, receive)
        if request.method not in ("GET", "HEAD", "POST"):
            response = PlainTextResponse("brug GET eller POST (use GET or POST)\n", status_code=405,
                                         headers={"allow": "GET, POST"})
        else:
            response = await self.sparql(request)
        await response(scope, receive, send)

    async def sparql(self, request):
        accept = request.headers.get("accept", "")
        wants_html = negotiate(accept, ["text/html"]) == "text/html" and "text/html" in accept.lower()
        try:
            query, formats = await self.query_text(request)
        except (QueryError, TooLarge, RammegrafError) as error:
            return self.error(request, error, html=wants_html)
        if query is None:
            if wants_html:
                return self.editor(request, "")
            return self.error(request, QueryError("mangler parameteren 'query' (missing 'query')"), html=False)
        fmt = tuple(formats) or None
        diagram = diagram_args(request)
        key = (query, accept, fmt, diagram)
        if not wants_html:
            known = self.web.answers.get(key)
            if known is not None:
                return data_response(known, self.web.settings.row_cap, vary=True)
        generation = self.web.generation
        try:
            outcome = await self.web.job(request, "sparql", query, accept, fmt, self.web.lang(request),
                                         self.web.settings.row_cap, wants_html, diagram, fingerprint=shape(query))
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            return self.error(request, error, html=wants_html, text=query)
        if outcome["kind"] == "html":
            return self.editor(request, query, result=paged(outcome["result"], request), chart=outcome.get("chart"))
        if generation == self.web.generation:  # not an answer from before a save
            self.web.answers.put(key, outcome)
        if diagram[0] in FILES:
            return data_response(outcome, self.web.settings.row_cap, filename=f"sparql.{outcome['ext']}")
        return data_response(outcome, self.web.settings.row_cap, vary=True)

    async def query_text(self, request) -> tuple[str | None, list[str]]:
        """Exactly one query from GET ?query=, a POSTed form, or a POSTed query body,
        and what the format=, output= and results= parameters ask for (in the URL,
        then in a POSTed form: SPARQLWrapper sends them as both)."""
        params = parse_qsl(request.url.query, keep_blank_values=True)
        names = [name for name, _ in params]
        formats = [value for name, value in params if name in FORMAT_PARAMS]
        limit = self.web.settings.query_limit
        refuse_dataset(names, "update" in names)
        if request.method == "GET":
            queries = [value for name, value in params if name == "query"]
            if len(queries) > 1:
                raise QueryError("der må kun være én forespørgsel (only one query is allowed)")
            if queries and len(queries[0].encode("utf-8")) > limit:
                raise TooLarge(f"forespørgslen er for stor: højst {limit} bytes (the query is too large)")
            return (queries[0] if queries else None), formats
        content_type, _, options = request.headers.get("content-type", "").partition(";")
        content_type = content_type.strip().lower()
        charset = _charset(options)
        if charset not in (None, "utf-8", "utf8"):
            raise QueryError(f"forespørgslen skal være UTF-8, ikke {charset} (the query must be UTF-8)")
        if content_type == "application/sparql-update":
            raise QueryRefused("SPARQL Update er ikke tilladt: endpointet læser kun (Update is refused)")
        body = await self.web.read_body(request, limit)
        if content_type == "application/sparql-query":
            if "query" in names:
                raise QueryError("der må kun være én forespørgsel: både ?query= og en krop "
                                 "(only one query: both ?query= and a body)")
            return decode(body), formats
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qsl(decode(body), keep_blank_values=True)
            form_names = [name for name, _ in form]
            refuse_dataset(form_names, "update" in form_names)
            queries = [value for name, value in form if name == "query"]
            queries += [value for name, value in params if name == "query"]
            if len(queries) > 1:
                raise QueryError("der må kun være én forespørgsel (only one query is allowed)")
            formats += [value for name, value in form if name in FORMAT_PARAMS]
            return (queries[0] if queries else None), formats
        raise UnsupportedType(f"ukendt indholdstype '{content_type}'; brug application/sparql-query eller "
                              "application/x-www-form-urlencoded (unsupported content type)")

    def editor(self, request, text: str, *, result=None, error: str | None = None, status: int = 200,
               headers: dict | None = None, chart: dict | None = None):
        from .app import CSP

        # CodeMirror (style-mod) writes its styles into <style> elements, which style-src 'self'
        # refuses; this page's own CSP lets in the ones carrying a nonce made for this response
        nonce = secrets.token_urlsafe(18)
        csp = CSP.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
        position = POSITION.search(error or "")
        lang = self.web.lang(request)
        starts = [{"name": q.name, "title": q.title(lang), "text": q.text} for q in self.web.queries.values()]
        downloads = []
        if result is not None and text:
            from urllib.parse import urlencode

            for fmt in ("csv", "tsv", "json"):
                downloads.append((fmt.upper(), f"/sparql?{urlencode({'query': text, 'format': fmt})}"))
        return self.web.page(request, "sparql.html", status=status,
                             headers={"vary": "Accept", **(headers or {}), "content-security-policy": csp},
                             text=text, prefixes=EDITOR_TEXT, result=result, error=error, downloads=downloads,
                             permalink=here(request) if result is not None else None, nonce=nonce,
                             chart=chart_context(request, chart, TEXT[lang]),
                             error_line=position.group(1) if position else None,
                             error_column=position.group(2) if position else None, starts=starts)

    def error(self, request, error: Exception, *, html: bool, text: str = ""):
        status = status_of(error)
        if isinstance(error, UnsupportedType):
            status = 415
        headers = {"vary": "Accept", **error_headers(error)}
        if html:
            return self.editor(request, text or request.query_params.get("query", ""), error=str(error),
                               status=status, headers=headers)
        return PlainTextResponse(str(error) + "\n", status_code=status, headers=headers)


class UnsupportedType(RammegrafError):
    """A POST body of a media type the protocol does not define (HTTP 415)."""


def refuse_dataset(names: list[str], update: bool) -> None:
    if update:
        raise QueryRefused("SPARQL Update er ikke tilladt: endpointet læser kun (Update is refused)")
    found = [name for name in DATASET_PARAMS if name in names]
    if found:
        raise QueryRefused(f"kun forespørgsler mod standardgrafen: {', '.join(found)} afvises "
                           "(only queries on the default graph: the dataset parameters are refused)")


def _charset(options: str) -> str | None:
    for option in options.split(";"):
        name, _, value = option.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(f"forespørgslen er ikke UTF-8 (byte {error.start}) (the query is not UTF-8)") from None


def data_response(outcome: dict, row_cap: int, *, vary: bool = False, filename: str | None = None):
    """A job's serialized answer as an HTTP response."""
    media = outcome["media"]
    headers = {}
    if vary:
        headers["vary"] = "Accept"
    if outcome.get("truncated"):
        headers["x-rammegraf-truncated"] = str(row_cap)
    if filename:
        headers["content-disposition"] = f'attachment; filename="{filename}"'
    charset = "; charset=utf-8" if media in TEXT_TYPES else ""
    return Response(outcome["body"], media_type=media + charset, headers=headers)
