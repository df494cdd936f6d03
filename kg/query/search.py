"""Full-text search over concepts (ids, labels, definitions) and claims (quotes, glosses, conditions), in either script."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.inputs.quotes import PUNCT, fold
from kg.model.names import normalize


@dataclass
class Hit:
    """A concept or claim that matches, and the fields (name → their text) where the words were found."""

    id: str
    matched: dict[str, str]
    rank: int = 0  # 0: a label or id equal to the query, 1: a label or id holding it, 2: elsewhere


@dataclass
class SearchResult:
    """The concepts and claims that hold every word searched for."""

    query: str
    concepts: list[Hit] = field(default_factory=list)
    claims: list[Hit] = field(default_factory=list)


def concept_fields(c) -> list[tuple[str, str]]:
    """The fields `search` reads of a concept, as (name, text): id, labels, definitions (the page searches the same)."""
    out = [("id", c.id)]
    out += [(f"prefLabel@{lang}", v) for lang, vs in sorted(c.pref.items()) for v in vs]
    out += [(f"altLabel@{a.language or ''}", str(a)) for a in c.alt]
    out += [(f"definition@{lang}", v) for lang, vs in sorted(c.definition.items()) for v in vs]
    return out


def claim_fields(c) -> list[tuple[str, str]]:
    """The fields `search` reads of a claim, as (name, text): id, quotes, gloss, condition texts, hedge, case, period, note."""
    out = [("id", c.id)]
    out += [("quote" if len(c.quotes) == 1 else f"quote[{i}]", q) for i, q in enumerate(c.quotes)]
    out += [("gloss", c.gloss)] + [("condition", t) for t in c.condition_texts]
    out += [(k, v) for k, v in (("hedge", c.hedge), ("case", c.case), ("period", c.period), ("note", c.note)) if v]
    return out


def normalized_fields(fields: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(name, text, the text normalized): what search compares, computed once (the query index stores it)."""
    return [(name, text, normalize(text)) for name, text in fields]


def _match(terms: list[str], fields: list[tuple[str, str, str]]) -> dict[str, str]:
    """The fields holding a term, if every term is held by some field; {} otherwise."""

    matched: dict[str, str] = {}
    for term in terms:
        hits = {name: text for name, text, norm in fields if term in norm}
        if not hits:
            return {}
        matched.update(hits)
    return matched


def search(kg, text: str) -> SearchResult:
    """Concepts and claims that hold every word of `text` (split on spaces), folded to one script and case.

    Concepts come first where a label or id equals the query, then where one holds it. On the query
    index (kg.query.index) the fields come normalized already, without decoding a record, and only
    for the concepts and claims that hold every term somewhere (found by SQLite).
    """

    query = getattr(kg, "normalize", normalize)(text)  # the query index remembers what it normalized
    if not query:
        raise QueryError("nothing to search for: give a word or a label")
    terms = query.split()
    result = SearchResult(text)
    stored = getattr(kg, "search_fields", None)
    concepts = stored("concepts", terms) if stored is not None else \
        ((c.id, normalized_fields(concept_fields(c))) for c in kg.concepts.values())
    for cid, fields in concepts:
        matched = _match(terms, fields)
        if matched:
            labels = [norm for name, _, norm in fields if not name.startswith("definition")]
            rank = 0 if query in labels else 1 if any(query in v for v in labels) else 2
            result.concepts.append(Hit(cid, matched, rank))
    claims = stored("claims", terms) if stored is not None else \
        ((c.id, normalized_fields(claim_fields(c))) for c in kg.claims.values())
    for cid, fields in claims:
        matched = _match(terms, fields)
        if matched:
            result.claims.append(Hit(cid, matched))
    result.concepts.sort(key=lambda h: (h.rank, h.id))
    result.claims.sort(key=lambda h: h.id)
    return result


def variant_fold_map(texts) -> dict[str, str]:
    """Character → its folded form, for every variant of a CJK character in `texts` (OpenCC s2t, s2tw, s2hk), and the punctuation fold() folds.

    A page cannot run OpenCC: to fold a query as `search` does it only needs the variants of the characters its texts hold.
    """
    import opencc

    chars = {ch for t in texts for ch in t if ord(ch) > 0x2E7F}
    variants = set(chars)
    for config in ("s2t", "s2tw", "s2hk"):
        conv = opencc.OpenCC(config)
        variants |= {v for ch in chars if len(v := conv.convert(ch)) == 1}
    out = {ch: f for ch in variants if (f := fold(ch)) != ch}
    out.update({chr(k): v for k, v in PUNCT.items()})
    return dict(sorted(out.items()))
