"""The named queries: the list, and a page per query with its form, result and downloads."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from ..errors import RammegrafError
from .base import ClientGone, Web, error_headers, status_of
from .endpoint import data_response
from .pages import Pages

DOWNLOADS = ("csv", "tsv", "json")


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
        try:
            outcome = await self.web.job(request, "named", named.name, values, fmt,
                                         request.query_params.get("iris") == "1", lang, self.web.settings.row_cap)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            return self.web.page(request, "query.html", status=status_of(error), headers=error_headers(error),
                                 error=str(error), **context)
        if outcome["kind"] == "data":
            return data_response(outcome, self.web.settings.row_cap, filename=f"{named.name}.{outcome['ext']}")
        downloads = [(fmt.upper(), f"{request.url.path}?{urlencode({**request.query_params, 'format': fmt})}")
                     for fmt in DOWNLOADS]
        return self.web.page(request, "query.html", result=outcome["result"], downloads=downloads,
                             permalink=str(request.url), **context)
