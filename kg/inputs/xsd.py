"""XSD lexical spaces: whether a literal's text is a valid value of its datatype (rdflib's check misses some)."""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import XSD

# The lexical spaces of XML Schema 1.1 Part 2, written out for the datatypes Turtle files use.
# rdflib's `Literal.ill_typed` converts with Python's int()/float(), which accept "1_000", " 1",
# full-width "１" and other Unicode digits, and it does not check gYear and its kin at all.
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_FLOAT = rf"{_DECIMAL}(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"
_INTEGER_TYPES = (
    "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte", "nonNegativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger",
)
LEXICAL = {
    **{XSD[name]: _INTEGER for name in _INTEGER_TYPES},
    XSD.decimal: _DECIMAL,
    XSD.float: _FLOAT,
    XSD.double: _FLOAT,
    XSD.boolean: r"true|false|1|0",
    XSD.date: rf"{_YEAR}-{_MONTH}-{_DAY}{_TZ}",
    XSD.dateTime: rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_TZ}",
    XSD.dateTimeStamp: rf"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))",
    XSD.time: rf"{_TIME}{_TZ}",
    XSD.gYear: rf"{_YEAR}{_TZ}",
    XSD.gYearMonth: rf"{_YEAR}-{_MONTH}{_TZ}",
    XSD.gMonth: rf"--{_MONTH}{_TZ}",
    XSD.gMonthDay: rf"--{_MONTH}-{_DAY}{_TZ}",
    XSD.gDay: rf"---{_DAY}{_TZ}",
    XSD.duration: r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?",
    XSD.hexBinary: r"(?:[0-9a-fA-F]{2})*",
    XSD.language: r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*",
}
_COMPILED = {dt: re.compile(rx, re.ASCII) for dt, rx in LEXICAL.items()}

# Numbers that Turtle writers print as bare tokens (01, +1, .5) and rdflib's Turtle reader turns
# into a different text ("1", "0.5") even with normalisation off. govkg's exports keep every
# lexical form, but a reader would not, so these are refused in hand-written files.
_PLAIN_INTEGER = re.compile(r"0|-?[1-9][0-9]*", re.ASCII)
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?", re.ASCII)
PLAIN = {**{XSD[name]: _PLAIN_INTEGER for name in _INTEGER_TYPES}, XSD.decimal: _PLAIN_DECIMAL}


def is_well_typed(literal: Literal) -> bool:
    """True unless the literal's text is not in its datatype's lexical space (or out of its range)."""
    pattern = _COMPILED.get(literal.datatype) if literal.datatype is not None else None
    if pattern is not None and not pattern.fullmatch(str(literal)):
        return False
    # rdflib adds the value checks a pattern cannot make: 2021-02-30, a byte of 300.
    return literal.ill_typed is not True


def is_plain_number(literal: Literal) -> bool:
    """False for an integer or decimal written with a plus sign, leading zeros or a leading dot."""
    pattern = PLAIN.get(literal.datatype) if literal.datatype is not None else None
    return pattern is None or bool(pattern.fullmatch(str(literal)))
