"""/rapport: the status document of a round (rammegraf report) in the site's layout, with
downloads of each format.

Beside an on-disk store (a store is made for one version of the data: a save makes a new
one) the latest round's page and files are kept once computed: the server computes them
after the front page when it starts on a store, and after a save (``keep_ahead``), and
serves them from there (``_kept``). At a million triples the document is 14 MB and the
Word file takes 7 s to write, after 7 s of gathering: past the web's 10 s limit, as the
page itself was under load. Other rounds are computed when asked for, as on data held in
memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.responses import Response

from .pages import Pages

FILES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".pdf": "application/pdf",
         ".html": "text/html; charset=utf-8",
         ".md": "text/markdown; charset=utf-8"}
KEPT_VERSION = 2    # the kept files' layout (a newer rammegraf computes them again): 2, a large round's page is its summary


class Report:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web
        self.web.ahead.append(self.keep_ahead)

    def routes(self):
        from starlette.routing import Route

        return [Route("/rapport", self.page)] + [Route(f"/rapport{suffix}", self._download(suffix))
                                                 for suffix in FILES]

    @staticmethod
    def _as_of(request) -> str | None:
        return (request.query_params.get("as_of") or "").strip()[:40] or None

    async def page(self, request):
        from markupsafe import Markup

        from .urls import link

        lang = self.web.lang(request)
        as_of = self._as_of(request)
        area = (request.query_params.get("omraade") or "").strip()[:300] or None
        data = await self._kept(lang, as_of, "page") if area is None else None
        if data is None:
            data = await self.pages.run(request, "report_page", as_of, lang, area, cached=True)
            if isinstance(data, Response):
                return data
        day = data["day"]
        downloads = [(suffix, link(f"/rapport{suffix}", lang, as_of=day)) for suffix in FILES]
        # an area's page of a large round: back to the round's summary
        summary = link("/rapport", lang, as_of=day) if data.get("part") not in (None, "summary") else None
        return self.web.page(request, "report.html", title=data["title"], body=Markup(data["body"]),
                             rounds=data["rounds"], day=day, downloads=downloads, summary=summary)

    def _download(self, suffix: str):
        async def download(request):
            lang = self.web.lang(request)
            as_of = self._as_of(request)
            data = await self._kept(lang, as_of, suffix)
            if data is None:
                data = await self.pages.run(request, "report_file", as_of, lang, suffix, cached=True)
                if isinstance(data, Response):
                    return data
            # the file's name from the round's date as the document has it (no text from the request)
            name = f"statusrapport-{data['day']}{'-en' if lang == 'en' else ''}{suffix}"
            return Response(data["body"], media_type=FILES[suffix],
                            headers={"content-disposition": f'attachment; filename="{name}"'})
        return download

    # --- kept beside the store ------------------------------------------------------------
    async def _kept(self, lang: str, as_of: str | None, part: str) -> dict | None:
        """The page ("page") or a file (its suffix) of the latest round as kept beside the store,
        when it is kept and asked for (no date, or the latest round's); else None."""
        import asyncio

        folder = self.web.beside()
        if folder is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(None, _read_kept, folder, lang, as_of, part)

    async def keep_ahead(self) -> None:
        """Compute the latest round's page and files in both languages and keep them beside the
        store (one job each: the document gathered once for every format)."""
        import asyncio
        import logging

        folder = self.web.beside()
        if folder is None:
            if self.web.settings.endpoint and self.web.keeps():
                await self._cache_ahead()
            return
        loop = asyncio.get_running_loop()
        for lang in ("da", "en"):
            if await loop.run_in_executor(None, _meta, folder, lang) is not None:
                continue
            try:
                data = await self.web.pool.run("report_kept", lang, timeout=self.web.settings.warm_timeout,
                                               client="rammegraf:warm")
                await loop.run_in_executor(None, _keep, folder, lang, data)
            except asyncio.CancelledError:
                raise
            except Exception as error:     # its reader is told again; the log says it here
                logging.getLogger("rammegraf.web").warning("the report was not computed ahead: %s", error)
                return


    async def _cache_ahead(self) -> None:
        """From a server whose pages are kept (``--endpoint-keep``): the latest round's page, then
        its files, in both languages, into the page cache under the keys their readers ask by, on
        its disk (as they are kept beside a local store: in memory the other pages pushed the
        Markdown out, and its next reader waited past the limit); a reader who comes meanwhile
        joins the job. The page first, as a job of its own (at 1M
        triples on Virtuoso a large round's summary takes 2.5 s, the whole document for the files
        7-9 s, which a reader of the page would otherwise have waited for); then the files of
        each language from one job (the document gathered once for every format), both at once."""
        import asyncio
        import logging

        from .base import frozen

        web = self.web
        log = logging.getLogger("rammegraf.web")

        async def ahead(key, start, on_disk=False) -> bool:
            try:
                await asyncio.shield(web._running(key, start, on_disk=on_disk))
                return True
            except asyncio.CancelledError:
                raise
            except Exception as error:     # its reader is told again; the log says it here
                log.warning("the report was not computed ahead: %s", error)
                return False

        def run(name, *args):
            return lambda: web.pool.run(name, *args, timeout=web.settings.warm_timeout,
                                        client="rammegraf:warm", sized=True)
        for lang in ("da", "en"):
            if not await ahead(("report_page", frozen((None, lang, None))), run("report_page", None, lang, None),
                               on_disk=True):
                return
        jobs = []
        generation = web.generation
        for lang in ("da", "en"):     # both languages' files at once, each joinable from the start
            both = asyncio.ensure_future(run("report_kept", lang, False)())
            jobs.append(both)

            def file(suffix, both=both):
                async def body():
                    data, _ = await asyncio.shield(both)
                    return {"day": data["day"], "body": data["files"][suffix]}, len(data["files"][suffix])
                return body
            for suffix in FILES:
                if suffix != ".pdf" and generation == web.generation:
                    # (a PDF of a large round is refused: its reader is told why)
                    web._running(("report_file", frozen((None, lang, suffix))), file(suffix), on_disk=True)
        try:
            for both in jobs:
                await both
        except asyncio.CancelledError:
            for both in jobs:
                both.cancel()
            raise
        except Exception as error:
            log.warning("the report was not computed ahead: %s", error)


def _names(folder: Path, lang: str) -> tuple[Path, Path]:
    return folder / f"rapport-{lang}.json", folder / f"rapport-{lang}-side.html"


def _meta(folder: Path, lang: str) -> dict | None:
    """The kept report's description (its round, title, rounds and files), or None."""
    path, _ = _names(folder, lang)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    whole = isinstance(meta, dict) and meta.get("version") == KEPT_VERSION and isinstance(meta.get("day"), str) \
        and isinstance(meta.get("title"), str) and isinstance(meta.get("rounds"), list) \
        and isinstance(meta.get("files"), list)
    return meta if whole else None


def _read_kept(folder: Path, lang: str, as_of: str | None, part: str) -> dict | None:
    meta = _meta(folder, lang)
    if meta is None or as_of not in (None, meta["day"]) or (part != "page" and part not in meta["files"]):
        return None
    try:
        if part == "page":
            body = _names(folder, lang)[1].read_text(encoding="utf-8")
            return {"day": meta["day"], "title": meta["title"], "rounds": meta["rounds"], "body": body}
        return {"day": meta["day"], "body": (folder / f"rapport-{lang}{part}").read_bytes()}
    except OSError:
        return None


def _keep(folder: Path, lang: str, data: dict) -> None:
    """Write the files, then the description that names them (each a temporary file, then
    renamed): a reader finds the description only when every file it names is whole."""
    from ..store import write_atomic

    page = data["page"]
    for suffix, body in data["files"].items():
        write_atomic(folder / f"rapport-{lang}{suffix}", body)
    meta_path, page_path = _names(folder, lang)
    write_atomic(page_path, page["body"].encode("utf-8"))
    meta = {"version": KEPT_VERSION, "day": data["day"], "title": page["title"], "rounds": page["rounds"],
            "files": sorted(data["files"])}
    write_atomic(meta_path, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
