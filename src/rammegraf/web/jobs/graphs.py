"""Jobs of the graph views and the pictures."""

from __future__ import annotations

from datetime import date

from ...labels import Labels
from ...terms import text
from ..urls import link


def graph_index(engine, lang: str) -> list[tuple[str, str]]:
    labels = Labels(engine, lang)
    rows = engine.query("SELECT ?a ?n WHERE { ?a a rg:DevelopmentArea OPTIONAL { ?a skos:notation ?n } }").rows
    labels.load(a for a, _ in rows)
    return [(labels.display(a), link("/graf", lang, view="area:" + a.value.rsplit("/", 1)[-1], depth="1"))
            for a, _ in sorted(rows, key=lambda r: (text(r[1]), r[0].value))]


def graph_view(engine, view: str, depth: int, as_of: str | None, lang: str) -> tuple[str, str]:
    from ...viz import graph_page, page_csp

    day = date.fromisoformat(as_of) if as_of else None
    return graph_page(engine, view=view, depth=depth, as_of=day, lang=lang), page_csp()


def picture(engine, kind: str, fmt: str, lang: str) -> bytes:
    from ...pictures import matrix_csv, matrix_picture, timeline

    if kind == "timeline":
        return timeline(engine, fmt, lang=lang)
    return matrix_csv(engine, lang=lang) if fmt == "csv" else matrix_picture(engine, fmt, lang=lang)



JOBS = (graph_index, graph_view, picture,)
