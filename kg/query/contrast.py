"""Tensions in the graph: claims that pull one link opposite ways, one cause toward different effects under different conditions, explicit disputes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from kg.errors import QueryError
from kg.inputs.records import Claim
from kg.model.names import resolve_concept, resolve_sources

KINDS = ("dispute", "opposite", "divergent")


@dataclass
class Contrast:
    """Two statements in tension. A statement is one claim or every link of one chain.

    kind: `dispute` (a says it contradicts b, or each the other), `opposite` (same cause and
    effect, opposite polarity), `divergent` (same cause, different effects, each under conditions
    of its own: both claims are conditional and neither's conditions include the other's).
    scope: `within-source`, `within-work` (two documents of one work) or `between-works`.
    """

    kind: str
    a: list[Claim]
    b: list[Claim]
    scope: str

    @property
    def concepts(self) -> set[str]:
        return {x for c in self.a + self.b for x in (c.cause, c.effect)}


def _scope(kg, a: Claim, b: Claim) -> str:
    if a.source == b.source:
        return "within-source"
    return "within-work" if kg.work_of(a.source) == kg.work_of(b.source) else "between-works"


def _conditions(c: Claim) -> frozenset[str]:
    return frozenset(c.conditions) | frozenset(f"text:{t}" for t in c.condition_texts)


def compatible(a: Claim, b: Claim) -> bool:
    """Can both claims hold at once: one unconditional, or one's conditions a refinement of the other's?"""
    ca, cb = _conditions(a), _conditions(b)
    return not ca or not cb or ca <= cb or cb <= ca


def contradicts(a: Claim, b: Claim) -> bool:
    """Same cause, effect and relation, opposite polarity, under conditions that can hold together."""
    return (a.cause, a.effect, a.relation) == (b.cause, b.effect, b.relation) and bool(a.polarity) \
        and bool(b.polarity) and a.polarity != b.polarity and compatible(a, b)


def _statement(kg, cid: str) -> list[Claim]:
    return list(kg.chains[cid].links) if cid in kg.chains else [kg.claims[cid]]


def find_contrasts(
    kg, concept: str | None = None, *, sources: Iterable[str] | None = None, kinds: Iterable[str] = KINDS
) -> list[Contrast]:
    """Every pair of statements in tension among the claims of `sources` (None: all), involving `concept` if given."""

    kinds = set(kinds)
    if kinds - set(KINDS):
        raise QueryError(f"unknown kind(s) {', '.join(sorted(kinds - set(KINDS)))}: choose from {', '.join(KINDS)}")
    cid = resolve_concept(kg, concept) if concept is not None else None
    allowed = resolve_sources(kg, sources)
    claims = [c for c in kg.claims.values() if allowed is None or c.source in allowed]
    found: list[Contrast] = []

    if "dispute" in kinds:
        seen: set[frozenset] = set()  # two statements that dispute each other are one contrast
        for c in claims:
            for d in c.disputes:
                pair = frozenset((c.chain or c.id, d))
                if pair in seen:
                    continue
                seen.add(pair)
                other = _statement(kg, d)
                if allowed is None or other[0].source in allowed:
                    found.append(Contrast("dispute", _statement(kg, c.chain or c.id), other, _scope(kg, c, other[0])))

    if "opposite" in kinds:
        by_link = defaultdict(list)
        for c in claims:
            if c.causal:  # a form, a part or an aim does not pull a causal link either way
                by_link[(c.cause, c.effect)].append(c)
        for group in by_link.values():
            for a, b in combinations(sorted(group, key=lambda c: c.id), 2):
                if a.polarity != b.polarity:
                    found.append(Contrast("opposite", [a], [b], _scope(kg, a, b)))

    if "divergent" in kinds:
        by_cause = defaultdict(list)
        for c in claims:
            if c.causal:
                by_cause[c.cause].append(c)
        for group in by_cause.values():
            for a, b in combinations(sorted(group, key=lambda c: c.id), 2):
                # Both conditional, and neither condition set a refinement of the other.
                if a.effect != b.effect and not compatible(a, b):
                    found.append(Contrast("divergent", [a], [b], _scope(kg, a, b)))

    if cid is not None:
        found = [x for x in found if cid in x.concepts or any(cid in c.conditions for c in x.a + x.b)]
    order = {k: i for i, k in enumerate(KINDS)}
    found.sort(key=lambda x: (order[x.kind], x.a[0].id, x.b[0].id))
    return found
