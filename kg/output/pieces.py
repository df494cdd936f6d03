"""Turtle, TriG and JSON-LD assembled from each input file's own pieces, kept by content: a rebuild after one edit writes one file's RDF again.

TriG is one block per named graph (input file), in the graphs' order; Turtle and JSON-LD hold one
block (a subject's triples) or one node object per subject, in the subjects' order. Graphs that
describe a subject in common are joined into one group; no subject then has triples in two groups,
so the union's blocks are the groups' blocks merged by subject (heapq.merge, linear), and every
output is the same bytes as kg.rdf.serialize writes for the whole graph. Each group's blocks are
kept under the digests of its graphs' records (kg.rdf.graphs) and the code that wrote them; when a group's output
does not split one block per subject, `render_rdf` gives None and the caller writes the whole graph
at once. tests/test_build_incremental.py compares the two.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import pickle
from pathlib import Path

from kg.atomic import remove_unused_entries, write_bytes_atomic
from kg.rdf.emit import Quad
from kg.rdf.graphs import GraphRecord, code_key, records_of_quads

FORMAT = 2

Piece = tuple[bytes, dict[str, bytes], list[tuple[str, str, str]]]  # (header, {graph: TriG block}, [(subject, Turtle block, JSON-LD node)])


def _group_key(records: list[GraphRecord]) -> str:
    """The sha256 of a group's graphs' contents (each record's digest: the sha256 of its distinct N-Quads lines) and of the code that writes them.

    A piece is a function of the set of its group's quads (kg.rdf.serialize makes them distinct and sorts them), which the digests fix.
    """
    h = hashlib.sha256(f"govkg rdf pieces {FORMAT} {code_key()}\n".encode())
    h.update("".join(f"{r.name} {r.digest}\n" for r in sorted(records, key=lambda r: r.name)).encode("utf-8"))
    return h.hexdigest()


def _split_header(text: bytes) -> tuple[bytes, bytes]:
    """The prefix lines pyoxigraph writes first, and the rest."""
    i = 0
    while text.startswith(b"@prefix ", i):
        i = text.index(b"\n", i) + 1
    return text[:i], text[i:]


def _piece(quads: list[Quad]) -> Piece | None:
    """One group's TriG block per graph, and its subjects' Turtle blocks and JSON-LD nodes, or None if they do not split one per subject."""
    import pyoxigraph as ox

    from kg.rdf.serialize import PREFIXES, jsonld_node_text, ox_quads_and_triples

    oq, triples = ox_quads_and_triples(None, quads, triples=True)
    trig: dict[str, bytes] = {}
    header = b""
    for g in sorted({q[3] for q in quads}):
        header, trig[g] = _split_header(ox.serialize([q for q in oq if q.graph_name.value == g], format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b"")
    theader, ttl = _split_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")
    subjects = list(dict.fromkeys(t.subject.value for t in triples))
    blocks, start = [], 0
    text = ttl.decode("utf-8")
    for i in range(1, len(text)):  # a block starts at a line's first column (its triples' lines are indented)
        if text[i - 1] == "\n" and text[i] != "\t":
            blocks.append(text[start:i])
            start = i
    if text:
        blocks.append(text[start:])
    nodes = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]")
    if theader != header or len(blocks) != len(subjects) or len(nodes) != len(subjects):
        return None
    for subject, node in zip(subjects, nodes, strict=True):
        if node.get("@id") not in (subject, f"_:{subject}"):
            return None
    return header, trig, [(s, b, jsonld_node_text(n)) for s, b, n in zip(subjects, blocks, nodes, strict=True)]


def _groups(records: list[GraphRecord]) -> list[list[GraphRecord]]:
    """The named graphs, those that describe a subject in common joined into one group (their union's blocks are not theirs alone)."""
    parent = {r.name: r.name for r in records}

    def root(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owner: dict[str, str] = {}
    for r in records:
        for s in r.subjects:
            first = owner.setdefault(s, r.name)
            if first != r.name:
                parent[root(r.name)] = root(first)
    groups: dict[str, list[GraphRecord]] = {}
    for r in sorted(records, key=lambda r: r.name):
        groups.setdefault(root(r.name), []).append(r)
    return list(groups.values())


# Below this many lines to write, the missing pieces are made in this process (a pool costs more than it saves).
PARALLEL_MIN = 100_000
# Set before the pool's processes fork, so that they share the groups' records without pickling them.
_GROUPS: list[list[GraphRecord]] | None = None


def _piece_of(i: int) -> Piece | None:
    assert _GROUPS is not None
    return _piece([q for r in _GROUPS[i] for q in r.quads()])


def _make_pieces(groups: list[list[GraphRecord]]) -> list[Piece | None]:
    """Each group's piece, across the cores (forked processes, as SHACL's units) when there are many lines to write."""
    global _GROUPS
    import multiprocessing

    from kg.rdf.validate import default_workers

    workers = default_workers()
    if workers < 2 or len(groups) < 2 or sum(r.size for g in groups for r in g) < PARALLEL_MIN \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [_piece([q for r in group for q in r.quads()]) for group in groups]
    _GROUPS = groups
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(groups))) as pool:
            return pool.map(_piece_of, range(len(groups)), chunksize=1)
    finally:
        _GROUPS = None


def render_rdf(quads: list[Quad], folder: Path | None) -> tuple[bytes, bytes, bytes] | None:
    """(Turtle, TriG, JSON-LD) of the graph from each group's pieces (kept in `folder`), or None when a group does not split (see the module docstring)."""
    return render_records(records_of_quads(quads), folder)


def render_records(records: list[GraphRecord], folder: Path | None) -> tuple[bytes, bytes, bytes] | None:
    """render_rdf of the graph the records hold (kg.rdf.graphs): a group's quads are unpickled only when its piece is made again."""
    from kg.rdf.serialize import jsonld_from_nodes

    usable = folder is not None and not folder.is_symlink()
    groups = _groups(records)
    keys = [_group_key(group) for group in groups]
    found: list[Piece | None] = []
    for key in keys:
        piece = None
        if usable:
            try:
                with open(folder / f"{key}.pickle", "rb") as f:  # type: ignore[operator]
                    piece = pickle.load(f)
            except Exception:  # missing, truncated or stale: a miss
                piece = None
        found.append(piece)
    todo = [i for i, piece in enumerate(found) if piece is None]
    for i, piece in zip(todo, _make_pieces([groups[i] for i in todo]), strict=True):
        if piece is None:
            return None
        found[i] = piece
        if usable:
            try:
                folder.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
                write_bytes_atomic(folder / f"{keys[i]}.pickle", pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[operator]
            except OSError:
                pass
    used = set(keys)
    pieces = [p for p in found if p is not None]
    if not pieces or any(p[0] != pieces[0][0] for p in pieces) or not any(p[2] for p in pieces):
        return None
    header = pieces[0][0]
    merged = list(heapq.merge(*(p[2] for p in pieces), key=lambda b: b[0]))
    ttl = header + "".join(b for _, b, _ in merged).encode("utf-8")
    trig_blocks = {g: block for p in pieces for g, block in p[1].items()}
    trig = header + b"".join(trig_blocks[g] for g in sorted(trig_blocks))
    if usable:
        remove_unused_entries(folder, used)  # type: ignore[arg-type]
    return ttl, trig, jsonld_from_nodes([n for _, _, n in merged])
