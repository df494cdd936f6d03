"""Turtle, TriG and JSON-LD assembled from each group's kept bytes: a rebuild after one edit writes one group's RDF anew and copies the rest.

The named graphs (one per input file) that describe a subject in common or share a blank node form a
group. Each group's piece is a file (`<key>.piece`, kept by the content of its graphs' records,
kg.rdf.graphs, and the code that writes them): a short head giving the byte sizes, then the group's
Turtle body (the union of its graphs' triples, by subject), its JSON-LD node objects joined by the
"@graph" list's separator, and one TriG block per graph. The outputs are these bytes in turn, never
merged again: govkg.trig is the prefix lines and every graph's block in the graphs' order; govkg.ttl
is the prefix lines and each group's body, the groups in the order of their first graph's name (as
TriG's graphs), within a group by subject; govkg.jsonld is the document's head, each group's node
objects in the same order, and its tail. Groups share no subject, so every subject still appears
once. The bytes are copied by the kernel (os.copy_file_range) where it can, else read and written a
megabyte at a time: no output is held whole in memory. Every writer of these files (`kg build` with
or without a cache, `kg release`'s render_outputs) goes through here, so they give the same bytes.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import io
import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from kg.atomic import remove_unused_entries, write_atomic_with
from kg.rdf.emit import Quad
from kg.rdf.graphs import GraphRecord, code_key, components, records_of_quads, subject_components

FORMAT = 4
SUFFIX = ".piece"
_MAGIC = b"govkg piece %d %d\n"  # FORMAT, the length of the JSON head that follows
# The errors of os.copy_file_range that mean "not here" (another file system, an old kernel, a file system or file
# that does not support it): the rest is copied by reading and writing. Any other error is the write's own.
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF, errno.EPERM}
_BUFFER = 1 << 20


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


@functools.lru_cache(maxsize=1)
def jsonld_frame() -> tuple[bytes, bytes, bytes]:
    """The JSON-LD document's head (up to its first node object), the separator between node objects, its tail."""
    from kg.rdf.serialize import jsonld_from_nodes

    head, sep, tail = jsonld_from_nodes(["\0", "\0"]).split(b"\0")
    return head, sep, tail


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


