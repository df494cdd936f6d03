"""The search index the home page carries: every concept, claim, chain, source, work and paragraph of source text, folded for matching.

The index is built here and embedded in the page as JSON, so search works offline and from a plain
static host (no server, nothing fetched). Texts are folded as quotes are (kg.inputs.quotes.fold:
simplified characters, ASCII punctuation) and lower-cased; the page folds a query with the map
`fold` carries (every traditional or variant form of a character the index holds, and the
punctuation), so 黨委 finds 党委.
"""

from __future__ import annotations

from kg.inputs.quotes import fold
from kg.output.site.paths import Resource, href
from kg.query.passages import source_name, source_passages
from kg.query.search import variant_fold_map


def _key(*texts: str) -> str:
    return fold("\n".join(t for t in texts if t)).lower()


def search_index(pages, here: Resource) -> dict:
    """{"entries": [[kind, href, title, detail, key, detail's language], …], "fold": {char: folded}} for the page at `here`."""
    kg = pages.kg
    entries: list[list[str]] = []
    for cid, c in sorted(kg.concepts.items()):
        zh, en = c.label("zh"), c.label("en")
        entries.append(["concept", href(here, Resource("concept", cid)), f"{zh} · {en}" if zh != en else zh, c.definition_in("en"),
                        _key(cid, *c.all_labels(), c.definition_in("zh"), c.definition_in("en")), "en"])
    for cid, c in sorted(kg.claims.items()):
        con, lang = kg.concepts, kg.sources[c.source].language
        names = [con[x].label(lang) for x in (c.cause, c.effect) if x for lang in ("zh", "en")]
        entries.append(["claim", href(here, Resource("claim", cid)), c.gloss, "……".join(c.quotes),
                        _key(cid, *c.quotes, c.gloss, *names), lang])
    for chid, ch in sorted(kg.chains.items()):
        entries.append(["chain", href(here, Resource("claim", chid)), ch.links[0].gloss, " → ".join(kg.concepts[s].label("zh") for s in ch.steps),
                        _key(chid, ch.links[0].gloss, *ch.links[0].quotes), "zh"])
    for sid, s in sorted(kg.sources.items()):
        name = source_name(s, kg.works)
        entries.append(["source", href(here, Resource("source", sid)), name, s.title_en,
                        _key(sid, s.title, s.title_en, *s.authors, s.container, s.issued), "en"])
        for p in source_passages(kg, sid):
            entries.append(["text", href(here, Resource("source", sid), fragment=f"L{p.first_line}"), f"{name}, {p.locator}",
                            p.text[:160], _key(p.text), s.language])
    for wid in sorted(pages.work_ids()):
        w = kg.works.get(wid)
        if w is not None:
            entries.append(["work", href(here, Resource("work", wid)), w.title, w.title_en, _key(wid, w.title, w.title_en, *w.authors), "en"])
    return {"entries": entries, "fold": variant_fold_map(e[4] for e in entries)}
