"""Turtle, TriG and JSON-LD assembled from each input file's own pieces, kept by content: a rebuild after one edit writes one file's RDF again.

TriG is one block per named graph (input file), in the graphs' order; Turtle and JSON-LD hold one
block (a subject's triples) or one node object per subject, in the subjects' order. Graphs that
describe a subject in common are joined into one group; no subject then has triples in two groups,
so the union's blocks are the groups' blocks merged by subject (heapq.merge, linear), and every
output is the same bytes as kg.rdf.serialize writes for the whole graph. Each group's blocks are
kept in a file under the digests of its graphs' records (kg.rdf.graphs) and the code that wrote
them, and the outputs are streamed from these files a chunk of blocks at a time: neither the pieces
nor the outputs are ever held whole (at a million claims they are gigabytes). When a group's output
does not split one block per subject, `open_pieces` gives None and the caller writes the whole
graph at once. tests/test_build_incremental.py compares the two.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import pickle
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.atomic import remove_unused_entries, write_atomic_with
from kg.rdf.emit import Quad
from kg.rdf.graphs import GraphRecord, code_key, records_of_quads

FORMAT = 3
CHUNK = 512  # blocks a piece file holds per pickle: what one group's reader keeps in memory while the outputs are merged

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


_BLOCK = re.compile(r"\n(?=[^\t])")  # a Turtle block starts at a line's first column (its triples' lines are indented)


def _parsed(records: list[GraphRecord]) -> list | None:
    """The group's pyoxigraph quads, read from the records' N-Quads lines by pyoxigraph's parser (in Rust: a fifth of the
    time of making each term in Python), sorted as kg.rdf.serialize.ox_quads_and_triples sorts them; None where that
    might not give the same terms: a graph with blank nodes (kg.rdf.serialize.to_pyoxigraph hashes some labels; only
    the small hand-written ontology files have them) or a line the parser refuses."""
    import pyoxigraph as ox

    out: list = []
    for r in records:
        lines = r.lines
        if b"_:" in lines:
            return None
        try:
            quads = list(ox.parse(lines, format=ox.RdfFormat.N_QUADS))
        except (SyntaxError, ValueError):
            return None
        if len(quads) != r.size:
            return None
        out += quads
    out.sort(key=lambda q: (q.graph_name.value, q.subject.value, q.predicate.value, str(q.object)))
    return out


def _union(oq: list, one_graph: bool) -> list:
    """The distinct triples of the quads, sorted as kg.rdf.serialize.union_triples sorts them."""
    if one_graph:  # the quads are distinct and sorted by subject, predicate, object already
        return [q.triple for q in oq]
    union: dict[tuple[str, str, str], object] = {}
    for q in oq:
        union.setdefault((str(q.subject), str(q.predicate), str(q.object)), q.triple)
    return sorted(union.values(), key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))


def _piece(records: list[GraphRecord]) -> Piece | None:
    """One group's TriG block per graph, and its subjects' Turtle blocks and JSON-LD nodes, or None if they do not split one per subject."""
    import pyoxigraph as ox

    from kg.rdf.serialize import PREFIXES, jsonld_node_texts, ox_quads_and_triples

    oq = _parsed(records)
    if oq is None:
        oq, triples = ox_quads_and_triples(None, [q for r in records for q in r.quads()], triples=True)
    else:
        triples = _union(oq, len(records) == 1)
    trig: dict[str, bytes] = {}
    header = b""
    graphs = sorted({q.graph_name.value for q in oq})
    for g in graphs:
        header, trig[g] = _split_header(ox.serialize(oq if len(graphs) == 1 else [q for q in oq if q.graph_name.value == g],
                                                     format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b"")
    theader, ttl = _split_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")
    subjects = list(dict.fromkeys(t.subject.value for t in triples))
    text = ttl.decode("utf-8")
    blocks = [b + "\n" for b in _BLOCK.split(text[:-1])] if text.endswith("\n") else ([text] if text else [])
    nodes = jsonld_node_texts(triples)
    if theader != header or len(blocks) != len(subjects) or len(nodes) != len(subjects):
        return None
    return header, trig, [(s, b, n) for (s, n), b in zip(nodes, blocks, strict=True)]


def _write_piece(path: Path, piece: Piece, kept: bool) -> None:
    """A piece as a file of pickles read in turn: (format, header, graphs, subjects, first, last), the TriG blocks, then its blocks CHUNK at a time.

    kept: in the cache, written under a temporary name and renamed (a killed build leaves no half piece); else (a
    folder of this build's own) written in place.
    """
    header, trig, blocks = piece
    graphs = sorted(trig)

    def write(f: BinaryIO) -> None:
        first, last = (blocks[0][0], blocks[-1][0]) if blocks else ("", "")
        pickle.dump((FORMAT, header, graphs, len(blocks), first, last), f, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump([trig[g] for g in graphs], f, protocol=pickle.HIGHEST_PROTOCOL)
        for i in range(0, len(blocks), CHUNK):
            pickle.dump(blocks[i : i + CHUNK], f, protocol=pickle.HIGHEST_PROTOCOL)

    if kept:
        write_atomic_with(path, write)
    else:
        with open(path, "wb") as f:
            write(f)


class _PieceFile:
    """A piece file's head (header, graphs, how many blocks, the first and last subject), its TriG blocks and blocks read on demand."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as f:
            head = pickle.load(f)
            self.trig_at = f.tell()
            pickle.load(f)  # the TriG blocks: skipped here, read when written
            self.blocks_at = f.tell()
        if not (isinstance(head, tuple) and len(head) == 6 and head[0] == FORMAT):
            raise ValueError(f"not a piece of format {FORMAT}")
        _, self.header, self.graphs, self.count, self.first, self.last = head

    def trig(self) -> list[bytes]:
        with open(self.path, "rb") as f:
            f.seek(self.trig_at)
            return pickle.load(f)

    def blocks(self) -> Iterator[tuple[str, str, str]]:
        """The (subject, Turtle block, JSON-LD node) of the piece in order; the file opened once per chunk (a merge of thousands of pieces keeps none open)."""
        at, left = self.blocks_at, self.count
        while left > 0:
            with open(self.path, "rb") as f:
                f.seek(at)
                chunk = pickle.load(f)
                at = f.tell()
            left -= len(chunk)
            yield from chunk


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
_GROUPS: list[tuple[list[GraphRecord], Path, bool]] | None = None


def _made(group: list[GraphRecord], path: Path, kept: bool) -> bool:
    """Make a group's piece and write it to `path`; False if it does not split one block per subject (nothing written)."""
    piece = _piece(group)
    if piece is None:
        return False
    _write_piece(path, piece, kept)
    return True


def _piece_of(i: int) -> bool:
    assert _GROUPS is not None
    return _made(*_GROUPS[i])


def _make_pieces(groups: list[tuple[list[GraphRecord], Path, bool]]) -> list[bool]:
    """Each group's piece written to its path, across the cores (forked processes, as SHACL's units) when there are
    many lines to write: a worker writes the file and answers a bool, so no piece passes through this process."""
    global _GROUPS
    import multiprocessing

    from kg.rdf.validate import default_workers

    workers = default_workers()
    if workers < 2 or len(groups) < 2 or sum(r.size for g, _, _ in groups for r in g) < PARALLEL_MIN \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [_made(*group) for group in groups]
    _GROUPS = groups
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(groups))) as pool:
            return pool.map(_piece_of, range(len(groups)), chunksize=1)
    finally:
        _GROUPS = None


