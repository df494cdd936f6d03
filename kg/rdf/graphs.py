"""Each named graph's derived forms, made once from its quads and kept by what it was emitted from: a rebuild after one edit emits one graph.

A build reads the graph four ways: the release hash (sorted distinct N-Quads), the quality checks
(the union as N-Triples in a store), SHACL (each claim file's triples, the types of the nodes they
point to) and the outputs (each file's Turtle, TriG and JSON-LD, kg.output.pieces). All four are
functions of each named graph's quads, so a `GraphRecord` holds what they need of one graph: its
sorted distinct N-Quads lines (as one bytes object), its subjects, the nodes it points to, its
rdf:type and rdfs:subClassOf triples, and the pickle of its quads for when a unit or a piece must
be made again. Records are kept under the sha256 of what the graph is emitted from and of govkg's
code (`graph_records`): an ontology file's bytes (its Turtle parse is a function of them), a claim
file's resolved claims and chains (pickled: the emitter reads nothing else), or, for the small
rest (works, source records, the version), the emitted quads themselves. A stale or broken entry is
a miss; tests/test_build_incremental.py compares every rebuild with a cold build.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from kg.atomic import KeptPickles
from kg.iris import RDF, RDFS
from kg.rdf.emit import (
    BNode,
    Lit,
    Quad,
    Term,
    Triple,
    chain_triples,
    check_names,
    claim_triples,
    from_rdflib,
    graph_of,
    source_triples,
    work_triples,
)
from kg.rdf.nquads import nt
from kg.rdf.versioning import VERSION_GRAPH, version_statements
from kg.version import __version__

FORMAT = 2
TYPE, SUBCLASS = RDF + "type", RDFS + "subClassOf"


@lru_cache(maxsize=1)
def code_key() -> str:
    """The sha256 of govkg's own code, so that a changed emitter or check never reads results of the old one."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def node_key(term: Term) -> str:
    """A subject or object as SHACL reports focus nodes: an IRI as itself, a blank node by its label."""
    return term.label if isinstance(term, BNode) else str(term)


class GraphRecord:
    """One named graph's derived forms (see the module docstring); `quads()` unpickles its quads when a unit or piece needs them."""

    __slots__ = ("name", "digest", "lines", "size", "subjects", "pointed", "types", "subclass", "packed")

    def __init__(self, name: str, quads: list[Quad]):
        self.name = name
        text: dict = {}

        def form(t: Term) -> str:
            found = text.get(t)
            if found is None:
                found = text[t] = nt(t)
            return found

        tail = f" <{name}> ."
        lines = sorted({f"{form(s)} {form(p)} {form(o)}{tail}" for s, p, o, _ in quads})
        self.lines = "".join(line + "\n" for line in lines).encode("utf-8")
        self.size = len(lines)  # distinct triples
        self.digest = hashlib.sha256(self.lines).hexdigest()
        self.subjects = frozenset(node_key(q[0]) for q in quads)
        self.pointed = frozenset(node_key(q[2]) for q in quads if type(q[2]) is str or isinstance(q[2], BNode))
        self.types = [(s, p, o) for s, p, o, _ in quads if p == TYPE]
        self.subclass = [(s, p, o) for s, p, o, _ in quads if p == SUBCLASS]
        self.packed = pickle.dumps(quads, protocol=pickle.HIGHEST_PROTOCOL)

    def quads(self) -> list[Quad]:
        return pickle.loads(self.packed)

    def ntriples(self) -> bytes:
        """The graph's distinct triples as N-Triples: its lines without the graph (N-Quads escapes line breaks, so " <g> .\\n" ends lines only)."""
        return self.lines.replace(f" <{self.name}> .\n".encode(), b" .\n")


def records_of_quads(quads: Iterable[Quad]) -> list[GraphRecord]:
    """A record per named graph of `quads`, in the order the graphs first appear (no cache)."""
    by_graph: dict[str, list[Quad]] = {}
    for q in quads:
        by_graph.setdefault(q[3], []).append(q)
    return [GraphRecord(g, qs) for g, qs in by_graph.items()]


class GraphCache(KeptPickles):
    """Records by key, one pickle each in a folder; entries not used by the last run are removed by `prune`."""

    def get(self, key: str) -> GraphRecord | None:
        found = super().get(key)
        return found if isinstance(found, GraphRecord) else None


def _engines() -> str:
    """The versions of the parsers an ontology file's triples come from (its bytes are its key)."""
    import pyoxigraph
    import rdflib

    return f"pyoxigraph {pyoxigraph.__version__} rdflib {rdflib.__version__}"