def _piece(records: list[GraphRecord]) -> tuple[dict, list[bytes]]:
    """One group's head and texts: its Turtle body, its JSON-LD node objects joined, one TriG block per graph (graphs by name)."""
    import pyoxigraph as ox

    from kg.rdf.serialize import PREFIXES, jsonld_node_texts, ox_quads_and_triples

    oq = _parsed(records)
    if oq is None:
        oq, triples = ox_quads_and_triples(None, [q for r in records for q in r.quads()], triples=True)
        bnodes = sorted({t.value for q in oq for t in (q.subject, q.object) if type(t) is ox.BlankNode})
    else:
        triples = _union(oq, len(records) == 1)
        bnodes = []  # _parsed takes no graph with a blank node
    graphs: list[str] = []
    trig: list[bytes] = []
    for g, quads in itertools.groupby(oq, key=lambda q: q.graph_name.value):  # sorted by graph first
        graphs.append(g)
        trig.append(_split_header(ox.serialize(list(quads), format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b"")[1])
    turtle = _split_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")[1]
    sep = jsonld_frame()[1].decode("utf-8")
    nodes = sep.join(n for _, n in jsonld_node_texts(triples)).encode("utf-8")
    head = {"graphs": graphs, "bnodes": bnodes, "sizes": [len(turtle), len(nodes), *map(len, trig)]}
    return head, [turtle, nodes, *trig]


def _write_piece(path: Path, records: list[GraphRecord], kept: bool) -> None:
    """Make a group's piece and write it to `path`: the magic line, the JSON head, then the texts one after another.

    kept: in the cache, written under a temporary name and renamed (a killed build leaves no half piece); else (a
    folder of this build's own) written in place.
    """
    head, texts = _piece(records)
    data = json.dumps(head, ensure_ascii=False).encode("utf-8")

    def write(f: BinaryIO) -> None:
        f.write(_MAGIC % (FORMAT, len(data)))
        f.write(data)
        for text in texts:
            f.write(text)

    if kept:
        write_atomic_with(path, write)
    else:
        with open(path, "wb") as f:
            write(f)


class _PieceFile:
    """A piece file's head: its graphs, blank-node labels and where each of its texts lies in the file."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as f:
            magic = f.readline(100)
            words = magic.split()
            if len(words) != 4 or words[:2] != [b"govkg", b"piece"] or words[2] != str(FORMAT).encode():
                raise ValueError(f"not a piece of format {FORMAT}")
            head = json.loads(f.read(int(words[3])))
            at = f.tell()
        self.graphs: list[str] = head["graphs"]
        self.bnodes: list[str] = head["bnodes"]
        sizes: list[int] = head["sizes"]
        if len(sizes) != 2 + len(self.graphs) or os.path.getsize(path) != at + sum(sizes):
            raise ValueError("a piece cut short")  # a miss: made again
        self.ranges: list[tuple[int, int]] = []  # (offset, size) of the Turtle body, the JSON-LD nodes, each graph's TriG block
        for size in sizes:
            self.ranges.append((at, size))
            at += size

    @property
    def turtle(self) -> tuple[int, int]:
        return self.ranges[0]

    @property
    def nodes(self) -> tuple[int, int]:
        return self.ranges[1]

    def trig(self, j: int) -> tuple[int, int]:
        return self.ranges[2 + j]


class _Copier:
    """Bytes of piece files appended to an output file: by the kernel (os.copy_file_range, no pass through this process)
    where the two files allow it, else read and written a megabyte at a time (an in-memory file, another file system, a
    kernel or file system without it: the first refusal settles it for the rest of the file)."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.fd: int | None = None
        if hasattr(os, "copy_file_range"):
            try:
                self.fd = out.fileno()
            except (AttributeError, OSError, ValueError):  # io.BytesIO: io.UnsupportedOperation
                self.fd = None

    def copy(self, path: Path, span: tuple[int, int]) -> None:
        offset, count = span
        if not count:
            return
        with open(path, "rb") as src:
            if self.fd is not None:
                self.out.flush()  # what is buffered goes first: the kernel writes at the file's own position
                copied = False
                try:
                    while count:
                        n = os.copy_file_range(src.fileno(), self.fd, count, offset)
                        if n == 0:
                            break  # the piece is shorter than its head says: the plain copy below says so
                        offset, count, copied = offset + n, count - n, True
                except OSError as exc:
                    if exc.errno not in _NO_KERNEL_COPY:
                        raise
                    self.fd = None
                if copied:
                    self.out.seek(0, io.SEEK_END)  # the file object's idea of its position, after what the kernel appended
            src.seek(offset)
            while count:
                chunk = src.read(min(count, _BUFFER))
                if not chunk:
                    raise OSError(errno.EIO, f"{path}: the piece is shorter than its head says")
                self.out.write(chunk)
                count -= len(chunk)


class Pieces:
    """The graph's pieces, in the groups' order, ready to be written out as Turtle, TriG and JSON-LD (see open_pieces)."""

    def __init__(self, files: list[_PieceFile], keep: tempfile.TemporaryDirectory | None = None, keys: list[str] | None = None):
        self.files = files
        self.keys = keys if keys is not None else [""] * len(files)  # each group's key (kg.output.parts records it)
        self._keep = keep  # a folder of this build's own when the project has no cache: removed with this object

    def write_turtle(self, f: BinaryIO) -> None:
        from kg.rdf.serialize import prefix_header

        if any(p.turtle[1] for p in self.files):
            f.write(prefix_header())
        copier = _Copier(f)
        for p in self.files:
            copier.copy(p.path, p.turtle)

    def write_trig(self, f: BinaryIO) -> None:
        from kg.rdf.serialize import prefix_header

        blocks = sorted((g, i, j) for i, p in enumerate(self.files) for j, g in enumerate(p.graphs))
        if any(self.files[i].trig(j)[1] for _, i, j in blocks):
            f.write(prefix_header())
        copier = _Copier(f)
        for _, i, j in blocks:
            copier.copy(self.files[i].path, self.files[i].trig(j))

    def write_jsonld(self, f: BinaryIO) -> None:
        from kg.rdf.serialize import jsonld_from_nodes

        head, sep, tail = jsonld_frame()
        groups = [p for p in self.files if p.nodes[1]]
        if not groups:
            f.write(jsonld_from_nodes([]))
            return
        f.write(head)
        copier = _Copier(f)
        for k, p in enumerate(groups):
            if k:
                f.write(sep)
            copier.copy(p.path, p.nodes)
        f.write(tail)


def _groups(records: list[GraphRecord]) -> list[list[GraphRecord]]:
    """The named graphs by name, those that describe a subject in common joined into one group, the groups in the order
    of their first graph's name: a subject's triples are then one group's alone.

    Subjects are compared by the 8-byte ids each record holds in memory (kg.rdf.graphs.node_ids), not by their IRIs,
    which a kept record reads from its data file: two subjects with one id would only join two groups, and every
    writer groups alike, so the outputs stay the same bytes whichever way they are written."""
    records = sorted(records, key=lambda r: r.name)
    return [[records[i] for i in part] for part in subject_components(records)]  # kept with the records (kg.rdf.graphs)


# Below this many lines to write, the missing pieces are made in this process (a pool costs more than it saves).
PARALLEL_MIN = 100_000
# Set before the pool's processes fork, so that they share the groups' records without pickling them.
_GROUPS: list[tuple[Path, list[GraphRecord], bool]] | None = None


def _piece_of(i: int) -> None:
    assert _GROUPS is not None
    _write_piece(*_GROUPS[i])


def _take_groups(portable: list, groups: list[tuple[Path, list[int], bool]]) -> None:
    """A spawned worker's start (kg.rdf.workers): the groups, made again from the records sent."""
    global _GROUPS
    from kg.rdf.workers import received

    records = received(portable)
    _GROUPS = [(path, [records[i] for i in group], kept) for path, group, kept in groups]


def _make_pieces(groups: list[tuple[Path, list[GraphRecord], bool]]) -> None:
    """Each group's piece written to its path, across the cores (as SHACL's units: spawned processes sent the records when
    each is kept in its data file, kg.rdf.workers, else forked) when there are many lines to write: a worker writes the
    file, so no piece passes through this process."""
    global _GROUPS
    import multiprocessing

    from kg.cores import default_workers
    from kg.rdf.workers import RecordTable, spawned_pool

    workers = default_workers()
    if workers < 2 or len(groups) < 2 or sum(r.size for _, g, _ in groups for r in g) < PARALLEL_MIN:
        for group in groups:
            _write_piece(*group)
        return
    table = RecordTable()
    plan = [(path, table.number(group), kept) for path, group, kept in groups]
    portable = table.portable()
    if portable is not None:
        with spawned_pool(min(workers, len(groups)), _take_groups, (portable, plan)) as pool:
            pool.map(_piece_of, range(len(groups)), chunksize=1)
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        for group in groups:
            _write_piece(*group)
        return
    _GROUPS = groups
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(groups))) as pool:
            pool.map(_piece_of, range(len(groups)), chunksize=1)
    finally:
        _GROUPS = None


