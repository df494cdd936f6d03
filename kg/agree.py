"""Agreement between independent works: claims several works make alike, exactly or through broader concepts.

Independence is counted in works (sources/works.yaml), not documents: the reading notes and two
excerpts of 《县乡中国》 are one work, so their saying the same thing is one voice. Two claims
agree *exactly* when they state the same relation between the same concepts with the same polarity;
they agree *via broader* concepts when one claim's cause (subject) and effect (object) are each the
other's or a broader concept of it (skos:broader, at any depth), with the same relation and
polarity: "shirking → formalism" and "shirking → paperwork", paperwork being a kind of formalism.
Definitions are not compared: two texts defining a concept do not thereby say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .claims import Claim


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
    from .names import resolve_concept

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
        for (rel, cause, effect, pol), general in by_link.items():
            narrower = [c for (r, a, b, p), cs in by_link.items() if (r, p) == (rel, pol) and (a, b) != (cause, effect)
                        and cause in up.get(a, {a}) and effect in up.get(b, {b}) for c in cs]
            if not narrower:
                continue
            works = grouped(general + narrower)
            general_works = {kg.work_of(c.source) for c in general}
            # Agreement needs a work on the general link and another on a narrower one.
            if len(works) > 1 and any(w not in general_works for w in works):
                found.append(Agreement("broader", rel, cause, effect, pol, works))
    if cid is not None:
        found = [a for a in found if any(cid in pair for pair in a.links)]
    found.sort(key=lambda a: (a.kind != "exact", -len(a.by_work), a.cause, a.effect, a.relation))
    return found
