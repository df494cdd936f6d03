"""Agreement between independent works: claims several works make alike, exactly or through broader concepts.

Independence is counted in works (sources/works.yaml), not documents: the reading notes and two
excerpts of 《县乡中国》 are one work, so their saying the same thing is one voice. Two claims
agree *exactly* when they state the same relation between the same concepts with the same polarity;
they agree *via broader* concepts when their links meet at a common, more general link: each claim's
cause (subject) is that link's cause or a kind of it (skos:broader, at any depth), and so is its
effect (object), with the same relation and polarity — "shirking → formalism" and "shirking →
paperwork" (paperwork being a kind of formalism), or two works each stating a different kind of
pushing blame downward toward the same outcome. Of the general links one set of claims meets at,
the most specific is reported.
Definitions are not compared: two texts defining a concept do not thereby say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.inputs.records import Claim
from kg.model.names import resolve_concept


@dataclass
class Agreement:
    """What several works say alike: `general` the link as the most general claim states it, `claims` grouped by work."""

    kind: str  # exact | broader
    relation: str
    cause: str  # the general link's cause (or subject)
    effect: str  # its effect (or object)
    polarity: str
    by_work: dict[str, list[Claim]]

    @property
    def works(self) -> list[str]:
        return sorted(self.by_work)

    @property
    def links(self) -> list[tuple[str, str]]:
        """The (cause, effect) pairs of the claims, the general one first."""
        pairs = {(c.cause, c.effect) for cs in self.by_work.values() for c in cs}
        return sorted(pairs, key=lambda p: (p != (self.cause, self.effect), p))


def _ancestors(kg, cid: str) -> set[str]:
    """The concept and every concept it is a kind of (skos:broader, transitively)."""
    found, todo = {cid}, [cid]
    while todo:
        here = kg.concepts.get(todo.pop())
        for b in here.broader if here else []:
            if b not in found:
                found.add(b)
                todo.append(b)
    return found


def find_agreements(kg, concept: str | None = None, *, broader: bool = True) -> list[Agreement]:
    """Links that claims of two or more works state alike, exactly, and (`broader`) through broader concepts.

    With `concept` (any name), only agreements whose links have it as cause, effect, subject or object.
    Exact agreements first, then broader ones; each kind ordered by the number of works, then by link.
    """

    cid = resolve_concept(kg, concept) if concept is not None else None
    by_link: dict[tuple, list[Claim]] = defaultdict(list)
    for c in kg.claims.values():
        if c.relation != "definition":
            by_link[(c.relation, c.cause, c.effect, c.polarity)].append(c)

    def grouped(claims) -> dict[str, list[Claim]]:
        out: dict[str, list[Claim]] = defaultdict(list)
        for c in sorted(claims, key=lambda c: c.id):
            out[kg.work_of(c.source)].append(c)
        return dict(sorted(out.items()))

    found = []
    for (rel, cause, effect, pol), claims in by_link.items():
        works = grouped(claims)
        if len(works) > 1:
            found.append(Agreement("exact", rel, cause, effect, pol, works))
    if broader:
        up = {x: _ancestors(kg, x) for x in kg.concepts}
        # Every claim counts toward each general link its cause and effect are kinds of.
        general: dict[tuple, set[str]] = defaultdict(set)
        for (rel, cause, effect, pol), claims in by_link.items():
            for a in up.get(cause, {cause}):
                for b in up.get(effect, {effect}) if effect else {effect}:
                    general[(rel, a, b, pol)].update(c.id for c in claims)
        most_specific: dict[frozenset[str], tuple] = {}
        for key, ids in general.items():
            claims = [kg.claims[i] for i in ids]
            if len({(c.cause, c.effect) for c in claims}) < 2 or len({kg.work_of(c.source) for c in claims}) < 2:
                continue  # one link only (an exact agreement, above), or one work
            members = frozenset(ids)
            best = most_specific.get(members)
            # the same claims also meet at every link above this one: keep the lowest (most ancestors)
            if best is None or len(up.get(key[1], ())) + len(up.get(key[2], ())) > len(up.get(best[1], ())) + len(up.get(best[2], ())):
                most_specific[members] = key
        for members, (rel, cause, effect, pol) in most_specific.items():
            found.append(Agreement("broader", rel, cause, effect, pol, grouped(kg.claims[i] for i in members)))
    if cid is not None:
        # a concept's agreements include those on its kinds (a narrower concept's claims speak of it too)
        def about(a: Agreement) -> bool:
            named = {a.cause, a.effect} | {x for pair in a.links for x in pair}
            return any(cid in up_all.get(x, {x}) for x in named)

        up_all = {x: _ancestors(kg, x) for x in kg.concepts}
        found = [a for a in found if about(a)]
    found.sort(key=lambda a: (a.kind != "exact", -len(a.by_work), a.cause, a.effect, a.relation))
    return found
