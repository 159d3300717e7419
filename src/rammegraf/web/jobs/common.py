"""What the jobs of every page family share: errors with an HTTP meaning, table cells
with local links, and choosing the media type of an answer."""

from __future__ import annotations

import re

from ...errors import RammegrafError
from ...labels import Labels
from ...namespaces import ID
from ...results import GRAPH_MEDIA, RESULT_TYPES, ROW_MEDIA, serialize_answer
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


def choose_media(form: str, accept: str, fmt: str | None, *, html: bool) -> str:
    """The media type of the answer: ``format=`` if given, else by ``Accept``
    (SPARQL results or RDF by the query form; HTML for a browser when allowed)."""
    offers = offers_for(form)
    if fmt:
        media = {**ROW_MEDIA, **GRAPH_MEDIA, "ttl": "text/turtle", "rdf": "application/rdf+xml"}.get(fmt)
        if media is None or media not in offers:
            raise NotAcceptable(f"formatet '{fmt}' passer ikke til en {form}-forespørgsel "
                                f"(format '{fmt}' does not fit a {form} query)")
        return media
    chosen = negotiate(accept, offers + ([HTML] if html else []))
    if chosen is None:
        if accept.strip() and not _accepts_anything(accept):
            raise NotAcceptable("ingen af de ønskede medietyper kan levere svaret; tilbydes: "
                                + ", ".join(offers) + " (none of the accepted media types can carry "
                                "the answer)")
        chosen = offers[0]
    return chosen


def _accepts_anything(accept: str) -> bool:
    return any(part.split(";")[0].strip() in ("*/*", "") for part in accept.split(","))

