"""INTERIM stand-in for kg/paths.py, kg/loops.py and kg/names.py (branch query) until they land on main.

Only `kg.citations` imports it, and only when `kg.paths` is missing; it offers the few names
citations need, with the same signatures and result attributes, so that deleting this file is the
whole swap once the query modules are on main.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import NameNotFound

SIGN = {"positive": 1, "negative": -1}


@dataclass
class Step:
    cause: str
    effect: str
    claims: list

    @property
    def polarity(self) -> str:
        kinds = {c.polarity for c in self.claims}
        return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass
class CausalPath:
    steps: list[Step]
    net_polarity: str
    stated_by: list[str] = field(default_factory=list)

    @property
    def concepts(self) -> list[str]:
        return [self.steps[0].cause] + [s.effect for s in self.steps]


@dataclass
class Loop:
    steps: list[Step]
    kind: str
    stated_by: list[str]

    @property
    def concepts(self) -> list[str]:
        return [s.cause for s in self.steps]


def resolve_concept(kg, name: str) -> str:
    """A concept by id or by any of its labels, simplified/traditional and case ignored."""
    from .quotes import fold

    if name in kg.concepts:
        return name
    wanted = fold(name.strip()).casefold()
    hits = [cid for cid, c in kg.concepts.items() if wanted in {fold(x).casefold() for x in c.all_labels()}]
    if len(hits) == 1:
        return hits[0]
    raise NameNotFound(f"no concept named '{name}'" if not hits else f"'{name}' names several concepts: {', '.join(hits)}")


def _product(steps: list[Step]) -> int | None:
    sign = 1
    for s in steps:
        if s.polarity == "mixed":
            return None
        sign *= SIGN[s.polarity]
    return sign


def _link_graph(kg):
    import networkx as nx

    g = nx.DiGraph()
    for c in kg.claims.values():
        if g.has_edge(c.cause, c.effect):
            g[c.cause][c.effect]["claims"].append(c)
        else:
            g.add_edge(c.cause, c.effect, claims=[c])
    return g


def _steps(g, nodes: list[str]) -> list[Step]:
    return [Step(u, v, sorted(g[u][v]["claims"], key=lambda c: c.id)) for u, v in zip(nodes, nodes[1:], strict=False)]


def _stated_by(kg, nodes: list[str], steps: list[Step]) -> list[str]:
    """Sources with a chain that runs through these concepts in this order (every source, for one link)."""
    if len(steps) == 1:
        return sorted({c.source for c in steps[0].claims})
    n = len(nodes)
    return sorted({ch.source for ch in kg.chains.values()
                   if any(ch.steps[i:i + n] == nodes for i in range(len(ch.steps) - n + 1))})


def find_paths(kg, source: str, target: str, *, max_len: int = 4, limit: int | None = 20, **_ignored) -> list[CausalPath]:
    """Simple paths, shortest first: thinly wraps networkx.shortest_simple_paths."""
    import networkx as nx

    start, end = resolve_concept(kg, source), resolve_concept(kg, target)
    g = _link_graph(kg)
    out: list[CausalPath] = []
    if start not in g or end not in g:
        return out
    try:
        for nodes in nx.shortest_simple_paths(g, start, end):
            if len(nodes) - 1 > max_len or (limit is not None and len(out) >= limit):
                break
            steps = _steps(g, nodes)
            sign = _product(steps)
            out.append(CausalPath(steps, "mixed" if sign is None else ("positive" if sign > 0 else "negative"),
                                  _stated_by(kg, nodes, steps)))
    except nx.NetworkXNoPath:
        pass
    return out


def find_loops(kg, concept: str | None = None, *, max_len: int = 6, **_ignored) -> list[Loop]:
    """Simple cycles through `concept`, shortest first: thinly wraps networkx.simple_cycles."""
    import networkx as nx

    start = resolve_concept(kg, concept) if concept is not None else None
    g = _link_graph(kg)
    loops = []
    for cycle in nx.simple_cycles(g, length_bound=max_len):
        if start is not None and start not in cycle:
            continue
        i = cycle.index(start) if start is not None else cycle.index(min(cycle))
        nodes = cycle[i:] + cycle[:i]
        steps = _steps(g, nodes + [nodes[0]])
        sign = _product(steps)
        kind = "mixed" if sign is None else ("reinforcing" if sign > 0 else "balancing")
        common = set.intersection(*({c.source for c in s.claims} for s in steps))
        loops.append(Loop(steps, kind, sorted(common)))
    loops.sort(key=lambda lp: (len(lp.steps), lp.concepts))
    return loops
