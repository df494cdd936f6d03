"""kg.output.pieces: the outputs assembled from each group's kept bytes hold the model's quads, in the groups' order, the same bytes whichever way they are made."""

from __future__ import annotations

import errno
import io
import json
import os
import re

import pyoxigraph as ox
import pytest

from kg.iris import GKCL, GKS, RDFS
from kg.rdf.emit import BNode, Lit, iter_quads
from kg.rdf.serialize import ox_quads_and_triples

from .conftest import invoke
from .edit_mini import load

G = "http://g/"


def _quads_of(quads) -> tuple[set, set]:
    """The model's quads and the union of their triples (in the default graph), as pyoxigraph sees them."""
    oq, triples = ox_quads_and_triples(None, quads, triples=True)
    return set(oq), {ox.Quad(t.subject, t.predicate, t.object) for t in triples}


def _parsed(ttl: bytes, trig: bytes, jsonld: bytes) -> tuple[set, set, set]:
    json.loads(jsonld)  # JSON first, then JSON-LD
    return (set(ox.parse(trig, format=ox.RdfFormat.TRIG)), set(ox.parse(ttl, format=ox.RdfFormat.TURTLE)),
            set(ox.parse(jsonld, format=ox.RdfFormat.JSON_LD)))


def _mini_quads(mini_ro, case: str) -> list:
    quads = list(iter_quads(load(mini_ro)))
    claim = GKCL + "b-reform-shirking"
    if case == "a subject described in two files":
        quads.append((claim, RDFS + "seeAlso", GKS + "mini-a", quads[0][3]))
    elif case == "a blank node and a newline in a literal":
        quads += [(claim, RDFS + "seeAlso", BNode("b1"), quads[-1][3]), (BNode("b1"), RDFS + "comment", Lit("two\nlines"), quads[-1][3])]
    elif case == "a blank node two files point to":  # the same node in the union: one group must hold it
        graphs = sorted({q[3] for q in quads})
        quads += [("http://example.org/x", RDFS + "seeAlso", BNode("shared"), graphs[0]),
                  ("http://example.org/y", RDFS + "seeAlso", BNode("shared"), graphs[-1])]
    return quads


CASES = ["as emitted", "a subject described in two files", "a blank node and a newline in a literal", "a blank node two files point to"]


@pytest.mark.parametrize("case", CASES)
def test_the_assembled_outputs_hold_the_models_quads(mini_ro, tmp_path, case):
    from kg.output.pieces import render_rdf

    quads = _mini_quads(mini_ro, case)
    dataset, union = _quads_of(quads)
    written = render_rdf(quads, tmp_path / "pieces")
    trig, ttl, jsonld = _parsed(*written)
    assert trig == dataset and ttl == union and jsonld == union
    assert render_rdf(quads, tmp_path / "pieces") == written  # read back from the kept pieces
    assert render_rdf(quads, None) == written  # a folder of its own
    assert len(list((tmp_path / "pieces").glob("*.piece"))) >= 3  # one piece per file, or per files sharing a subject


def _subjects_in_order(ttl: bytes) -> list[str]:
    """Each block's subject, in the order the Turtle writes them (a block starts at a line's first column)."""
    return [line.split(" ", 1)[0] for line in ttl.decode("utf-8").split("\n") if line and not line.startswith(("@prefix", "\t", " "))]


def _groups_by_hand(quads) -> list[list[str]]:
    """The graphs joined where they share a subject or a blank node, by name, in the order of their first graph."""
    nodes: dict[str, set] = {}
    for s, _, o, g in quads:
        nodes.setdefault(g, set()).update([s] + ([o] if isinstance(o, BNode) else []) + ([s] if isinstance(s, BNode) else []))
    groups: list[tuple[set, set]] = []
    for g in sorted(nodes):
        mine = ({g}, set(nodes[g]))
        for other in [x for x in groups if x[1] & mine[1]]:
            groups.remove(other)
            mine = (mine[0] | other[0], mine[1] | other[1])
        groups.append(mine)
    return sorted((sorted(names) for names, _ in groups), key=lambda names: names[0])