class Pieces:
    """The graph's pieces, ready to be written out as Turtle, TriG and JSON-LD a chunk at a time (see open_pieces)."""

    def __init__(self, files: list[_PieceFile], keep: tempfile.TemporaryDirectory | None = None):
        self.files = files
        self.header = files[0].header
        self._keep = keep  # a folder of this build's own when the project has no cache: removed with this object

    def _merged(self) -> Iterator[tuple[str, str, str]]:
        """Every block in the subjects' order: the pieces in turn where their subjects do not interleave, else merged."""
        files = sorted((p for p in self.files if p.count), key=lambda p: p.first)
        if all(a.last < b.first for a, b in zip(files, files[1:], strict=False)):
            for p in files:
                yield from p.blocks()
        else:
            yield from heapq.merge(*(p.blocks() for p in files), key=lambda b: b[0])

    def write_turtle(self, f: BinaryIO) -> None:
        f.write(self.header)
        _write_joined(f, (b for _, b, _ in self._merged()))

    def write_trig(self, f: BinaryIO) -> None:
        f.write(self.header)
        order = sorted((g, i, j) for i, p in enumerate(self.files) for j, g in enumerate(p.graphs))
        held: tuple[int, list[bytes]] = (-1, [])
        for _, i, j in order:
            if held[0] != i:
                held = (i, self.files[i].trig())
            f.write(held[1][j])

    def write_jsonld(self, f: BinaryIO) -> None:
        from kg.rdf.serialize import jsonld_from_nodes

        head, tail = jsonld_from_nodes(["\0"]).split(b"\0")  # the document around its node objects
        first = True
        buf: list[str] = []
        for _, _, node in self._merged():
            buf.append(node)
            if len(buf) >= 4096:
                f.write((head if first else b",\n  ") + ",\n  ".join(buf).encode("utf-8"))
                first, buf = False, []
        if buf:
            f.write((head if first else b",\n  ") + ",\n  ".join(buf).encode("utf-8"))
            first = False
        f.write(jsonld_from_nodes([]) if first else tail)


