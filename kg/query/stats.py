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
    """The counts; the query index (kg.query.index) counted them when it was written, from the same model.

    From the kept sum of each claim file's counts when the model holds it (kg.model.project keeps
    it with the merge of the files' summaries), else from each file's counts, else from every claim:
    the same counts either way.
    """
    stored = getattr(kg, "counted_stats", None)
    if stored is not None:
        return stored()
    from kg.model.claimstats import ClaimCounts, total

    counts = getattr(kg, "claim_totals", None)  # the sum kept with the merge of the claim files (kg.model.mergedstate)
    if counts is None or counts.claims != len(kg.claims):
        kept = getattr(kg, "claim_counts", None)
        counts = total(kept.values()) if kept else None
    if counts is None or counts.claims != len(kg.claims):
        counts = ClaimCounts(kg.claims.values())
    return counts_of(kg, counts)


def counts_of(kg: KG, counts) -> dict:
    """The stats of a graph whose claims' counts (kg.model.claimstats.ClaimCounts) are `counts`."""
    several, opposed = counts.link_tallies()  # kept with the sum (kg.model.mergedstate): few pairs, the works looked up for these alone
    multi_doc = len(several)
    work = {sid: src.work for sid, src in kg.sources.items()}  # kg.work_of's answers, looked up in C
    # Each set of sources looked up once: many pairs share theirs (131,904 pairs with several sources at 1M claims).
    multi_work = sum(n for sources, n in Counter(several.values()).items() if len({work.get(s, s) for s in sources}) > 1)
    from kg.model.concepts import briefs

    kinds = [b[:2] for _, b in briefs(kg.concepts)]  # (actor, class): a kept model's concepts are not unpickled for this
    classes = Counter(cls for _, cls in kinds)
    return {
        "sources": len(kg.sources),
        "works": len({s.work for s in kg.sources.values()}),
        "concepts": len(kg.concepts),
        "concepts_by_class": {cls: classes.get(cls, 0) for cls in CONCEPT_CLASSES},
        "claims": counts.claims,
        "chains": len(kg.chains),
        "claims_by_source": dict(sorted(counts.by_source.items())),
        "claims_by_polarity": dict(sorted(counts.by_polarity.items())),
        "conditional_claims": counts.conditional,
        "links": counts.link_count(),  # a kept sum's links are not read for this (kg.model.claimstats)
        "links_with_several_documents": multi_doc,
        "links_with_several_works": multi_work,
        "links_with_opposite_polarities": opposed,
        "disputes": counts.disputes,
        # Actors and their roles, kinds of relation, certainty and modality (model v2).
        "actors": sum(1 for actor, _ in kinds if actor),
        "actors_in_roles": len(counts.in_roles),
        "claims_with_agent": counts.with_agent,
        "claims_with_target": counts.with_target,
        "claims_by_actor": dict(sorted(counts.in_roles.items(), key=lambda kv: (-kv[1], kv[0]))),
        "claims_by_relation": {r: counts.by_relation.get(r, 0) for r in RELATIONS},
        # "none": a norm (必须, 只能 …) states no certainty.
        "claims_by_certainty": {x or "none": counts.by_certainty.get(x, 0) for x in (*reversed(CERTAINTIES), "")},
        "claims_by_modality": {m: counts.by_modality.get(m, 0) for m in MODALITIES},
        "deprecated_concepts": len(kg.deprecated),
        "replaced_claim_ids": len(kg.replaced_claims),
    }

