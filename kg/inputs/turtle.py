"""Reading hand-written Turtle strictly: pyoxigraph's parser (rejects what rdflib lets through), file:line:column errors."""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import Problem, problem
from kg.inputs.limits import BAD_CHARS, MAX_LITERAL_CHARS, MAX_NESTING, refused_char_kind
from kg.inputs.xsd import is_plain_number, is_well_typed
from kg.inputs.yamlio import read_text_checked

# pyoxigraph says "at line L between columns C and D", "at line L column C" or "between line L column C and …".
_POSITION = re.compile(r"(?:at|between) line (\d+)(?: between columns| column) (\d+)")
_PREAMBLE = re.compile(r"^Parser error (?:at|between) line \d+ (?:between columns \d+ and \d+|column \d+(?: and line \d+ column \d+)?):\s*")
_XSD_STRING = str(XSD.string)
# rdflib logs a full traceback for every ill-typed literal it meets; govkg reports those itself.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

# The tokens inside which a bracket is not a bracket: comments, IRIs, strings, escapes in names.
_TOKENS = re.compile(
    r'#[^\n\r]*|<[^>]*>'
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|\\.|[\[\]()]",
    re.S,
)


def _to_rdflib(term, bnodes: dict[str, BNode], bnode_prefix: str):
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        # Blank-node labels are per file: each becomes a node of its own file (so two files never
        # share one), numbered in document order (so the same file always gives the same graph,
        # and a release's content hash does not change from build to build).
        if term.value not in bnodes:
            bnodes[term.value] = BNode(f"{bnode_prefix}b{len(bnodes) + 1}")
        return bnodes[term.value]
    if not isinstance(term, ox.Literal):
        return None  # an RDF 1.2 triple term: the caller refuses it
    # normalize=False keeps the text as written: rdflib would otherwise turn "01"^^xsd:integer
    # into "1" and "1"^^xsd:boolean into "true", merging triples the file keeps apart.
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype), normalize=False)


