"""Remedies: the interventions the texts say counter a concept, directly or through one of its causes, or aim to reduce it.

An intervention (a concept of class gkv:Intervention) is a remedy for X when a claim says it
lowers X (a causal claim with negative polarity), lowers a cause of X (a concept a causal claim
says raises X), or has reducing X, or reducing a cause of X, as its stated aim (an aim claim with
negative polarity). Stated aims are goals, not observed effects, and are marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.inputs.records import Claim
from kg.model.names import resolve_concept

ROUTES = ("counters", "counters-a-cause", "aims-to-reduce", "aims-to-reduce-a-cause")


@dataclass
class Remedy:
    intervention: str
    route: str  # one of ROUTES
    target: str  # the concept the intervention acts on: X itself or one of its causes
    claims: list[Claim]  # the claims saying so (intervention ⊣ target, or its aim)
    via: list[Claim]  # for a cause of X: the claims that it raises X


def find_remedies(kg, name: str) -> list[Remedy]:
    """The remedies for a concept (any name), by route (direct first), then intervention id."""

    cid = resolve_concept(kg, name)
    claims = sorted(kg.claims.values(), key=lambda c: c.id)
    raises: dict[str, list[Claim]] = {}
    for c in claims:
        if c.causal and c.effect == cid and c.polarity == "positive":
            raises.setdefault(c.cause, []).append(c)
    targets = {cid: [], **raises}
    found: dict[tuple[str, str, str], Remedy] = {}
    for c in claims:
        if c.polarity != "negative" or c.relation not in ("causes", "aim") or c.object not in targets:
            continue
        if "Intervention" not in kg.concepts[c.subject].classes or c.subject == cid:
            continue
        route = ("counters" if c.causal else "aims-to-reduce") + ("" if c.object == cid else "-a-cause")
        key = (c.subject, route, c.object)
        found.setdefault(key, Remedy(c.subject, route, c.object, [], targets[c.object])).claims.append(c)
    return sorted(found.values(), key=lambda r: (ROUTES.index(r.route), r.intervention, r.target))
