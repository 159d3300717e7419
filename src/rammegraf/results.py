"""SPARQL answers as bytes: the SPARQL 1.1 result formats and RDF for graphs.

SELECT and ASK in JSON, XML, CSV and TSV exactly as the W3C result formats say,
written here (not by pyoxigraph's serializer) so that an answer cut at the row
cap is still one well-formed document; tests/test_results.py checks that the
output is byte for byte what pyoxigraph writes for the same rows, and that
pyoxigraph's parsers read it back to the same terms. TSV escapes tab, newline
and carriage return inside literals; XML writes ``false``, ``0`` and ``""`` as
the values they are.

CONSTRUCT and DESCRIBE answers are written by pyoxigraph: Turtle, N-Triples,
JSON-LD and RDF/XML, with the vocabulary's prefixes where the format has them.

These are data formats, not spreadsheets: a cell that starts with ``=`` is
written as it is, as the standards require (README: safety).
"""

from __future__ import annotations

import json

from .namespaces import PREFIXES, XSD

# media type -> (format key, "rows" for SELECT/ASK or "graph" for CONSTRUCT/DESCRIBE)
RESULT_TYPES = {
    "application/sparql-results+json": ("json", "rows"),
    "application/json": ("json", "rows"),
    "application/sparql-results+xml": ("xml", "rows"),
    "application/xml": ("xml", "rows"),
    "text/csv": ("csv", "rows"),
    "text/tab-separated-values": ("tsv", "rows"),
    "text/turtle": ("turtle", "graph"),
    "application/n-triples": ("nt", "graph"),
    "application/ld+json": ("jsonld", "graph"),
    "application/rdf+xml": ("rdfxml", "graph"),
}
ROW_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_MEDIA = {"turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml"}
TEXT_MEDIA = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples"}
_SHORT_TSV = {XSD.integer, XSD.decimal, XSD.boolean}


def serialize_answer(answer, fmt: str) -> bytes:
    """An Answer (rammegraf.engine) in a result format key (json, xml, csv, tsv,
    turtle, nt, jsonld, rdfxml)."""
    if answer.is_graph:
        return serialize_triples(answer.triples, fmt)
    if answer.form == "ASK":
        return serialize_boolean(answer.boolean, fmt)
    return serialize_rows(answer.vars, answer.rows, fmt)


def serialize_rows(variables: list[str], rows: list[tuple], fmt: str) -> bytes:
    writer = {"json": _json_rows, "xml": _xml_rows, "csv": _csv_rows, "tsv": _tsv_rows}[fmt]
    return writer(variables, rows).encode("utf-8")


def serialize_boolean(answer: bool, fmt: str) -> bytes:
    word = "true" if answer else "false"
    if fmt == "json":
        return ('{"head":{},"boolean":' + word + "}").encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head></head><boolean>{word}</boolean></sparql>").encode()
    return word.encode()


def serialize_triples(triples: list, fmt: str) -> bytes:
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
    prefixes = PREFIXES if fmt in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=formats[fmt], prefixes=prefixes)


# --- JSON (SPARQL 1.1 Query Results JSON Format) --------------------------------------------

def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD.string:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _json_rows(variables, rows) -> str:
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    bindings = ",".join(
        "{" + ",".join(f"{dump(name)}:{dump(_json_term(term))}"
                       for name, term in zip(variables, row) if term is not None) + "}"
        for row in rows)
    return '{"head":{"vars":' + dump(variables) + '},"results":{"bindings":[' + bindings + "]}}"


# --- XML (SPARQL Query Results XML Format) --------------------------------------------------

_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
                              "\r": "&#13;"})


def _xml_text(text: str) -> str:
    return text.translate(_XML_ESCAPES)


def _xml_term(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{_xml_text(term.language)}">{_xml_text(term.value)}</literal>'
        if term.datatype.value != XSD.string:
            return (f'<literal datatype="{_xml_text(term.datatype.value)}">'
                    f"{_xml_text(term.value)}</literal>")
        return f"<literal>{_xml_text(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def _xml_rows(variables, rows) -> str:
    head = "".join(f'<variable name="{_xml_text(v)}"/>' for v in variables)
    body = "".join(
        "<result>" + "".join(f'<binding name="{_xml_text(name)}">{_xml_term(term)}</binding>'
                             for name, term in zip(variables, row) if term is not None) + "</result>"
        for row in rows)
    return ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head>{head}</head><results>{body}</results></sparql>")


# --- CSV and TSV (SPARQL 1.1 Query Results CSV and TSV Formats) -----------------------------

def _csv_field(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = f"{_csv_field(term.subject)} {_csv_field(term.predicate)} {_csv_field(term.object)}"
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_rows(variables, rows) -> str:
    lines = [",".join(variables)]
    lines += [",".join(_csv_field(term) for term in row) for row in rows]
    return "".join(line + "\r\n" for line in lines)


def tsv_term(term) -> str:
    """A term as the TSV format (and Turtle) writes it: IRIs in <>, literals quoted
    with tab, newline and carriage return escaped, numbers and booleans short."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _SHORT_TSV and _short_form(term.value, datatype):
            return term.value
        quoted = '"' + (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                        .replace("\r", "\\r").replace("\t", "\\t")) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        return quoted if datatype == XSD.string else f"{quoted}^^<{datatype}>"
    return f"<< {tsv_term(term.subject)} {tsv_term(term.predicate)} {tsv_term(term.object)} >>"


def _short_form(lexical: str, datatype: str) -> bool:
    """Whether Turtle's short form reads back as the same literal."""
    import re

    if datatype == XSD.boolean:
        return lexical in ("true", "false")
    if datatype == XSD.integer:
        return re.fullmatch(r"[+-]?[0-9]+", lexical) is not None
    return re.fullmatch(r"[+-]?[0-9]*\.[0-9]+", lexical) is not None


def _tsv_rows(variables, rows) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(tsv_term(term) for term in row) for row in rows]
    return "".join(line + "\n" for line in lines)