def _where(message: str) -> tuple[int | None, int | None]:
    m = _POSITION.search(message)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def _line_of_text(text: str, *needles: str) -> int | None:
    """Line of the first of the needles found in the text (a parsed triple has no position of its own)."""
    for needle in needles:
        i = text.find(needle)
        if i >= 0:
            return text.count("\n", 0, i) + 1
    return None


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) of the first [ or ( nested deeper than MAX_NESTING, or None."""
    depth = 0
    for m in _TOKENS.finditer(text):
        token = m.group()
        if token in ("[", "("):
            depth += 1
            if depth > MAX_NESTING:
                i = m.start()
                return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1
        elif token in ("]", ")"):
            depth -= 1
    return None


def _short(iri) -> str:
    return "xsd:" + str(iri)[len(str(XSD)):] if str(iri).startswith(str(XSD)) else f"<{iri}>"


def _check_term(term, source_term, text: str, path: Path, problems: list[Problem]) -> None:
    """Problems with one term pyoxigraph accepted but govkg does not."""
    if len(term) > MAX_LITERAL_CHARS:
        what = "a literal" if isinstance(term, Literal) else "an IRI"
        problems.append(problem(path, _line_of_text(text, str(term)[:40]), "too-large",
                                f"{what} of {len(term):,} characters; the limit is {MAX_LITERAL_CHARS:,}"))
        return
    if not isinstance(term, Literal):
        return
    if getattr(source_term, "direction", None) is not None:
        problems.append(problem(path, _line_of_text(text, "--ltr", "--rtl"), "turtle-syntax",
                                f'"{term}": a base direction (--ltr, --rtl) is RDF 1.2 and an rdflib graph would drop it: use a plain language tag'))
    # As written in the file, the literal may be escaped; N-Triples escapes the way most people do.
    nt = str(source_term)
    escaped = nt[1:nt.rindex('"')]
    bad = BAD_CHARS.search(str(term))
    if bad:
        problems.append(problem(path, _line_of_text(text, f'"{term[:20]}', f"'{term[:20]}", escaped[:40]), "bad-character",
                                f"a literal holds U+{ord(bad.group()):04X} ({refused_char_kind(bad.group())}): remove it"))
    elif term.datatype is not None and not is_well_typed(term):
        problems.append(problem(path, _line_of_text(text, f'"{term}"', f"'{term}'", escaped, str(term)), "ill-typed-literal",
                                f'"{term}" is not a valid {_short(term.datatype)}: fix the value or its datatype'))
    elif not is_plain_number(term):
        problems.append(problem(path, _line_of_text(text, f'"{term}"', f"'{term}'", str(term)), "literal-form",
                                f'{term} is a valid {_short(term.datatype)}, but readers such as rdflib would read it back as another text: '
                                "write it without a plus sign, leading zeros or a leading dot"))


def load_turtle(path: Path, problems: list[Problem], text: str | None = None) -> list[tuple] | None:
    """The triples of one Turtle file as rdflib terms, or None (with problems) if the file is not valid.

    Relative IRIs are errors (no base IRI is given), so identifiers never depend on where the
    repository is checked out. Literals whose lexical form does not fit their datatype
    ("twenty"^^xsd:integer) are errors too: the Turtle grammar allows them, RDF semantics do not.
    So are what pyoxigraph accepts from RDF 1.2 (triple terms, a base direction) but an rdflib
    graph cannot hold, control characters, and brackets nested too deep for recursive parsers.
    `text`: the file's text when the caller has read it (read_text_checked), so that what it hashes is what was parsed.
    """
    import pyoxigraph as ox

    if text is None:
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
        detail = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"U+{ord(m.group()):04X}", detail)  # invisible otherwise
        problems.append(problem(path, line, "turtle-syntax", f"invalid Turtle: {detail}", column))
        return None
    except (ValueError, OSError) as exc:
        problems.append(problem(path, None, "turtle-syntax", f"invalid Turtle: {exc}"))
        return None
    n_before = len(problems)
    bnodes: dict[str, BNode] = {}
    prefix = "f" + hashlib.sha256(f"{path.name}\0{text}".encode()).hexdigest()[:12]
    triples = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdflib warns of a "weird boolean"; govkg reports it as ill-typed
        for q in quads:
            terms = (q.subject, q.predicate, q.object)
            s, p, o = (_to_rdflib(t, bnodes, prefix) for t in terms)
            if s is None or o is None:
                problems.append(problem(path, _line_of_text(text, "<<", "{|", "~"), "turtle-syntax",
                                        "RDF 1.2 triple terms, reifiers (~) and annotations ({| |}) are not supported: state the triple plainly"))
                return None
            for term, source_term in zip((s, p, o), terms, strict=True):
                _check_term(term, source_term, text, path, problems)
            triples.append((s, p, o))
    if len(problems) > n_before:
        return None
    deep = _too_deep(text)
    if deep is not None:
        problems.append(problem(path, deep[0], "too-deep",
                                f"brackets nested more than {MAX_NESTING} deep: no ontology file needs that many levels", deep[1]))
        return None
    return triples


@lru_cache(maxsize=64)
def _lines(path: str, mtime_ns: int) -> list[str]:
    return Path(path).read_text(encoding="utf-8", errors="replace").split("\n")  # as pyoxigraph counts lines


def lines_of_subjects(path: Path, wanted: set[str]) -> dict[str, int]:
    """line_of_subject of many subjects of one file, in one reading of it (a warning per concept of a 100k-line file)."""
    found: dict[str, int] = {}
    if not path.exists():
        return found
    for n, line in enumerate(_lines(str(path), path.stat().st_mtime_ns), 1):
        end = len(line) if (space := min((i for i in (line.find(" "), line.find("\t")) if i >= 0), default=-1)) < 0 else space
        for k in [i for i, ch in enumerate(line[:end]) if ch in ";,."] + [end]:  # each place a subject could end
            if line[:k] in wanted and line[:k] not in found:
                found[line[:k]] = n
        if len(found) == len(wanted):
            break
    return found


def line_of_subject(path: Path, curie_or_iri: str) -> int | None:
    """Line where a subject's block starts in a Turtle file (first line that begins with it)."""
    if not path.exists():
        return None
    for n, line in enumerate(_lines(str(path), path.stat().st_mtime_ns), 1):
        if line.startswith(curie_or_iri) and (len(line) == len(curie_or_iri) or line[len(curie_or_iri)] in " \t;,."):
            return n
    return None
