"""A page for every resource: ``https://w3id.org/rammegraf/id/X`` is served at ``/id/X``,
as HTML for a browser and as Turtle, N-Triples, JSON-LD or RDF/XML by ``Accept``."""

from __future__ import annotations

from starlette.responses import Response

from ..results import GRAPH_MEDIA
from .endpoint import TEXT_TYPES
from .pages import Pages
from .urls import link, negotiate

OFFERS = ["text/html", *GRAPH_MEDIA.values()]
INCOMING_PAGE = 100
FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
           "rdf": "application/rdf+xml"}


class Resources:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/id/{path:path}", self.resource)]

    async def resource(self, request):
        lang = self.web.lang(request)
        path = request.path_params["path"]
        accept = request.headers.get("accept", "")
        media = FORMATS.get(request.query_params.get("format", ""))
        if media is None:
            media = negotiate(accept, OFFERS)
            if media is None:
                if accept.strip() and not any(p.split(";")[0].strip() in ("*/*", "text/*")
                                              for p in accept.split(",")):
                    return Response("ingen af de ønskede medietyper findes for en ressource; tilbydes: "
                                    + ", ".join(OFFERS) + " (not acceptable)\n", status_code=406,
                                    media_type="text/plain; charset=utf-8", headers={"vary": "Accept"})
                media = "text/html"
        data = await self.pages.run(request, "resource", path, lang, media, cached=True)
        if isinstance(data, Response):
            data.headers["vary"] = "Accept"
            return data
        if media != "text/html":
            charset = "; charset=utf-8" if media in TEXT_TYPES else ""
            return Response(data["body"], media_type=media + charset, headers={"vary": "Accept"})
        from ..entries import editable
        from .paging import window

        made_in_form = editable(self.web.settings.data_dirs or None, path) is not None
        # the links to a resource come 100 a page: at ten million triples a municipality has
        # 8,000 (every initiative it takes part in), the region far more
        start, pager = window(request, len(data["incoming"]), INCOMING_PAGE)
        for way in ("previous", "next"):
            if pager[way]:
                pager[way] += "#links-hertil"
        return self.web.page(request, "resource.html", headers={"vary": "Accept"}, desc=data, iri=data["iri"],
                             props=data["props"], incoming=data["incoming"][start:start + INCOMING_PAGE],
                             pager=pager,
                             graph_link=link("/graf", lang, view="node:" + path, depth="2"),
                             saved=request.query_params.get("gemt") == "1" and made_in_form,
                             edit_link=link(f"/id/{path}/rediger", lang) if made_in_form else None)
