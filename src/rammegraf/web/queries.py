"""The named queries: the list, and a page per query with its form, result and downloads."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.responses import Response

from ..errors import RammegrafError
from ..webtext import TEXT
from .base import ClientGone, Web, error_headers, status_of
from .diagrams import CHOICE, PAGING, chart_context, diagram_args
from .endpoint import data_response
from .pages import Pages
from .paging import paged
from .urls import here

DOWNLOADS = ("csv", "tsv", "xlsx", "json")


class Queries:
    def __init__(self, web: Web, pages: Pages) -> None:
        self.web = web
        self.pages = pages

    def routes(self):
        from starlette.routing import Route

        return [Route("/foresporgsler", self.list), Route("/foresporgsler/{name}", self.query)]

    async def list(self, request):
        lang = self.web.lang(request)
        items = [{"name": q.name, "title": q.title(lang), "description": q.description(lang)}
                 for q in self.web.queries.values()]
        return self.web.page(request, "queries.html", items=items)

    async def query(self, request):
        lang = self.web.lang(request)
        named = self.web.queries.get(request.path_params["name"])
        if named is None:
            return self.web.not_found(request)
        values = {p.name: request.query_params[p.name] for p in named.params if p.name in request.query_params}
        fields = await self.pages.run(request, "form_fields", named.name, lang, cached=True)
        if isinstance(fields, Response):
            return fields
        form = [{**f, "value": values.get(f["name"], f["default"])} for f in fields]
        fmt = request.query_params.get("format") or None
        if fmt is not None and fmt not in DOWNLOADS + ("xml", "ttl", "nt", "jsonld"):
            fmt = None
        context = {"query": named, "form": form, "title": named.title(lang), "description": named.description(lang)}
        diagram = diagram_args(request)
        try:
            outcome = await self.web.job(request, "named", named.name, values, fmt,
                                         request.query_params.get("iris") == "1", lang, self.web.settings.row_cap,
                                         diagram, cached=True)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            message, field = str(error).removeprefix(f"{named.name}: "), None
            # a value that does not fit its parameter is said at its field, in words
            found = re.search(r"parameteren '(\w+)'", message)
            if found and any(f["name"] == found.group(1) for f in form):
                field = found.group(1)
                message = message.replace(found.group(0), f"«{named.caption(field, lang)}»")
                for f in form:
                    if f["name"] == field:
                        f["error"] = message
            return self.web.page(request, "query.html", status=status_of(error), headers=error_headers(error),
                                 error=message, error_field=named.caption(field, lang) if field else None,
                                 **context)
        if outcome["kind"] == "data":
            return data_response(outcome, self.web.settings.row_cap, filename=f"{named.name}.{outcome['ext']}")
        plain = {k: v for k, v in request.query_params.items() if k not in PAGING + CHOICE}
        downloads = [("Excel" if fmt == "xlsx" else fmt.upper(), f"{request.url.path}?{urlencode({**plain, 'format': fmt})}")
                     for fmt in DOWNLOADS]
        return self.web.page(request, "query.html", result=paged(outcome["result"], request), downloads=downloads,
                             permalink=here(request), chart=chart_context(request, outcome.get("chart"), TEXT[lang]),
                             **context)
