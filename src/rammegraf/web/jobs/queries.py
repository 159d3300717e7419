"""Jobs of the query pages: the editor and endpoint, the named queries, their forms."""

from __future__ import annotations

from ...labels import Labels
from ...results import RESULT_TYPES, serialize_answer
from ...terms import text
from .common import (
    HTML,
    choose_media,
    html_result,
)


def sparql(engine, query_text: str, accept: str, fmt: str | None, lang: str, row_cap: int,
           html: bool, diagram: tuple = (None, ())) -> dict:
    """A query from the endpoint or the editor: checked (Update, SERVICE, FROM
    refused) before it runs, then answered in the negotiated format. ``diagram``
    is (mode, choice): mode ``svg``, ``png`` or ``spec`` answers the result's
    chart as that file; ``1`` draws it on the server for the page."""
    from ...engine import checked
    from .charts import FILES, chart_file, chart_part

    mode, choice = diagram
    prepared = checked(query_text, "sparql")
    if mode in FILES:
        answer = engine.query(prepared, limit=row_cap)
        return chart_file(html_result(answer, Labels(engine, lang), lang), lang, mode, choice=choice)
    media = choose_media(prepared.form, accept, fmt, html=html)
    answer = engine.query(prepared, limit=row_cap)
    if media == HTML:
        result = html_result(answer, Labels(engine, lang), lang)
        return {"kind": "html", "result": result, "chart": chart_part(result, lang, choice=choice, draw=mode == "1")}
    return {"kind": "data", "media": media, "body": serialize_answer(answer, RESULT_TYPES[media][0]),
            "truncated": answer.truncated}


def named(engine, name: str, values: dict, fmt: str | None, iris: bool, lang: str, row_cap: int,
          diagram: tuple = (None, ())) -> dict:
    """A named query with its parameters: the result table (columns with their
    captions) and its chart, or a download: CSV, TSV and Excel with labels and
    captions like the command line, unless ``iris``, formulas neutralised; JSON as
    SPARQL results; the chart as SVG, PNG or its spec (``diagram``: see sparql)."""
    from ...query import get_query, run_on
    from ...tables import XLSX, render, typed_cell, xlsx
    from .charts import FILES, chart_file, chart_part

    mode, choice = diagram
    query = get_query(name)
    answer = run_on(engine, query, values, limit=row_cap)
    labels = Labels(engine, lang)
    if fmt is None or mode in FILES:
        result = html_result(answer, labels, lang)
        if "vars" in result:
            result["captions"] = [query.caption(v, lang) for v in result["vars"]]
        if mode in FILES:
            return chart_file(result, lang, mode, query=query, choice=choice)
        return {"kind": "html", "result": result,
                "chart": chart_part(result, lang, query=query, choice=choice, draw=mode == "1")}
    if fmt in ("csv", "tsv", "xlsx") and answer.form == "SELECT":
        # a download is for a spreadsheet: cells go through tables.safe_cell (CSV, TSV)
        # or are string cells (Excel)
        if iris:
            headers = list(answer.vars)
            rows = [[text(t) for t in row] for row in answer.rows]
        else:
            headers = [query.caption(v, lang) for v in answer.vars]
            labels.load(t for row in answer.rows for t in row)
            rows = [[labels.display(t) for t in row] for row in answer.rows]
        if fmt == "xlsx":
            cells = [[typed_cell(t, shown) for t, shown in zip(row, shown_row)]
                     for row, shown_row in zip(answer.rows, rows)]
            return {"kind": "data", "media": XLSX, "body": xlsx(headers, cells, sheet=name),
                    "truncated": answer.truncated, "ext": "xlsx"}
        body = render(headers, rows, fmt).encode("utf-8")
        media = "text/csv" if fmt == "csv" else "text/tab-separated-values"
        return {"kind": "data", "media": media, "body": body, "truncated": answer.truncated, "ext": fmt}
    media = choose_media(answer.form, "", fmt, html=False)
    key = RESULT_TYPES[media][0]
    return {"kind": "data", "media": media, "body": serialize_answer(answer, key),
            "truncated": answer.truncated, "ext": {"turtle": "ttl", "jsonld": "jsonld", "rdfxml": "rdf"}.get(key, key)}


