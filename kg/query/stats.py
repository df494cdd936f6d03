"""Counts that describe the graph: sources, concepts by class, claims by source and polarity, agreement."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from kg.inputs.vocabulary import CERTAINTIES, MODALITIES, RELATIONS
from kg.iris import CONCEPT_CLASSES

if TYPE_CHECKING:  # the loader imports rdflib; stats also reads the query index (kg.query.index)
    from kg.model.project import KG


def links(kg: KG) -> dict[tuple[str, str], list]:
    """Claims grouped by their (cause, effect) pair: each pair is one link of the causal map."""
    out: dict[tuple[str, str], list] = defaultdict(list)
    for c in kg.claims.values():
        if c.causal:
            out[(c.cause, c.effect)].append(c)
    return out


def get_stats(kg: KG) -> dict:
    """The counts; the query index (kg.query.index) counted them when it was written, from the same model."""
    stored = getattr(kg, "counted_stats", None)
    if stored is not None:
        return stored()
    by_link = links(kg)
    multi_doc = {k: v for k, v in by_link.items() if len({c.source for c in v}) > 1}
    multi_work = {k: v for k, v in by_link.items() if len({kg.work_of(c.source) for c in v}) > 1}
    opposed = {k: v for k, v in by_link.items() if len({c.polarity for c in v}) > 1}
    classes = Counter(c.cls for c in kg.concepts.values())
    return {
        "sources": len(kg.sources),
        "works": len({s.work for s in kg.sources.values()}),
        "concepts": len(kg.concepts),
        "concepts_by_class": {cls: classes.get(cls, 0) for cls in CONCEPT_CLASSES},
        "claims": len(kg.claims),
        "chains": len(kg.chains),
        "claims_by_source": dict(sorted(Counter(c.source for c in kg.claims.values()).items())),
        "claims_by_polarity": dict(sorted(Counter(c.polarity for c in kg.claims.values() if c.polarity).items())),
        "conditional_claims": sum(1 for c in kg.claims.values() if c.conditions or c.condition_texts),
        "links": len(by_link),
        "links_with_several_documents": len(multi_doc),
        "links_with_several_works": len(multi_work),
        "links_with_opposite_polarities": len(opposed),
        "disputes": sum(len(c.disputes) for c in kg.claims.values() if not c.position or c.position == 1),
        **_v2_counts(kg),
    }


def _v2_counts(kg: KG) -> dict:
    """Actors and their roles, kinds of relation, certainty and modality (model v2)."""

    claims = list(kg.claims.values())
    in_roles = Counter(a for c in claims for a in dict.fromkeys(c.actors))
    return {
        "actors": sum(1 for c in kg.concepts.values() if "Actor" in c.classes),
        "actors_in_roles": len(in_roles),
        "claims_with_agent": sum(1 for c in claims if c.agent),
        "claims_with_target": sum(1 for c in claims if c.target),
        "claims_by_actor": dict(sorted(in_roles.items(), key=lambda kv: (-kv[1], kv[0]))),
        "claims_by_relation": {r: sum(1 for c in claims if c.relation == r) for r in RELATIONS},
        # "none": a norm (必须, 只能 …) states no certainty.
        "claims_by_certainty": {x or "none": sum(1 for c in claims if c.certainty == x) for x in (*reversed(CERTAINTIES), "")},
        "claims_by_modality": {m: sum(1 for c in claims if c.modality == m) for m in MODALITIES},
        "deprecated_concepts": len(kg.deprecated),
        "replaced_claim_ids": len(kg.replaced_claims),
    }
