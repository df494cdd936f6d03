"""Feedback loops: bounded simple cycles of the claim graph, reinforcing or balancing, and who states them.

The cost, for a graph of n concepts and m links, loops of at most k links: the strongly connected
components in O(n + m) (Tarjan's), then in each a depth-first search from every concept over the
later ones, pruned by each concept's distance back to its start (find_cycles: near-linear when
links are local and k small, plus the loops themselves); through a concept, a search from it
alone over the links within k of it. Ranking the L loops found reads only each link's sources,
O(L·k) with a heap of the `limit` best, O(L log limit); only the loops some source claims every
link of (the only ones that can be stated) and the loops listed have their claims decoded
(find_loops). At 100k synthetic claims: some 72,000 loops of at most six links, a few hundred
with a source on every link, twenty listed by default.
"""

from __future__ import annotations

import heapq
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


class Loops(list):
    """The loops listed (ranked, at most the limit asked for) and how many the search found: `total`, `stated`."""

    def __init__(self, loops: Iterable[Loop] = (), total: int = 0, stated: int = 0):
        super().__init__(loops)
        self.total = total  # every loop found, listed or not
        self.stated = stated  # of those, the ones a source states whole


def _pairs(nodes: list[str]) -> list[tuple[str, str]]:
    """The links of a cycle, its last back to its first."""
    return list(zip(nodes, nodes[1:] + nodes[:1], strict=True))


def find_loops(kg, concept: str | None = None, *, max_len: int = 6, sources: Iterable[str] | None = None,
               include: Iterable[str] = (), min_certainty: str | None = None, limit: int | None = None) -> Loops:
    """The feedback loops of at most `max_len` links (through `concept` if given), ranked, the first `limit` (None: all).

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

    Ranked: the loops more sources state first, then those more sources claim every link
    of, then those whose least-supported link more sources claim, then shorter ones, then by their
    concepts' ids. Only what the answer holds is decoded: the ranking reads the links' sources
    (which the query index keeps beside each link), and only a loop with a source on every link can
    be stated, so only those loops' claims and the listed loops' claims are read. The cost beyond
    find_cycles is O(L·k + C·k + L log limit) for L loops of k links, C of them with a source on
    every link, instead of decoding and building every loop.
    """
    if max_len < 2:
        raise QueryError(f"--max-len must be at least 2 (a loop has two links or more), not {max_len}")
    if limit is not None and limit < 1:
        raise QueryError(f"--limit must be at least 1, not {limit}")
    start = resolve_concept(kg, concept) if concept is not None else None

    links = LinkView(kg, resolve_sources(kg, sources), check_include(include), claim_filter(kg, min_certainty=min_certainty))
    link_sources: dict[tuple[str, str], frozenset[str]] = {}  # a link is on many loops: its sources are gathered once
    candidates: list[tuple[list[str], int, int]] = []  # (cycle, sources on every link, sources of the weakest link)
    total = 0

    def unstated() -> Iterator[tuple[int, int, int, int, list[str]]]:
        """The ranking key of every loop no source can state (no source on every link); the others go to `candidates`."""
        nonlocal total
        for cycle in find_cycles(links, max_len, start):
            nodes = _rotate(cycle, start)
            total += 1
            every: frozenset[str] | None = None
            weakest = None
            for pair in _pairs(nodes):
                here = link_sources.get(pair)
                if here is None:
                    here = link_sources[pair] = frozenset(links.link_sources(*pair))
                every = here if every is None else every & here
                weakest = len(here) if weakest is None else min(weakest, len(here))
            assert every is not None and weakest is not None
            if every:
                candidates.append((nodes, len(every), weakest))
            else:
                yield (0, 0, -weakest, len(nodes), nodes)

    ranked = heapq.nsmallest(limit, unstated()) if limit is not None else sorted(unstated())
    links.prefetch(pair for nodes, _, _ in candidates for pair in _pairs(nodes))
    built: dict[tuple[str, ...], Loop] = {}
    for nodes, every, weakest in candidates:
        steps = links.steps(nodes + [nodes[0]])
        lp = built[tuple(nodes)] = Loop(steps, loop_kind(steps), stated_by(steps, lambda c: claim_paragraphs(kg, c), closed=True))
        ranked.append((-len(lp.stated_by), -every, -weakest, len(nodes), nodes))
    ranked.sort()
    if limit is not None:
        del ranked[limit:]
    listed = [key[-1] for key in ranked if tuple(key[-1]) not in built]
    links.prefetch(pair for nodes in listed for pair in _pairs(nodes))
    loops = Loops(total=total, stated=sum(1 for lp in built.values() if lp.stated_by))
    for *_, nodes in ranked:
        found = built.get(tuple(nodes))
        if found is None:
            steps = links.steps(nodes + [nodes[0]])
            found = Loop(steps, loop_kind(steps), [])  # no source claims every link: none states it
        loops.append(found)
    return loops
