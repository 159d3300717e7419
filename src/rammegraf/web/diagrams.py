"""The »Diagram« view that the query pages and /sparql share: reading the page's chart
parameters, and the links, downloads and chooser of a result's chart.

``?diagram=1`` is the page with the chart drawn on the server (it works without
JavaScript); ``diagram=svg``, ``png`` or ``spec`` answers the chart as that file;
``mark``, ``x``, ``x2``, ``y`` and ``color`` are the chooser's choice (no named query
may have a parameter of these names: rammegraf.charts.RESERVED).
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..charts import CHANNELS, MARKS
from .jobs.charts import FILES

CHOICE = ("mark",) + CHANNELS
MODES = ("1",) + tuple(FILES)
PAGING = ("sorter", "retning", "side", "format", "diagram")


def diagram_args(request) -> tuple:
    """(mode, choice) for the jobs: mode None, "1", "svg", "png" or "spec"; the choice as pairs."""
    params = request.query_params
    mode = params.get("diagram")
    choice = tuple((k, params[k][:200]) for k in CHOICE if params.get(k))
    return (mode if mode in MODES else None, choice)


def chart_context(request, part: dict | None, t: dict) -> dict | None:
    """The template's chart (``_chart.html``): the job's part with the view links (table and
    diagram), the downloads, and the chooser's fields with what is chosen now."""
    if part is None:
        return None
    params = dict(request.query_params)
    path = "/" + request.url.path.lstrip("/\\")   # never from the Host header, never off-site
    kept = {k: v for k, v in params.items() if k not in PAGING}
    table = {k: v for k, v in kept.items() if k not in CHOICE}
    paging = {k: v for k, v in params.items() if k in ("sorter", "retning", "side")}

    def href(extra: dict) -> str:
        query = urlencode(extra)
        return f"{path}?{query}" if query else path

    current = part.get("decl") or {}
    return {**part, "title": _title(part), "view": "diagram" if params.get("diagram") == "1" else "table",
            "table_href": href({**table, **paging}), "diagram_href": href({**kept, "diagram": "1"}),
            "downloads": [(t["chart_svg"], href({**kept, "diagram": "svg"})),
                          (t["chart_png"], href({**kept, "diagram": "png"}))] if part.get("spec") else [],
            "spec_href": href({**table, "diagram": "spec"}),
            "chooser": {"action": path, "hidden": list(table.items()) + [("diagram", "1")],
                        "marks": [(m, t[f"mark_{m}"]) for m in MARKS], "fields": part.get("fields", []),
                        "channels": [(c, t[f"channel_{c}"]) for c in CHANNELS], "current": current}}


def _title(part: dict) -> str:
    from ..charts import title_of

    return title_of(part["spec"]) if part.get("spec") else ""
