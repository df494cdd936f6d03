"""Citing claims and sources: one bibliographic record per source, claim or release, written as BibTeX, CSL-JSON, RIS, Markdown or LaTeX."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kg.errors import NameNotFound
from kg.inputs.records import Claim, Source, Work
from kg.iris import release_iri
from kg.model.names import resolve_claim, resolve_concept
from kg.output import markup
from kg.version import __version__

STYLES = ("bibtex", "csl-json", "ris", "markdown", "latex")
DATASET_KEY = "govkg"
DATASET_TITLE = "govkg: a knowledge graph of Chinese grassroots-governance concepts and the causal claims scholars make about them"

# What a record is, in the terms of each format. An `article` of the records is a magazine
# article when it names an issue (黨員文摘 2021年10期) and otherwise a dated web news or
# commentary piece (觀察者網); a book excerpt is a chapter-like part of its book; reading notes
# are a blog post.
GENRES = {
    #  genre       BibTeX (biblatex)            CSL-JSON              RIS
    "magazine": (("article", "magazine"), "article-magazine", "MGZN"),
    "newspaper": (("article", "newspaper"), "article-newspaper", "NEWS"),
    "chapter": (("inbook", ""), "chapter", "CHAP"),
    "blog-post": (("misc", ""), "post-weblog", "BLOG"),
    "book": (("book", ""), "book", "BOOK"),
    "dataset": (("dataset", ""), "dataset", "DATA"),
}
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Record:
    """One citable item. Fields the sources do not state stay empty: nothing is made up to fill a slot."""

    key: str
    genre: str
    title: str
    title_en: str = ""
    authors: tuple[str, ...] = ()
    container: str = ""
    issue: str = ""
    issued: str = ""
    language: str = ""
    version: str = ""
    note: str = ""
    locator: str = ""  # the pinpoint within the source, for a claim
    quote: str = ""  # the source's verbatim words, for a claim
    relation: str = ""  # for a claim that is not causal: form-of, part-of, aim or definition
    agents: tuple[str, ...] = ()  # for a claim: the actors it names as agent, as "上级 (superior)"
    targets: tuple[str, ...] = ()  # ... and as target
    certainty: str = ""  # for a claim: possibly, likely, asserted, necessarily ("" for a norm)
    modality: str = ""  # for a norm: obligation or necessity
    hedge: str = ""  # the text's own hedge word
    release: str = ""  # for a claim: the govkg release it was cited from (release_note)

    @property
    def year(self) -> str:
        m = _ISO_DATE.match(self.issued)
        return m.group(1) if m else ""


def genre_of(source: Source) -> str:
    if source.kind == "article":
        return "magazine" if source.issue else "newspaper"
    return {"book-excerpt": "chapter", "reading-notes": "blog-post", "book": "book"}.get(source.kind, "book")


def record_of_source(source: Source, works: dict[str, Work] | None = None) -> Record:
    """The bibliographic record of a source document; an excerpt without authors takes its work's, if the work names any."""
    work = (works or {}).get(source.work)
    authors = source.authors or (work.authors if work and source.work != source.id else ())
    return Record(
        key=markup.bibtex_key(source.id), genre=genre_of(source), title=source.title, title_en=source.title_en,
        authors=tuple(authors), container=source.container, issue=source.issue, issued=source.issued,
        language=source.language,
    )


def pinpoint(claim: Claim, source: Source) -> str:
    """Where the quotes stand: the locator of each quote's paragraph or line, in order, once each."""
    places = [source.locator(a.start) for a in claim.anchors if a is not None]
    return ", ".join(dict.fromkeys(places)) or claim.locator


def joined_quote(quotes: list[str], language: str = "") -> str:
    # Several quotes of one claim are excerpts of one passage: join them with an ellipsis.
    return ("……" if language.startswith("zh") else " … ").join(quotes)


def _actor_name(concepts, cid: str) -> str:
    if concepts is None or cid not in concepts:
        return cid
    zh, en = concepts[cid].label("zh"), concepts[cid].label("en")
    return zh if zh == en else f"{zh} ({en})"


