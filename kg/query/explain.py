"""One concept explained: its labels, definition, kinds, and the trees of its causes and effects, every link cited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.inputs.records import Claim
from kg.model.concepts import Concept
from kg.model.names import narrower_closure, narrower_of, resolve_concept, resolve_sources
from kg.query.paths import LinkView, Step, check_include, claim_filter


@dataclass
class Branch:
    """A concept reached from its parent in the tree over `step` (upstream: concept → parent; downstream: parent → concept)."""

    concept: str
    step: Step
    children: list[Branch] = field(default_factory=list)


@dataclass
class Explanation:
    """What `kg explain` says of a concept: its kinds, causes and effects to a depth, what the texts say it is."""

    concept: Concept
    broader: list[str]  # the concepts it is a kind of
    narrower: list[str]  # the concepts that are kinds of it
    causes: list[Branch]  # upstream tree
    effects: list[Branch]  # downstream tree
    as_condition: list[Claim]  # claims that hold only under this concept
    depth: int
    # v2: what the text says the concept is (definitions, forms, parts, aims), and, for an actor, the
    # claims in which it acts (agent) or is acted upon (target).
    relations: dict[str, list[Claim]] = field(default_factory=dict)
    as_agent: list[Claim] = field(default_factory=list)
    as_target: list[Claim] = field(default_factory=list)
    narrower_causes: dict[str, list[Branch]] = field(default_factory=dict)  # with --narrower: causes of each kind of it
    asked_as: str | None = None  # the deprecated id the concept was asked for by, which it replaces

# The sections of non-causal claims about a concept, as (relation, whether the concept is the subject).
RELATION_SECTIONS = {
    "definitions": ("definition", True),
    "forms": ("form-of", False),  # the practices that are a form of it
    "form_of": ("form-of", True),  # what it is a form of
    "parts": ("part-of", False),
    "part_of": ("part-of", True),
    "aims": ("aim", True),  # its stated aims
    "aimed_at_by": ("aim", False),  # what aims at it
}


def _tree(links: LinkView, root: str, depth: int, upstream: bool) -> list[Branch]:
    """Breadth first from root, neighbours in sorted order, to `depth` links: each concept appears once, at its shortest distance.

    networkx.bfs_edges(g, root, reverse=upstream, depth_limit=depth, sort_neighbors=sorted) on the plain-dict link view.
    """
    if depth < 1:
        return []
    nodes: dict[str, Branch] = {}
    top: list[Branch] = []
    seen, level = {root}, [root]
    for _ in range(depth):
        reached = []
        for parent in level:
            around = links.pred(parent) if upstream else links.succ(parent)
            for child in sorted(around):
                if child in seen:
                    continue
                seen.add(child)
                reached.append(child)
                cause, effect = (child, parent) if upstream else (parent, child)
                branch = Branch(child, Step(cause, effect, links.claims(cause, effect)))
                nodes[child] = branch
                (nodes[parent].children if parent in nodes else top).append(branch)
        if not reached:
            break
        level = reached
    return top


def explain(kg, name: str, *, depth: int = 1, sources: Iterable[str] | None = None, include: Iterable[str] = (),
            min_certainty: str | None = None, narrower: bool = False) -> Explanation:
    """What the graph knows of one concept (given by any name), with causes and effects `depth` links out.

    Causes and effects follow causal claims, and form-of, part-of or aim claims too when `include`
    names them; `min_certainty` keeps only claims at least that sure. `narrower` adds the causes of
    every narrower concept (a kind of it, at any depth), each under its own heading.
    """

    cid = resolve_concept(kg, name)
    keep = claim_filter(kg, min_certainty=min_certainty)
    g = LinkView(kg, resolve_sources(kg, sources), check_include(include), keep)
    allowed = set(resolve_sources(kg, sources) or kg.sources)
    concept = kg.concepts[cid]
    # Only the claims that name the concept in some role can land in a section below; the query index lists them.
    pool = kg.claims_mentioning(cid) if hasattr(kg, "claims_mentioning") else kg.claims.values()
    mine = sorted((c for c in pool if c.source in allowed and (keep is None or keep(c))), key=lambda c: c.id)
    relations = {
        section: [c for c in mine if c.relation == rel and (c.subject if as_subject else c.object) == cid]
        for section, (rel, as_subject) in RELATION_SECTIONS.items()
    }
    kinds = sorted(narrower_closure(kg, cid) - {cid}) if narrower else []
    return Explanation(
        concept=concept,
        broader=[b for b in concept.broader if b in kg.concepts],
        narrower=sorted(narrower_of(kg, cid)),
        causes=_tree(g, cid, depth, upstream=True),
        effects=_tree(g, cid, depth, upstream=False),
        as_condition=[c for c in mine if cid in c.conditions],
        depth=depth,
        relations={k: v for k, v in relations.items() if v},
        as_agent=[c for c in mine if cid in c.agent],
        as_target=[c for c in mine if cid in c.target],
        narrower_causes={k: t for k in kinds if (t := _tree(g, k, depth, upstream=True))},
        asked_as=name if name in kg.deprecated else None,
    )
