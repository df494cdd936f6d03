"""The pages of the site: one per concept, claim, chain, source, work and release, each with its JSON-LD, Turtle and JSON-LD files.

Every text from the input files reaches HTML through Jinja's autoescaping (or markupsafe.escape
where a quote is cut into marks); JSON-LD goes into its script block through htmlsafe_json_dumps,
so no text can end the block. Links are relative, so the site works from any folder of a host
and from disk.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from kg.inputs.records import Claim
from kg.iris import BASE, GKS, GKV, RELEASE, SKOS
from kg.output.citations import genre_of
from kg.output.render import link_tag
from kg.output.site.cite import claim_citations, source_citations
from kg.output.site.paths import Resource, href
from kg.output.site.resources import IRI, group_quads, page_jsonld, retired_claim_triples, schema_triples, turtle_of
from kg.output.site.searchindex import search_index
from kg.query.agree import find_agreements
from kg.query.passages import Passage, passage_of, source_name, source_passages
from kg.rdf.serialize import ox_quads, to_ox_quads

TEMPLATES = Path(__file__).parent / "templates"
HOME = Resource("home", "")
MAP = "map.html"
RELATION_WORDS = {"causes": "causes", "form-of": "is a form of", "part-of": "is a part of", "aim": "aims at", "definition": "defines"}
POLARITY_WORDS = {"positive": "increases", "negative": "decreases", "mixed": "affects (mixed)"}
SCHEMA_GENRE = {"magazine": "Article", "newspaper": "NewsArticle", "chapter": "Chapter", "blog-post": "BlogPosting",
                "book": "Book", "dataset": "Dataset"}


def tag_words(relation: str, polarity: str) -> str:
    """What a link's sign (+, −, form of …) says, in words for a screen reader."""
    if relation == "causes":
        return POLARITY_WORDS.get(polarity, polarity)
    if relation == "aim":
        return {"positive": "aims to raise", "negative": "aims to reduce"}.get(polarity, "aims at")
    return RELATION_WORDS.get(relation, relation)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def zh_lang(tag: str) -> str:
    """The HTML lang of a text in this language tag (zh-Hans, zh-Hant …); zh when unknown."""
    return tag if tag.startswith("zh") else "zh"


