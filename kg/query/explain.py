"""One concept explained: its labels, definition, kinds, and the trees of its causes and effects, every link cited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.inputs.claims import Claim
from kg.model.concepts import Concept
from kg.query.paths import Step, link_graph


@dataclass
class Branch:
    """A concept reached from its parent in the tree over `step` (upstream: concept → parent; downstream: parent → concept)."""

    concept: str
    step: Step
    children: list[Branch] = field(default_factory=list)


@dataclass
class Explanation:
    concept: Concept
    broader: list[str]  # the concepts it is a kind of
    narrower: list[str]  # the concepts that are kinds of it
    causes: list[Branch]  # upstream tree
    effects: list[Branch]  # downstream tree
    as_condition: list[Claim]  # claims that hold only under this concept
    depth: int


def _tree(g, root: str, depth: int, upstream: bool) -> list[Branch]:
    """Thinly wraps networkx.bfs_edges (reverse=True for causes): each concept appears once, at its shortest distance."""
    import networkx as nx

    if depth < 1:
        return []
    nodes: dict[str, Branch] = {}
    top: list[Branch] = []
    for parent, child in nx.bfs_edges(g, root, reverse=upstream, depth_limit=depth, sort_neighbors=sorted):
        cause, effect = (child, parent) if upstream else (parent, child)
        branch = Branch(child, Step(cause, effect, sorted(g[cause][effect]["claims"], key=lambda c: c.id)))
        nodes[child] = branch
        (nodes[parent].children if parent in nodes else top).append(branch)
    return top


def explain(kg, name: str, *, depth: int = 1, sources: Iterable[str] | None = None) -> Explanation:
    """What the graph knows of one concept (given by any name), with causes and effects `depth` links out."""
    from kg.model.names import resolve_concept, resolve_sources

    cid = resolve_concept(kg, name)
    g = link_graph(kg, resolve_sources(kg, sources))
    allowed = set(resolve_sources(kg, sources) or kg.sources)
    concept = kg.concepts[cid]
    return Explanation(
        concept=concept,
        broader=[b for b in concept.broader if b in kg.concepts],
        narrower=sorted(other.id for other in kg.concepts.values() if cid in other.broader),
        causes=_tree(g, cid, depth, upstream=True),
        effects=_tree(g, cid, depth, upstream=False),
        as_condition=sorted((c for c in kg.claims.values() if cid in c.conditions and c.source in allowed), key=lambda c: c.id),
        depth=depth,
    )
