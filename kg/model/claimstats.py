"""The counts of `kg stats` over a set of claims, as a summary that adds up: one per claim file, kept with its resolution.

kg.query.stats gives the graph's counts from the sum of its files' summaries (kg.model.project keeps
each file's under the key of its claims), so a rebuild after one edit counts one file's claims; the
counts are the same as counting every claim at once (tests/test_build_incremental.py compares).
"""

from __future__ import annotations

import marshal
from collections import Counter
from collections.abc import Iterable


class ClaimCounts:
    """What the counts read of some claims: tallies, and each causal link's (cause, effect) sources and polarities."""

    __slots__ = ("claims", "by_source", "by_polarity", "conditional", "disputes", "in_roles", "with_agent", "with_target",
                 "by_relation", "by_certainty", "by_modality", "_links", "_kept_links", "tallies")

    def __init__(self, claims: Iterable = ()):
        self._kept_links: tuple[int, bytes] | None = None  # (how many, marshal bytes): the links as kept (to_kept), read on first use
        self._links: dict = {}
        self.claims = 0
        self.by_source: Counter = Counter()
        self.by_polarity: Counter = Counter()
        self.conditional = self.disputes = self.with_agent = self.with_target = 0
        self.in_roles: Counter = Counter()
        self.by_relation: Counter = Counter()
        self.by_certainty: Counter = Counter()
        self.by_modality: Counter = Counter()
        # Each causal pair's sources and polarities, each a sorted tuple of distinct values: a sum shares them (`add` makes new ones
        # only where two files meet), and tuples of text are left alone by the garbage collector (sets are walked on every collection).
        # (self._links, set above; read through `links`.)
        self.tallies: tuple[dict, int] | None = None  # link_tallies, once asked for (or kept: kg.model.mergedstate)
        links: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
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
                sources, polarities = links.setdefault((c.cause, c.effect), (set(), set()))
                sources.add(c.source)
                polarities.add(c.polarity)
        self.links = {pair: (tuple(sorted(s)), tuple(sorted(p))) for pair, (s, p) in links.items()}

    @property
    def links(self) -> dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]]:
        if self._kept_links is not None:
            self._links = marshal.loads(self._kept_links[1])
            self._kept_links = None
        return self._links

    @links.setter
    def links(self, value: dict) -> None:
        self._links, self._kept_links = value, None

    def link_count(self) -> int:
        """len(self.links), without reading kept links."""
        return self._kept_links[0] if self._kept_links is not None else len(self._links)

    def link_tallies(self) -> tuple[dict, int]:
        """(the causal pairs with several sources, each with its sources; how many pairs have opposite polarities): what kg.query.stats
        reads of every link, kept with the sum of a project's counts so that a rebuild does not go through every link again."""
        if self.tallies is None:
            self.tallies = ({pair: s for pair, (s, _) in self.links.items() if len(s) > 1},
                            sum(1 for _, p in self.links.values() if len(p) > 1))
        return self.tallies

    def add(self, other: ClaimCounts) -> ClaimCounts:
        """Add another set of claims' counts to these (the claims of two sets are never the same claim).

        Files seldom share a causal pair: the pairs are added in one dict update, and only the shared ones merged one by one.
        """
        self.claims += other.claims
        self.tallies = None
        for name in ("by_source", "by_polarity", "in_roles", "by_relation", "by_certainty", "by_modality"):
            getattr(self, name).update(getattr(other, name))
        self.conditional += other.conditional
        self.disputes += other.disputes
        self.with_agent += other.with_agent
        self.with_target += other.with_target
        mine = self.links
        shared = mine.keys() & other.links.keys()
        merged = {pair: (_union(mine[pair][0], other.links[pair][0]), _union(mine[pair][1], other.links[pair][1])) for pair in shared}
        mine.update(other.links)
        mine.update(merged)
        return self

    def to_plain(self) -> tuple:
        """The counts as plain values (for marshal: kg.model.claimfiles keeps them in a claim file's summary)."""
        return (*self._tallies_plain(), self.links)

    def to_kept(self) -> tuple:
        """to_plain, the links as (how many, their marshal bytes): what kg.model.mergedstate keeps, read back without going through
        every causal pair (85,000 in a sum at 100k claims) until something asks for them; the bytes read are passed on as they are."""
        kept = self._kept_links if self._kept_links is not None else (len(self._links), marshal.dumps(self._links))
        return (*self._tallies_plain(), kept)

    def _tallies_plain(self) -> tuple:
        return (self.claims, dict(self.by_source), dict(self.by_polarity), self.conditional, self.disputes, dict(self.in_roles),
                self.with_agent, self.with_target, dict(self.by_relation), dict(self.by_certainty), dict(self.by_modality))

    @classmethod
    def from_plain(cls, plain: tuple) -> ClaimCounts:
        """The counts of to_plain's or to_kept's values."""
        out = cls()
        (out.claims, by_source, by_polarity, out.conditional, out.disputes, in_roles, out.with_agent, out.with_target,
         by_relation, by_certainty, by_modality, links) = plain
        if isinstance(links, dict):
            out.links = links
        else:
            count, raw = links
            if not (isinstance(count, int) and isinstance(raw, bytes)):
                raise ValueError("kept links of another shape")
            out._kept_links = (count, raw)
        for name, value in (("by_source", by_source), ("by_polarity", by_polarity), ("in_roles", in_roles),
                            ("by_relation", by_relation), ("by_certainty", by_certainty), ("by_modality", by_modality)):
            setattr(out, name, Counter(value))
        return out


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a if a == b else tuple(sorted({*a, *b}))


def total(parts: Iterable[ClaimCounts]) -> ClaimCounts:
    out = ClaimCounts()
    for part in parts:
        out.add(part)
    return out
