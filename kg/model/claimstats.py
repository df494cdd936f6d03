"""The counts of `kg stats` over a set of claims, as a summary that adds up: one per claim file, kept with its resolution.

kg.query.stats gives the graph's counts from the sum of its files' summaries (kg.model.project keeps
each file's under the key of its claims), so a rebuild after one edit counts one file's claims; the
counts are the same as counting every claim at once (tests/test_build_incremental.py compares).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class ClaimCounts:
    """What the counts read of some claims: tallies, and each causal link's (cause, effect) sources and polarities."""

    __slots__ = ("claims", "by_source", "by_polarity", "conditional", "disputes", "in_roles", "with_agent", "with_target",
                 "by_relation", "by_certainty", "by_modality", "links")

    def __init__(self, claims: Iterable = ()):
        self.claims = 0
        self.by_source: Counter = Counter()
        self.by_polarity: Counter = Counter()
        self.conditional = self.disputes = self.with_agent = self.with_target = 0
        self.in_roles: Counter = Counter()
        self.by_relation: Counter = Counter()
        self.by_certainty: Counter = Counter()
        self.by_modality: Counter = Counter()
        self.links: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        for c in claims:
            self.claims += 1
            self.by_source[c.source] += 1
            if c.polarity:
                self.by_polarity[c.polarity] += 1
            if c.conditions or c.condition_texts:
                self.conditional += 1
            if not c.position or c.position == 1:
                self.disputes += len(c.disputes)
            self.in_roles.update(list(dict.fromkeys(c.actors)))  # each actor once per claim
            self.with_agent += bool(c.agent)
            self.with_target += bool(c.target)
            self.by_relation[c.relation] += 1
            self.by_certainty[c.certainty] += 1
            self.by_modality[c.modality] += 1
            if c.causal:
                sources, polarities = self.links.setdefault((c.cause, c.effect), (set(), set()))
                sources.add(c.source)
                polarities.add(c.polarity)

    def add(self, other: ClaimCounts) -> ClaimCounts:
        """Add another set of claims' counts to these (the claims of two sets are never the same claim)."""
        self.claims += other.claims
        for name in ("by_source", "by_polarity", "in_roles", "by_relation", "by_certainty", "by_modality"):
            getattr(self, name).update(getattr(other, name))
        self.conditional += other.conditional
        self.disputes += other.disputes
        self.with_agent += other.with_agent
        self.with_target += other.with_target
        for pair, (sources, polarities) in other.links.items():
            mine = self.links.get(pair)
            if mine is None:
                self.links[pair] = (set(sources), set(polarities))
            else:
                mine[0].update(sources)
                mine[1].update(polarities)
        return self


def total(parts: Iterable[ClaimCounts]) -> ClaimCounts:
    out = ClaimCounts()
    for part in parts:
        out.add(part)
    return out
