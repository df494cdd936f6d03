"""Resolving the names a researcher types (id, label, altLabel, title; either script) to concept, claim and source ids."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from kg.errors import NameNotFound
from kg.inputs.quotes import fold

_SEPARATORS = r"[\s_\-‐‑–—·・]+"  # compiled on first use (re's cache): most warm queries never normalize a name
MAX_SUGGESTIONS = 5


@lru_cache(maxsize=8192)
def normalize(name: str) -> str:
    """The form in which names are compared: simplified script, folded punctuation, case and separators ignored.

    `blame shifting`, `Blame-Shifting` and `blame_shifting` are one name; so are 責任主體 and 责任主体.
    """

    return re.sub(_SEPARATORS, " ", fold(name.strip()).casefold()).strip()


class Names:
    """The names records go by, normalized, for matching: built from {id: [names]} (the id first).

    The query index (kg.query.index) has a table of the same three questions, answered from the
    names it normalized when it was built.
    """

    def __init__(self, keys_of: dict[str, list[str]]):
        self._keys = keys_of
        self._norm: dict[str, list[str]] | None = None

    def __contains__(self, name: object) -> bool:
        return name in self._keys

    def normalized(self) -> dict[str, list[str]]:
        if self._norm is None:
            self._norm = {i: [normalize(k) for k in keys] for i, keys in self._keys.items()}
        return self._norm

    def exact(self, wanted: str) -> list[str]:
        """The ids with a name that normalizes to `wanted`, in record order."""
        return [i for i, keys in self.normalized().items() if wanted in keys]

    def containing(self, wanted: str) -> list[str]:
        """The ids with a name holding `wanted`, in record order."""
        return [i for i, keys in self.normalized().items() if any(wanted in k for k in keys)]

    def normalize(self, name: str) -> str:
        return normalize(name)


def normalize_many(names: list[str]) -> list[str]:
    """normalize() of each name, folded by one OpenCC call for them all (a page's tens of thousands of quotes).

    The names go to OpenCC one per line (no conversion spans a line break), with a last line 們 that
    must come back 们 (else fold() kept the text as it was, because some length changed); when a
    length changed, or a name holds a line break, each is normalized alone: the result is normalize()'s.
    """
    stripped = [n.strip() for n in names]
    if not stripped or any("\n" in n for n in stripped):
        return [normalize(n) for n in names]
    parts = fold("\n".join([*stripped, "們"])).split("\n")
    if parts[-1] != "们" or len(parts) != len(stripped) + 1 or any(len(a) != len(b) for a, b in zip(parts, stripped, strict=False)):
        return [normalize(n) for n in names]
    return [re.sub(_SEPARATORS, " ", p.casefold()).strip() for p in parts[:-1]]


def _match(name: str, keys_of: dict[str, list[str]] | Names, what: str, describe: Callable[[str], str]) -> str:
    """The one id whose keys match `name`: exactly first, then as a unique substring; else NameNotFound.

    `keys_of` maps each id to the names it goes by (the id itself first). Matching is exact on the
    raw text first, so an id is found without starting OpenCC at all.
    """
    table = Names(keys_of) if isinstance(keys_of, dict) else keys_of
    if name in table:
        return name
    wanted = table.normalize(name)
    if not wanted:
        raise NameNotFound(f"an empty {what} name: give an id or a label")
    exact = table.exact(wanted)
    if len(exact) == 1:
        return exact[0]
    partial = exact or table.containing(wanted)
    if len(partial) == 1:
        return partial[0]
    if partial:
        listed = "\n".join(f"  {describe(i)}" for i in sorted(partial)[:12])
        more = f"\n  … and {len(partial) - 12} more" if len(partial) > 12 else ""
        raise NameNotFound(f"'{name}' is ambiguous: it matches {len(partial)} {what}s; give one of their ids:\n{listed}{more}")
    close = _closest(wanted, table.normalized())
    hint = ("; the closest:\n" + "\n".join(f"  {describe(i)}" for i in close)) if close else f"; `kg search {name}` lists near matches"
    raise NameNotFound(f"no {what} named '{name}'{hint}")


def concept_names(kg) -> Names:
    """The concepts' names (id, labels, altLabels) as a match table: the query index's own when kg is one."""
    table = getattr(kg, "concept_names", None)
    return table() if table is not None else Names({cid: [cid, *c.all_labels()] for cid, c in kg.concepts.items()})


def _closest(wanted: str, norm: dict[str, list[str]]) -> list[str]:
    """Ids ranked by how alike their best name is to `wanted` (difflib's ratio, which works on CJK characters too)."""
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    scored = []
    for i, keys in norm.items():
        best = 0.0
        for k in keys:
            matcher.set_seq1(k)
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
        if best >= 0.4:
            scored.append((-best, i))
    return [i for _, i in sorted(scored)[:MAX_SUGGESTIONS]]


def describe_concept(kg, cid: str) -> str:
    c = kg.concepts[cid]
    return f"{cid} ({c.label('zh')} / {c.label('en')})"


def resolve_concept(kg, name: str) -> str:
    """The id of the concept named by id, zh or en prefLabel or any altLabel, in either script; raises NameNotFound.

    A deprecated concept's id (or, when no current concept matches, one of its labels) resolves to
    the concept that replaced it; a split one, replaced by several, raises NameNotFound naming them.
    """
    deprecated = getattr(kg, "deprecated", {})
    if name in deprecated:
        return _replacement(kg, name, deprecated[name])
    try:
        return _match(name, concept_names(kg), "concept", lambda cid: describe_concept(kg, cid))
    except NameNotFound:
        wanted = normalize(name)
        stubs = [sid for sid, c in deprecated.items() if wanted in {normalize(k) for k in [sid, *c.all_labels()]}]
        if len(stubs) != 1:
            raise
        return _replacement(kg, name, deprecated[stubs[0]])


def _replacement(kg, name: str, stub) -> str:
    current = [r for r in stub.replaced_by if r in kg.concepts]
    if len(current) == 1:
        return current[0]
    if current:
        listed = "\n".join(f"  {describe_concept(kg, r)}" for r in current)
        raise NameNotFound(f"'{name}' is ambiguous: the concept {stub.id} was split into {', '.join(current)}; give one of them:\n{listed}")
    raise NameNotFound(f"'{name}' names the deprecated concept {stub.id}, which nothing current replaces")


def narrower_of(kg, cid: str) -> list[str]:
    """The concepts that are directly a kind of this one (skos:broader read downwards), in the concepts' order."""
    stored = getattr(kg, "narrower_of", None)  # the query index keeps them
    if stored is not None:
        return stored(cid)
    return [other.id for other in kg.concepts.values() if cid in other.broader]


def narrower_closure(kg, cid: str) -> set[str]:
    """The concept and every concept that is a kind of it, at any depth (skos:broader read downwards)."""
    found, todo = {cid}, [cid]
    while todo:
        here = todo.pop()
        for other in narrower_of(kg, here):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def resolve_concepts(kg, names: Iterable[str]) -> list[str]:
    return [resolve_concept(kg, n) for n in names]


def resolve_claim(kg, name: str) -> str:
    """The id of a claim or of a chain (a chain id names all its links), by id or unique part of one."""
    replaced = getattr(kg, "replaced_claims", {})
    if name in replaced and (replaced[name] in kg.claims or replaced[name] in kg.chains):  # an id a claim's `replaces:` retired
        return replaced[name]
    if name in kg.claims or name in kg.chains:  # an id as it is: no table of every id needed
        return name
    keys = {cid: [cid] for cid in kg.claims}
    keys.update({ch: [ch] for ch in kg.chains})
    return _match(name, keys, "claim", lambda i: f"{i} ({_claim_summary(kg, i)})")


def get_claims(kg, name: str) -> list:
    """The claims a claim or chain name stands for: one claim, or every link of a chain in order."""
    cid = resolve_claim(kg, name)
    return list(kg.chains[cid].links) if cid in kg.chains else [kg.claims[cid]]


def _claim_summary(kg, cid: str) -> str:
    links = kg.chains[cid].links if cid in kg.chains else [kg.claims[cid]]
    steps = [links[0].cause] + [c.effect for c in links]
    names = [kg.concepts[s].label("zh") if s in kg.concepts else s for s in steps if s]
    arrow = " → " if links[0].causal else f" {links[0].relation} "
    return f"{links[0].source}: " + arrow.join(names)


def resolve_source(kg, name: str) -> str:
    """The id of a source document named by id or by (part of) its title, in either language and script."""
    keys = {sid: [sid, s.title, s.title_en] for sid, s in kg.sources.items()}
    keys = {sid: [k for k in ks if k] for sid, ks in keys.items()}
    return _match(name, keys, "source", lambda sid: f"{sid} ({kg.sources[sid].title})")


def resolve_sources(kg, names: Iterable[str] | None) -> set[str] | None:
    """Source ids for a list of names; None (no restriction) for None or an empty list."""
    if not names:
        return None
    return {resolve_source(kg, n) for n in names}
