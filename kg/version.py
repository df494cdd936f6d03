"""The version of govkg: the one place it is written (pyproject, the ontology's version triples, releases and caches read it)."""

# Every release, oldest first; the last is this one. The ontology's owl:priorVersion is the one before.
RELEASES = ("0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0", "0.6.0")
__version__ = RELEASES[-1]
PRIOR_VERSION = RELEASES[-2] if len(RELEASES) > 1 else None
