"""Causal paths between concepts: the claim graph, bounded simple paths, and whether one source states a path.

A path is *stated* by a source document when that source itself makes every junction of it: the
source has a claim on every link and, for every two consecutive links A → B, B → C, it joins them
itself — its claims on the two links are consecutive links of one of its chains, or they quote
the same paragraph of its text (the cleaned texts keep one paragraph per line). A chain cannot
carry a hedge or a condition per link, so curators write an argument made in one breath as
separate claims whenever those differ; the paragraph is the author's own unit of argument. A path
of one link is stated by every source that claims the link. Any other path — also one whose links
all come from one source, made in different paragraphs — is *assembled*: a hypothesis obtained by
transitivity (the junction is ours, not the source's), not a finding.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.inputs.modality import at_least
from kg.inputs.records import Claim
from kg.inputs.vocabulary import CERTAINTIES
from kg.model.names import narrower_closure, resolve_concept, resolve_concepts, resolve_sources

SIGN = {"positive": 1, "negative": -1}


@dataclass
class Step:
    """One link cause → effect of a path, with every claim (of the allowed sources) that asserts it."""

    cause: str
    effect: str
    claims: list[Claim]

    @property
    def polarity(self) -> str:
        """positive or negative when the claims agree, mixed when some say one and some the other.

        A form-of or part-of claim (followed only when asked, `include=`) has no polarity and counts
        as positive: more of a practice is more of what it is a form or a part of.
        """
        kinds = {c.polarity or "positive" for c in self.claims}
        return kinds.pop() if len(kinds) == 1 else "mixed"

    @property
    def relations(self) -> list[str]:
        """The relations of the claims on this link: ["causes"] unless other relations were included."""
        return sorted({c.relation for c in self.claims})

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.claims})

    @property
    def conditions(self) -> list[str]:
        """Concept ids of the conditions any of the claims attaches to this link."""
        return list(dict.fromkeys(cond for c in self.claims for cond in c.conditions))


class StepSequence:
    """What paths and loops share: their steps' sources, the sources on every link, their length."""

    steps: list[Step]

    @property
    def sources(self) -> list[str]:
        return sorted({src for s in self.steps for src in s.sources})

    @property
    def every_link_by(self) -> list[str]:
        """Sources with a claim on every link, whether or not they join the links themselves."""
        return sources_on_every_link(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def agents(self) -> list[list[str]]:
        """For each link, the actors its claims name as agent: whose action each step is."""
        return [sorted({a for c in s.claims for a in c.agent}) for s in self.steps]

    @property
    def one_agent(self) -> list[str]:
        """The actors that act on every link: the sequence keeps their perspective (empty: it does not)."""
        per_step = self.agents
        return sorted(set.intersection(*map(set, per_step))) if per_step else []


@dataclass
class CausalPath(StepSequence):
    """A simple path of concepts, its steps, the sign of the whole, and the sources that state it whole."""

    steps: list[Step]
    net_polarity: str
    stated_by: list[str] = field(default_factory=list)

    @property
    def concepts(self) -> list[str]:
        return [self.steps[0].cause] + [s.effect for s in self.steps] if self.steps else []

    @property
    def kind(self) -> str:
        return "stated" if self.stated_by else "assembled"


def sign_of(steps: Iterable[Step]) -> int | None:
    """The product of the links' signs (+1 or -1), or None when some link's claims disagree."""
    sign = 1
    for s in steps:
        if s.polarity == "mixed":
            return None
        sign *= SIGN[s.polarity]
    return sign


def net_polarity(steps: Iterable[Step]) -> str:
    """The product of the links' signs: positive, negative, or mixed when a link's claims disagree."""
    sign = sign_of(steps)
    return "mixed" if sign is None else ("positive" if sign > 0 else "negative")


def sources_on_every_link(steps: list[Step]) -> list[str]:
    """The sources with a claim on every one of the steps."""
    if not steps:
        return []
    common = set(steps[0].sources)
    for s in steps[1:]:
        common &= set(s.sources)
    return sorted(common)


Paragraphs = Callable[[Claim], Iterable[int]]


def claim_paragraphs(kg, claim: Claim) -> frozenset[int]:
    """The paragraphs (lines of the cleaned text) that the claim's quotes stand in."""
    src = kg.sources[claim.source]
    return frozenset(
        line for a in claim.anchors for line in range(src.line_of_offset(a.start), src.line_of_offset(max(a.start, a.end - 1)) + 1)
    )


def joins(a: Step, b: Step, source: str, paragraphs: Paragraphs | None = None) -> bool:
    """Does `source` itself join a and b (a.effect == b.cause): consecutive links of one of its chains, or one paragraph?"""
    mine_a = [c for c in a.claims if c.source == source]
    mine_b = [c for c in b.claims if c.source == source]
    ends = {(c.chain, c.position) for c in mine_a if c.chain}
    if any((c.chain, (c.position or 0) - 1) in ends for c in mine_b if c.chain):
        return True
    if paragraphs is None:
        return False
    here = {p for c in mine_a for p in paragraphs(c)}
    return any(here.intersection(paragraphs(c)) for c in mine_b)


def stated_by(steps: list[Step], paragraphs: Paragraphs | None = None, *, closed: bool = False) -> list[str]:
    """The sources that state the whole path as one argument (the rule is in the module docstring).

    `paragraphs` gives the paragraphs a claim quotes (`claim_paragraphs`); without it only chains
    join links. `closed` is for a loop: its last link joins its first too.
    """
    pairs = list(zip(steps, steps[1:], strict=False)) + ([(steps[-1], steps[0])] if closed and steps else [])
    return [src for src in sources_on_every_link(steps) if all(joins(a, b, src, paragraphs) for a, b in pairs)]


def causal_graph(kg, sources: Iterable[str] | None = None, include: Iterable[str] = (),
                 keep: Callable[[Claim], bool] | None = None):
    """A networkx MultiDiGraph: every concept a node, every causal claim an edge cause → effect keyed by its id.

    `sources` keeps only the claims of those source documents (None: all). `include` adds claims
    of other relations read subject → object (form-of, part-of, aim); definitions have no object.
    `keep` keeps only the claims it says yes to (`claim_filter` makes one).
    """
    import networkx as nx

    allowed = set(sources) if sources is not None else None
    relations = {"causes", *include} - {"definition"}
    g = nx.MultiDiGraph()
    g.add_nodes_from(kg.concepts)
    for c in kg.claims.values():
        if c.relation in relations and (allowed is None or c.source in allowed) and (keep is None or keep(c)):
            g.add_edge(c.cause, c.effect, key=c.id, claim=c)
    return g


INCLUDABLE = ("form-of", "part-of", "aim")


def check_include(include: Iterable[str]) -> list[str]:
    """The relations a causal query may follow besides causes; QueryError for any other."""
    out = []
    for r in include:
        for part in str(r).split(","):
            part = part.strip()
            if part and part not in INCLUDABLE:
                raise QueryError(f"--include takes {', '.join(INCLUDABLE)} (comma-separated), not '{part}'")
            if part:
                out.append(part)
    return out


def claim_filter(kg, *, min_certainty: str | None = None, actor: str | None = None) -> Callable[[Claim], bool] | None:
    """A test a claim must pass: at least `min_certainty`, and `actor` (or a narrower kind of it) as agent or target.

    The actor is given by any name; None for no condition. Raises QueryError for an unknown certainty.
    """

    if min_certainty is not None and min_certainty not in CERTAINTIES:
        raise QueryError(f"--min-certainty must be one of {', '.join(CERTAINTIES)}, not '{min_certainty}'")
    actors = None
    if actor is not None:
        aid = resolve_concept(kg, actor)
        if "Actor" not in kg.concepts[aid].classes:
            raise QueryError(f"'{actor}' is {aid}, a {kg.concepts[aid].cls or 'concept'}, not an actor (gkv:Actor)")
        actors = narrower_closure(kg, aid)
    if min_certainty is None and actors is None:
        return None
    return lambda c: at_least(c.certainty, min_certainty) and (actors is None or bool(actors.intersection(c.actors)))


def link_graph(kg, sources: Iterable[str] | None = None, include: Iterable[str] = (),
               keep: Callable[[Claim], bool] | None = None):
    """A networkx DiGraph with one edge per link (cause, effect), holding all its claims in `claims`.

    networkx's simple-path and cycle searches (shortest_simple_paths, simple_cycles) work on
    simple digraphs, and a path of concepts is the same whichever claim supports each link.
    """
    import networkx as nx

    multi = causal_graph(kg, sources, include, keep)
    g = nx.DiGraph()
    g.add_nodes_from(multi)
    for u, v, claim in multi.edges(data="claim"):
        if g.has_edge(u, v):
            g[u][v]["claims"].append(claim)
        else:
            g.add_edge(u, v, claims=[claim])
    return g


def steps_along(g, nodes: list[str]) -> list[Step]:
    """The steps of a node sequence in a link graph."""
    return [Step(u, v, sorted(g[u][v]["claims"], key=lambda c: c.id)) for u, v in zip(nodes, nodes[1:], strict=False)]


def to_path(g, nodes: list[str], paragraphs: Paragraphs | None = None) -> CausalPath:
    steps = steps_along(g, nodes)
    return CausalPath(steps, net_polarity(steps), stated_by(steps, paragraphs))


def iter_paths(g, source: str, target: str, max_len: int) -> Iterator[list[str]]:
    """Simple paths source → target of at most `max_len` links, shortest first.

    Thinly wraps networkx.shortest_simple_paths (Yen's algorithm), which yields paths in order of
    length, so the search stops at the first path that is too long.
    """
    import networkx as nx

    try:
        for nodes in nx.shortest_simple_paths(g, source, target):
            if len(nodes) - 1 > max_len:
                return
            yield nodes
    except nx.NetworkXNoPath:
        return


class LinkView:
    """The link graph on plain dicts: one link per (cause, effect) holding all its claims, for find_paths and explain.

    The same graph as `link_graph`, in the same order (so searches meet concepts as networkx does):
    a concept's effects in the order of their first claim, its causes in the order of the concepts.
    Built at once from a loaded model; from the query index (kg.query.index, which holds each
    concept's links), read a concept at a time as the search reaches it. `hidden` concepts are left
    out (networkx.restricted_view).
    """

    def __init__(self, kg, sources: Iterable[str] | None = None, include: Iterable[str] = (),
                 keep: Callable[[Claim], bool] | None = None, hidden: Iterable[str] = ()):
        self._kg = kg
        self._allowed = set(sources) if sources is not None else None
        self._relations = {"causes", *include} - {"definition"}
        self._keep = keep
        self._hidden = frozenset(hidden)
        self._reader: Callable[[str], tuple[list, list]] | None = getattr(kg, "links_of", None)  # the query index's
        self._succ: dict[str, dict[str, list[Claim]]] = {}
        self._pred: dict[str, dict[str, list[Claim]]] = {}
        self._source: dict[str, str] = {}  # claim id → source, from the index's links (link_sources, with no claim decoded)
        if self._reader is None:
            self._build()

    def _wanted(self, relation: str, source: str) -> bool:
        return relation in self._relations and (self._allowed is None or source in self._allowed)

    def _build(self) -> None:
        """Every link at once, in link_graph's order (its DiGraph is filled concept by concept)."""
        kg = self._kg
        succ: dict[str, dict[str, list[Claim]]] = {}
        for c in kg.claims.values():
            if self._wanted(c.relation, c.source) and (self._keep is None or self._keep(c)):
                succ.setdefault(c.cause, {}).setdefault(c.effect, []).append(c)
        for u in kg.concepts:
            for v, claims in succ.get(u, {}).items():
                self._pred.setdefault(v, {})[u] = claims
        self._succ = succ

    def _read(self, concept: str) -> None:
        """One concept's links from the index: effects in claim order, causes in concept order.

        A claim is decoded only when a filter must look at it, or (`claims`) when its link is in an answer.
        """
        assert self._reader is not None
        self._store(concept, *self._reader(concept))

    def read_all(self) -> None:
        """Every concept's links now (a search over the whole graph, such as kg loops without a concept).

        From the index in one pass over its concepts (ModelIndex.every_link), not a look-up per concept.
        """
        if self._reader is None:
            return
        every = getattr(self._kg, "every_link", None)
        reader = self._reader
        found = every() if every is not None else ((c, *reader(c)) for c in self._kg.concepts)
        rows = [row for row in found if row[0] not in self._succ]
        prefetch = getattr(self._kg.claims, "prefetch", None)
        if self._keep is not None and prefetch is not None:  # the filter reads every claim: in a few queries, not one each
            prefetch(cid for _, outgoing, _ in rows for cid, _, relation, source, _ in outgoing if self._wanted(relation, source))
        for concept, outgoing, incoming in rows:
            self._store(concept, outgoing, incoming)

    def nodes(self) -> list[str]:
        """The concepts with a link read so far (after read_all: every concept in a link)."""
        return list(dict.fromkeys([*self._succ, *self._pred]))

    def _store(self, concept: str, outgoing: list[tuple], incoming: list[tuple]) -> None:
        claims = self._kg.claims
        succ: dict[str, list] = {}
        for cid, effect, relation, source, _ in outgoing:
            if self._wanted(relation, source) and (self._keep is None or self._keep(claims[cid])):
                succ.setdefault(effect, []).append(cid)
                self._source[cid] = source
        pred: dict[str, list] = {}
        rank: dict[str, int] = {}
        for cid, cause, relation, source, order in incoming:
            if self._wanted(relation, source) and (self._keep is None or self._keep(claims[cid])):
                pred.setdefault(cause, []).append(cid)
                rank[cause] = order
        self._succ[concept] = succ
        self._pred[concept] = {u: pred[u] for u in sorted(pred, key=rank.__getitem__)}

    def succ(self, u: str) -> dict[str, list]:
        """The effects of u (hidden concepts left out), each with its link's claims (or, from the index, their ids)."""
        if self._reader is not None and u not in self._succ:
            self._read(u)
        out = self._succ.get(u, {})
        return {v: cl for v, cl in out.items() if v not in self._hidden} if self._hidden else out

    def pred(self, v: str) -> dict[str, list]:
        """The causes of v (hidden concepts left out), each with its link's claims (or, from the index, their ids)."""
        if self._reader is not None and v not in self._pred:
            self._read(v)
        out = self._pred.get(v, {})
        return {u: cl for u, cl in out.items() if u not in self._hidden} if self._hidden else out

    def claims(self, cause: str, effect: str) -> list[Claim]:
        """The claims of the link cause → effect, sorted by id."""
        found = self.succ(cause)[effect]
        if found and isinstance(found[0], str):
            found = [self._kg.claims[cid] for cid in found]
        return sorted(found, key=lambda c: c.id)

    def link_sources(self, cause: str, effect: str) -> list[str]:
        """The sources of the claims of the link cause → effect, in its claims' order; from the index, no claim decoded."""
        found = self.succ(cause)[effect]
        if found and isinstance(found[0], str):
            return [self._source[cid] for cid in found]
        return [c.source for c in found]

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Read the claims of these links from the index in a few queries rather than one each (a no-op on a model)."""
        prefetch = getattr(self._kg.claims, "prefetch", None)
        if self._reader is not None and prefetch is not None:
            prefetch(cid for u, v in pairs for cid in self.succ(u)[v] if isinstance(cid, str))

    def steps(self, nodes: list[str]) -> list[Step]:
        """The steps of a node sequence (as steps_along does on a networkx link graph)."""
        return [Step(u, v, self.claims(u, v)) for u, v in zip(nodes, nodes[1:], strict=False)]


def _shortest(links: LinkView, source: str, target: str, ignore_nodes: set[str], ignore_edges: set[tuple[str, str]],
              bound: int) -> list[str] | None:
    """A shortest path source → target of at most `bound` links avoiding the ignored nodes and edges, or None.

    networkx's _bidirectional_shortest_path (simple_paths.py, 3.x) line for line, so it picks the same
    path among equally short ones; the bound only stops it early: after `bound` level expansions
    every path of at most `bound` links would have been met.
    """
    if ignore_nodes and (source in ignore_nodes or target in ignore_nodes):
        return None
    if target == source:
        return [source]
    pred: dict[str, str | None] = {source: None}
    succ: dict[str, str | None] = {target: None}
    forward, reverse = [source], [target]
    meet = None
    expansions = 0
    while forward and reverse and meet is None:
        if expansions == bound:
            return None
        expansions += 1
        if len(forward) <= len(reverse):
            level, forward = forward, []
            for v in level:
                for w in links.succ(v):
                    if w in ignore_nodes or (v, w) in ignore_edges:
                        continue
                    if w not in pred:
                        forward.append(w)
                        pred[w] = v
                    if w in succ:
                        meet = w
                        break
                if meet is not None:
                    break
        else:
            level, reverse = reverse, []
            for v in level:
                for w in links.pred(v):
                    if w in ignore_nodes or (w, v) in ignore_edges:
                        continue
                    if w not in succ:
                        succ[w] = v
                        reverse.append(w)
                    if w in pred:
                        meet = w
                        break
                if meet is not None:
                    break
    if meet is None:
        return None
    path: list[str] = []
    node: str | None = meet
    while node is not None:
        path.append(node)
        node = succ[node]
    node = pred[path[0]]
    while node is not None:
        path.insert(0, node)
        node = pred[node]
    return path


def shortest_simple_paths(links: LinkView, source: str, target: str, max_len: int) -> Iterator[list[str]]:
    """Simple paths source → target of at most `max_len` links, shortest first, in networkx's order.

    networkx.shortest_simple_paths (Yen's algorithm, unweighted) on plain dicts, each spur search
    bounded by the links left (candidates longer than max_len are never made, so the order of the
    others is networkx's). Its cost: for each path yielded, one bidirectional search per node of it,
    each at most max_len levels deep, where networkx's searches may cross the whole graph.
    """
    found: list[list[str]] = []
    heap: list[tuple[int, int, list[str]]] = []
    queued: set[tuple[str, ...]] = set()
    counter = itertools.count()

    def push(cost: int, path: list[str]) -> None:
        key = tuple(path)
        if key not in queued:
            heapq.heappush(heap, (cost, next(counter), path))
            queued.add(key)

    prev: list[str] | None = None
    while True:
        if not prev:
            first = _shortest(links, source, target, set(), set(), max_len)
            if first is None:
                return
            push(len(first), first)
        else:
            ignore_nodes: set[str] = set()
            ignore_edges: set[tuple[str, str]] = set()
            for i in range(1, len(prev)):
                root = prev[:i]
                for path in found:
                    if path[:i] == root:
                        ignore_edges.add((path[i - 1], path[i]))
                spur = _shortest(links, root[-1], target, ignore_nodes, ignore_edges, max_len - (i - 1))
                if spur is not None:
                    push(len(root) + len(spur), root[:-1] + spur)
                ignore_nodes.add(root[-1])
        if not heap:
            return
        _, _, path = heapq.heappop(heap)
        queued.discard(tuple(path))
        yield path
        found.append(path)
        prev = path


def find_paths(
    kg,
    source: str,
    target: str,
    *,
    max_len: int = 4,
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    sources: Iterable[str] | None = None,
    same_source: bool = False,
    limit: int | None = 20,
    include: Iterable[str] = (),
    min_certainty: str | None = None,
    actor: str | None = None,
) -> list[CausalPath]:
    """The causal paths from one concept to another, shortest first.

    Concepts may be given by any name `kg.names.resolve_concept` accepts, sources by any name
    `resolve_source` accepts. A path has at most `max_len` links, passes through every `via`
    concept (in any order) and through no `avoid` concept, and uses only claims of `sources`
    (None: all). `same_source` keeps only the paths some source states whole (`CausalPath.stated_by`,
    by the rule of the module docstring).
    At most `limit` paths are returned (None: all). Paths follow causal claims only, and also
    form-of, part-of and aim claims when `include` names them; `min_certainty` keeps only claims at
    least that sure (kg.modality; a norm has no certainty), `actor` only claims with that actor or
    a narrower kind of it as agent or target, so every link of a path involves it. Raises
    NameNotFound for an unknown or ambiguous name, QueryError for contradictory options.
    """
    start, end = resolve_concept(kg, source), resolve_concept(kg, target)
    via_ids, avoid_ids = set(resolve_concepts(kg, via)), set(resolve_concepts(kg, avoid))
    if start == end:
        raise QueryError(f"'{source}' and '{target}' are the same concept ({start}): for the loops through it, run `kg loops {start}`")
    if max_len < 1:
        raise QueryError(f"--max-len must be at least 1, not {max_len}")
    if {start, end} & avoid_ids:
        raise QueryError("a path cannot avoid its own start or end: remove it from --avoid")
    if via_ids & avoid_ids:
        raise QueryError(f"{', '.join(sorted(via_ids & avoid_ids))} is both in --via and in --avoid")
    keep = claim_filter(kg, min_certainty=min_certainty, actor=actor)
    links = LinkView(kg, resolve_sources(kg, sources), check_include(include), keep, hidden=avoid_ids)
    found: list[CausalPath] = []
    cache: dict[str, frozenset[int]] = {}

    def paragraphs(claim: Claim) -> frozenset[int]:
        if claim.id not in cache:
            cache[claim.id] = claim_paragraphs(kg, claim)
        return cache[claim.id]

    for nodes in shortest_simple_paths(links, start, end, max_len):
        if not via_ids <= set(nodes):
            continue
        steps = links.steps(nodes)
        path = CausalPath(steps, net_polarity(steps), stated_by(steps, paragraphs))
        if same_source and not path.stated_by:
            continue
        found.append(path)
        if limit is not None and len(found) >= limit:
            break
    return found


# The filters of find_paths, each with the value that turns it off and how the CLI spells it.
_FILTERS = {
    "via": ((), "--via"), "avoid": ((), "--avoid"), "sources": (None, "--source"), "same_source": (False, "--same-source"),
    "min_certainty": (None, "--min-certainty"), "actor": (None, "--actor"),
}


def why_no_path(kg, source: str, target: str, *, max_len: int = 4, longer: int = 6, **filters) -> dict:
    """Why find_paths found nothing: how many paths each filter alone removed, and the nearest paths without them.

    Returns {"without": [{"option", "paths"}...], "unfiltered": [paths], "longer": (max_len, count) or None}:
    for every filter given, the number of paths found when only that one is dropped; the paths found
    with none of them; and, when none exist within max_len at all, how many a longer search finds.
    """
    given = {k: v for k, v in filters.items() if k in _FILTERS and v not in (None, False) and v != [] and v != ()}
    rest = {k: v for k, v in filters.items() if k not in _FILTERS}
    without = []
    for key in given:
        kept = {k: v for k, v in given.items() if k != key}
        found = find_paths(kg, source, target, max_len=max_len, limit=None, **kept, **rest)
        without.append({"option": _FILTERS[key][1], "paths": len(found)})
    unfiltered = find_paths(kg, source, target, max_len=max_len, limit=3, **rest)
    wider = None
    if not unfiltered and longer > max_len:
        wider = (longer, len(find_paths(kg, source, target, max_len=longer, limit=None, **rest)))
    return {"without": without, "unfiltered": unfiltered, "longer": wider}
