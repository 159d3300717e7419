"""Status rounds, deadlines, the calendar file and the pictures."""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from ..webtext import TEXT
from .pages import Pages

PICTURES = {"tidslinje.svg": ("timeline", "svg", "image/svg+xml"),
            "tidslinje.png": ("timeline", "png", "image/png"),
            "matrix.svg": ("matrix", "svg", "image/svg+xml"),
            "matrix.png": ("matrix", "png", "image/png"),
            "matrix.csv": ("matrix", "csv", "text/csv; charset=utf-8")}


PAGE = 100   # rows of /frister's table a page (at a million triples it has thousands)


class Rounds:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.web = pages.web

    def routes(self):
        from starlette.routing import Route

        return [Route("/runder", self.list), Route("/runder/{day}", self.round),
                Route("/frister", self.deadlines), Route("/frister.ics", self.calendar),
                Route("/billeder/{name}", self.picture)]

    async def list(self, request):
        rounds = await self.pages.run(request, "rounds", cached=True)
        if isinstance(rounds, Response):
            return rounds
        lang = self.web.lang(request)
        drawn = await self.pages.run(request, "round_charts", lang, cached=True)
        if isinstance(drawn, Response):
            return drawn
        return self.web.page(request, "rounds.html", rounds=rounds, pictures=self._pictures(drawn, lang))

    def _pictures(self, drawn: dict, lang: str) -> dict:
        """The timeline's and the matrix's chart (spec and the server's SVG) with their title and
        downloads, for templates/_chart.html."""
        from ..charts import title_of
        from .urls import link

        t = TEXT[lang]
        files = {"timeline": "tidslinje", "matrix": "matrix"}
        return {name: {**part, "title": title_of(part["spec"]) if part["spec"] else "",
                       "downloads": [(t["chart_svg"], link(f"/billeder/{files[name]}.svg", lang)),
                                     (t["chart_png"], link(f"/billeder/{files[name]}.png", lang))]
                       + ([("CSV", link("/billeder/matrix.csv", lang))] if name == "matrix" else [])}
                for name, part in drawn.items()}

    async def round(self, request):
        day = request.path_params["day"]
        try:
            date.fromisoformat(day)
        except ValueError:
            return self.web.not_found(request)
        data = await self.pages.run(request, "round_page", day, self.web.lang(request), cached=True)
        if isinstance(data, Response):
            return data
        return self.web.page(request, "round.html", **data)

    def _selection(self, request):
        """The page's as_of and within, and for each field that does not parse, its
        sentence ({} when both are right)."""
        raw_as_of = request.query_params.get("as_of") or self.web.today()
        raw_within = request.query_params.get("within", "90")
        errors = {}
        try:
            as_of = date.fromisoformat(raw_as_of).isoformat()
        except ValueError:
            as_of = raw_as_of
            errors["as_of"] = ("Datoen skal skrives ÅÅÅÅ-MM-DD, fx 2025-12-01 "
                               "(the date must be written YYYY-MM-DD)")
        try:
            within = int(raw_within)
            if not 0 <= within <= 3650:
                raise ValueError
        except ValueError:
            within = raw_within
            errors["within"] = ("Dage frem skal være et helt tal fra 0 til 3650 "
                                "(days ahead must be a whole number from 0 to 3650)")
        return as_of, within, errors

    @staticmethod
    def _states(request, errors: dict) -> tuple[str, ...]:
        """The states the page is filtered by (``state=overdue,due`` or repeated; none: all)."""
        asked = [s.strip() for value in request.query_params.getlist("state") for s in value.split(",") if s.strip()]
        known = ["reached", "on_hold", "overdue", "due", "upcoming"]     # the form's order
        wrong = [s for s in asked if s not in known]
        if wrong:
            errors["state"] = (f"Tilstanden skal være en af {', '.join(known)} "
                               f"(the state must be one of these; got {', '.join(w[:40] for w in wrong[:3])})")
            return ()
        return tuple(s for s in known if s in asked)

    async def deadlines(self, request):
        lang = self.web.lang(request)
        as_of, within, errors = self._selection(request)
        states = self._states(request, errors)
        if errors:
            # the form again, filled in as typed, each wrong field named
            return self.web.page(request, "deadlines.html", status=400, items=None, as_of=as_of, within=within,
                                 errors=errors, states=states, chart=None)
        data = await self.pages.run(request, "deadline_rows", as_of, within, lang, states, cached=True)
        if isinstance(data, Response):
            return data
        from .paging import window

        start, pager = window(request, len(data["rows"]), PAGE)
        rows = data["rows"][start:start + PAGE]
        return self.web.page(request, "deadlines.html", items=rows, pager=pager, chart=data["chart"], as_of=as_of,
                             within=within, errors={}, states=states)


    async def calendar(self, request):
        """The milestones the Frister page shows for the same as_of and within; every
        milestone when neither is given."""
        lang, kept = self.web.lang(request), None
        if "as_of" in request.query_params or "within" in request.query_params:
            as_of, within, errors = self._selection(request)
            if errors:
                return self.web.error_page(request, 400, " ".join(errors.values()))
        else:   # every milestone as of today: kept beside an on-disk store (10 MB at 1M, 2 s to write)
            as_of, within = self.web.today(), None
            kept = f"frister-{as_of}-{lang}.ics"
        body = await self.web.kept_file(kept) if kept else None
        if body is None:
            body = await self.pages.run(request, "calendar", lang, as_of, within, cached=True)
            if isinstance(body, Response):
                return body
            if kept:
                await self.web.keep_file(kept, body, replaces=f"frister-*-{lang}.ics")
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="milepaele.ics"'})

    async def picture(self, request):
        entry = PICTURES.get(request.path_params["name"])  # a fixed table: no path from the request
        if entry is None:
            return self.web.error_page(request, 404, TEXT[self.web.lang(request)]["not_found_text"])
        kind, fmt, media = entry
        body = await self.pages.run(request, "picture", kind, fmt, self.web.lang(request), cached=True)
        if isinstance(body, Response):
            return body
        return Response(body, media_type=media,
                        headers={"content-disposition": f'attachment; filename="{request.path_params["name"]}"'})