def record_of_claim(claim: Claim, source: Source, works: dict[str, Work] | None = None, claim_id: str | None = None,
                    concepts=None) -> Record:
    """The source's record, keyed `<source>:<claim>`, with the claim's pinpoint and verbatim quote.

    The claim's relation (when not causal), actors, certainty and hedge ride along for the Markdown
    and LaTeX lines; actors are named by label when `concepts` (id -> Concept) is given, else by id.
    """
    base = record_of_source(source, works)
    return replace(base, key=markup.bibtex_key(source.id, claim_id or claim.id),
                   locator=pinpoint(claim, source), quote=joined_quote(claim.quotes, source.language),
                   relation="" if claim.causal else claim.relation,
                   agents=tuple(_actor_name(concepts, a) for a in claim.agent),
                   targets=tuple(_actor_name(concepts, a) for a in claim.target),
                   certainty=claim.certainty, modality=claim.modality, hedge=claim.hedge)


def dataset_record(version: str, content_sha256: str) -> Record:
    """govkg itself at one release: the version and the hash of the graph's content name the exact state used."""
    return Record(key=DATASET_KEY, genre="dataset", title=DATASET_TITLE, version=version,
                  note=f"content SHA-256 {content_sha256}")


def _content_hash(kg) -> str:
    """kg.rdf.release.content_hash_once; the query index holds it (no kg.rdf imported then)."""
    stored = getattr(kg, "content_sha256", None)
    if isinstance(stored, str):
        return stored
    from kg.rdf.release import content_hash_once

    return content_hash_once(kg)


def release_note(version: str, content_sha256: str) -> str:
    """The release a citation was made from, in words every style can carry: version, release IRI, content hash."""
    return f"govkg {version} ({release_iri(version)}), content SHA-256 {content_sha256}"


def get_claim_records(kg, ids: list[str], release: dict | None = None) -> list[Record]:
    """Records of claims by id (kg.model.names.resolve_claim: also a retired id or a unique part of one);
    a chain's id cites the chain as the one statement it is (every link carries the chain's quotes).

    Each names the release it is cited from: `release` (version, content_sha256), else this version and
    the graph's content hash (computed once per loaded graph: kg.rdf.release.content_hash_once).
    """
    if release is None:
        release = {"version": __version__, "content_sha256": _content_hash(kg)}
    note = release_note(release["version"], release["content_sha256"])
    out = []
    for name in ids:
        cid = resolve_claim(kg, name)
        claim = kg.chains[cid].links[0] if cid in kg.chains else kg.claims[cid]
        record = record_of_claim(claim, kg.sources[claim.source], kg.works, claim_id=cid, concepts=kg.concepts)
        out.append(replace(record, release=note))
    return out


def get_source_records(kg, release: dict | None = None) -> list[Record]:
    """Every source's record, and govkg's own when release metadata (version, content_sha256) is given."""
    records = [record_of_source(s, kg.works) for _, s in sorted(kg.sources.items())]
    if release:
        records.append(dataset_record(release["version"], release["content_sha256"]))
    return records


def short_label(r: Record, lang: str = "en") -> str:
    """Author-year for a text citation: 左瑋 2023; a work without author goes by its title, as CSL styles do."""
    zh = lang.startswith("zh")
    if r.authors:
        names = list(r.authors)
        if len(names) > 2:
            who = names[0] + ("等" if zh else " et al.")
        else:
            who = ("、" if zh else " and ").join(names)
    else:
        who = book_title(r.container or r.title if r.genre == "chapter" else r.title)
    return f"{who} {r.year or ('无日期' if zh else 'n.d.')}"


def book_title(title: str) -> str:
    """A title in book-title marks; marks already inside it become the inner ones (《〈县乡中国〉读书笔记》), as Chinese
    typography nests them, so a title that names a book is not marked twice."""
    if title.startswith("《") and title.endswith("》") and "《" not in title[1:-1]:
        return title
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


# ---------------------------------------------------------------------------------------------
# BibTeX (biblatex + biber; plain BibTeX reads it too, ignoring the fields it does not know)


