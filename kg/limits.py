"""Size limits for input files: far beyond any real source or claim, so hitting one means a mistake."""

MAX_FILE_BYTES = 10 * 1024 * 1024  # any one input file (claims, Turtle, source text)
MAX_LITERAL_CHARS = 20_000  # any one YAML scalar or RDF literal
MAX_QUOTE_CHARS = 2_000  # a quote is a sentence or a paragraph, not a chapter
# Brackets inside brackets: a claim file needs 5 levels, an ontology file 3 or 4. Parsers and
# serialisers that recurse (ruamel's composer, rdflib's Turtle parser and writer) hit Python's
# recursion limit near a thousand, so a file nested this deep is refused before they see it.
MAX_NESTING = 32
MAX_QUERY_CHARS = 100_000  # a SPARQL query: the longest example query is under 2,000