def _opened(groups: list[list[GraphRecord]], folder: Path, kept: bool) -> tuple[list[_PieceFile], list[str]]:
    """Each group's piece file, read from `folder` or made there (all missing ones at once), and their keys."""
    keys = [_group_key(group) for group in groups]
    paths = [folder / f"{key}{SUFFIX}" for key in keys]
    found: list[_PieceFile | None] = []
    for path in paths:
        try:
            found.append(_PieceFile(path))
        except (OSError, ValueError, KeyError, TypeError):  # missing, truncated or stale: a miss
            found.append(None)
    todo = [i for i, piece in enumerate(found) if piece is None]
    if todo:
        folder.mkdir(parents=True, exist_ok=True)
        _make_pieces([(paths[i], groups[i], kept) for i in todo])
    return [p if p is not None else _PieceFile(paths[i]) for i, p in enumerate(found)], keys


def open_pieces(records: list[GraphRecord], folder: Path | None, scratch: Path | None = None) -> Pieces:
    """The graph the records hold as pieces, each group's kept in `folder` (made there if missing or stale).

    Groups that turn out to share a blank-node label (which each piece's head lists: the emitter gives each
    input file labels of its own, so only hand-made quads do) are joined and made again as one, so that no
    label is written by two groups. Without a folder, the pieces are written for this build alone into
    `scratch` (a folder that goes with the build's stage, kg.atomic.StagedFiles.scratch, so that a killed
    build's are removed with its stage), else into a temporary folder removed with the Pieces.
    """
    keep = None
    if folder is None or folder.is_symlink():
        if scratch is None:
            keep = tempfile.TemporaryDirectory(prefix="govkg-pieces-")
            scratch = Path(keep.name)
        folder = scratch
    kept = folder is not scratch
    groups = _groups(records)
    files, keys = _opened(groups, folder, kept)
    used = list(keys)
    if any(p.bnodes for p in files):
        parts = components([p.bnodes for p in files])
        if len(parts) < len(groups):
            groups = [sorted((r for i in part for r in groups[i]), key=lambda r: r.name) for part in parts]
            files, keys = _opened(groups, folder, kept)
            used += keys  # the pieces that show the join are asked for again on the next build: kept too
    if kept:
        remove_unused_entries(folder, set(used), SUFFIX)
        remove_unused_entries(folder, set(), ".pickle")  # the pieces of an earlier format
    return Pieces(files, keep, keys)


def render_rdf(quads: list[Quad], folder: Path | None) -> tuple[bytes, bytes, bytes]:
    """(Turtle, TriG, JSON-LD) of the graph from each group's pieces (kept in `folder`)."""
    return render_records(records_of_quads(quads), folder)


def render_records(records: list[GraphRecord], folder: Path | None) -> tuple[bytes, bytes, bytes]:
    """render_rdf of the graph the records hold (kg.rdf.graphs), in memory: what open_pieces writes out, as bytes."""
    pieces = open_pieces(records, folder)
    out: list[bytes] = []
    for write in (pieces.write_turtle, pieces.write_trig, pieces.write_jsonld):
        buf = io.BytesIO()
        write(buf)
        out.append(buf.getvalue())
    return out[0], out[1], out[2]
