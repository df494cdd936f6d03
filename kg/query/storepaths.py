"""Causal paths and feedback loops found by SPARQL on any Store (rdflib, Oxigraph, a remote endpoint).

At a million claims, loading every claim into networkx costs seconds before the first answer; a
store answers "paths of n links from A to B" as a join over its indexes, touching only the links
near A. So `kg chain` / `kg loops` on a store ask it one query per path length, shortest first.
The in-memory commands (kg/paths.py, networkx) remain the reference; a test checks that both
find the same paths on the fixture graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from kg.iris import GKC, GKCL, GKV
from kg.query.loops import find_cycles
from kg.query.paths import CausalPath, Step, claim_paragraphs, net_polarity, stated_by
from kg.stores.store import Store


@dataclass(frozen=True)
class StoreLink:
    """One row's link as a store answers it: one claim, cause → effect, and its polarity (kg.query.paths.Step
    holds every claim of a link; to_causal_paths groups StoreLinks into Steps)."""

    claim: str  # claim id
    cause: str  # concept ids
    effect: str
    polarity: str  # positive | negative


def _id(term, base: str) -> str:
    return term.value[len(base):] if term.value.startswith(base) else term.value


def _path_query(length: int, start: str | None, end: str | None, loop: bool = False) -> str:
    """One row per simple path of `length` links: from concept `start` (or any, ?n0) to `end`, or back to the start.

    Rows bind ?c0…: the claims, ?p0…: their polarities, ?n0…: the concepts (those not given).
    """
    nodes = [f"<{GKC}{start}>" if start else "?n0"] + [f"?n{i}" for i in range(1, length)]
    nodes.append(nodes[0] if loop else f"<{GKC}{end}>")
    where = " ".join(f"?c{i} <{GKV}cause> {nodes[i]} ; <{GKV}effect> {nodes[i + 1]} ; <{GKV}polarity> ?p{i} ."
                     for i in range(length))
    distinct = nodes[:-1] if loop else nodes
    tests = [f"{a} != {b}" for k, a in enumerate(distinct) for b in distinct[k + 1:] if "?" in a + b]
    filters = f"FILTER({' && '.join(tests)})" if tests else ""
    return f"SELECT * WHERE {{ {where} {filters} }}"


def _paths(store: Store, query: str, length: int, start: str | None, end: str | None) -> list[list[StoreLink]]:
    out = []
    for row in store.query(query).dicts():
        concepts = [start or _id(row["n0"], GKC)] + [_id(row[f"n{i}"], GKC) for i in range(1, length)]
        concepts.append(end or concepts[0])
        out.append([StoreLink(_id(row[f"c{i}"], GKCL), concepts[i], concepts[i + 1], _id(row[f"p{i}"], GKV))
                    for i in range(length)])
    return out


def find_paths_in_store(store: Store, cause: str, effect: str, max_len: int = 4) -> list[list[StoreLink]]:
    """Every simple causal path from concept `cause` to `effect` (ids) of at most max_len links, shortest first.

    Each path is a list of Links; two claims stating the same link give two paths.
    """
    paths: list[list[StoreLink]] = []
    for n in range(1, max_len + 1):
        paths += sorted(_paths(store, _path_query(n, cause, effect), n, cause, effect), key=lambda p: [x.claim for x in p])
    return paths


def iter_links(store: Store) -> list[StoreLink]:
    """Every claim as a StoreLink, in one query."""
    q = f"SELECT ?c ?a ?b ?p WHERE {{ ?c <{GKV}cause> ?a ; <{GKV}effect> ?b ; <{GKV}polarity> ?p }}"
    return [StoreLink(_id(r["c"], GKCL), _id(r["a"], GKC), _id(r["b"], GKC), _id(r["p"], GKV)) for r in store.query(q).dicts()]


def find_loops_in_store(store: Store, max_len: int = 3, through: str | None = None) -> list[list[StoreLink]]:
    """Feedback loops (simple cycles) of 2..max_len links, each once; only those through `through` if given.

    Through a concept, one SPARQL query per length, which starts there and is quick. Over the whole
    graph, the links in one query and kg.query.loops.find_cycles over them (per strongly connected
    component, bounded by length): a join of every link with its successors grows with the square.
    """
    loops: list[list[StoreLink]] = []
    if through:
        for n in range(2, max_len + 1):
            loops += sorted(_paths(store, _path_query(n, through, through, loop=True), n, through, through), key=lambda p: [x.claim for x in p])
        return loops
    import networkx as nx

    by_link: dict[tuple[str, str], list[StoreLink]] = {}
    for link in iter_links(store):
        by_link.setdefault((link.cause, link.effect), []).append(link)
    g = nx.DiGraph(list(by_link))
    by_length: dict[int, list[list[StoreLink]]] = {}
    for cycle in find_cycles(g, max_len):  # each from its smallest concept, as the store's rows were kept
        if len(cycle) < 2:
            continue  # a self-loop is no feedback loop of the store's queries
        pairs = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        by_length.setdefault(len(cycle), []).extend(list(links) for links in product(*(by_link[p] for p in pairs)))
    for n in sorted(by_length):
        loops += sorted(by_length[n], key=lambda p: [x.claim for x in p])
    return loops


def to_causal_paths(kg, link_paths: list[list[StoreLink]], *, via=(), avoid=(), sources=None, same_source=False,
                    limit: int | None = 20) -> list:
    """The store's link paths as kg.paths.CausalPaths, with the same filters and the same "stated" rule as find_paths.

    A store answers one row per claim combination; rows with the same concepts become one path
    whose steps hold every claim of each link, so the output matches the in-memory `kg chain`.
    Claims are looked up in the local graph, which is the graph the store was built or pushed from.
    """

    allowed = set(sources) if sources is not None else None
    by_concepts: dict[tuple[str, ...], list[dict[str, set[str]]]] = {}
    for links in link_paths:
        concepts = tuple([links[0].cause] + [link.effect for link in links])
        if set(concepts) & set(avoid) or not set(via) <= set(concepts):
            continue
        if allowed is not None and any(kg.claims[link.claim].source not in allowed for link in links if link.claim in kg.claims):
            continue
        found = by_concepts.setdefault(concepts, [dict(claims=set()) for _ in links])
        for step_claims, link in zip(found, links, strict=True):
            step_claims["claims"].add(link.claim)
    paths = []
    cache: dict[str, frozenset[int]] = {}

    def paragraphs(claim):
        if claim.id not in cache:
            cache[claim.id] = claim_paragraphs(kg, claim)
        return cache[claim.id]

    for concepts, raw in by_concepts.items():
        steps = [Step(a, b, sorted((kg.claims[c] for c in s["claims"] if c in kg.claims), key=lambda c: c.id))
                 for (a, b), s in zip(zip(concepts, concepts[1:], strict=False), raw, strict=True)]
        if any(not s.claims for s in steps):
            continue  # the store holds a claim the local graph does not: a different release
        path = CausalPath(steps, net_polarity(steps), stated_by(steps, paragraphs))
        if same_source and not path.stated_by:
            continue
        paths.append(path)
        if limit is not None and len(paths) >= limit:
            break
    return paths