@pytest.mark.parametrize("case", CASES)
def test_turtle_and_jsonld_go_group_by_group_each_by_subject(mini_ro, tmp_path, case):
    from kg.output.pieces import render_rdf

    quads = _mini_quads(mini_ro, case)
    ttl, trig, jsonld = render_rdf(quads, tmp_path / "pieces")
    groups = _groups_by_hand(quads)
    if case == "a blank node two files point to":
        assert any(len(g) > 1 for g in groups)  # the shared node joined two files that share no subject
    oq = ox_quads_and_triples(None, quads)[0]
    group_of = {g: i for i, names in enumerate(groups) for g in names}
    subject_group = {(q.subject.value if type(q.subject) is ox.NamedNode else "_:" + q.subject.value): group_of[q.graph_name.value] for q in oq}
    expected = sorted(subject_group, key=lambda s: (subject_group[s], s.removeprefix("_:")))
    assert [_expand(s, _prefixes(ttl)) for s in _subjects_in_order(ttl)] == expected
    document = json.loads(jsonld)
    assert [_expand(n["@id"], document["@context"]) for n in document["@graph"]] == expected
    assert len(expected) == len(set(expected))  # every subject once
    graphs = [line.split(" ", 1)[0] for line in trig.decode().split("\n") if line.endswith("{")]
    assert graphs == sorted(graphs) and len(graphs) == len(group_of)


def _prefixes(ttl: bytes) -> dict[str, str]:
    return {line.split()[1][:-1]: line.split()[2][1:-1] for line in ttl.decode("utf-8").split("\n") if line.startswith("@prefix ")}


def _expand(name: str, prefixes: dict[str, str]) -> str:
    """A subject as the Turtle or JSON-LD writes it (<iri>, prefix:local, _:label) as its IRI or _:label."""
    if name.startswith("<"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local) if prefix in prefixes else name  # Turtle's escapes (a\/b) undone


def test_no_two_pieces_hold_the_same_blank_node_label(mini_ro, tmp_path):
    from kg.output.pieces import SUFFIX, _PieceFile, render_rdf

    quads = _mini_quads(mini_ro, "a blank node two files point to")
    render_rdf(quads, tmp_path / "pieces")
    render_rdf(quads, tmp_path / "pieces")  # read back: the join is found again from the kept pieces
    kept = [_PieceFile(p) for p in sorted((tmp_path / "pieces").glob(f"*{SUFFIX}"))]
    graphs = sorted({q[3] for q in quads})
    joined = [p for p in kept if graphs[0] in p.graphs and graphs[-1] in p.graphs]
    assert len(joined) == 1 and "shared" in joined[0].bnodes
    # the pieces of the assembly (those of the joined group and of the groups it does not touch) share no label
    used = [p for p in kept if p is joined[0] or not set(p.graphs) & set(joined[0].graphs)]
    labels = [b for p in used for b in p.bnodes]
    assert len(labels) == len(set(labels)) and sorted(g for p in used for g in p.graphs) == graphs


def test_a_graph_without_triples_gives_empty_turtle_and_trig_and_an_empty_jsonld_document():
    from kg.output.pieces import render_rdf
    from kg.rdf.serialize import jsonld_from_nodes

    assert render_rdf([], None) == (b"", b"", jsonld_from_nodes([]))
    assert json.loads(jsonld_from_nodes([]))["@graph"] == []


