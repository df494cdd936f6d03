"""Reading hand-written Turtle strictly: pyoxigraph's parser (rejects what rdflib lets through), file:line:column errors."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .errors import Problem, problem
from .limits import MAX_LITERAL_CHARS
from .yamlio import read_text_checked

# pyoxigraph says "at line L between columns C and D", "at line L column C" or "between line L column C and …".
_POSITION = re.compile(r"(?:at|between) line (\d+)(?: between columns| column) (\d+)")
_PREAMBLE = re.compile(r"^Parser error (?:at|between) line \d+ (?:between columns \d+ and \d+|column \d+(?: and line \d+ column \d+)?):\s*")
_XSD_STRING = str(XSD.string)
# rdflib logs a full traceback for every ill-typed literal it meets; govkg reports those itself.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)
_LANG_STRING = str(RDF.langString)


def _to_rdflib(term, bnodes: dict[str, BNode]):
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        # Blank-node labels are per file: map them to fresh rdflib nodes so two files never share one.
        return bnodes.setdefault(term.value, BNode())
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


def _where(message: str) -> tuple[int | None, int | None]:
    m = _POSITION.search(message)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def _line_of_text(text: str, needle: str) -> int | None:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else None


def load_turtle(path: Path, problems: list[Problem]) -> list[tuple] | None:
    """The triples of one Turtle file as rdflib terms, or None (with problems) if the file is not valid.

    Relative IRIs are errors (no base IRI is given), so identifiers never depend on where the
    repository is checked out. Literals whose lexical form does not fit their datatype
    ("twenty"^^xsd:integer) are errors too: the Turtle grammar allows them, RDF semantics do not.
    """
    import pyoxigraph as ox

    text = read_text_checked(path, problems)
    if text is None:
        return None
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        message = str(exc)
        line, column = _where(message)
        detail = _PREAMBLE.sub("", message)
        detail = re.sub(r"\s*\(line \d+\)$", "", detail)
        problems.append(problem(path, line, "turtle-syntax", f"invalid Turtle: {detail}", column))
        return None
    except (ValueError, OSError) as exc:
        problems.append(problem(path, None, "turtle-syntax", f"invalid Turtle: {exc}"))
        return None
    bnodes: dict[str, BNode] = {}
    triples = []
    ok = True
    for q in quads:
        s, p, o = (_to_rdflib(t, bnodes) for t in (q.subject, q.predicate, q.object))
        if isinstance(o, Literal):
            if len(o) > MAX_LITERAL_CHARS:
                problems.append(problem(path, _line_of_text(text, str(o)[:40]), "too-large",
                                        f"a literal of {len(o):,} characters; the limit is {MAX_LITERAL_CHARS:,}"))
                ok = False
            elif o.ill_typed:
                problems.append(problem(path, _line_of_text(text, f'"{o}"'), "ill-typed-literal",
                                        f'"{o}" is not a valid {o.datatype.n3()}: fix the value or its datatype'))
                ok = False
        triples.append((s, p, o))
    return triples if ok else None


@lru_cache(maxsize=64)
def _lines(path: str, mtime_ns: int) -> list[str]:
    return Path(path).read_text(encoding="utf-8", errors="replace").splitlines()


def line_of_subject(path: Path, curie_or_iri: str) -> int | None:
    """Line where a subject's block starts in a Turtle file (first line that begins with it)."""
    if not path.exists():
        return None
    for n, line in enumerate(_lines(str(path), path.stat().st_mtime_ns), 1):
        if line.startswith(curie_or_iri) and (len(line) == len(curie_or_iri) or line[len(curie_or_iri)] in " \t;,."):
            return n
    return None
