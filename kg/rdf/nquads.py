"""The graph as N-Quads text, from the one emitter (kg.rdf.emit): what the stores bulk-load, `kg push` sends and the release hash reads.

Text rather than rdflib objects: rdflib costs about 30 µs and 1 kB per triple, fine for five sources,
minutes and gigabytes for a million claims; pyoxigraph's bulk loader reads these lines at hundreds of
thousands of triples a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.rdf.emit import BNode, Lit, Quad, Term, iter_quads

_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def lit(value: str, lang: str = "", datatype: str = "") -> str:
    """An N-Triples literal: escaped, with its language tag or datatype."""
    text = '"' + str(value).translate(_ESCAPE) + '"'
    if lang:
        return f"{text}@{lang}"
    return f"{text}^^<{datatype}>" if datatype else text


def nt(term: Term) -> str:
    """The N-Triples form of a plain term."""
    if type(term) is str:
        return f"<{term}>"
    if isinstance(term, Lit):
        return lit(term.value, term.lang, term.datatype)
    if isinstance(term, BNode):
        return f"_:{term.label}"
    return f"<{term}>"


def nquad(s: Term, p: Term, o: Term, g: str) -> str:
    """One N-Quads line, without its newline."""
    return f"{nt(s)} {nt(p)} {nt(o)} <{g}> ."


def iter_nquads(kg, graphs: bool = True) -> Iterator[str]:
    """The graph as N-Quads lines (each ending in a newline), one named graph per input file.

    graphs=False gives N-Triples of the union instead (a triple two files state then repeats,
    which every store collapses on loading).
    """
    return nquad_lines(iter_quads(kg), graphs)


def nquad_lines(quads: Iterable[Quad], graphs: bool = True) -> Iterator[str]:
    """iter_nquads of quads the emitter gave already (a build emits once and reads them several times)."""
    text: dict = {}  # each term's N-Triples form found once per call: a graph repeats its predicates, classes and subjects

    def form(t: Term) -> str:
        found = text.get(t)
        if found is None:
            found = text[t] = nt(t)
        return found

    for s, p, o, g in quads:
        yield f"{form(s)} {form(p)} {form(o)} <{g}> .\n" if graphs else f"{form(s)} {form(p)} {form(o)} .\n"


def dump_nquads(kg, f, graphs: bool = True) -> int:
    """Write the graph's N-Quads (or N-Triples of the union) to a binary file; returns the bytes written."""
    n = 0
    buf: list[str] = []
    for line in iter_nquads(kg, graphs):
        buf.append(line)
        if len(buf) >= 65536:
            n += f.write("".join(buf).encode("utf-8"))
            buf.clear()
    n += f.write("".join(buf).encode("utf-8"))
    return n
