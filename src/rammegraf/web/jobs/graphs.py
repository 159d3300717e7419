"""Jobs of the graph views and the pictures."""

from __future__ import annotations

from datetime import date

from ...labels import Labels
from ...namespaces import ID
from ...terms import text
from ..urls import link
from .common import NotFound

# the site's menu, as base.html has it: (path, key of its words in webtext.TEXT)
SITE_NAV = (("/", "home"), ("/foresporgsler", "queries"), ("/sparql", "sparql"), ("/graf", "graph"),
            ("/runder", "rounds"), ("/frister", "deadlines_nav"), ("/valider", "validate"),
            ("/ontologi", "ontology"))


def graph_index(engine, lang: str) -> list[tuple[str, str]]:
    labels = Labels(engine, lang)
    rows = engine.query("SELECT ?a ?n WHERE { ?a a rg:DevelopmentArea OPTIONAL { ?a skos:notation ?n } }").rows
    labels.load(a for a, _ in rows)
    return [(labels.display(a), link("/graf", lang, view="area:" + a.value.rsplit("/", 1)[-1], depth="1"))
            for a, _ in sorted(rows, key=lambda r: (text(r[1]), r[0].value))]


def site_header(lang: str, switch: str) -> dict:
    """The web app's header for the graph page: its menu with its words, the home
    link, the same view in the other language, and the skip link's words."""
    from ...webtext import TEXT

    t = TEXT[lang]
    return {"home": link("/", lang), "nav_label": t["home"], "skip": t["skip"],
            "nav": [(link(path, lang), t[key], path == "/graf") for path, key in SITE_NAV],
            "switch": switch, "other_lang": t["other_lang"], "other_code": t["other_code"]}


def graph_view(engine, view: str, depth: int, as_of: str | None, lang: str, switch: str,
               whole_limit: int | None = None) -> tuple[str, str] | dict:
    """The page of a view and its content security policy; for a whole graph of more
    than ``whole_limit`` nodes, ``{"too_many": its number of nodes}`` (the list of views says so)."""
    from ...viz import WholeTooLarge, graph_page, page_csp

    day = date.fromisoformat(as_of) if as_of else None
    try:
        page = graph_page(engine, view=view, depth=depth, as_of=day, lang=lang, site=site_header(lang, switch),
                          whole_limit=whole_limit)
    except WholeTooLarge as error:
        return {"too_many": error.count}
    return page, page_csp(served=True)


def graph_neighbours(engine, path: str, as_of: str | None, lang: str) -> dict:
    """A node (the path after /id/) and its neighbours, for the graph page's "expand"."""
    from ...viz import neighbours_data

    day = date.fromisoformat(as_of) if as_of else None
    try:
        node = ID[path.strip("/")] if path.strip("/") else None
        found = neighbours_data(engine, str(node), lang=lang, as_of=day) if node else None
    except ValueError:  # not an IRI at all (a space, a bracket): it names nothing
        found = None
    if found is None:
        raise NotFound(f"ingen knude i grafen har id '{path}' (no node of the graph has this id)")
    return found


def picture(engine, kind: str, fmt: str, lang: str) -> bytes:
    from ...errors import RammegrafError
    from ...pictures import matrix_csv, matrix_picture, timeline, too_many, too_many_words

    if fmt != "csv" and (count := too_many(engine)) is not None:
        raise RammegrafError(too_many_words(count, lang))
    if kind == "timeline":
        return timeline(engine, fmt, lang=lang)
    return matrix_csv(engine, lang=lang) if fmt == "csv" else matrix_picture(engine, fmt, lang=lang)



JOBS = (graph_index, graph_view, graph_neighbours, picture,)
