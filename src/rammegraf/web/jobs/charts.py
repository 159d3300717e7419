"""Jobs of the charts: the chart beside a result's table, the chart as a file, and the
pictures of the Statusrunder page (rammegraf.charts builds the specs and draws them)."""

from __future__ import annotations

import json

FILES = {"svg": ("image/svg+xml", "svg"), "png": ("image/png", "png"), "spec": ("application/json", "vl.json")}


def chart_part(result: dict, lang: str, *, query=None, choice: tuple = (), draw: bool = False) -> dict:
    """What a page needs for the »Diagram« view of a result: the spec (the choice made on the page,
    else the chart the named query declares, else the suggestion), the server's SVG when ``draw``
    (the page read without JavaScript), the result's columns for the chooser, or the sentence that
    says why there is no chart."""
    from ...charts import ChartError, build, chosen, suggestion, svg

    part = {"spec": None, "svg": None, "error": None, "decl": None,
            "fields": list(zip(result.get("vars", []), result.get("captions") or result.get("vars", [])))}
    if "rows" not in result:
        part["error"] = "kun et SELECT-resultat kan tegnes (only a SELECT result can be drawn)"
        return part
    try:
        decl = chosen(dict(choice)) or (query.chart if query is not None else None) or suggestion(result)
        part["decl"] = {"mark": decl.mark, **decl.channels()}
        part["spec"] = build(decl, result, lang, title=query.title(lang) if query is not None else None)
        if draw:
            part["svg"] = svg(part["spec"])
    except ChartError as error:
        part["error"] = str(error)
    return part


def chart_file(result: dict, lang: str, fmt: str, *, query=None, choice: tuple = ()) -> dict:
    """The chart as a download (SVG, PNG, or the Vega-Lite spec as JSON); a chart that cannot be
    drawn is its sentence (ChartError, 400)."""
    from ...charts import ChartError, build, chosen, png, suggestion, svg_document

    if "rows" not in result:
        raise ChartError("kun et SELECT-resultat kan tegnes (only a SELECT result can be drawn)")
    decl = chosen(dict(choice)) or (query.chart if query is not None else None) or suggestion(result)
    spec = build(decl, result, lang, title=query.title(lang) if query is not None else None)
    media, ext = FILES[fmt]
    body = svg_document(spec) if fmt == "svg" else png(spec) if fmt == "png" else \
        json.dumps(spec, ensure_ascii=False, indent=1).encode("utf-8")
    return {"kind": "data", "media": media, "body": body, "truncated": result.get("truncated", False), "ext": ext}


def round_charts(engine, lang: str) -> dict:
    """The timeline and the municipality matrix of /runder: each spec with the server's SVG."""
    from ...charts import svg
    from ...pictures import matrix_spec, timeline_spec, too_many, too_many_words

    count = too_many(engine)
    if count is not None:   # one row an initiative: thousands are no picture (and pass the time limit)
        words = too_many_words(count, lang)
        return {name: {"spec": None, "svg": None, "error": words} for name in ("timeline", "matrix")}
    out = {}
    for name, spec in (("timeline", timeline_spec(engine, lang=lang)), ("matrix", matrix_spec(engine, lang=lang))):
        out[name] = {"spec": spec, "svg": svg(spec), "error": None}
    return out


JOBS = (round_charts,)