class Pages:
    """Builds every file of the site in memory: path in the site → bytes."""

    def __init__(self, kg, release: dict, history: dict | None = None, quads: list | None = None, with_map: bool = True):
        self.kg = kg
        self.with_map = with_map
        self.release = release
        self.history = history or {}
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
        self.css = (TEMPLATES / "site.css").read_text(encoding="utf-8")
        self.js = (TEMPLATES / "site.js").read_text(encoding="utf-8")
        self.search_js = (TEMPLATES / "search.js").read_text(encoding="utf-8")
        self.quads = group_quads(quads if quads is not None else ox_quads(kg))
        self.narrower: dict[str, list[str]] = defaultdict(list)
        for cid, c in kg.concepts.items():
            for b in c.broader:
                self.narrower[b].append(cid)
        self.by_concept: dict[str, list[Claim]] = defaultdict(list)
        for c in kg.claims.values():
            for x in dict.fromkeys([c.cause, c.effect, *c.conditions, *c.agent, *c.target]):
                if x:
                    self.by_concept[x].append(c)
        self.agreements = self._agreements()
        self.files: dict[str, bytes] = {}

    # --- shared pieces -------------------------------------------------------------------------------

    def _agreements(self) -> dict[str, list]:
        """Each concept's agreements (kg.query.agree), computed once for all: an agreement is about a concept
        when one of the concepts it names is that concept or a kind of it (skos:broader, at any depth)."""
        up: dict[str, set[str]] = {}

        def ancestors(cid: str) -> set[str]:
            if cid not in up:
                found, todo = {cid}, [cid]
                while todo:
                    here = self.kg.concepts.get(todo.pop())
                    for b in here.broader if here else []:
                        if b not in found:
                            found.add(b)
                            todo.append(b)
                up[cid] = found
            return up[cid]

        out: dict[str, list] = defaultdict(list)
        for a in find_agreements(self.kg):
            named = {a.cause, a.effect} | {x for pair in a.links for x in pair}
            for cid in sorted({y for x in named if x for y in ancestors(x)}):
                out[cid].append(a)
        return out

    def concept_link(self, here: Resource, cid: str) -> dict:
        c = self.kg.concepts.get(cid) or self.kg.deprecated.get(cid)
        zh = c.label("zh") if c else cid
        en = c.label("en") if c else cid
        return {"href": href(here, Resource("concept", cid)), "zh": zh, "en": en if en != zh else "", "id": cid}

    def claim_link(self, here: Resource, c: Claim) -> dict:
        return {"href": href(here, Resource("claim", c.id)), "id": c.id, "gloss": c.gloss,
                "tag": link_tag(c.relation, c.polarity), "source": self.source_title(c.source),
                "cause": self.concept_link(here, c.cause), "effect": self.concept_link(here, c.effect) if c.effect else None,
                "relation": RELATION_WORDS.get(c.relation, c.relation), "tag_words": tag_words(c.relation, c.polarity)}

    def source_title(self, sid: str) -> str:
        return source_name(self.kg.sources[sid], self.kg.works)

    def marked(self, passage: Passage, here: Resource, link: bool) -> Markup:
        """The passage's text with each mark highlighted; on a source page each mark links to its claims."""
        text, out, at = passage.text, [], 0
        for m in passage.marks:
            out.append(escape(text[at:m.start]))
            inner = escape(text[m.start:m.end])
            if link:
                first, rest = m.claims[0], m.claims[1:]
                inner = Markup('<a href="{}">{}</a>').format(href(here, Resource("claim", first)), inner)
                extra = Markup(", ").join(Markup('<a href="{}" aria-label="claim {}">{}</a>').format(
                    href(here, Resource("claim", cid)), cid, i) for i, cid in enumerate(rest, 2))
                out.append(Markup("<mark>{}</mark>").format(inner) + (Markup("<sup>{}</sup>").format(extra) if rest else ""))
            else:
                out.append(Markup("<mark>{}</mark>").format(inner))
            at = m.end
        out.append(escape(text[at:]))
        return Markup("").join(out)

    def bibliography(self, here: Resource, sid: str) -> dict:
        s = self.kg.sources[sid]
        work = self.kg.works.get(s.work)
        return {"id": sid, "href": href(here, Resource("source", sid)), "title": s.title, "title_en": s.title_en,
                "authors": list(s.authors) or (list(work.authors) if work and s.work != s.id else []),
                "container": s.container, "issue": s.issue, "issued": s.issued, "language": s.language,
                "kind": s.kind, "relation": s.relation, "note": s.note, "seed": s.seed, "iri": GKS + sid,
                "work": {"href": href(here, Resource("work", s.work)), "title": work.title if work else s.title,
                         "title_en": work.title_en if work else s.title_en, "id": s.work} if s.work else None,
                "name": self.source_title(sid)}

    def release_info(self, here: Resource) -> dict:
        r = self.release
        return {"version": r["version"], "sha": r.get("content_sha256", ""), "date": r.get("date") or r.get("issued", ""),
                "href": href(here, Resource("release", r["version"])), "iri": RELEASE + r["version"]}

    def emit(self, here: Resource, template: str, title: str, extra: list, *, turtle: bool = True, **ctx) -> None:
        """Render a page and write it with its Turtle and JSON-LD beside it."""
        quads = self.quads.get(here, [])
        # The page, its .jsonld and its .ttl say the same: the graph's triples about the resource and the page's own.
        # One serialisation for both: htmlsafe_json_dumps's \u003c escapes keep it inside its script block and are JSON too.
        jsonld = htmlsafe_json_dumps(page_jsonld(quads, extra), dumps=_dumps)
        self.files[f"{here.path}.jsonld"] = (jsonld + "\n").encode()
        if turtle:
            self.files[f"{here.path}.ttl"] = turtle_of(quads + to_ox_quads(extra))
        root = "../" * here.path.count("/")
        page = self.env.get_template(template).render(
            title=title, here=here, iri=here.iri, root=root, css=Markup(self.css), js=Markup(self.js),
            jsonld=jsonld,
            csp=self.csp(ctx.get("scripts", [self.js])), release=self.release_info(here), map_href=root + MAP if self.with_map else "",
            home=href(here, HOME), alternates=turtle, **ctx)
        self.files[f"{here.path}.html"] = page.encode("utf-8")

    def csp(self, scripts: list[str]) -> str:
        # Each page may run only its own inline scripts and use its own inline style, and fetch nothing at all.
        return ("default-src 'none'; script-src " + " ".join(f"'{_sha256(s)}'" for s in scripts)
                + f"; style-src '{_sha256(self.css)}'; img-src data:; base-uri 'none'; form-action 'none'")

    # --- pages ---------------------------------------------------------------------------------------

    def build(self) -> dict[str, bytes]:
        kg = self.kg
        for cid in sorted(kg.concepts):
            self.concept_page(cid)
        for cid in sorted(kg.deprecated):
            self.deprecated_concept_page(cid)
        for cid in sorted(kg.claims):
            self.claim_page(cid)
        for chid in sorted(kg.chains):
            self.chain_page(chid)
        for old, new in sorted(kg.replaced_claims.items()):
            self.retired_claim_page(old, new)
        for cid in sorted(self.history):
            if cid not in kg.claims and cid not in kg.chains and cid not in kg.replaced_claims:
                self.removed_claim_page(cid)
        for sid in sorted(kg.sources):
            self.source_page(sid)
        for wid in sorted(self.work_ids()):
            self.work_page(wid)
        self.release_page()
        self.list_pages()
        self.vocab_page()
        self.home_page()
        return self.files

    def work_ids(self) -> set[str]:
        return set(self.kg.works) | {s.work for s in self.kg.sources.values() if s.work}

    def concept_page(self, cid: str) -> None:
        kg, here = self.kg, Resource("concept", cid)
        c = kg.concepts[cid]
        groups: dict[str, dict] = {"causes": {}, "effects": {}, "conditions": {}, "actor": {}, "other": {}}
        for cl in self.by_concept.get(cid, []):
            if cl.relation == "causes" and cl.effect == cid:
                key, other = "causes", cl.cause
            elif cl.relation == "causes" and cl.cause == cid:
                key, other = "effects", cl.effect
            elif cid in cl.conditions:
                key, other = "conditions", cl.effect or cl.cause
            elif cid in cl.agent or cid in cl.target:
                key, other = "actor", cl.cause
            else:
                key, other = "other", (cl.effect if cl.cause == cid else cl.cause) or cid
            g = groups[key].setdefault((other, cl.relation, cl.polarity), {"concept": self.concept_link(here, other),
                                                                           "tag": link_tag(cl.relation, cl.polarity),
                                                                           "tag_words": tag_words(cl.relation, cl.polarity),
                                                                           "relation": RELATION_WORDS.get(cl.relation, cl.relation),
                                                                           "claims": []})
            g["claims"].append(self.claim_link(here, cl))
        sections = {k: [v for _, v in sorted(g.items(), key=lambda kv: (-len(kv[1]["claims"]), kv[0]))] for k, g in groups.items()}
        agreements = [{"kind": a.kind, "cause": self.concept_link(here, a.cause),
                       "effect": self.concept_link(here, a.effect) if a.effect else None,
                       "tag": link_tag(a.relation, a.polarity), "tag_words": tag_words(a.relation, a.polarity),
                       "works": [{"work": self.work_link(here, w), "claims": [self.claim_link(here, x) for x in cls]}
                                 for w, cls in a.by_work.items()]} for a in self.agreements.get(cid, [])]
        extra = schema_triples(here.iri, "DefinedTerm", [(c.label("zh"), "zh"), (c.label("en"), "en")],
                               description=[(c.definition_in("zh"), "zh"), (c.definition_in("en"), "en")],
                               url=here.iri, more=[("inDefinedTermSet", IRI(BASE + "concept/")), ("termCode", cid)])
        self.emit(here, "concept.html", f"{c.label('zh')} · {c.label('en')}", extra, concept=c,
                  alt=sorted({(str(a), a.language or "") for a in c.alt}), cls=c.cls,
                  broader=[self.concept_link(here, b) for b in c.broader],
                  narrower=[self.concept_link(here, n) for n in sorted(self.narrower.get(cid, []))],
                  sources=[{"href": href(here, Resource("source", s)), "name": self.source_title(s)} for s in c.sources if s in kg.sources],
                  sections=sections, agreements=agreements)

    def work_link(self, here: Resource, wid: str) -> dict:
        w = self.kg.works.get(wid)
        title = w.title if w else (self.kg.sources[wid].title if wid in self.kg.sources else wid)
        return {"href": href(here, Resource("work", wid)), "title": title, "id": wid}

    def deprecated_concept_page(self, cid: str) -> None:
        here, c = Resource("concept", cid), self.kg.deprecated[cid]
        extra = schema_triples(here.iri, "DefinedTerm", [(c.label("zh"), "zh"), (c.label("en"), "en")], url=here.iri)
        notes = [q.object.value for q in self.quads.get(here, []) if q.predicate.value == SKOS + "historyNote"]
        self.emit(here, "retired.html", f"{c.label('zh')} · {c.label('en')} (deprecated)", extra,
                  what="concept", name=c.label("en"), name_zh=c.label("zh"), notes=notes,
                  replaced_by=[self.concept_link(here, n) for n in c.replaced_by])

    def retired_claim_page(self, old: str, new: str) -> None:
        here = Resource("claim", old)
        target = self.kg.chains[new].links[0] if new in self.kg.chains else self.kg.claims.get(new)
        extra = retired_claim_triples(old, new)
        self.emit(here, "retired.html", f"Claim {old} (replaced)", extra, what="claim", name=old, name_zh="", notes=[],
                  history=self._history(old, here),
                  replaced_by=[{"href": href(here, Resource("claim", new)), "en": target.gloss if target else new, "zh": new, "id": new}])

    def removed_claim_page(self, cid: str) -> None:
        """A claim an earlier release had and this one has not (known from `history`): its IRI keeps a page that says so."""
        here = Resource("claim", cid)
        history = self._history(cid, here)
        last = self.history[cid][-1] if self.history[cid] else {}
        new = str(last.get("replaced_by") or "")
        live = new in self.kg.claims or new in self.kg.chains
        extra = retired_claim_triples(cid, new if live else "")
        self.emit(here, "retired.html", f"Claim {cid} (removed)", extra, what="claim", name=cid, name_zh="", history=history,
                  notes=[f"It is not in release {self.release['version']}" + (f"; the last release that mentions it says: {last.get('change')}"
                                                                             f" in {last.get('version')}." if last.get("change") else ".")],
                  replaced_by=[{"href": href(here, Resource("claim", new)), "en": new, "zh": new, "id": new}] if live else [])

    def _history(self, cid: str, here: Resource) -> list[dict]:
        out = []
        for entry in self.history.get(cid, []):
            version = str(entry.get("version", ""))
            changes = entry.get("changes") or entry.get("fields") or []
            details = [c if isinstance(c, str) else ", ".join(f"{k}: {v}" for k, v in c.items()) for c in changes]
            if entry.get("replaced_by"):
                details.append(f"replaced by {entry['replaced_by']}")
            out.append({"version": version, "change": str(entry.get("change", "")), "date": str(entry.get("date", "")),
                        "details": details,
                        "href": href(here, Resource("release", version)) if version == self.release["version"] else ""})
        return out

    def _claim_context(self, here: Resource, c: Claim, cite_id: str) -> dict:
        kg = self.kg
        passage = passage_of(kg, c.id)
        src = kg.sources[c.source]
        return {
            "claim": c, "relation": RELATION_WORDS.get(c.relation, c.relation), "tag": link_tag(c.relation, c.polarity),
            "tag_words": tag_words(c.relation, c.polarity),
            "polarity": POLARITY_WORDS.get(c.polarity, c.polarity),
            "cause": self.concept_link(here, c.cause), "effect": self.concept_link(here, c.effect) if c.effect else None,
            "conditions": [self.concept_link(here, x) for x in c.conditions], "condition_texts": c.condition_texts,
            "agent": [self.concept_link(here, x) for x in c.agent], "target": [self.concept_link(here, x) for x in c.target],
            "passage": self.marked(passage, here, link=False), "quote_lang": zh_lang(src.language),
            "passage_href": href(here, Resource("source", c.source), fragment=f"L{passage.first_line}"),
            "locator": passage.locator, "source": self.bibliography(here, c.source),
            "disputes": [d for d in c.disputes], "scope": [x for x in (*c.levels, c.case, c.period) if x],
            "chain": {"href": href(here, Resource("claim", c.chain)), "id": c.chain, "position": c.position} if c.chain else None,
            "replaces": [{"href": href(here, Resource("claim", o)), "id": o} for o in c.replaces],
            "citations": claim_citations(kg, cite_id, Resource("claim", cite_id).iri, self.release),
            "history": self._history(cite_id, here),
        }

    def _claim_schema(self, here: Resource, c: Claim, name: str) -> list:
        return schema_triples(here.iri, "Claim", [(name, "en")], description=[(" … ".join(c.quotes), zh_lang(self.kg.sources[c.source].language))],
                              url=here.iri, more=[("appearance", IRI(GKS + c.source)), ("isPartOf", IRI(BASE))])

    def claim_page(self, cid: str) -> None:
        here, c = Resource("claim", cid), self.kg.claims[cid]
        ctx = self._claim_context(here, c, cid)
        title = f"{ctx['cause']['en'] or ctx['cause']['zh']} {ctx['relation'] if c.relation != 'causes' else ctx['tag']} " + \
                (f"{ctx['effect']['en'] or ctx['effect']['zh']}" if ctx["effect"] else "")
        self.emit(here, "claim.html", f"Claim: {title.strip()}", self._claim_schema(here, c, c.gloss), **ctx)

    def chain_page(self, chid: str) -> None:
        here, ch = Resource("claim", chid), self.kg.chains[chid]
        first = ch.links[0]
        ctx = self._claim_context(here, first, chid)
        ctx["steps"] = [self.concept_link(here, s) for s in ch.steps]
        ctx["links"] = [self.claim_link(here, link) for link in ch.links]
        self.emit(here, "chain.html", f"Causal chain: {' → '.join(s['en'] or s['zh'] for s in ctx['steps'])}",
                  self._claim_schema(here, first, first.gloss), **ctx)

    def source_page(self, sid: str) -> None:
        kg, here = self.kg, Resource("source", sid)
        src = kg.sources[sid]
        paragraphs = [{"line": p.first_line, "locator": p.locator, "html": self.marked(p, here, link=True)}
                      for p in source_passages(kg, sid)]
        claims = sorted((c for c in kg.claims.values() if c.source == sid), key=lambda c: min((a.start for a in c.anchors), default=0))
        genre = SCHEMA_GENRE.get(genre_of(src), "CreativeWork")
        extra = schema_triples(here.iri, genre, [(src.title, zh_lang(src.language)), (src.title_en, "en")], url=here.iri,
                               more=[*(("author", a) for a in src.authors), *((("datePublished", src.issued),) if src.issued else ()),
                                     ("inLanguage", src.language)])
        self.emit(here, "source.html", self.source_title(sid), extra, source=self.bibliography(here, sid),
                  paragraphs=paragraphs, text_lang=zh_lang(src.language), claims=[self.claim_link(here, c) for c in claims],
                  chains=[{"href": href(here, Resource("claim", ch.id)), "id": ch.id} for ch in kg.chains.values() if ch.source == sid],
                  citations=source_citations(kg, sid, here.iri, self.release))

    def work_page(self, wid: str) -> None:
        kg, here = self.kg, Resource("work", wid)
        w = kg.works.get(wid)
        s = kg.sources.get(wid)
        title = w.title if w else (s.title if s else wid)
        title_en = w.title_en if w else (s.title_en if s else "")
        authors = list(w.authors if w else (s.authors if s else ()))
        docs = [self.bibliography(here, x.id) for x in sorted(kg.sources.values(), key=lambda x: x.id) if x.work == wid]
        n_claims = sum(1 for c in kg.claims.values() if kg.work_of(c.source) == wid)
        extra = schema_triples(here.iri, "Book" if (w.kind if w else "") == "book" else "CreativeWork",
                               [(title, "zh"), (title_en, "en")], url=here.iri, more=[("author", a) for a in authors])
        self.emit(here, "work.html", title, extra, work={"title": title, "title_en": title_en, "authors": authors,
                                                          "kind": w.kind if w else (s.kind if s else ""), "note": w.note if w else ""},
                  documents=docs, n_claims=n_claims)

    def release_page(self) -> None:
        r = self.release
        here = Resource("release", r["version"])
        stats = r.get("stats") or {}
        extra = schema_triples(here.iri, "Dataset", [(f"govkg {r['version']}", "en")], url=here.iri,
                               more=[("version", r["version"]), *((("identifier", "sha256:" + r["content_sha256"]),) if r.get("content_sha256") else ()),
                                     ("isPartOf", IRI(BASE))])
        self.emit(here, "release.html", f"govkg release {r['version']}", extra,
                  stats=[(k.replace("_", " "), v) for k, v in stats.items() if not isinstance(v, dict)], record=r,
                  notes=r.get("notes", ""))

    def list_pages(self) -> None:
        kg = self.kg
        here = Resource("scheme", "concept")
        by_class: dict[str, list] = defaultdict(list)
        for cid, c in sorted(kg.concepts.items(), key=lambda kv: kv[1].label("en").lower()):
            by_class[c.cls or "Other"].append(self.concept_link(here, cid))
        retired = [self.concept_link(here, cid) for cid in sorted(kg.deprecated)]
        extra = schema_triples(here.iri, "DefinedTermSet", [("govkg concepts", "en")], url=here.iri)
        self.emit(here, "list.html", "Concepts", extra, groups=sorted(by_class.items()), retired=retired, kind="concepts")
        here = Resource("scheme", "claim")
        by_source: dict[str, list] = defaultdict(list)
        for c in sorted(kg.claims.values(), key=lambda c: c.id):
            by_source[self.source_title(c.source)].append({"href": href(here, Resource("claim", c.id)), "en": c.gloss, "zh": "", "id": c.id})
        chains = [{"href": href(here, Resource("claim", ch)), "en": kg.chains[ch].links[0].gloss, "zh": "", "id": ch} for ch in sorted(kg.chains)]
        retired = [{"href": href(here, Resource("claim", o)), "en": f"replaced by {n}", "zh": "", "id": o} for o, n in sorted(kg.replaced_claims.items())]
        self.emit(here, "list.html", "Claims", [], turtle=False, groups=[("Chains", chains), *sorted(by_source.items())], retired=retired, kind="claims")
        here = Resource("scheme", "source")
        docs = [{"href": href(here, Resource("source", s)), "en": self.source_title(s), "zh": "", "id": s} for s in sorted(kg.sources)]
        self.emit(here, "list.html", "Source documents", [], turtle=False, groups=[("Documents", docs)], retired=[], kind="sources")
        here = Resource("scheme", "work")
        works = [{"href": href(here, Resource("work", w)), "en": self.work_link(here, w)["title"], "zh": "", "id": w} for w in sorted(self.work_ids())]
        self.emit(here, "list.html", "Works", [], turtle=False, groups=[("Works", works)], retired=[], kind="works")
        here = Resource("scheme", "release")
        rel = [{"href": href(here, Resource("release", self.release["version"])), "en": f"govkg {self.release['version']}", "zh": "",
                "id": self.release["version"]}]
        self.emit(here, "list.html", "Releases", [], turtle=False, groups=[("Releases", rel)], retired=[], kind="releases")

    def vocab_page(self) -> None:
        here = Resource("vocab", "")
        terms: dict[str, dict] = {}
        for q in self.quads.get(here, []):
            iri = q.subject.value
            name = iri[len(GKV):] if iri.startswith(GKV) else ""
            t = terms.setdefault(name, {"name": name, "labels": [], "comments": [], "types": []})
            p = q.predicate.value
            if p.endswith("#label") or p.endswith("prefLabel"):
                t["labels"].append((q.object.value, getattr(q.object, "language", "") or ""))
            elif p.endswith("#comment") or p.endswith("definition"):
                t["comments"].append((q.object.value, getattr(q.object, "language", "") or ""))
            elif p.endswith("#type"):
                t["types"].append(q.object.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        extra = schema_triples(BASE + "vocab", "DefinedTermSet", [("govkg vocabulary", "en")], url=BASE + "vocab")
        self.emit(here, "vocab.html", "The govkg vocabulary", extra, terms=[terms[k] for k in sorted(terms) if k])

    def home_page(self) -> None:
        kg = self.kg
        index = search_index(self, HOME)
        data = htmlsafe_json_dumps(index, dumps=_dumps)
        extra = schema_triples(BASE, "Dataset", [("govkg", "en")],
                               description=[("A knowledge graph of Chinese grassroots-governance concepts and the causal claims "
                                             "scholars make about them, every claim traceable to its source's words.", "en")],
                               url=BASE, more=[("version", self.release["version"]), ("license", IRI("https://creativecommons.org/licenses/by/4.0/"))])
        self.emit(here=HOME, template="home.html", title="govkg", extra=extra, turtle=False, scripts=[self.js, self.search_js],
                  search_js=Markup(self.search_js), index=data,
                  counts={"concepts": len(kg.concepts), "claims": len(kg.claims), "chains": len(kg.chains),
                          "sources": len(kg.sources), "works": len(self.work_ids())})


def _dumps(obj, **kw) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), **kw)

