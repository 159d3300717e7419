"""/rapport: the status document of a round (rammegraf report) in the site's layout, with
downloads of each format."""

from __future__ import annotations

from starlette.responses import Response

from .pages import Pages

FILES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".pdf": "application/pdf",
         ".html": "text/html; charset=utf-8",
         ".md": "text/markdown; charset=utf-8"}


class Report:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/rapport", self.page)] + [Route(f"/rapport{suffix}", self._download(suffix))
                                                 for suffix in FILES]

    @staticmethod
    def _as_of(request) -> str | None:
        return (request.query_params.get("as_of") or "").strip()[:40] or None

    async def page(self, request):
        from .urls import link

        lang = self.web.lang(request)
        data = await self.pages.run(request, "report_page", self._as_of(request), lang, cached=True)
        if isinstance(data, Response):
            return data
        day = data["doc"]["as_of"]
        downloads = [(suffix, link(f"/rapport{suffix}", lang, as_of=day)) for suffix in FILES]
        return self.web.page(request, "report.html", doc=data["doc"], drawing={"svg": data["svg"], "png": None},
                             rounds=data["rounds"], day=day, downloads=downloads)

    def _download(self, suffix: str):
        async def download(request):
            lang = self.web.lang(request)
            as_of = self._as_of(request)
            data = await self.pages.run(request, "report_file", as_of, lang, suffix, cached=True)
            if isinstance(data, Response):
                return data
            # the file's name from the round's date as the document has it (no text from the request)
            name = f"statusrapport-{data['day']}{'-en' if lang == 'en' else ''}{suffix}"
            return Response(data["body"], media_type=FILES[suffix],
                            headers={"content-disposition": f'attachment; filename="{name}"'})
        return download