def _kernel_copies(monkeypatch, fail: int | None = None, at_most: int | None = None) -> list[int]:
    """os.copy_file_range counted, failing with `fail` (an errno) or copying at most `at_most` bytes a call."""
    calls: list[int] = []
    real = os.copy_file_range

    def copy(src, dst, count, offset_src=None, offset_dst=None):
        calls.append(count)
        if fail is not None:
            raise OSError(fail, os.strerror(fail))
        return real(src, dst, min(count, at_most or count), offset_src, offset_dst)

    monkeypatch.setattr(os, "copy_file_range", copy)
    return calls


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="os.copy_file_range is Linux's (and FreeBSD's)")
@pytest.mark.parametrize("how", ["kernel", "another file system (EXDEV)", "not supported (ENOSYS)", "a few bytes a call"])
def test_a_build_copies_the_pieces_by_the_kernel_or_falls_back_to_a_plain_copy(runner, mini, tmp_path, monkeypatch, how):
    assert invoke(runner, mini, "build", "--out", str(tmp_path / "first")).exit_code == 0
    fail = {"another file system (EXDEV)": errno.EXDEV, "not supported (ENOSYS)": errno.ENOSYS}.get(how)
    calls = _kernel_copies(monkeypatch, fail, 7 if how == "a few bytes a call" else None)
    result = invoke(runner, mini, "build", "--out", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()} == {p.name: p.read_bytes() for p in (tmp_path / "first").iterdir()}
    if fail is not None:
        assert len(calls) == 3  # refused once per output file, then copied by reading and writing
    else:
        assert len(calls) > 3 * (1 if how == "kernel" else 50)


@pytest.mark.skipif(not hasattr(os, "copy_file_range"), reason="os.copy_file_range is Linux's (and FreeBSD's)")
def test_a_kernel_copy_that_fails_otherwise_fails_the_build_and_leaves_dist(runner, mini, monkeypatch):
    assert invoke(runner, mini, "build").exit_code == 0
    before = {p.name: p.read_bytes() for p in (mini / "dist").iterdir()}
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform cuts shirking."), encoding="utf-8")
    _kernel_copies(monkeypatch, errno.ENOSPC)  # a full disk is the write's own error, not a reason to copy otherwise
    result = invoke(runner, mini, "build")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in (mini / "dist").iterdir()} == before


def test_a_piece_shorter_than_its_head_is_an_error_when_copied_and_a_miss_when_opened(tmp_path):
    from kg.output.pieces import _Copier, _PieceFile, render_rdf

    quads = [("http://a/1", "http://p", Lit("x"), G + "1"), ("http://b/1", "http://p", Lit("y"), G + "2")]
    first = render_rdf(quads, tmp_path / "pieces")
    path = sorted((tmp_path / "pieces").iterdir())[0]
    piece = _PieceFile(path)
    path.write_bytes(path.read_bytes()[:-3])
    for out in (io.BytesIO(), open(tmp_path / "out", "wb")):  # a plain copy, a kernel copy
        with out, pytest.raises(OSError, match="shorter than its head says"):
            _Copier(out).copy(path, piece.ranges[-1])  # the last text, whose end was cut
    assert render_rdf(quads, tmp_path / "pieces") == first  # cut short: made again


def test_the_sites_turtle_and_jsonld_are_the_builds_bytes(runner, mini):
    from kg.model.project import load_kg
    from kg.output.site.builder import site_files

    assert invoke(runner, mini, "build").exit_code == 0
    files = site_files(load_kg(mini)[0], with_map=False)
    assert files["govkg.ttl"] == (mini / "dist" / "govkg.ttl").read_bytes()
    assert files["govkg.jsonld"] == (mini / "dist" / "govkg.jsonld").read_bytes()


def test_pieces_no_longer_used_and_those_of_an_earlier_format_are_removed(runner, mini):
    assert invoke(runner, mini, "build").exit_code == 0
    folder = mini / ".cache" / "rdf-pieces"
    before = sorted(p.name for p in folder.iterdir())
    (folder / ("a" * 64 + ".pickle")).write_bytes(b"a piece of format 3")
    path = mini / "claims" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform cuts shirking."), encoding="utf-8")
    assert invoke(runner, mini, "build").exit_code == 0
    after = sorted(p.name for p in folder.iterdir())
    assert len(after) == len(before) and len(set(after) - set(before)) == 1 and all(n.endswith(".piece") for n in after)
