"""What the jobs of every page family share: errors with an HTTP meaning, table cells
with local links, and choosing the media type of an answer."""

from __future__ import annotations

import re

from ...errors import RammegrafError
from ...labels import Labels
from ...namespaces import ID
from ...results import RESULT_TYPES, serialize_answer
from ...terms import is_iri
from ..urls import link, negotiate

HTML = "text/html"


class NotAcceptable(RammegrafError):
    """No media type the client accepts can carry this answer (HTTP 406)."""


class NotFound(RammegrafError):
    """Nothing at this address (HTTP 404)."""


def cell(term, labels: Labels, lang: str) -> dict:
    """A value for a template: its text, and a local link for our own IRIs."""
    if term is None:
        return {"text": ""}
    shown = labels.display(term)
    if is_iri(term) and term.value.startswith(str(ID)):
        return {"text": shown, "href": link("/id/" + term.value[len(str(ID)):], lang)}
    if is_iri(term) and _WEB.match(term.value) and not term.value.startswith("https://w3id.org/rammegraf/"):
        # a web address (a source on retsinformation.dk, a news page) is a link, not a dead end;
        # only http(s), so a javascript: or data: IRI in the data never becomes a link
        return {"text": labels.of(term) or term.value, "href": term.value, "external": True}
    if is_iri(term):   # an ontology term (a phase): charts give it its own colour
        return {"text": shown, "iri": term.value}
    return {"text": shown}


_WEB = re.compile(r"https?://[^\s<>\"]+\Z", re.IGNORECASE)


def _local(value: str, label: str, lang: str) -> dict:
    """A label with a link to its resource page when the IRI is ours."""
    if value.startswith(str(ID)):
        return {"text": label, "href": link("/id/" + value[len(str(ID)):], lang)}
    return {"text": label}


def html_result(answer, labels: Labels, lang: str) -> dict:
    """An answer as the result table of a page."""
    if answer.form == "ASK":
        yes, no = ("ja", "nej") if lang == "da" else ("yes", "no")
        return {"answer": yes if answer.boolean else no}
    if answer.is_graph:
        return {"text": serialize_answer(answer, "turtle").decode("utf-8"), "truncated": answer.truncated}
    from ...charts import column_types

    labels.load(t for row in answer.rows for t in row)
    return {"vars": list(answer.vars), "truncated": answer.truncated,
            "types": column_types(answer.rows, len(answer.vars)),
            "rows": [[cell(t, labels, lang) for t in row] for row in answer.rows]}


def offers_for(form: str) -> list[str]:
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "rows"
    return [m for m, (_, k) in RESULT_TYPES.items() if k == kind]


# What a format=, output= or results= parameter may say, short name or media type
# (SPARQLWrapper sends both, e.g. format=tsv&format=text/tab-separated-values), by the
# kind of answer: (for rows, for a graph); None where that kind has no such format.
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"), "ttl": (None, "text/turtle"), "n3": (None, "text/turtle"),
    "text/rdf+n3": (None, "text/turtle"), "text/n3": (None, "text/turtle"),
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"), "json-ld": (None, "application/ld+json"),
    "application/x-json+ld": (None, "application/ld+json"),
    "rdf": (None, "application/rdf+xml"), "rdfxml": (None, "application/rdf+xml"),
    "rdf+xml": (None, "application/rdf+xml"),
    **{media: ((media, None) if kind == "rows" else (None, media)) for media, (_, kind) in RESULT_TYPES.items()},
}


def choose_media(form: str, accept: str, fmt, *, html: bool) -> str:
    """The media type of the answer. ``fmt``: what the format=, output= and
    results= parameters say (a name or a list, short names or media types); the
    first that this kind of answer can carry wins. When they name nothing it can
    carry, ``Accept`` decides (as Fuseki does), and only when neither does, 406
    naming the parameter. Without them: by ``Accept`` (SPARQL results or RDF by the
    query form; HTML for a browser when allowed)."""
    offers = offers_for(form)
    asked = [fmt] if isinstance(fmt, str) else [f for f in (fmt or []) if f]
    graph = form in ("CONSTRUCT", "DESCRIBE")
    for name in asked:
        media = FORMAT_NAMES.get(name.strip().lower(), (None, None))[graph]
        if media is not None and media in offers:
            return media
    chosen = negotiate(accept, offers + ([HTML] if html else []))
    if chosen is None and asked and (not accept.strip() or _accepts_anything(accept)):
        raise NotAcceptable(f"formatet '{asked[0]}' passer ikke til en {form}-forespørgsel "
                            f"(format '{asked[0]}' does not fit a {form} query)")
    if chosen is None:
        if accept.strip() and not _accepts_anything(accept):
            raise NotAcceptable("ingen af de ønskede medietyper kan levere svaret; tilbydes: "
                                + ", ".join(offers) + " (none of the accepted media types can carry "
                                "the answer)")
        chosen = offers[0]
    return chosen


def _accepts_anything(accept: str) -> bool:
    return any(part.split(";")[0].strip() in ("*/*", "") for part in accept.split(","))

