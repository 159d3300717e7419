"""New entries from the shapes: /ny lists the forms, /ny/<slug> is one, /id/…/rediger
edits an entry made in a form. Every change is checked with the graph in a worker
(the validator of ``rammegraf validate``); with ``serve --write`` a conforming
entry is saved as its own file (rammegraf.entries) and the workers move to the
new data before the answer goes back; without it, the Turtle is offered as a download."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from starlette.responses import JSONResponse, RedirectResponse, Response

from ..auth import record
from ..entries import Change, SaveError, data_folder, editable, entry_file, entry_lock, write_entry
from ..errors import RammegrafError
from ..namespaces import ID
from .auth import refuse_anonymous, refuse_csrf, who
from .base import ClientGone, error_headers, status_of
from .pages import Pages
from .urls import link

FIELDS_LIMIT = 2000   # form fields in one answer


class Entries:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/ny", self.kinds), Route("/ny/{slug}", self.entry, methods=["GET", "POST"]),
                Route("/ny/{slug}/tjek", self.live, methods=["POST"]),
                Route("/id/{path:path}/rediger", self.edit, methods=["GET", "POST"])]

    # --- pages ---------------------------------------------------------------------------
    async def kinds(self, request):
        kinds = await self.pages.run(request, "entry_kinds", self.web.lang(request), cached=True)
        if isinstance(kinds, Response):
            return kinds
        return self.web.page(request, "entries.html", kinds=kinds, write=self.web.settings.write)

    async def entry(self, request):
        return await self._form(request, request.path_params["slug"], editing=None)

    async def edit(self, request):
        # the body first: a job's watch for a client that went away reads the request's messages
        try:
            posted = await self._posted(request) if request.method == "POST" else None
        except RammegrafError as error:
            return self.web.error_page(request, status_of(error), str(error))
        path = request.path_params["path"]
        file = editable(self.web.settings.data_dirs or None, path)
        if file is None:
            return self.web.error_page(request, 404, self._say(
                request, "Kun poster, der er lavet i en formular, kan rettes i browseren; de håndskrevne filer "
                         "rettes i deres fil.",
                "Only entries made in a form can be edited in the browser; the hand-written files are edited "
                "in their files."))
        kind = await self.pages.run(request, "entry_kind_of", str(ID) + path)   # the slug of its form
        if isinstance(kind, Response):
            return kind
        if kind is None:
            return self.web.not_found(request)
        return await self._form(request, kind, editing=(str(ID) + path, str(file)), posted=posted)

    async def _form(self, request, slug: str, *, editing, posted: dict | None = None):
        lang = self.web.lang(request)
        iri, file = editing or (None, None)
        action = "vis"
        if request.method == "POST":
            if posted is None:
                try:
                    posted = await self._posted(request)
                except RammegrafError as error:
                    return self.web.error_page(request, status_of(error), str(error))
            refused = refuse_csrf(request, posted)   # every POST of the form: Tjek, Gem, Hent, Tilføj
            if refused is not None:
                return refused
            action = (posted.pop("handling", ["tjek"]) or ["tjek"])[0]
        elif editing is None:
            posted = {}
        extra = action.split(":", 1)[1] if action.startswith("tilfoej:") else None
        if action == "gem":
            return await self._save(request, slug, posted, iri, file)
        data = await self.pages.run(request, "entry_form", slug, lang, posted, action != "vis" or bool(editing),
                                    iri, file, self._user(request), extra, timeout=self.web.settings.validate_timeout)
        if isinstance(data, Response):
            return data
        if action == "hent" and data.get("turtle"):
            name = (data["path"] or slug).replace("/", "-")
            return Response(data["turtle"].encode("utf-8"), media_type="text/turtle; charset=utf-8",
                            headers={"content-disposition": f'attachment; filename="{name}.ttl"'})
        return self._page(request, slug, data, editing=iri)

    def _page(self, request, slug: str, data: dict, *, editing: str | None, status: int = 200, notice=None):
        lang = self.web.lang(request)
        action = link(f"/id/{editing[len(str(ID)):]}/rediger", lang) if editing else link(f"/ny/{slug}", lang)
        return self.web.page(request, "entry.html", status=status, data=data, form=data["form"],
                             shown=data.get("shown") or data.get("posted") or {}, errors=data.get("errors") or {},
                             write=self.web.settings.write, action=action, editing=editing, notice=notice,
                             live=link(f"/ny/{slug}/tjek", lang, **({"rediger": editing[len(str(ID)):]}
                                                                      if editing else {})),
                             folder=str(data_folder(self.web.settings.data_dirs or None)))

    async def live(self, request):
        """The checks of a form as JSON, for the page's script while the analyst types."""
        lang = self.web.lang(request)
        slug = request.path_params["slug"]
        editing = request.query_params.get("rediger")
        iri = file = None
        if editing:
            found = editable(self.web.settings.data_dirs or None, editing)
            if found is None:
                return JSONResponse({"error": "ikke en post fra en formular (not an entry made in a form)"},
                                    status_code=404)
            iri, file = str(ID) + editing, str(found)
        try:
            posted = await self._posted(request)
            refused = refuse_csrf(request, posted, json=True)
            if refused is not None:
                return refused
            posted.pop("handling", None)
            data = await self.web.job(request, "entry_form", slug, lang, posted, True, iri, file,
                                      self._user(request), None, timeout=self.web.settings.validate_timeout)
        except ClientGone:
            return Response(status_code=499)
        except RammegrafError as error:
            return JSONResponse({"error": str(error)}, status_code=status_of(error), headers=error_headers(error))
        return JSONResponse({key: data.get(key) for key in ("iri", "path", "turtle", "errors", "general", "shown",
                                                            "conforms", "violations", "warnings")},
                            headers={"cache-control": "no-store"})

    # --- saving ----------------------------------------------------------------------------
    async def _save(self, request, slug: str, posted: dict, iri: str | None, file: str | None):
        lang = self.web.lang(request)
        if not self.web.settings.write:
            return self.web.error_page(request, 403, self._say(
                request, "Serveren gemmer ikke: start den med 'rammegraf serve --write', eller hent Turtle-filen "
                         "og send den til sekretariatet.",
                "This server does not save: start it with 'rammegraf serve --write', or download the Turtle "
                "and send it to the secretariat."))
        refused = refuse_anonymous(request, back=who(request).here)   # a save names who made it
        if refused is not None:
            return refused
        user = self._user(request)
        folder = data_folder(self.web.settings.data_dirs or None)
        loop = asyncio.get_running_loop()
        async with self.web.write_lock:
            lock = entry_lock(folder)
            try:
                await loop.run_in_executor(None, lock.__enter__)
            except SaveError as error:
                return self.web.error_page(request, 409, str(error))
            try:
                # checked once the lock is held, so against every entry saved before this one
                data = await self.web.job(request, "entry_form", slug, lang, posted, True, iri, file,
                                          user, None, timeout=self.web.settings.validate_timeout)
                if not data["conforms"]:
                    return self._page(request, slug, data, editing=iri, status=422)
                target = entry_file(self.web.settings.data_dirs or None, data["path"])
                body = data["turtle"].encode("utf-8")

                data_dirs = self.web.settings.data_dirs or None

                def write():
                    old = target.read_bytes() if iri is not None and target.is_file() else None
                    write_entry(target, body, replace=iri is not None)
                    try:   # the record, still under the lock; the workers move on even if it fails
                        record(data_dirs, user=user, action="edit" if iri is not None else "save", file=target)
                        unrecorded = None
                    except RammegrafError as error:
                        unrecorded = error
                    return Change(body, old, file=target, data_dirs=data_dirs), unrecorded

                change, unrecorded = await loop.run_in_executor(None, write)
                await self.web.reload(change)
                if unrecorded is not None:   # saved, but not in the audit log: say so, as a server error
                    return self.web.error_page(request, 500, str(unrecorded))
            except ClientGone:
                return Response(status_code=499)
            except SaveError as error:   # another save got the IRI first: the form again, with the sentence
                return self._page(request, slug, data, editing=iri, status=409, notice=str(error))
            except RammegrafError as error:
                return self.web.error_page(request, status_of(error), str(error), headers=error_headers(error))
            finally:
                lock.__exit__(None, None, None)
        return RedirectResponse(link("/id/" + data["path"], lang, gemt="1"), status_code=303)

    # --- helpers -----------------------------------------------------------------------------
    async def _posted(self, request) -> dict:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await self.web.read_body(request, self.web.settings.upload_limit)
        if kind != "application/x-www-form-urlencoded":
            raise RammegrafError(f"ukendt formulartype '{kind}'; formularen sendes som "
                                 "application/x-www-form-urlencoded (unknown form type)")
        try:
            return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                            max_num_fields=FIELDS_LIMIT)
        except ValueError:
            raise RammegrafError(f"formularen har over {FIELDS_LIMIT} felter (the form has too many fields)") \
                from None

    def _user(self, request) -> str | None:
        """The signed-in user, or the trusted proxy's (rammegraf.web.auth); never a header from anyone."""
        return who(request).user

    def _say(self, request, da: str, en: str) -> str:
        return f"{da} ({en})" if self.web.lang(request) == "da" else en