def _write_joined(f: BinaryIO, texts: Iterator[str]) -> None:
    buf: list[str] = []
    for t in texts:
        buf.append(t)
        if len(buf) >= 4096:
            f.write("".join(buf).encode("utf-8"))
            buf.clear()
    f.write("".join(buf).encode("utf-8"))


def open_pieces(records: list[GraphRecord], folder: Path | None, scratch: Path | None = None) -> Pieces | None:
    """The graph the records hold as pieces, each group's kept in `folder` (made there if missing or stale), or None
    when a group does not split one block per subject (see the module docstring).

    Without a folder, the pieces are written for this build alone into `scratch` (a folder that goes with the
    build's stage, kg.atomic.StagedFiles.scratch, so that a killed build's are removed with its stage), else
    into a temporary folder removed with the Pieces.
    """
    keep = None
    if folder is None or folder.is_symlink():
        if scratch is None:
            keep = tempfile.TemporaryDirectory(prefix="govkg-pieces-")
            scratch = Path(keep.name)
        folder = scratch
    groups = _groups(records)
    keys = [_group_key(group) for group in groups]
    paths = [folder / f"{key}.pickle" for key in keys]
    found: list[_PieceFile | None] = []
    for path in paths:
        try:
            found.append(_PieceFile(path))
        except Exception:  # missing, truncated or stale: a miss
            found.append(None)
    todo = [i for i, piece in enumerate(found) if piece is None]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
    for i, made in zip(todo, _make_pieces([(groups[i], paths[i], folder is not scratch) for i in todo]), strict=True):
        if not made:
            return None
        found[i] = _PieceFile(paths[i])
    files = [p for p in found if p is not None]
    if folder is not scratch:
        remove_unused_entries(folder, set(keys))
    if not files or any(p.header != files[0].header for p in files) or not any(p.count for p in files):
        return None
    return Pieces(files, keep)


def render_rdf(quads: list[Quad], folder: Path | None) -> tuple[bytes, bytes, bytes] | None:
    """(Turtle, TriG, JSON-LD) of the graph from each group's pieces (kept in `folder`), or None when a group does not split (see the module docstring)."""
    return render_records(records_of_quads(quads), folder)


def render_records(records: list[GraphRecord], folder: Path | None) -> tuple[bytes, bytes, bytes] | None:
    """render_rdf of the graph the records hold (kg.rdf.graphs), in memory: what open_pieces writes out, as bytes."""
    pieces = open_pieces(records, folder)
    if pieces is None:
        return None
    out: list[bytes] = []
    for write in (pieces.write_turtle, pieces.write_trig, pieces.write_jsonld):
        buf = io.BytesIO()
        write(buf)
        out.append(buf.getvalue())
    return out[0], out[1], out[2]

