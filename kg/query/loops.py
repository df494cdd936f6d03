"""Feedback loops: bounded simple cycles of the claim graph, reinforcing or balancing, and who states them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from kg.errors import QueryError
from kg.model.names import resolve_concept, resolve_sources
from kg.query.paths import (
    LinkView,
    Step,
    StepSequence,
    check_include,
    claim_filter,
    claim_paragraphs,
    sign_of,
    stated_by,
)


@dataclass
class Loop(StepSequence):
    """A cycle of concepts back to its start; `stated_by` lists the sources that state it whole (as for paths)."""

    steps: list[Step]
    kind: str  # reinforcing | balancing | mixed
    stated_by: list[str]

    @property
    def concepts(self) -> list[str]:
        return [s.cause for s in self.steps]


def loop_kind(steps: Iterable[Step]) -> str:
    """reinforcing for an even number of negative links, balancing for an odd one; mixed if a link's claims disagree."""
    sign = sign_of(steps)
    return "mixed" if sign is None else ("reinforcing" if sign > 0 else "balancing")


def _rotate(cycle: list[str], first: str | None) -> list[str]:
    """The cycle starting at `first` (or at its smallest id), so that a loop is always written the same way."""
    i = cycle.index(first) if first in cycle else cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


def _distances_back(pred: Mapping[str, Collection[str]], root: str, rank: Mapping[str, int] | None, bound: int) -> dict[str, int]:
    """For each node that reaches `root` in at most `bound` links, that number of links (BFS on the reversed links).

    With `rank`, only through nodes ranked after `root` (the ones its search may use).
    """
    dist = {root: 0}
    frontier = [root]
    above = rank[root] if rank is not None else 0
    for d in range(1, bound + 1):
        nxt = []
        for v in frontier:
            for u in pred[v]:
                if u not in dist and (rank is None or rank.get(u, -1) > above):
                    dist[u] = d
                    nxt.append(u)
        if not nxt:
            break
        frontier = nxt
    return dist


def _cycles_from(succ: Mapping[str, Collection[str]], pred: Mapping[str, Collection[str]], root: str,
                 rank: Mapping[str, int] | None, max_len: int) -> Iterator[list[str]]:
    """Every simple cycle through `root` of 2..max_len links (over nodes ranked after it, given `rank`), each once, from `root`.

    A depth-first search from `root` that enters a node only if it can still get back to `root`
    within the bound (its distance back, from _distances_back), so no branch is explored that
    cannot close: the work is the links within max_len − 1 of `root` plus the closable partial paths.
    """
    back = _distances_back(pred, root, rank, max_len - 1)
    path, on_path = [root], {root}
    stack = [iter(succ[root])]
    while stack:
        w = next(stack[-1], None)
        if w is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if w == root:
            if len(path) >= 2:  # a self-loop is its own, one-link cycle (find_cycles)
                yield path.copy()
            continue
        d = back.get(w)
        if d is None or len(path) + d > max_len or w in on_path:
            continue
        path.append(w)
        on_path.add(w)
        stack.append(iter(succ[w]))


