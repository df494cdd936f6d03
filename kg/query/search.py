"""Full-text search over concepts (ids, labels, definitions) and claims (quotes, glosses, conditions), in either script."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.model.names import normalize


@dataclass
class Hit:
    """A concept or claim that matches, and the fields (name → their text) where the words were found."""

    id: str
    matched: dict[str, str]
    rank: int = 0  # 0: a label or id equal to the query, 1: a label or id holding it, 2: elsewhere


@dataclass
class SearchResult:
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


def _match(terms: list[str], fields: list[tuple[str, str]]) -> dict[str, str]:
    """The fields holding a term, if every term is held by some field; {} otherwise."""

    matched: dict[str, str] = {}
    for term in terms:
        hits = {name: text for name, text in fields if term in normalize(text)}
        if not hits:
            return {}
        matched.update(hits)
    return matched


def search(kg, text: str) -> SearchResult:
    """Concepts and claims that hold every word of `text` (split on spaces), folded to one script and case.

    Concepts come first where a label or id equals the query, then where one holds it.
    """

    query = normalize(text)
    if not query:
        raise QueryError("nothing to search for: give a word or a label")
    terms = query.split()
    result = SearchResult(text)
    for c in kg.concepts.values():
        fields = concept_fields(c)
        matched = _match(terms, fields)
        if matched:
            labels = [normalize(v) for name, v in fields if not name.startswith("definition")]
            rank = 0 if query in labels else 1 if any(query in v for v in labels) else 2
            result.concepts.append(Hit(c.id, matched, rank))
    for c in kg.claims.values():
        matched = _match(terms, claim_fields(c))
        if matched:
            result.claims.append(Hit(c.id, matched))
    result.concepts.sort(key=lambda h: (h.rank, h.id))
    result.claims.sort(key=lambda h: h.id)
    return result
