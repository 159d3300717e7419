"""The search page (/sok) and its JSON answer for the header box and the editor."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from .pages import Pages
from .urls import negotiate

MAX_TEXT = 200


class Search:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/sok", self.search)]

    async def search(self, request):
        lang = self.web.lang(request)
        text = request.query_params.get("q", "")[:MAX_TEXT].strip()
        wants_json = request.query_params.get("format") == "json" or (
            negotiate(request.headers.get("accept", ""), ["text/html", "application/json"]) == "application/json")
        try:
            limit = min(max(int(request.query_params.get("limit", "50")), 1), 100)
        except ValueError:
            limit = 50
        if not text:
            if wants_json:
                return JSONResponse({"query": "", "count": 0, "results": []})
            return self.web.page(request, "search.html", q="", found=None)
        found = await self.pages.run(request, "search", text, lang, limit, self.web.settings.endpoint_keep,
                                     cached=True)
        if isinstance(found, Response):
            return found
        if wants_json:
            results = [{"iri": h["iri"], "label": h["label"], "kind": h["kind"], "kind_label": h["kind_label"],
                        "area": ", ".join(h["areas"]), "phase": h["phase"], "href": h["link"].get("href")}
                       for g in found["groups"] for h in g["hits"]]
            return JSONResponse({"query": text, "count": found["count"], "capped": found["capped"],
                                 "results": results}, headers={"cache-control": "no-store"})
        return self.web.page(request, "search.html", q=text, found=found)