def strongly_connected(succ: Mapping[str, Collection[str]]) -> Iterator[list[str]]:
    """The strongly connected components of a graph given as node → successors (every node a key).

    Tarjan's algorithm without recursion (a stack of neighbour iterators), O(n + m): the same
    components as networkx.strongly_connected_components, with no networkx to import.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            v, nbrs = work[-1]
            for w in nbrs:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:  # v's neighbours are done: hand its low link to its parent, and close its component if it roots one
                work.pop()
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    yield component


class _Adjacency(Mapping):
    """One direction of a LinkView as a mapping node → neighbours, read as the search reaches each node."""

    def __init__(self, read):
        self._read = read

    def __getitem__(self, node: str) -> Collection[str]:
        return self._read(node)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a LinkView's adjacency is read a node at a time")

    def __len__(self) -> int:
        raise TypeError("a LinkView's adjacency is read a node at a time")


def find_cycles(g, max_len: int, through: str | None = None) -> Iterator[list[str]]:
    """The simple cycles of at most `max_len` links (through `through` if given), each once.

    `g` is a networkx DiGraph or a LinkView (kg.query.paths: the plain-dict link graph, read from the
    query index or built from the model); no networkx is needed for either.
    A cycle lies within one strongly connected component (strongly_connected, Tarjan's, O(n + m)).
    Within each, the nodes are taken in id order and the cycles whose smallest node is
    `s` are found by a depth-first search from `s` over the later nodes (_cycles_from), pruned by
    each node's distance back to `s`. The cost is O(n + m) plus, for every node s, the links within
    max_len − 1 reversed links of s and the partial paths from s that can still close within the
    bound: near-linear in the graph when links are local and the bound small, and never the
    O(n·(n + m)) of recomputing components once per node (networkx.simple_cycles with a
    length_bound does). Through a concept, the search runs from that concept alone and reads only
    the links within the bound of it: no other cycle is enumerated, no component computed.
    Self-loops (one link) are cycles too, as networkx.simple_cycles counts them.
    """
    view = isinstance(g, LinkView)
    if through is not None:
        if view:
            succ_of: Mapping[str, Collection[str]] = _Adjacency(g.succ)
            pred_of: Mapping[str, Collection[str]] = _Adjacency(g.pred)
        elif through not in g:
            return
        else:
            succ_of, pred_of = g.succ, g.pred
        if through in succ_of[through]:
            yield [through]
        # Every node of a cycle through `through` reaches it back, which the search checks already:
        # no component needs computing, and only the links near `through` are ever read.
        yield from _cycles_from(succ_of, pred_of, through, None, max_len)
        return
    # Plain lists of neighbours, every node a key: networkx's adjacency views cost a call per look-up.
    if view:
        g.read_all()
        nodes = g.nodes()
        succ = {u: list(g.succ(u)) for u in nodes}
        pred = {u: list(g.pred(u)) for u in nodes}
    else:
        succ = {u: list(nbrs) for u, nbrs in g.succ.items()}
        pred = {u: list(nbrs) for u, nbrs in g.pred.items()}
    for scc in strongly_connected(succ):
        if len(scc) == 1:
            (v,) = scc
            if v in succ[v]:
                yield [v]
            continue
        rank = {v: i for i, v in enumerate(sorted(scc))}
        for v in rank:
            if v in succ[v]:
                yield [v]
            yield from _cycles_from(succ, pred, v, rank, max_len)


def find_loops(kg, concept: str | None = None, *, max_len: int = 6, sources: Iterable[str] | None = None,
               include: Iterable[str] = (), min_certainty: str | None = None) -> list[Loop]:
    """The feedback loops of at most `max_len` links (through `concept` if given), shortest first.

    The cycles of the link graph of the claims of `sources` (None: all; a LinkView, so a query index
    answers without networkx), by find_cycles: per
    strongly connected component, bounded by length, through a concept a search from that concept
    alone. A loop is *stated* by a source by the rule for paths (kg.paths), its
    last link joined to its first as well: the source claims every link and joins every two
    consecutive links itself, in one chain or one paragraph. A loop whose links one source makes in
    separate paragraphs is assembled: the source never says the effect feeds back. Raises
    NameNotFound for an unknown or ambiguous name. Loops follow causal claims only, unless `include`
    adds form-of, part-of or aim claims; `min_certainty` keeps only claims at least that sure.
    Each loop's `agents` and `one_agent` tell whether its links keep one actor's perspective.
    """
    if max_len < 2:
        raise QueryError(f"--max-len must be at least 2 (a loop has two links or more), not {max_len}")
    start = resolve_concept(kg, concept) if concept is not None else None

    links = LinkView(kg, resolve_sources(kg, sources), check_include(include), claim_filter(kg, min_certainty=min_certainty))
    cycles = [_rotate(cycle, start) for cycle in find_cycles(links, max_len, start)]
    links.prefetch((u, v) for nodes in cycles for u, v in zip(nodes, nodes[1:] + nodes[:1], strict=True))
    loops = []
    for nodes in cycles:
        steps = links.steps(nodes + [nodes[0]])
        loops.append(Loop(steps, loop_kind(steps), stated_by(steps, lambda c: claim_paragraphs(kg, c), closed=True)))
    loops.sort(key=lambda lp: (len(lp), lp.concepts))
    return loops
