"""sh:datatype: a literal of the datatype whose lexical form is valid for it
(SHACL 1.0 §4.2.2), for every XSD datatype, in SPARQL and in Python.

In SPARQL, a datatype Oxigraph can cast to is checked by the cast (an ill-typed
literal is kept as written and its cast fails); the others by a regular
expression of their lexical space, and the integer types by their range. The
same rules in Python check the data's own literals where Oxigraph's store keeps
another form (it stores "5"^^xsd:byte as "5"^^xsd:integer and "300"^^xsd:byte,
which is not a byte, as the integer 300; see ``exact``). ``test_shacl_suite``
holds the two to the same answers.
"""

from __future__ import annotations

import calendar
import functools
import re

from ..namespaces import RDF, XSD
from .model import string

# Datatypes Oxigraph casts a string to (a failed cast is an error, so COALESCE says false).
# Not xsd:gMonthDay: Oxigraph 0.5 refuses "--02-29" (valid: a day of some year,
# XSD 1.1 §3.3.12), so its regular expression below lists the days of each month.
CASTABLE = {XSD[n] for n in ("boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time",
                             "duration", "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth",
                             "gMonth", "gDay")}
_BIG = None
# The integer types and their ranges (XSD 1.1 §3.4.13-26); None: unbounded.
INTEGER_RANGES = {
    XSD.long: (-2**63, 2**63 - 1), XSD.int: (-2**31, 2**31 - 1), XSD.short: (-2**15, 2**15 - 1),
    XSD.byte: (-128, 127), XSD.unsignedLong: (0, 2**64 - 1), XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 65535), XSD.unsignedByte: (0, 255), XSD.nonNegativeInteger: (0, _BIG),
    XSD.positiveInteger: (1, _BIG), XSD.nonPositiveInteger: (_BIG, 0), XSD.negativeInteger: (_BIG, -1),
}
# What Oxigraph's store keeps in another datatype (so only the data's own term can tell).
STORED_AS = {**{t: XSD.integer for t in INTEGER_RANGES}, XSD.dateTimeStamp: XSD.dateTime}

_NAME_START = r"A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D" \
              r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
# Lexical spaces as regular expressions (XSD 1.1 Part 2); the Python and the SPARQL check use the same.
LEXICAL = {
    XSD.string: None,
    XSD.normalizedString: r"^[^\r\n\t]*$",
    XSD.token: r"^([^\s]+( [^\s]+)*)?$",
    XSD.language: r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$",
    XSD.Name: rf"^[{_NAME_START}:][{_NAME_CHAR}:]*$",
    XSD.NCName: rf"^[{_NAME_START}][{_NAME_CHAR}]*$",
    XSD.ID: rf"^[{_NAME_START}][{_NAME_CHAR}]*$",
    XSD.IDREF: rf"^[{_NAME_START}][{_NAME_CHAR}]*$",
    XSD.ENTITY: rf"^[{_NAME_START}][{_NAME_CHAR}]*$",
    XSD.NMTOKEN: rf"^[{_NAME_CHAR}:]+$",
    XSD.NMTOKENS: rf"^[{_NAME_CHAR}:]+( [{_NAME_CHAR}:]+)*$",
    XSD.QName: rf"^([{_NAME_START}][{_NAME_CHAR}]*:)?[{_NAME_START}][{_NAME_CHAR}]*$",
    XSD.hexBinary: r"^([0-9a-fA-F]{2})*$",
    XSD.base64Binary: r"^(([A-Za-z0-9+/] ?){4})*(([A-Za-z0-9+/] ?){3}[A-Za-z0-9+/]|"
                      r"([A-Za-z0-9+/] ?){2}[AEIMQUYcgkosw048] ?=|[A-Za-z0-9+/] ?[AQgw] ?= ?=)?$",
    XSD.anyURI: r"^[^\s]*$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.float: r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD.double: r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD.date: rf"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}$",
    XSD.dateTime: rf"^{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:"
                  rf"[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?){_TZ}$",
    XSD.time: rf"^(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?){_TZ}$",
    XSD.gYear: rf"^{_YEAR}{_TZ}$",
    XSD.gYearMonth: rf"^{_YEAR}-(0[1-9]|1[0-2]){_TZ}$",
    XSD.gMonth: rf"^--(0[1-9]|1[0-2]){_TZ}$",
    XSD.gMonthDay: rf"^--((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|"
                   rf"02-(0[1-9]|[12][0-9])){_TZ}$",
    XSD.gDay: rf"^---(0[1-9]|[12][0-9]|3[01]){_TZ}$",
    XSD.duration: r"^-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?"
                  r"([0-9]+(\.[0-9]+)?S)?)?$",
    XSD.dayTimeDuration: r"^-?P(?=[0-9T])([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$",
    XSD.yearMonthDuration: r"^-?P(?=[0-9])([0-9]+Y)?([0-9]+M)?$",
}
LEXICAL.update({t: r"^[+-]?[0-9]+$" for t in INTEGER_RANGES})
LEXICAL[XSD.dateTimeStamp] = LEXICAL[XSD.dateTime].replace(_TZ + "$", _TZ[:-1] + "$")