def graph_records(kg, cache: GraphCache | None = None) -> list[GraphRecord]:
    """A record per named graph of the model, in iter_quads' order of graphs, from `cache` when what the graph is emitted from is unchanged.

    The same records as records_of_quads(iter_quads(kg)), graph for graph (tests compare).
    """
    check_names(kg)
    salt = f"govkg graphs {FORMAT} {__version__} {code_key()}\n"
    out: list[GraphRecord] = []

    def one(g: str, key_of: Callable[[], bytes] | None, emit: Callable[[], Iterable[Triple]]) -> None:
        if cache is None:
            out.append(GraphRecord(g, [(s, p, o, g) for s, p, o in emit()]))
            return
        if key_of is None:  # keyed by the quads themselves
            quads = [(s, p, o, g) for s, p, o in emit()]
            key = hashlib.sha256(f"{salt}quads {g}\n".encode() + pickle.dumps(quads, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
        else:
            quads = None
            key = hashlib.sha256(f"{salt}{g}\n".encode() + key_of()).hexdigest()
        record = cache.get(key)
        if record is None or record.name != g:
            record = GraphRecord(g, quads if quads is not None else [(s, p, o, g) for s, p, o in emit()])
            cache.put(key, record)
        out.append(record)

    digests = getattr(kg, "ontology_digests", {}) or {}
    for n, (path, triples) in enumerate(kg.ontology_triples.items()):
        prefix = f"f{n}b"  # blank-node labels are per file: two files never share a blank node

        def emit(triples=triples, prefix=prefix) -> Iterator[Triple]:
            for t in triples:
                s, p, o = (from_rdflib(x, prefix) for x in t)
                yield s, p, o

        digest = digests.get(path)

        def key_of(digest=digest, prefix=prefix, n=len(triples)) -> bytes:
            return f"ontology {prefix} {n} {digest} {_engines()}".encode()

        one(graph_of(kg, path), key_of if digest else None, emit)
    works = [t for w in kg.works.values() for t in work_triples(w.id, w.kind, w.title, w.title_en, w.authors, w.note)]
    graphs: dict[str, list] = {graph_of(kg, kg.layout.sources / "works.yaml"): works}
    for src in kg.sources.values():
        graphs.setdefault(graph_of(kg, src.record_path), []).extend(source_triples(kg, src))
    for g, triples in graphs.items():
        one(g, None, triples.__iter__)
    files: dict[Path, tuple[list, list]] = {}
    for c in kg.claims.values():
        files.setdefault(c.path, ([], []))[0].append(c)
    for ch in kg.chains.values():
        files.setdefault(ch.path, ([], []))[1].append(ch)
    for path, (claims, chains) in files.items():

        def emit_file(claims=claims, chains=chains) -> Iterator[Triple]:
            for c in claims:
                yield from claim_triples(c)
            for ch in chains:
                yield from chain_triples(ch)

        def claims_key(claims=claims, chains=chains, path=path) -> bytes:
            kept = getattr(kg, "claim_file_keys", {}).get(path)
            if kept:  # kg.model.project: the file's content, what its resolution read, what the merge changed (no pickling)
                return f"claims-file {kept}\n".encode()
            # The emitter reads nothing of a claim or chain but its fields: their pickle is exact (a pickle that differs is only a miss).
            return b"claims\n" + pickle.dumps((claims, chains), protocol=pickle.HIGHEST_PROTOCOL)

        one(graph_of(kg, path), claims_key, emit_file)
    one(VERSION_GRAPH, None, [(s, p, Lit(o) if is_literal else o) for s, p, o, is_literal in version_statements()].__iter__)
    if cache is not None:
        cache.prune()
    return _merge_same_graph([r for r in out if r.lines])  # a graph without quads (no works, an empty file) is no graph


def _merge_same_graph(records: list[GraphRecord]) -> list[GraphRecord]:
    """One record per graph name (two inputs never share a graph, but if they did their quads would be one graph)."""
    names = [r.name for r in records]
    if len(set(names)) == len(names):
        return records
    by: dict[str, list[Quad]] = {}
    for r in records:
        by.setdefault(r.name, []).extend(r.quads())
    return [GraphRecord(g, qs) for g, qs in by.items()]


def _first_line(b: bytes) -> bytes:
    return b[: b.index(b"\n")]


def _last_line(b: bytes) -> bytes:
    return b[b.rindex(b"\n", 0, len(b) - 1) + 1 : -1]


def sorted_lines(records: list[GraphRecord]) -> Iterator[bytes]:
    """The graph's distinct N-Quads lines in code-point order, as chunks of newline-ended lines.

    Lines of two graphs always differ (the graph is in the line). When the graphs' lines do not
    interleave, the chunks are the records' lines in turn; else the lines are sorted at once (the
    sort finds the records' sorted runs and merges them, in C: a heap merge in Python costs 4× that).
    """
    blobs = sorted((r.lines for r in records if r.lines), key=_first_line)
    if all(_last_line(a) < _first_line(b) for a, b in zip(blobs, blobs[1:], strict=False)):
        yield from blobs
        return
    lines: list[bytes] = []
    for blob in blobs:  # split one record at a time, never the whole graph joined into one bytes object
        part = blob.split(b"\n")
        part.pop()  # after the last newline
        lines += part
    lines.sort()
    for i in range(0, len(lines), 1 << 16):  # written in chunks, never joined whole either
        yield b"\n".join(lines[i : i + (1 << 16)]) + b"\n"


def hash_of_records(records: list[GraphRecord]) -> str:
    """kg.rdf.release.content_hash of the graph the records hold."""
    digest = hashlib.sha256()
    for chunk in sorted_lines(records):
        digest.update(chunk)
    return digest.hexdigest()