def form_fields(engine, name: str, lang: str) -> list[dict]:
    """The parameters of a named query as form fields: resources of a class as a
    drop-down when there are at most CHOICE_LIMIT of them, else (and for a
    parameter with no class) a text field the search's suggestions fill as one
    types (``suggest``: the kinds to suggest, empty for any); dates with the
    report dates. At 1M triples the untyped field listed all 167,112 labelled
    resources and a class's drop-down 15,000 initiatives (1.8 MB of page)."""
    from ...forms import CHOICE_LIMIT
    from ...namespaces import ID
    from ...network import report_dates
    from ...query import expand_curie, get_query
    from ...terms import iri, is_iri

    labels = Labels(engine, lang)
    fields = []
    for param in get_query(name).params:
        field = {"name": param.name, "type": param.type, "default": param.default or "",
                 "caption": get_query(name).caption(param.name, lang),
                 "choices": None, "dates": None, "datalist": None, "suggest": None}
        if param.type == "iri" and param.cls:
            cls = iri(expand_curie(param.cls))
            answer = engine.query("SELECT DISTINCT ?n WHERE { ?n a/rdfs:subClassOf* ?c }", {"c": cls},
                                  limit=CHOICE_LIMIT)
            found = [n for (n,) in answer.rows if is_iri(n)]
            if not answer.truncated:
                labels.load(found)
                field["choices"] = sorted(((n.value, labels.display(n)) for n in found),
                                          key=lambda c: c[1].casefold())
            else:
                kinds = engine.query("SELECT DISTINCT ?k WHERE { ?k rdfs:subClassOf* ?c }", {"c": cls}).rows
                field["suggest"] = sorted({_local(k.value) for (k,) in kinds} | {_local(cls.value)})
        elif param.type == "iri":
            field["suggest"] = []
        elif param.type == "xsd:date":
            field["dates"] = report_dates(engine)
        if field["suggest"] is not None and field["default"].startswith(str(ID)):
            field["default"] = field["default"][len(str(ID)):]  # the path, as the suggestions write it
        fields.append(field)
    return fields


def _local(value: str) -> str:
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# Terms every query may use that the ontology does not declare: RDF, RDFS and OWL
# build them in (w3c-declarations.ttl says so), and the data labels with skos:prefLabel.
BUILT_IN = ("rdf:type", "rdfs:label", "rdfs:comment", "rdfs:seeAlso", "rdfs:subClassOf", "rdfs:domain",
            "rdfs:range", "skos:prefLabel", "owl:Class", "owl:ObjectProperty", "owl:DatatypeProperty",
            "owl:AnnotationProperty", "owl:sameAs")


def vocabulary(engine) -> dict:
    """What the SPARQL editor completes: the prefixes, and the classes and properties
    the ontology in the store declares (rg: and the W3C terms of
    ontology/vocab/w3c-declarations.ttl), each with its prefixed name, its Danish
    and English labels and its kind (class or property)."""
    from ...namespaces import OWL, PREFIXES, curie
    from ...terms import iri

    kinds = {str(OWL.Class): "class", str(OWL.ObjectProperty): "property",
             str(OWL.DatatypeProperty): "property", str(OWL.AnnotationProperty): "property"}
    known = [iri(PREFIXES[p] + n) for p, n in (c.split(":") for c in BUILT_IN)]
    rows = engine.query("""SELECT ?t ?kind ?da ?en WHERE {
        { VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
          ?t a ?kind FILTER (isIRI(?t)) } UNION { VALUES ?t { %s } }
        OPTIONAL { ?t rdfs:label ?da FILTER (lang(?da) = "da") }
        OPTIONAL { ?t rdfs:label ?en FILTER (lang(?en) = "en") } }""" % " ".join(f"<{t.value}>" for t in known),
                        ).rows
    builtin_kind = {PREFIXES[p] + n: ("class" if n[:1].isupper() else "property")
                    for p, n in (c.split(":") for c in BUILT_IN)}
    terms: dict[str, dict] = {}
    for term, kind, da, en in rows:
        what = kinds.get(text(kind)) if kind is not None else builtin_kind.get(term.value)
        name = curie(term.value)
        if what is None or name.startswith("<"):
            continue
        entry = terms.setdefault(name, {"curie": name, "kind": what, "da": "", "en": ""})
        entry["da"] = entry["da"] or text(da)
        entry["en"] = entry["en"] or text(en)
    return {"prefixes": [{"prefix": p, "iri": n} for p, n in PREFIXES.items()],
            "terms": sorted(terms.values(), key=lambda t: t["curie"])}


JOBS = (sparql, named, form_fields, vocabulary,)