def _bibtex_entry(r: Record) -> str:
    (entry_type, subtype), _, _ = GENRES[r.genre]
    fields: list[tuple[str, str]] = []
    if r.authors:
        # Each name braced whole: we do not know how to split it, and CJK names must not be split.
        fields.append(("author", " and ".join("{" + markup.to_bibtex(a) + "}" for a in r.authors)))
    fields.append(("title", markup.to_bibtex(r.title)))
    if r.title_en:
        addon = r.title_en if r.title_en.startswith("[") else f"[{r.title_en}]"  # a translation, in brackets
        fields.append(("titleaddon", markup.to_bibtex(addon)))
    if r.container:
        slot = {"article": "journal", "inbook": "booktitle", "misc": "howpublished"}.get(entry_type)
        if slot:
            fields.append((slot, markup.to_bibtex(r.container)))
    if subtype:
        fields.append(("entrysubtype", subtype))
    if r.issue:
        fields.append(("number", markup.to_bibtex(r.issue)))
    if r.issued:
        if _ISO_DATE.match(r.issued):
            fields += [("date", r.issued), ("year", r.year)]  # year for plain BibTeX styles
        else:  # not a date biber can read: keep it as text
            fields.append(("year", markup.to_bibtex(r.issued)))
    if r.version:
        fields.append(("version", markup.to_bibtex(r.version)))
    note = "; ".join(x for x in (r.note, r.release) if x)
    if note:
        fields.append(("note", markup.to_bibtex(note)))
    if r.locator:
        fields.append(("addendum", markup.to_bibtex(r.locator)))
    if r.quote:
        fields.append(("annotation", markup.to_bibtex(r.quote)))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{r.key},\n{body}}}\n"


def to_bibtex(records: list[Record]) -> str:
    return "\n".join(_bibtex_entry(r) for r in records)


# ---------------------------------------------------------------------------------------------
# CSL-JSON (validated against the CSL data schema in the tests)


def _csl_date(issued: str) -> dict:
    m = _ISO_DATE.match(issued)
    if not m:
        return {"literal": issued}
    return {"date-parts": [[int(p) for p in m.groups() if p]]}


def csl_item(r: Record) -> dict:
    item: dict = {"id": r.key, "type": GENRES[r.genre][1], "title": r.title}
    if r.authors:
        item["author"] = [{"literal": a} for a in r.authors]
    if r.container:
        item["container-title"] = r.container
    if r.issue:
        item["issue"] = r.issue
    if r.issued:
        item["issued"] = _csl_date(r.issued)
    if r.language:
        item["language"] = r.language
    if r.version:
        item["version"] = r.version
    if r.locator:
        item["locator"] = r.locator
    # CSL has no field for a quote; `note` is its field for descriptive text about the item.
    note = "\n".join(x for x in (r.quote, r.note, r.release) if x)
    if note:
        item["note"] = note
    return item


