"""The page's data for reading and tracing: each source's paragraphs once, where each claim stands in them,
what search reads (folded as `kg search` folds), the tension on each link, and the path a `--chain` page opens on.

The page (templates/trace.js, source.js, filters.js) reads this block; kg/output/render.py embeds it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.inputs.quotes import PUNCT, fold
from kg.inputs.records import Claim
from kg.model.names import normalize, normalize_many
from kg.model.project import KG
from kg.query.contrast import contradicts
from kg.query.passages import source_name, source_passages
from kg.query.search import claim_fields, concept_fields
from kg.query.subgraph import View


def tension(claims: Iterable[Claim]) -> str:
    """What opposite polarities on one link mean: "contradict" when two claims with conditions that can hold
    together say opposite things; "conditional" when every opposite pair holds under different conditions; ""
    when the claims agree."""
    claims = [c for c in claims if c.polarity]
    opposite = [(a, b) for i, a in enumerate(claims) for b in claims[i + 1:] if a.polarity != b.polarity]
    if not opposite:
        return ""
    return "contradict" if any(contradicts(a, b) for a, b in opposite) else "conditional"


def condition_keys(c: Claim) -> list[str]:
    """A claim's conditions as the page compares them: concept ids, and free texts as text:…"""
    return sorted({*c.conditions, *(f"text:{t}" for t in c.condition_texts)})


def fold_map(texts: Iterable[str]) -> dict[str, str]:
    """Character → its folded form (kg.inputs.quotes.fold) for every character of `texts` and every variant of one.

    The page cannot run OpenCC; to fold a query as `kg search` does it needs the simplified form of
    the traditional and variant characters a reader may type for the characters its texts hold.
    """
    import opencc

    chars = {ch for ch in set("".join(texts)) if ord(ch) > 0x2E7F}
    variants = set(chars)
    for config in ("s2t", "s2tw", "s2hk"):
        conv = opencc.OpenCC(config)
        variants |= {v for ch in chars if len(v := conv.convert(ch)) == 1}
    # One OpenCC call for all: the characters one per line, so no phrase spans two of them.
    order = sorted(variants)
    folded = fold("\n".join(order)).split("\n")
    if len(folded) != len(order) or any(len(f) != 1 for f in folded):
        folded = [fold(ch) for ch in order]
    out = {ch: f for ch, f in zip(order, folded, strict=True) if f != ch}
    out.update({chr(k): v for k, v in PUNCT.items()})
    return dict(sorted(out.items()))


def _source_entry(kg: KG, sid: str, claims: list[Claim]) -> dict:
    """A source's names, its work, and the paragraphs in which one of `claims` (the drawn ones) stands, theirs marked."""
    src = kg.sources[sid]
    work = kg.works.get(src.work) if src.work != src.id else None
    paras = []
    for p in source_passages(kg, sid, claims):
        marks = [[m.start, m.end, list(m.claims)] for m in p.marks]
        if marks:
            paras.append({"line": p.first_line, "locator": p.locator, "text": p.text, "marks": marks})
    return {
        "zh": source_name(src, kg.works, "zh"), "en": source_name(src, kg.works, "en"),
        "title": src.title, "titleEn": src.title_en, "authors": list(src.authors),
        "year": src.issued[:4] if src.issued[:4].isdigit() else "",
        "work": src.work, "workTitle": work.title if work else "", "workTitleEn": work.title_en if work else "",
        "relation": src.relation if work else "", "kind": src.kind, "paras": paras,
    }


def _claim_entry(kg: KG, c: Claim) -> dict:
    src = kg.sources[c.source]
    lines = sorted({line for a in c.anchors
                    for line in range(src.line_of_offset(a.start), src.line_of_offset(max(a.start, a.end - 1)) + 1)})
    return {
        "paras": lines, "chain": c.chain or "", "pos": c.position or 0, "work": kg.work_of(c.source),
        "conds": condition_keys(c),
    }


def page_data(kg: KG, view: View) -> dict:
    """The block the page's reading and tracing scripts read (JSON-ready).

    sources: id → names (zh, en: with the work, kg.query.passages.source_name), work, and the
    paragraphs holding a drawn claim, each with its marks [start, end, claim ids]; claims: id → the
    lines it quotes, its chain and position (the stated-path rule of kg.query.paths), its work, its
    condition keys and its folded search text; concepts: id → folded labels and definitions (the
    fields of `kg search`); tension: link id → contradict | conditional; trace: the `--chain` ends (view.ends).
    """
    claims = {c.id: c for c in view.claims}
    for defs in view.definitions.values():
        claims.update((c.id, c) for c in defs)
    sources = sorted({c.source for c in claims.values()})
    by_source: dict[str, list[Claim]] = {}  # the drawn claims of each source: only they are marked
    for c in claims.values():
        by_source.setdefault(c.source, []).append(c)
    concepts = {}
    texts: list[str] = []
    for cid in view.concepts:
        fields = concept_fields(kg.concepts[cid])
        texts += [t for _, t in fields]
        concepts[cid] = {
            "labels": "\n".join(dict.fromkeys(normalize(t) for name, t in fields if not name.startswith("definition"))),
            "defs": "\n".join(normalize(t) for name, t in fields if name.startswith("definition")),
        }
    out_claims = {}
    claim_texts = {cid: [t for _, t in claim_fields(claims[cid])] for cid in sorted(claims)}
    flat = normalize_many([t for ts in claim_texts.values() for t in ts])  # one OpenCC call, not one per field
    at = 0
    for cid, ts in claim_texts.items():
        out_claims[cid] = {**_claim_entry(kg, claims[cid]), "search": "\n".join(flat[at:at + len(ts)])}
        at += len(ts)
        texts += ts
    tensions = {}
    for link in view.links:
        kind = tension(link.claims)
        if kind:
            tensions[link_id(link.cause, link.effect, link.relation)] = kind
    trace = {"from": view.ends[0], "to": view.ends[1], "maxLen": view.max_len} if view.ends else None
    return {
        "sources": {sid: _source_entry(kg, sid, by_source.get(sid, [])) for sid in sources},
        "claims": out_claims, "concepts": concepts, "tension": tensions, "trace": trace,
        "searchFold": fold_map(texts),
    }


def link_id(cause: str, effect: str, relation: str) -> str:
    """The id render.py gives a link's edge: cause->effect for a causal link, cause-relation->effect otherwise."""
    return f"{cause}->{effect}" if relation == "causes" else f"{cause}-{relation}->{effect}"