@functools.lru_cache(maxsize=None)
def _compiled(datatype: str):
    """The lexical space's expression, compiled when first needed (all at once cost
    30 ms at every start, for the name characters' ranges)."""
    pattern = LEXICAL.get(datatype)
    return re.compile(pattern) if pattern else None


def valid(lexical: str, datatype: str) -> bool:
    """Whether ``lexical`` is in the lexical space of ``datatype`` (XSD 1.1; a
    datatype this module does not know has no rule to break)."""
    pattern = _compiled(datatype)
    if pattern is not None and pattern.match(lexical) is None:
        return False
    if datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        number = int(lexical)
        return (low is None or number >= low) and (high is None or number <= high)
    if datatype in (XSD.date, XSD.dateTime, XSD.dateTimeStamp):
        return _real_day(lexical)
    return True


def _real_day(lexical: str) -> bool:
    """A day that exists in its month of its year (2025-02-30 does not, 2024-02-29 does)."""
    body = lexical.lstrip("-")
    year, month, day = int(body.split("-")[0]), int(body.split("-")[1]), int(body.split("-")[2][:2])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = 29 if month == 2 and leap else 28 if month == 2 else calendar.monthrange(2001, month)[1]
    return day <= days


def literal_has(term, datatype: str) -> bool:
    """Python: ``term`` is a literal of ``datatype`` with a valid lexical form."""
    import pyoxigraph as ox

    if not isinstance(term, ox.Literal):
        return False
    if datatype == RDF.langString:
        return bool(term.language)
    if term.language or term.datatype.value != datatype:
        return False
    return valid(term.value, datatype)


def sparql(datatype: str, x: str, *, once: bool = False) -> str:
    """A FILTER expression: {x} is a literal of ``datatype`` with a valid lexical form.

    ``once`` (Oxigraph): {x} read once where the datatype decides, not in isLiteral()
    as well: each mention of a variable decodes its term again, a lookup on disk
    for a long literal or an IRI (lang() and datatype() of a non-literal are
    errors, which COALESCE makes false, as isLiteral() did)."""
    if datatype == RDF.langString:
        return f'COALESCE(lang({x}) != "", false)' if once else f'(isLiteral({x}) && lang({x}) != "")'
    test = f"(COALESCE(datatype({x}) = <{datatype}>, false)" if once else \
        f"(isLiteral({x}) && datatype({x}) = <{datatype}>"
    if datatype in CASTABLE:
        test += f" && COALESCE(isLiteral(<{datatype}>(STR({x}))), false)"
    elif datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        number = f"<{XSD.integer}>(STR({x}))"
        bounds = [f"{number} >= {low}" if low is not None else "", f"{number} <= {high}" if high is not None else ""]
        test += f" && REGEX(STR({x}), {string(LEXICAL[datatype])}) && COALESCE({' && '.join(b for b in bounds if b)}, false)"
    elif datatype == XSD.dateTimeStamp:
        test += (f" && COALESCE(isLiteral(<{XSD.dateTime}>(STR({x}))), false)"
                 f" && REGEX(STR({x}), \"(Z|[+-][0-9][0-9]:[0-9][0-9])$\")")
    elif LEXICAL.get(datatype):
        test += f" && REGEX(STR({x}), {string(LEXICAL[datatype])})"
    return test + ")"
