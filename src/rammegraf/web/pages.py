"""The front page, the ontology page, the static files and the 404 page."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response

from ..errors import RammegrafError
from ..webtext import TEXT
from .base import ClientGone, TEMPLATES, Web, error_headers, status_of

STATIC = {"app.css": ("app.css", "text/css"), "statusrapport.css": ("statusrapport.css", "text/css"), "tables.js": ("tables.js", "text/javascript"),
          "site.js": ("site.js", "text/javascript"), "entry.js": ("entry.js", "text/javascript")}
# An entry's file is a name in TEMPLATES, or a Path: the built editor, the chart bundle and their licences in static/
STATIC_FILES = Path(__file__).resolve().parents[1] / "static"
STATIC.update({
    "editor.js": (STATIC_FILES / "editor.js", "text/javascript"),
    "sparql.js": (STATIC_FILES / "sparql.js", "text/javascript"),
    "sparql.css": (STATIC_FILES / "sparql.css", "text/css"),
    "LICENSES.txt": (STATIC_FILES / "LICENSES" / "README", "text/plain; charset=utf-8"),
    "vega.js": (STATIC_FILES / "vega.js", "text/javascript"),
    "charts.js": (STATIC_FILES / "charts.js", "text/javascript"),
    "LICENSES-charts.txt": (STATIC_FILES / "LICENSES" / "charts" / "README", "text/plain; charset=utf-8"),
})


class Pages:
    def __init__(self, web: Web) -> None:
        self.web = web

    def routes(self):
        from starlette.routing import Route

        return [Route("/", self.home), Route("/ontologi", self.ontology), Route("/static/{name}", self.static)]

    async def home(self, request):
        """The dashboard: the plan as of a status round (``?as_of=``, the latest by default)."""
        lang = self.web.lang(request)
        data = await self.run(request, "dashboard", request.query_params.get("as_of") or None, lang, cached=True)
        if isinstance(data, Response):
            return data
        counts = [(TEXT[lang]["triples"] if name == "triples" else name, n) for name, n in data["counts"]]
        return self.web.page(request, "index.html", chosen=data["chosen"], counts=counts,
                             overview=data["overview"], charts=[self._downloads(c, lang) for c in data["charts"]])

    @staticmethod
    def _downloads(part: dict, lang: str) -> dict:
        """A dashboard query's chart with the words _chart.html needs: its title and downloads."""
        from urllib.parse import urlsplit, parse_qsl

        from .urls import link

        t = TEXT[lang]
        if part["chart"] is not None:
            path, values = part["href"].split("?", 1)[0], dict(parse_qsl(urlsplit(part["href"]).query))
            values.pop("lang", None)
            part["chart"]["title"] = part["title"]
            part["chart"]["downloads"] = [(t["chart_svg"], link(path, lang, **{**values, "diagram": "svg"})),
                                          (t["chart_png"], link(path, lang, **{**values, "diagram": "png"}))]
        return part

    async def ontology(self, request):
        data = await self.run(request, "ontology", self.web.lang(request), cached=True)
        if isinstance(data, Response):
            return data
        return self.web.page(request, "ontology.html", classes=data["classes"], properties=data["properties"],
                              phases=data["phases"])

    async def static(self, request):
        entry = STATIC.get(request.path_params["name"])  # a fixed table: no path from the request
        if entry is None:
            return self.web.not_found(request)
        filename, media = entry
        path = filename if isinstance(filename, Path) else TEMPLATES / filename
        return Response(path.read_bytes(), media_type=media,
                        headers={"cache-control": "max-age=3600"})

    async def run(self, request, name: str, *args, cached: bool = False, timeout: float | None = None):
        """A job's data, or the error page that says why there is none."""
        try:
            return await self.web.job(request, name, *args, cached=cached, timeout=timeout)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            status = status_of(error)
            if status == 404:
                return self.web.not_found(request, str(error))
            return self.web.error_page(request, status, str(error), headers=error_headers(error))
