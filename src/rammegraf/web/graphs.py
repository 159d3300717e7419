"""The graph views: the list of views, one view as a self-contained page, and a
node's neighbours as JSON for the page's "expand"."""

from __future__ import annotations

from datetime import date

from starlette.responses import HTMLResponse, JSONResponse, Response

from ..errors import RammegrafError
from .base import ClientGone, error_headers, status_of
from .pages import Pages
from .urls import link

BAD_PARAMS = ("depth er et heltal fra 0 til 10 og as_of en dato ÅÅÅÅ-MM-DD "
              "(depth is a whole number from 0 to 10, as_of a date)")


class Graphs:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/graf", self.graph), Route("/graf/naboer", self.neighbours)]

    async def graph(self, request):
        from ..webtext import TEXT

        lang = self.web.lang(request)
        view = request.query_params.get("view")
        if not view:
            return await self._index(request, lang)
        try:
            depth = int(request.query_params.get("depth", "2"))
            as_of = request.query_params.get("as_of") or None
            if as_of:
                date.fromisoformat(as_of)
            if not 0 <= depth <= 10:
                raise ValueError
        except ValueError:
            return self.web.error_page(request, 400, BAD_PARAMS)
        # the same view in the other language (the language link of the site's header)
        other = "en" if lang == "da" else "da"
        switch = link("/graf", other, view=view, depth=str(depth), as_of=as_of)
        data = await self.pages.run(request, "graph_view", view, depth, as_of, lang, switch,
                                    self.web.settings.whole_graph_limit, cached=True)
        if isinstance(data, Response):
            return data
        if isinstance(data, dict):      # the whole graph, too large to draw: the views one can open
            return await self._index(request, lang, too_many=data["too_many"])
        page, csp = data
        return HTMLResponse(page, headers={"content-security-policy": csp})

    async def _index(self, request, lang: str, too_many: int | None = None):
        """The list of views: the whole graph and each development area. When the whole graph
        has ``too_many`` nodes to draw, the page says so (status 200: the site's own link led here)."""
        from ..webtext import TEXT

        views = await self.pages.run(request, "graph_index", lang, cached=True)
        if isinstance(views, Response):
            return views
        views = [(TEXT[lang]["whole_graph"], link("/graf", lang, view="all")), *views]
        note = None
        if too_many is not None:
            views = views[1:]
            mark = "." if lang == "da" else ","      # thousands: 37.801 in Danish, 37,801 in English
            count, limit = (f"{n:,}".replace(",", mark) for n in (too_many, self.web.settings.whole_graph_limit))
            note = TEXT[lang]["whole_too_large"].format(count=count, limit=limit)
        return self.web.page(request, "graph_index.html", views=views, note=note)

    async def neighbours(self, request):
        """``/graf/naboer?id=PATH``: the resource ``…/id/PATH`` and its neighbours as
        JSON (nodes and links, as in the page's data); 404 when it is not a node."""
        lang = self.web.lang(request)
        path = request.query_params.get("id", "")
        as_of = request.query_params.get("as_of") or None
        try:
            if as_of:
                date.fromisoformat(as_of)
        except ValueError:
            return JSONResponse({"error": BAD_PARAMS}, status_code=400)
        try:
            data = await self.web.job(request, "graph_neighbours", path, as_of, lang, cached=True)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            return JSONResponse({"error": str(error)}, status_code=status_of(error), headers=error_headers(error))
        return JSONResponse(data)
