"""Turtle, TriG and JSON-LD assembled from each input file's own pieces, kept by content: a rebuild after one edit writes one file's RDF again.

TriG is one block per named graph (input file), in the graphs' order; Turtle and JSON-LD hold one
block (a subject's triples) or one node object per subject, in the subjects' order. Graphs that
describe a subject in common are joined into one group; no subject then has triples in two groups,
so the union's blocks are the groups' blocks merged by subject (heapq.merge, linear), and every
output is the same bytes as kg.rdf.serialize writes for the whole graph. Each group's blocks are
kept under the sha256 of its quads and the code that wrote them; when a group's output
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
from kg.rdf.emit import BNode, Quad
from kg.rdf.units import code_key

FORMAT = 1

Piece = tuple[bytes, dict[str, bytes], list[tuple[str, str, str]]]  # (header, {graph: TriG block}, [(subject, Turtle block, JSON-LD node)])


def _group_key(quads: list[Quad]) -> str:
    """The sha256 of a group's quads, as emitted, and of the code that writes them.

    The pickle of the quads, not their N-Triples text (2.5× the time): equal bytes are equal quads in
    the same order, so a hit is exact; quads equal but pickled otherwise would only be a miss.
    """
    h = hashlib.sha256(f"govkg rdf pieces {FORMAT} {code_key()}\n".encode())
    h.update(pickle.dumps(quads, protocol=pickle.HIGHEST_PROTOCOL))
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


def _groups(quads: list[Quad]) -> list[list[Quad]]:
    """The quads by named graph, graphs that describe a subject in common joined into one group (their union's blocks are not theirs alone)."""
    by_graph: dict[str, list[Quad]] = {}
    for q in quads:
        by_graph.setdefault(q[3], []).append(q)
    parent = {g: g for g in by_graph}

    def root(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owner: dict[str, str] = {}
    for g, graph_quads in by_graph.items():
        for s, _, _, _ in graph_quads:
            first = owner.setdefault(s.label if isinstance(s, BNode) else str(s), g)
            if first != g:
                parent[root(g)] = root(first)
    groups: dict[str, list[Quad]] = {}
    for g in sorted(by_graph):
        groups.setdefault(root(g), []).extend(by_graph[g])
    return list(groups.values())


def render_rdf(quads: list[Quad], folder: Path | None) -> tuple[bytes, bytes, bytes] | None:
    """(Turtle, TriG, JSON-LD) of the graph from each group's pieces (kept in `folder`), or None when a group does not split (see the module docstring)."""
    from kg.rdf.serialize import jsonld_from_nodes

    usable = folder is not None and not folder.is_symlink()
    pieces: list[Piece] = []
    used: set[str] = set()
    for group in _groups(quads):
        key = _group_key(group)
        used.add(key)
        piece = None
        if usable:
            try:
                with open(folder / f"{key}.pickle", "rb") as f:  # type: ignore[operator]
                    piece = pickle.load(f)
            except Exception:  # missing, truncated or stale: a miss
                piece = None
        if piece is None:
            piece = _piece(group)
            if piece is None:
                return None
            if usable:
                try:
                    folder.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
                    write_bytes_atomic(folder / f"{key}.pickle", pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[operator]
                except OSError:
                    pass
        pieces.append(piece)
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
