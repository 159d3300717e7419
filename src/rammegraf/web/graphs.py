"""The graph views: the list of views, and one view as a self-contained page."""

from __future__ import annotations

from datetime import date

from starlette.responses import HTMLResponse, Response

from .pages import Pages
from .urls import link


class Graphs:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/graf", self.graph)]

    async def graph(self, request):
        from ..webtext import TEXT

        lang = self.web.lang(request)
        view = request.query_params.get("view")
        if not view:
            views = await self.pages.run(request, "graph_index", lang, cached=True)
            if isinstance(views, Response):
                return views
            views = [(TEXT[lang]["whole_graph"], link("/graf", lang, view="all")), *views]
            return self.web.page(request, "graph_index.html", views=views)
        try:
            depth = int(request.query_params.get("depth", "2"))
            as_of = request.query_params.get("as_of") or None
            if as_of:
                date.fromisoformat(as_of)
            if not 0 <= depth <= 10:
                raise ValueError
        except ValueError:
            return self.web.error_page(request, 400, "depth er et heltal fra 0 til 10 og as_of en dato ÅÅÅÅ-MM-DD "
                                                     "(depth is a whole number from 0 to 10, as_of a date)")
        data = await self.pages.run(request, "graph_view", view, depth, as_of, lang, cached=True)
        if isinstance(data, Response):
            return data
        page, csp = data
        return HTMLResponse(page, headers={"content-security-policy": csp})
