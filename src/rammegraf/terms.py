"""RDF terms as Oxigraph gives them (pyoxigraph NamedNode, Literal, BlankNode):
making them, their Python values, and their text.

Every engine answers in these terms, so tables, pages and tests treat a local
store and a remote server alike, and a command that only queries never imports
rdflib.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import RammegrafError
from .namespaces import XSD

XSD_STRING = XSD.string
XSD_DATE = XSD.date


class InvalidIri(RammegrafError, ValueError):
    """Text that is not an IRI (a space, a NUL, a bracket): a sentence, not a crash."""


def iri(value: str):
    import pyoxigraph as ox

    try:
        return ox.NamedNode(value)
    except ValueError as error:
        shown = value if len(value) <= 80 else value[:77] + "…"
        raise InvalidIri(f"'{shown.encode('unicode_escape').decode('ascii')}' er ikke en gyldig IRI ({error}) "
                         "(not a valid IRI)") from None


def literal(value, *, datatype: str | None = None, lang: str | None = None):
    """A literal from text or a Python value (date, bool, int, Decimal)."""
    import pyoxigraph as ox

    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype is None:
        if isinstance(value, bool):
            return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD.boolean))
        if isinstance(value, int):
            return ox.Literal(str(value), datatype=ox.NamedNode(XSD.integer))
        if isinstance(value, Decimal):
            return ox.Literal(str(value), datatype=ox.NamedNode(XSD.decimal))
        if isinstance(value, date):
            return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD_DATE))
        return ox.Literal(str(value))
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype))


def is_iri(term) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.NamedNode)


def is_literal(term) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.Literal)


def text(term) -> str:
    """The term's plain text: an IRI, a literal's lexical form, ``_:id`` for a blank node."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def value(term):
    """A literal's Python value (date, int, Decimal, float, bool or str); an IRI's string.
    A lexical form that is not of its datatype (``2025-02-30``) stays text."""
    import pyoxigraph as ox

    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return term.value
    kind = term.datatype.value
    lexical = term.value
    try:
        if kind == XSD_DATE:
            return date.fromisoformat(lexical)
        if kind in (XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger):
            return int(lexical)
        if kind == XSD.decimal:
            return Decimal(lexical)
        if kind in (XSD.double, XSD.float):
            return float(lexical)
        if kind == XSD.boolean:
            return lexical in ("true", "1")
    except (ValueError, InvalidOperation):
        return lexical
    return lexical


def date_of(term) -> date | None:
    """A literal's date, or None when it is not a valid xsd:date."""
    found = value(term)
    return found if isinstance(found, date) else None


def language(term) -> str | None:
    import pyoxigraph as ox

    return term.language if isinstance(term, ox.Literal) else None
