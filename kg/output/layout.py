"""Where each concept stands on the page: a layout computed in Python before the page opens, the same every time, bounded in time.

Measured on this machine (2 shared cores), Graphviz 2.43: `dot` (causes left, effects right) lays out
the real graph (218 concepts, 308 links) in 0.4 s but a synthetic 200 concepts with 843 links in 10 s
and 1,000 with 4,246 not in 2 minutes; `sfdp` (force-directed) takes 0.3 s, 1.5 s and 7.7 s for 218,
1,000 and 5,000 concepts. So: `dot` when the linked part is small and sparse, under a time limit, else
`sfdp`; without Graphviz, a layered drawing in plain Python (networkx's spring layout needs numpy,
which govkg does not depend on, and costs n² an iteration). Above
CLUSTER_ABOVE concepts the page opens on groups (Louvain communities, 2.2 s at 5,000 concepts): the groups
are laid out as one small graph, and each group's concepts (by sfdp) around its place, so no call sees the
whole graph.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

SEED = 7
DOT_MAX_CONCEPTS = 400  # linked concepts; dot's crossing minimisation grows much faster than this
DOT_MAX_LINKS = 600
DOT_SECONDS = 5.0  # past this, sfdp
SFDP_SECONDS = 60.0  # past this, plain layers
# concepts; with bench/page.py's measures on 2 shared cores (load ≈ 10): 2,000 concepts drawn one by one
# take 135 ms a frame and 0.9–1.5 s a click, 1,000 take 0.1–0.7 s a click
CLUSTER_ABOVE = 1500
EDGE_PX = 150.0  # typical link length on the page at zoom 1


@dataclass
class Layout:
    """Positions (page pixels at zoom 1) and how they were found; `groups` only for a grouped page."""

    positions: dict[str, tuple[float, float]]
    method: str
    groups: list[list[str]] = field(default_factory=list)


def _graphviz(engine: str, names: Sequence[str], edges: Sequence[tuple[int, int]], attrs: str,
              sizes: Sequence[tuple[float, float]] | None, seconds: float) -> list[tuple[float, float]] | None:
    """Positions (inches) from a Graphviz engine, or None when it is missing, fails or runs out of time."""
    exe = shutil.which(engine)
    if exe is None:
        return None
    lines = ["digraph G {", f"graph [{attrs}];", "node [shape=box, fixedsize=true, label=\"\"];"]
    for i in range(len(names)):
        w, h = sizes[i] if sizes else (0.3, 0.3)
        lines.append(f"n{i} [width={w:.2f}, height={h:.2f}];")
    lines += [f"n{a} -> n{b};" for a, b in edges]
    lines.append("}")
    try:
        proc = subprocess.run([exe, "-Tplain"], input="\n".join(lines), capture_output=True, text=True,
                              timeout=seconds, check=False)
    except (subprocess.TimeoutExpired, OSError):
        return None
    if proc.returncode:
        return None
    out: list[tuple[float, float] | None] = [None] * len(names)
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[0] == "node" and parts[1].startswith("n"):
            out[int(parts[1][1:])] = (float(parts[2]), -float(parts[3]))  # Graphviz's y grows upwards
    if any(p is None for p in out):
        return None
    return [p for p in out if p is not None]


def _layers(n: int, edges: Sequence[tuple[int, int]], sweeps: int = 4) -> list[tuple[float, float]]:
    """A layered drawing in plain Python (no numpy): causes left of effects, as `dot` would put them.

    Each concept's column is the longest chain of links leading to it, with every cycle counted as
    one step (strongly connected components, Tarjan's); within a column the order follows the mean
    row of the linked concepts, a few sweeps left to right and back. Cost O(sweeps · (n + e) log n),
    so it stays quick where Graphviz is missing, at any size.
    """
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        succ[a].append(b)
        pred[b].append(a)
    comp = _components(n, succ)
    column = [0] * n
    # Tarjan numbers components in reverse topological order: the highest number has no cause outside it.
    by_comp: dict[int, list[int]] = {}
    for v in range(n):
        by_comp.setdefault(comp[v], []).append(v)
    for c in sorted(by_comp, reverse=True):
        col = max((column[u] + 1 for v in by_comp[c] for u in pred[v] if comp[u] != c), default=0)
        for v in by_comp[c]:
            column[v] = col
    cols: dict[int, list[int]] = {}
    for v in range(n):
        cols.setdefault(column[v], []).append(v)
    row = [0.0] * n
    for members in cols.values():
        for i, v in enumerate(members):
            row[v] = float(i)
    order = sorted(cols)
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        for c in (order if forward else order[::-1]):
            members = cols[c]
            def mean(v: int) -> float:
                near = pred[v] + succ[v]
                return sum(row[u] for u in near) / len(near) if near else row[v]
            members.sort(key=lambda v: (mean(v), v))
            for i, v in enumerate(members):
                row[v] = float(i)
    tallest = max((len(m) for m in cols.values()), default=1)
    out = [(0.0, 0.0)] * n
    for c, members in cols.items():
        shift = (tallest - len(members)) / 2  # each column centred on the tallest
        for v in members:
            out[v] = (c * 2.0, row[v] + shift)
    return out


def _components(n: int, succ: list[list[int]]) -> list[int]:
    """Strongly connected components (Tarjan's, iterative): each vertex's component number."""
    index = [-1] * n
    low = [0] * n
    comp = [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = count = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            if i < len(succ[v]):
                work.append((v, i + 1))
                w = succ[v][i]
                if index[w] < 0:
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = count
                    if w == v:
                        break
                count += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return comp


def _scaled(points: list[tuple[float, float]], edges: Sequence[tuple[int, int]], unit: float | None = None):
    """Points scaled so that the median link is EDGE_PX long (or by `unit`), centred on 0."""
    if not points:
        return points
    if unit is None:
        lengths = sorted(math.dist(points[a], points[b]) for a, b in edges if a != b) or [1.0]
        median = lengths[len(lengths) // 2] or 1.0
        unit = EDGE_PX / median
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    return [((x - cx) * unit, (y - cy) * unit) for x, y in points]


def _grid(names: Sequence[str], width: float, top: float, step: float = 110.0) -> dict[str, tuple[float, float]]:
    """Concepts with no link in the view, in rows under the drawing, as wide as it."""
    cols = max(1, int(width // step))
    left = -(min(cols, len(names)) - 1) * step / 2
    return {n: (left + (i % cols) * step, top + (i // cols) * step * 0.6) for i, n in enumerate(names)}


def _flat(names: list[str], edges: list[tuple[int, int]], label_px: Callable[[str], float],
          flow: bool = True) -> tuple[list, str]:
    """One layout of a linked graph: dot when small enough and quick (and `flow`), else sfdp, else plain layers."""
    if flow and len(names) <= DOT_MAX_CONCEPTS and len(edges) <= DOT_MAX_LINKS:
        # Boxes as wide as the label, so ranks and neighbours leave room for it; causes left, effects right.
        sizes = [(max(0.4, label_px(n) / 72), 0.5) for n in names]
        pts = _graphviz("dot", names, edges, "rankdir=LR, ranksep=0.6, nodesep=0.15, newrank=true, "
                        "nslimit=4, nslimit1=4, mclimit=0.5, searchsize=50", sizes, DOT_SECONDS)
        if pts is not None:
            return _scaled(pts, edges, unit=72.0), "dot"
    pts = _graphviz("sfdp", names, edges, f"overlap=prism, overlap_scaling=-4, start={SEED}", None, SFDP_SECONDS)
    if pts is not None:
        return _scaled(pts, edges), "sfdp"
    return _scaled(_layers(len(names), edges), edges), "layers"


def layout(names: Sequence[str], links: Sequence[tuple[str, str]], label_px: Callable[[str], float] = lambda _: 60.0,
           *, group: bool | None = None) -> Layout:
    """Where each of `names` stands, from the links between them (cause, effect).

    `label_px`: a label's width in pixels, so that `dot` leaves room for it. `group`: open on
    communities (default: above CLUSTER_ABOVE concepts).
    """
    index = {n: i for i, n in enumerate(names)}
    pairs = sorted({(index[a], index[b]) for a, b in links if a in index and b in index and a != b})
    linked = sorted({i for pair in pairs for i in pair})
    lonely = [names[i] for i in range(len(names)) if i not in set(linked)]
    group = len(names) > CLUSTER_ABOVE if group is None else group
    if group:
        positions, method, groups = _grouped(names, pairs, linked)
    else:
        sub = {old: new for new, old in enumerate(linked)}
        pts, method = _flat([names[i] for i in linked], [(sub[a], sub[b]) for a, b in pairs], label_px)
        positions = {names[i]: pts[sub[i]] for i in linked}
        groups = []
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [-EDGE_PX]
    positions.update(_grid(lonely, max(xs) - min(xs) + EDGE_PX * 2, max(ys) + EDGE_PX))
    if groups and lonely:
        groups.append(lonely)
    return Layout({n: (round(x, 1), round(y, 1)) for n, (x, y) in positions.items()}, method, groups)


def crossing_nodes(positions: dict[str, tuple[float, float]], links: Sequence[tuple[str, str]], near: float = 22.0,
                   limit: int = 400_000) -> set[tuple[str, str]]:
    """The links whose straight line passes within `near` pixels of another concept (to be drawn curved).

    A layered layout puts a long link straight through the concepts of the ranks it skips; checked
    only while links × concepts stays under `limit`, so the cost is bounded.
    """
    if len(links) * len(positions) > limit:
        return set()
    out = set()
    pts = list(positions.items())
    for a, b in links:
        (ax, ay), (bx, by) = positions[a], positions[b]
        dx, dy = bx - ax, by - ay
        span = dx * dx + dy * dy
        if span == 0:
            continue
        lo_x, hi_x, lo_y, hi_y = min(ax, bx) - near, max(ax, bx) + near, min(ay, by) - near, max(ay, by) + near
        for name, (x, y) in pts:
            if name == a or name == b or not (lo_x <= x <= hi_x and lo_y <= y <= hi_y):
                continue
            u = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / span))
            if math.hypot(ax + u * dx - x, ay + u * dy - y) < near:
                out.add((a, b))
                break
    return out


def _grouped(names: Sequence[str], pairs: list[tuple[int, int]], linked: list[int]):
    """Communities (Louvain, seeded) laid out as one graph, each one's concepts around its place."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(linked)
    g.add_edges_from(pairs)
    comms = sorted((sorted(c) for c in nx.community.louvain_communities(g, seed=SEED)), key=lambda c: (-len(c), c[0]))
    where = {i: k for k, c in enumerate(comms) for i in c}
    between = sorted({(where[a], where[b]) for a, b in pairs if where[a] != where[b]})
    local = {i: j for c in comms for j, i in enumerate(c)}
    inside: list[list[tuple[int, int]]] = [[] for _ in comms]
    for a, b in pairs:
        if where[a] == where[b]:
            inside[where[a]].append((local[a], local[b]))
    # sfdp inside each group: dot's time limit, once per group, would add up with the number of groups
    inner = [_flat([names[i] for i in c], inside[k], lambda _: 60.0, flow=False) for k, c in enumerate(comms)]
    radius = [max((math.hypot(x, y) for x, y in pts), default=0.0) + EDGE_PX for pts, _ in inner]
    centres = _graphviz("sfdp", [str(k) for k in range(len(comms))], between, f"overlap=prism, start={SEED}", None, SFDP_SECONDS)
    if centres is None:
        centres = _layers(len(comms), between)
    # Spread the centres until no two groups' discs overlap.
    grow = 1.0
    for a in range(len(comms)):
        for b in range(a + 1, len(comms)):
            d = math.dist(centres[a], centres[b]) or 1e-6
            grow = max(grow, (radius[a] + radius[b]) / d)
    positions = {}
    for k, c in enumerate(comms):
        cx, cy = centres[k][0] * grow, centres[k][1] * grow
        for i, (x, y) in zip(c, inner[k][0], strict=True):
            positions[names[i]] = (cx + x, cy + y)
    methods = sorted({m for _, m in inner})
    return positions, "groups (Louvain) + " + "/".join(methods), [[names[i] for i in c] for c in comms]
