"""The page's layout, computed in Python (kg/output/layout.py): seeded, flowing from causes to effects when small,
bounded in time, grouped above a size, and still made without Graphviz (or numpy)."""

from __future__ import annotations

import math
import shutil

import pytest

from kg.output import layout as lay

CHAIN = [("a", "b"), ("b", "c"), ("c", "d"), ("a", "d"), ("d", "e")]
NAMES = ["a", "b", "c", "d", "e", "lonely1", "lonely2"]
needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None or shutil.which("sfdp") is None,
                                    reason="Graphviz is not installed (apt-get install graphviz)")


@needs_graphviz
def test_a_small_view_flows_from_causes_to_effects_the_same_every_time():
    one = lay.layout(NAMES, CHAIN)
    assert one.method == "dot" and one == lay.layout(NAMES, CHAIN)
    x = {n: p[0] for n, p in one.positions.items()}
    assert x["a"] < x["b"] < x["c"] < x["d"] < x["e"]
    # Concepts with no link sit in rows under the drawing.
    lowest = max(one.positions[n][1] for n in "abcde")
    assert all(one.positions[n][1] > lowest for n in ("lonely1", "lonely2"))


@needs_graphviz
def test_a_bigger_view_is_laid_out_by_sfdp_spread_out():
    names = [f"k{i}" for i in range(500)]
    links = [(f"k{i}", f"k{(i * 7 + 3) % 500}") for i in range(500)] + [(f"k{i}", f"k{i + 1}") for i in range(499)]
    out = lay.layout(names, links)
    assert out.method == "sfdp" and set(out.positions) == set(names)
    lengths = sorted(math.dist(out.positions[a], out.positions[b]) for a, b in links)
    assert lengths[len(lengths) // 2] == pytest.approx(lay.EDGE_PX, rel=0.05)  # scaled to the page


def test_without_graphviz_plain_layers_lay_it_out_causes_left(monkeypatch):
    monkeypatch.setattr(lay.shutil, "which", lambda _: None)
    one = lay.layout(NAMES, CHAIN)
    assert one.method == "layers" and set(one.positions) == set(NAMES)
    assert one == lay.layout(NAMES, CHAIN)  # the same every time
    x = {n: p[0] for n, p in one.positions.items()}
    assert x["a"] < x["b"] < x["c"] < x["d"] < x["e"]
    grouped = lay.layout([f"k{i}" for i in range(60)], [(f"k{i}", f"k{(i * 7 + 1) % 60}") for i in range(60)],
                         group=True)
    assert grouped.method == "groups (Louvain) + layers" and len(grouped.positions) == 60


def test_the_plain_layout_needs_no_numpy():
    # CI installs only the declared dependencies; networkx's drawing functions would import numpy.
    import subprocess
    import sys

    code = ("import sys; sys.modules['numpy'] = None; from kg.output import layout as lay; "
            "lay.shutil.which = lambda _: None; print(lay.layout(['a', 'b', 'c'], [('a', 'b'), ('b', 'c')]).method)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "layers"


@pytest.mark.parametrize("seed", range(30))
def test_plain_layers_put_each_cause_left_of_its_effect_outside_cycles(seed):
    import random

    import networkx as nx

    rng = random.Random(seed)
    n = rng.randint(1, 40)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, 90))]
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        succ[a].append(b)
    comp = lay._components(n, succ)
    g = nx.DiGraph(edges)
    g.add_nodes_from(range(n))
    assert sorted(sorted(v for v in range(n) if comp[v] == c) for c in set(comp)) == \
        sorted(sorted(c) for c in nx.strongly_connected_components(g))
    pts = lay._layers(n, edges)
    assert all(pts[a][0] < pts[b][0] for a, b in edges if comp[a] != comp[b])
    assert len(set(pts)) == n  # no two concepts on one spot


@needs_graphviz
def test_a_slow_dot_gives_way_to_sfdp(monkeypatch):
    monkeypatch.setattr(lay, "DOT_SECONDS", 0.0001)
    assert lay.layout(NAMES, CHAIN).method == "sfdp"


def test_above_the_size_the_concepts_are_grouped_and_every_one_placed():
    names = [f"k{i}" for i in range(240)] + ["alone"]
    # three dense clusters joined by one link each
    links = [(f"k{i}", f"k{j}") for c in range(3) for i in range(c * 80, c * 80 + 80) for j in (i + 1, i + 5)
             if j < c * 80 + 80] + [("k0", "k80"), ("k80", "k160")]
    out = lay.layout(names, links, group=True)
    assert out.method.startswith("groups (Louvain)")
    assert sorted(n for g in out.groups for n in g) == sorted(names) and len(out.groups) >= 4
    assert ["alone"] in out.groups  # the unlinked concepts, a group of their own
    assert set(out.positions) == set(names)


def test_links_that_would_cross_a_concept_are_found():
    positions = {"a": (0.0, 0.0), "b": (100.0, 0.0), "c": (200.0, 0.0), "d": (100.0, 90.0)}
    assert lay.crossing_nodes(positions, [("a", "c"), ("a", "b"), ("a", "d")]) == {("a", "c")}
    assert lay.crossing_nodes(positions, [("a", "c")], limit=1) == set()  # bounded: not checked above the limit