def to_csl_json(records: list[Record]) -> str:
    import json  # only CSL-JSON needs it

    return json.dumps([csl_item(r) for r in records], ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# RIS (Zotero, EndNote, Mendeley import it)

RIS_LOCATOR = "Pinpoint: "
RIS_QUOTE = "Quote: "
RIS_RELEASE = "Cited from: "


def ris_fields(r: Record) -> list[tuple[str, str]]:
    tags = [("TY", GENRES[r.genre][2])]
    tags += [("AU", a) for a in r.authors]
    tags.append(("TI", r.title))
    if r.title_en:
        tags.append(("TT", r.title_en))
    if r.container:
        tags.append(("T2", r.container))
    if r.issue:
        tags.append(("IS", r.issue))
    if r.issued:
        m = _ISO_DATE.match(r.issued)
        if m:
            tags += [("PY", m.group(1)), ("DA", "/".join(p or "" for p in m.groups()) + "/")]
        else:
            tags.append(("DA", r.issued))
    if r.language:
        tags.append(("LA", r.language))
    if r.version:
        tags.append(("ET", r.version))
    # RIS has no pinpoint or quote tag: both go in notes, which Zotero imports as item notes.
    if r.locator:
        tags.append(("N1", RIS_LOCATOR + r.locator))
    if r.quote:
        tags.append(("N1", RIS_QUOTE + r.quote))
    if r.note:
        tags.append(("N1", r.note))
    if r.release:
        tags.append(("N1", RIS_RELEASE + r.release))
    tags.append(("ID", r.key))
    cleaned = [(t, markup.to_ris(v)) for t, v in tags]
    return [(t, v) for t, v in cleaned if v]  # a value of only white space would read back as an empty name or title


def to_ris(records: list[Record]) -> str:
    out = []
    for r in records:
        out += [f"{tag}  - {value}" for tag, value in ris_fields(r)]
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Markdown and LaTeX: the quote as a block, then where it stands


def _reference_parts(r: Record) -> list[str]:
    """Author(s), 〈title〉, 《container》, issue, date: the parts of a reference line, unescaped."""
    parts = []
    if r.authors:
        parts.append("、".join(r.authors) if r.language.startswith("zh") else " and ".join(r.authors))
    parts.append(f"〈{r.title}〉" if r.container else f"《{r.title}》")
    if r.container:
        parts.append(f"《{r.container}》")
    parts += [x for x in (r.issue, r.issued, r.version) if x]
    return parts


def _kind_of_claim(r: Record) -> list[str]:
    """What kind of statement the claim is, where it matters to a reader: its relation when not causal (a definition,
    a form, a part, an aim must not be taken for a cause), who acts on whom, and how sure it is when the text hedges
    it or states a norm (a plain assertion goes without saying)."""
    out = [f"{r.relation} claim" + (" (a stated goal, not an observed effect)" if r.relation == "aim" else "")] if r.relation else []
    who = ([f"agent {', '.join(r.agents)}"] if r.agents else []) + ([f"target {', '.join(r.targets)}"] if r.targets else [])
    if who:
        out.append(" → ".join(who))
    if r.modality:
        out.append(f"a norm: {r.modality}" + (f" ({r.hedge})" if r.hedge else ""))
    elif r.certainty and (r.hedge or r.certainty != "asserted"):
        out.append(f"certainty {r.certainty}" + (f" ({r.hedge})" if r.hedge else ""))
    return out


def _markdown_citation(r: Record) -> str:
    quote = "\n".join("> " + line if line else ">" for line in markup.to_markdown(r.quote).split("\n"))
    where = ", ".join(markup.to_markdown(p) for p in _reference_parts(r) + ([r.locator] if r.locator else []) + _kind_of_claim(r))
    cited = f">\n> Cited from {markup.to_markdown(r.release)}.\n" if r.release else ""
    return f"{quote}\n>\n> — {where}\n{cited}"


def to_markdown(records: list[Record]) -> str:
    return "\n".join(_markdown_citation(r) for r in records)


def _latex_citation(r: Record) -> str:
    where = ", ".join(markup.to_latex(p) for p in _reference_parts(r) + ([r.locator] if r.locator else []) + _kind_of_claim(r))
    cited = f"\\par\\footnotesize Cited from {markup.to_latex(r.release)}.\n" if r.release else ""
    return (
        f"% {r.key}\n\\begin{{quote}}\n{markup.to_latex(r.quote)}\n"
        f"\\par\\hfill\\textemdash{{}} {where}\n{cited}\\end{{quote}}\n"
    )


def to_latex(records: list[Record]) -> str:
    return "\n".join(_latex_citation(r) for r in records)


WRITERS = {"bibtex": to_bibtex, "csl-json": to_csl_json, "ris": to_ris, "markdown": to_markdown, "latex": to_latex}


def cite(kg, ids: list[str], style: str) -> str:
    """Citations of claims (or chains) by id in one style; NameNotFound for an id that is no claim."""
    if style not in WRITERS:
        raise ValueError(f"unknown style {style!r}; use one of {', '.join(STYLES)}")
    return WRITERS[style](get_claim_records(kg, ids))


# ---------------------------------------------------------------------------------------------
# Paths and loops: a citation for each link, and a sentence to put in a paragraph


def _query_api():
    """find_paths, find_loops and resolve_concept of the query modules (imported late: citing claims needs none of them)."""
    from kg.query.loops import find_loops
    from kg.query.paths import find_paths

    return find_paths, find_loops, resolve_concept


@dataclass
class PathCitation:
    """A path or loop as a sentence with an author-year citation per link, and the records of its claims."""

    sentence: str
    records: list[Record]
    concepts: list[str]
    stated_by: list[str]


_VERB = {("en", "positive"): "leads to", ("en", "negative"): "reduces", ("en", "mixed"): "affects",
         ("zh", "positive"): "导致", ("zh", "negative"): "减少", ("zh", "mixed"): "影响"}
# How sure the sentence says a link is: the surest of its claims (a plain assertion is the plain verb);
# a link only norms claim reads as the norm. A path is as sure as its least sure link.
_HEDGED_VERB = {
    ("en", "necessarily"): {"positive": "necessarily leads to", "negative": "necessarily reduces", "mixed": "necessarily affects"},
    ("en", "likely"): {"positive": "tends to lead to", "negative": "tends to reduce", "mixed": "tends to affect"},
    ("en", "possibly"): {"positive": "may lead to", "negative": "may reduce", "mixed": "may affect"},
    ("en", "obligation"): {"positive": "should lead to", "negative": "should reduce", "mixed": "should affect"},
    ("en", "necessity"): {"positive": "is required for", "negative": "is required to reduce", "mixed": "is required to affect"},
}
_ZH_HEDGE = {"necessarily": "必然", "likely": "会", "possibly": "可能", "obligation": "应当", "necessity": "才能"}
_LEVEL_RANK = {"obligation": 0, "necessity": 0, "possibly": 1, "likely": 2, "asserted": 3, "necessarily": 4}


def _link_level(claims) -> str:
    """How sure the surest claim on a link is (a certainty), or the norm its claims state when none has a certainty."""
    sure = [c.certainty for c in claims if c.certainty]
    if sure:
        return max(sure, key=_LEVEL_RANK.__getitem__)
    return next((c.modality for c in claims if c.modality), "asserted")


def _path_level(steps) -> str:
    """A path is as sure as its least sure link (a norm on any link makes the path read as that norm)."""
    return min((_link_level(s.claims) for s in steps), key=_LEVEL_RANK.__getitem__, default="asserted")


def _verb(lang: str, polarity: str, level: str) -> str:
    if level == "asserted":
        return _VERB[lang, polarity]
    if lang == "zh":
        return _ZH_HEDGE[level] + _VERB[lang, polarity]
    return _HEDGED_VERB[lang, level][polarity]


_LOOP_KIND = {("en", "reinforcing"): "a reinforcing loop", ("en", "balancing"): "a balancing loop",
              ("en", "mixed"): "a loop whose sources disagree on a link's sign",
              ("zh", "reinforcing"): "增强回路", ("zh", "balancing"): "调节回路", ("zh", "mixed"): "各来源对其中一环的正负看法不一的回路"}


def _locator_in(locator: str, lang: str) -> str:
    if lang == "zh":
        return re.sub(r"\bline (\d+)", r"第\1行", locator)
    return locator


def _cite_text(claims, kg, lang: str) -> str:
    """(左瑋 2023, ¶3; 甲 2020, line 1): one author-year and pinpoint per claim, each said once; first, who acts on
    whom when the claims name actors (agent: superior, target: subordinate; 甲 2020, line 3)."""
    parts = []
    for c in claims:
        src = kg.sources[c.source]
        parts.append(f"{short_label(record_of_source(src, kg.works), lang)}{'，' if lang == 'zh' else ', '}"
                     f"{_locator_in(pinpoint(c, src), lang)}")
    agents = list(dict.fromkeys(kg.concepts[a].label(lang) for c in claims for a in c.agent))
    targets = list(dict.fromkeys(kg.concepts[a].label(lang) for c in claims for a in c.target))
    zh = lang == "zh"
    who = ([("行动者：" if zh else "agent: ") + ("、" if zh else ", ").join(agents)] if agents else []) + \
          ([("对象：" if zh else "target: ") + ("、" if zh else ", ").join(targets)] if targets else [])
    inner = ("；" if zh else "; ").join([("，" if zh else ", ").join(who)] * bool(who) + list(dict.fromkeys(parts)))
    return f"（{inner}）" if zh else f"({inner})"


def _conditions(kg, claims, lang: str) -> str:
    """The conditions any of the claims attaches, as words: concept labels, then condition texts."""
    conds = [kg.concepts[x].label(lang) for c in claims for x in c.conditions] + [t for c in claims for t in c.condition_texts]
    return ("、" if lang == "zh" else " and ").join(dict.fromkeys(conds))


def _clause(kg, cause: str, effect: str, verb: str, claims, lang: str, through: str = "") -> str:
    label = lambda cid: kg.concepts[cid].label(lang)  # noqa: E731
    conds = _conditions(kg, claims, lang)
    if lang == "zh":
        via = f"通过{through}" if through else ""
        return f"{'在' + conds + '的条件下，' if conds else ''}{label(cause)}{via}{verb}{label(effect)}{_cite_text(claims, kg, lang)}"
    via = f" through {through}" if through else ""
    return f"{label(cause)} {verb} {label(effect)}{via}{' given ' + conds if conds else ''} {_cite_text(claims, kg, lang)}"


def _steps_sentence(kg, steps, lang: str) -> str:
    clauses = [_clause(kg, s.cause, s.effect, _verb(lang, s.polarity, _link_level(s.claims)), s.claims, lang) for s in steps]
    if lang == "zh":
        return "，".join(clauses) + "。"
    return (", ".join(clauses[:-1]) + ", and " + clauses[-1] if len(clauses) > 1 else clauses[0]) + "."


def _capital(text: str) -> str:
    return text[0].upper() + text[1:] if text[:1].isascii() else text


def _records_of(kg, steps) -> list[Record]:
    note = release_note(__version__, _content_hash(kg))
    seen, out = set(), []
    for s in steps:
        for c in s.claims:
            key = c.chain or c.id  # a chain's links share one quote: cite the chain once
            if key not in seen:
                seen.add(key)
                record = record_of_claim(c, kg.sources[c.source], kg.works, claim_id=key, concepts=kg.concepts)
                out.append(replace(record, release=note))
    return out


def cite_chain(kg, source: str, target: str, *, lang: str = "en", max_len: int = 4) -> PathCitation:
    """The shortest path from one concept to another, preferring one a source states whole, as a cited sentence."""
    find_paths, _, _ = _query_api()
    paths = find_paths(kg, source, target, max_len=max_len, limit=50)
    if not paths:
        raise NameNotFound(f"no causal path from '{source}' to '{target}' of at most {max_len} links")
    path = next((p for p in paths if p.stated_by), paths[0])
    steps, nodes = path.steps, path.concepts
    label = lambda cid: kg.concepts[cid].label(lang)  # noqa: E731
    zh = lang == "zh"
    through = ("、" if zh else " and ").join(label(n) for n in nodes[1:-1])
    if path.stated_by:
        stated = [type(s)(s.cause, s.effect, [c for c in s.claims if c.source in path.stated_by]) for s in steps]
        claims = [c for s in stated for c in s.claims]
        verb = _verb(lang, path.net_polarity, _path_level(stated))
        sentence = _clause(kg, nodes[0], nodes[-1], verb, claims, lang, through) + ("。" if zh else ".")
        records = _records_of(kg, stated)
    else:
        verb = _verb(lang, path.net_polarity, _path_level(steps))
        head = (f"{label(nodes[0])}{'通过' + through if through else ''}{verb}{label(nodes[-1])}：" if zh
                else f"{label(nodes[0])} {verb} {label(nodes[-1])}{' through ' + through if through else ''}: ")
        tail = "（没有一个来源完整陈述这条路径，它由各来源的环节拼接而成。）" if zh else \
            " (No single source states this path whole; it is assembled from the links of several statements.)"
        sentence = head + _steps_sentence(kg, steps, lang) + tail
        records = _records_of(kg, steps)
    return PathCitation(_capital(sentence), records, nodes, list(path.stated_by))


def cite_loop(kg, concepts: list[str], *, lang: str = "en", max_len: int = 6) -> PathCitation:
    """The shortest feedback loop through all the given concepts, as a cited sentence."""
    _, find_loops, resolve_concept = _query_api()
    if not concepts:
        raise NameNotFound("name at least one concept of the loop")
    wanted = [resolve_concept(kg, c) for c in concepts]
    # find_loops ranks stated loops first; the one cited is the shortest, as it always was
    loop = min((lp for lp in find_loops(kg, wanted[0], max_len=max_len) if set(wanted) <= set(lp.concepts)),
               key=lambda lp: (len(lp), lp.concepts), default=None)
    if loop is None:
        raise NameNotFound(f"no feedback loop of at most {max_len} links through {', '.join(concepts)}")
    label = lambda cid: kg.concepts[cid].label(lang)  # noqa: E731
    names = ("与" if lang == "zh" else " and ").join(label(c) for c in loop.concepts) if len(loop.concepts) == 2 else \
        ("、" if lang == "zh" else ", ").join(label(c) for c in loop.concepts)
    kind = _LOOP_KIND[lang, loop.kind]
    head = f"{names}构成{kind}：" if lang == "zh" else f"{names} form {kind}: "
    sentence = head + _steps_sentence(kg, loop.steps, lang)
    return PathCitation(_capital(sentence), _records_of(kg, loop.steps), loop.concepts, list(loop.stated_by))
