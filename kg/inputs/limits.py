"""Limits on input files, far beyond any real source or claim (hitting one means a mistake), and the characters no input may hold."""

import re

MAX_FILE_BYTES = 10 * 1024 * 1024  # any one input file (claims, Turtle, source text)
MAX_LITERAL_CHARS = 20_000  # any one YAML scalar or RDF literal
MAX_QUOTE_CHARS = 2_000  # a quote is a sentence or a paragraph, not a chapter
# Brackets inside brackets: a claim file needs 5 levels, an ontology file 3 or 4. Parsers and
# serialisers that recurse (ruamel's composer, rdflib's Turtle parser and writer) hit Python's
# recursion limit near a thousand, so a file nested this deep is refused before they see it.
MAX_NESTING = 32
MAX_QUERY_CHARS = 100_000  # a SPARQL query: the longest example query is under 2,000


# Characters no hand-written text needs and some outputs cannot carry: C0/C1 controls other than
# tab and line breaks (invalid in XML 1.0, invisible in diffs), lone surrogates (not encodable as
# UTF-8, so a build would crash writing them) and the non-characters U+FFFE/U+FFFF. YAML refuses
# them raw but lets an escape (\0, \ud800) through.
# Also the invisible formatting characters that make a text read other than it is: bidi overrides
# and isolates (U+202A-202E, U+2066-2069: "Trojan Source"), zero-width spaces and joiners, BOMs.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                       "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def refused_char_kind(ch: str) -> str:
    """What kind of refused character this is, for a message."""
    return "an invisible formatting character" if _INVISIBLE.match(ch) else "a control character or half of a surrogate pair"


# A plain scalar that reads as a number: past 100 characters it is a mistake, not a value.
NUMBER = re.compile(r"[-+]?[0-9][0-9_.eE+-]*")
