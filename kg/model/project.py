"""Loading a govkg project (ontology/, sources/, claims/) into one checked, resolved knowledge graph."""

from __future__ import annotations

import difflib
import gc
import hashlib
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError, Problem, problem
from kg.ids import file_name_message
from kg.inputs.claims import Chain, Claim, ClaimFile, load_claim_file
from kg.inputs.cleaning import GARBLED_MARK
from kg.inputs.layout import Layout, bundled_root, default_root  # noqa: F401  (re-exported: kg.model.project.Layout …)
from kg.inputs.ontoscope import check_vocabulary_only
from kg.inputs.parsecache import KeptTriples, ParseCache
from kg.inputs.quotes import Anchor, anchor, find_all, nearest
from kg.inputs.sources import Source, Work, load_sources
from kg.inputs.turtle import load_turtle
from kg.inputs.yamlio import read_text_checked
from kg.model.claimfiles import ClaimFiles, ClaimsOnDemand, FileClaims, Summary, plain_problem, problems_of, summarize
from kg.model.claimstats import ClaimCounts, total
from kg.model.concepts import Concept, KeptConcepts, add_concept_details, add_subjects, brief, brief_of, briefs, concept_subjects
from kg.model.mergedstate import FileState, MergedState, keep_state, read_state, shape, shared_pairs, state_key, totals_after


@dataclass
class KG:
    """The resolved graph: sources, works, concepts, claims (one per causal link) and chains."""

    layout: Layout
    sources: dict[str, Source]
    works: dict[str, Work]
    concepts: Mapping[str, Concept]  # a dict, or, loaded with the parse cache, the concepts unpickled on first use (KeptConcepts)
    claims: Mapping[str, Claim]  # a dict, or, loaded with the parse cache, the claims read a file at a time (kg.model.claimfiles)
    chains: Mapping[str, Chain]
    ontology_triples: dict[Path, Sequence[tuple]] = field(default_factory=dict, repr=False)  # KeptTriples: read on first use
    _dataset: object = field(default=None, repr=False)
    # Deprecated concept stubs (owl:deprecated), kept apart so that no query meets them, and the
    # claim ids that claims' `replaces:` retire, each to the claim that replaces it.
    deprecated: dict[str, Concept] = field(default_factory=dict)
    replaced_claims: dict[str, str] = field(default_factory=dict)
    # The sha256 of each ontology file's text as parsed: what its named graph is kept under (kg.rdf.graphs).
    ontology_digests: dict[Path, str] = field(default_factory=dict, repr=False)
    # Each claim file's key for its named graph's record (kg.rdf.graphs), when it was resolved with the parse cache (_resolve_kept).
    claim_file_keys: dict[Path, str] = field(default_factory=dict, repr=False)
    # Each claim file's counts (kg.model.claimstats), which kg.query.stats adds up; kept by the same key.
    claim_counts: dict[Path, ClaimCounts] = field(default_factory=dict, repr=False)
    # Their sum (kg.model.mergedstate keeps it): what kg.query.stats and the release metadata count.
    claim_totals: ClaimCounts | None = field(default=None, repr=False)

    def work_of(self, source_id: str) -> str:
        src = self.sources.get(source_id)
        return src.work if src else source_id


def _suggest(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


_LOCATOR = re.compile(r"^(?:¶\s*(?P<marker>\d+)|line\s+(?P<line>\d+))$")


def _place_quote(claim: Claim, src: Source, quote: str, qline: int | None, problems: list[Problem], after: int = 0):
    """The quote's anchor in its source: at the locator if the claim has one, else the first place at or after
    `after` (the previous quote of the claim), else the first place; None, with the problem, if it is not there."""
    starts = find_all(src.text, quote)
    if not starts:
        found, why = nearest(src.text, quote)
        problems.append(problem(claim.path, qline, "quote-not-found",
                                f"quote not found verbatim in sources/{src.id}.txt; {why}: «{found}»"))
        return None
    if GARBLED_MARK in quote:
        problems.append(problem(claim.path, qline, "quote-garbled", f"the quote crosses a garbled stretch {GARBLED_MARK}: quote only readable text"))
        return None
    if claim.locator:
        m = _LOCATOR.match(claim.locator)
        if not m:
            problems.append(problem(claim.path, claim.field_lines.get("locator"), "bad-locator",
                                    f"locator '{claim.locator}' must be '¶<marker>' or 'line N'"))
            return None
        want = src.line_of_marker(m["marker"]) if m["marker"] else int(m["line"])
        at = [s for s in starts if src.line_of_offset(s) == want]
        if not at:
            lines = ", ".join(src.locator(s) for s in starts)
            problems.append(problem(claim.path, claim.field_lines.get("locator"), "bad-locator",
                                    f"locator '{claim.locator}' does not hold the quote; it stands at {lines}"))
            return None
        starts = at
    later = [s for s in starts if s >= after]
    return anchor(src.text, (later or starts)[0], quote)


def replacement_message(stub: Concept) -> str:
    """What a deprecated concept became: "use 'new'" for a merge, "split into a, b: use the one meant" for a split."""
    if len(stub.replaced_by) == 1:
        return f"use '{stub.replaced_by[0]}', which replaces it"
    if stub.replaced_by:
        return f"it was split into {', '.join(stub.replaced_by)}: use the one meant"
    return "it has no replacement (dcterms:isReplacedBy): use another concept"


# One statement (a claim, or a chain's links) resolved alone: (id, file, line, the line of its id, problems, its links if valid, its chain if one).
Statement = tuple[str, Path, int, int | None, list[Problem], list[Claim] | None, Chain | None]
# One claim file resolved alone: its unknown-source problem, or its statements.
Resolved = tuple[Problem | None, list[Statement]]


def _resolve_file(cf: ClaimFile, sources, concepts, deprecated) -> Resolved:
    """A claim file resolved against the sources and concepts, each statement on its own (duplicate ids across statements are _merge's)."""
    if cf.source and cf.source not in sources:
        return problem(cf.path, cf.source_line, "unknown-source",
                       f"source '{cf.source}' has no record in sources/{_suggest(cf.source, sources)}"), []
    src = sources.get(cf.source)
    statements: list[list[Claim]] = []  # a plain claim, or all links of one chain
    for c in cf.claims:
        if c.chain and statements and statements[-1][0].chain == c.chain and (c.position or 0) > 1:
            statements[-1].append(c)
        else:
            statements.append([c])
    out: list[Statement] = []
    for links in statements:
        first = links[0]
        sid = first.chain or first.id
        problems: list[Problem] = []
        ok = True
        steps = [first.cause] + [c.effect for c in links]
        if not first.causal:
            steps = [s for s in steps if s]  # a definition has no object
        for cid in dict.fromkeys(steps + first.conditions + first.agent + first.target):
            if first.causal:
                key = "chain" if first.chain else ("cause" if cid == first.cause else "effect")
            else:
                key = "subject" if cid == first.cause else "object"
            for role in ("conditions", "agent", "target"):
                if cid in getattr(first, role):
                    key = role
            if cid in deprecated:
                problems.append(problem(first.path, first.field_lines.get(key), "deprecated-concept",
                                        f"concept '{cid}' is deprecated: {replacement_message(deprecated[cid])}"))
                ok = False
            elif cid not in concepts:
                problems.append(problem(first.path, first.field_lines.get(key), "unknown-concept",
                                        f"unknown concept '{cid}'{_suggest(cid, concepts)}: define it in ontology/ or fix the id"))
                ok = False
            elif key in ("agent", "target") and not brief(concepts, cid)[0]:
                problems.append(problem(first.path, first.field_lines.get(key), "not-an-actor",
                                        f"'{key}' names actors, and '{cid}' is a {brief(concepts, cid)[1] or 'concept'}, not a gkv:Actor"))
                ok = False
        if any(a == b for a, b in zip(steps, steps[1:], strict=False)):
            what = "cause and effect" if first.causal else "subject and object"
            problems.append(problem(first.path, first.line, "self-loop", f"a claim's {what} must differ"))
            ok = False
        anchors: list[Anchor] = []
        last = 0  # the number of the last quote placed
        for i, q in enumerate(first.quotes):
            qline = first.field_lines.get(f"quote[{i}]", first.field_lines.get("quote"))
            before = anchors[-1] if anchors else None
            a = _place_quote(first, src, q, qline, problems, before.start if before is not None else 0)
            if a is not None and before is not None and a.start < before.start:
                # The page marks a claim's quotes, and its gloss reads them, in the text's order.
                problems.append(problem(first.path, qline, "quote-order",
                                        f"quote {i + 1} stands before quote {last} in sources/{src.id}.txt ({src.locator(a.start)} "
                                        f"against {src.locator(before.start)}): list a claim's quotes in the text's order"))
                a = None
            if a is None:
                ok = False
            else:
                anchors.append(a)
                last = i + 1
        if not ok:
            out.append((sid, first.path, first.line, first.field_lines.get("id"), problems, None, None))
            continue
        locator = first.locator or src.locator(anchors[0].start)
        for c in links:
            c.anchors, c.locator = anchors, locator
        chain = Chain(first.chain, cf.source, steps, links, first.path, first.line) if first.chain else None
        out.append((sid, first.path, first.line, first.field_lines.get("id"), problems, links, chain))
    return None, out


def _used_concepts(cf: ClaimFile) -> tuple[str, ...]:
    """Every concept id a claim file names (what its resolution reads of the concepts, with the ids when one is unknown)."""
    return tuple(dict.fromkeys(cid for c in cf.claims for cid in (c.cause, c.effect, *c.conditions, *c.agent, *c.target) if cid))


def _dependencies(spec: tuple[str, tuple[str, ...]], sources, concepts, deprecated, texts: dict) -> str:
    """The sha256 of what a claim file's resolution reads besides the file: its source's text, the state of each concept it names.

    `texts` keeps, for one load, each source's digest and each concept's state line (a file names a thousand concepts, shared with others).
    """
    source_id, cids = spec
    h = hashlib.sha256()
    if source_id and source_id not in sources:
        h.update(b"no such source\n" + "\n".join(sources).encode())  # the suggestion reads every source id
    elif source_id in sources:
        if source_id not in texts:
            texts[source_id] = hashlib.sha256(f"{source_id}\n{sources[source_id].text}".encode()).hexdigest()
        h.update(f"source {texts[source_id]}\n".encode())
    states = texts.setdefault("\0concepts", {})
    lines = []
    for cid in cids:
        line = states.get(cid)
        if line is None:
            if cid in deprecated:
                line = f"deprecated {cid} {replacement_message(deprecated[cid])}\n"
            elif cid in concepts:
                actor, cls, *_ = brief(concepts, cid)
                line = f"concept {cid} {actor} {cls or ''}\n"
            else:
                line = f"unknown {cid}\n"
            states[cid] = line
        lines.append(line)
    h.update("".join(lines).encode())
    if any(cid not in deprecated and cid not in concepts for cid in cids):  # the suggestion reads every concept id
        h.update("\n".join(concepts).encode())
    return h.hexdigest()


def _duplicate_message(sid: str, first: tuple[Path, int]) -> str:
    return f"claim id '{sid}' is already used at {first[0].name}:{first[1]}"


def _replacement_problem(old: str, new: str, live, replaced: dict[str, str]) -> tuple[str, str] | None:
    """(code, message) when `old` cannot be retired in favour of `new` (it is a live id, or retired by another); else it is
    recorded in `replaced` and None. `live`: the ids still stated (one rule for _retire and the summaries' merge)."""
    if old in live:
        return "bad-value", f"replaces '{old}', which is still a claim: remove that claim, or this entry"
    if old in replaced and replaced[old] != new:
        return "duplicate-id", f"'{old}' is replaced by '{replaced[old]}' already"
    replaced[old] = new
    return None


def _dispute_message(d: str, live, replaced: dict[str, str], statement_ids) -> str | None:
    """Why a claim cannot dispute `d` (no id stated or retired), or None."""
    if d in live or d in replaced:
        return None
    return f"disputes '{d}', which is no claim id{_suggest(d, statement_ids)}"


class _Live:
    """The ids still stated: the statements' and the claims' (a chain's links are claims, not statements)."""

    def __init__(self, statement_ids, claims):
        self.statement_ids, self.claims = statement_ids, claims

    def __contains__(self, cid: object) -> bool:
        return cid in self.statement_ids or cid in self.claims


def _merge(files: list[tuple[Path, Resolved]], problems: list[Problem]) -> tuple[dict, dict, set[str], dict[Path, list[str]]]:
    """The claims and chains of every file's statements in turn, a statement whose id came before left out;
    and each file's ids so left out (what its claims' record is keyed with besides the file)."""
    claims: dict[str, Claim] = {}
    chains: dict[str, Chain] = {}
    seen: dict[str, tuple[Path, int]] = {}
    dropped: dict[Path, list[str]] = {}
    for path, (unknown_source, statements) in files:
        if unknown_source is not None:
            problems.append(unknown_source)
            continue
        for sid, spath, line, id_line, found, links, chain in statements:
            if sid in seen:
                problems.append(problem(spath, id_line, "duplicate-id", _duplicate_message(sid, seen[sid])))
                dropped.setdefault(path, []).append(sid)
                continue
            seen[sid] = (spath, line)
            problems.extend(found)
            if links is None:
                continue
            for c in links:
                claims[c.id] = c
            if chain is not None:
                chains[chain.id] = chain
    return claims, chains, set(seen), dropped


def _resolve_claims(files: list[ClaimFile], sources, concepts, problems, deprecated=None) -> tuple[dict, dict, dict]:
    claims, chains, statement_ids, _ = _merge([(cf.path, _resolve_file(cf, sources, concepts, deprecated or {})) for cf in files], problems)
    return claims, chains, _retire(claims, statement_ids, problems)


def _retire(claims: dict[str, Claim], statement_ids, problems: list[Problem]) -> dict[str, str]:
    """The ids claims' `replaces:` retire, each to its replacement; every claim's disputes of a retired id made disputes of its replacement."""
    replaced: dict[str, str] = {}
    live = _Live(statement_ids, claims)
    for c in claims.values():
        if c.position and c.position > 1:
            continue
        for old in c.replaces:
            found = _replacement_problem(old, c.chain or c.id, live, replaced)
            if found is not None:
                problems.append(problem(c.path, c.field_lines.get("replaces"), *found))
    for c in claims.values():
        for d in c.disputes:
            message = _dispute_message(d, live, replaced, statement_ids)
            if message is not None:
                problems.append(problem(c.path, c.field_lines.get("disputes"), "unknown-claim", message))
        c.disputes = [replaced.get(d, d) for d in c.disputes]  # a retired id disputes the claim that replaced it
    return replaced


ONTOLOGY_FORMAT = 2


def _ontology_key(layout: Layout, parsed: ParseCache) -> str | None:
    """The sha256 of every ontology file's path and bytes, of the parsing code and of the parsers' versions (None if a file cannot be read)."""
    from importlib.metadata import version

    engines = " ".join(f"{name} {version(name)}" for name in ("pyoxigraph", "rdflib"))  # the Turtle is parsed by one, held in the other's terms
    h = hashlib.sha256(f"govkg ontology parse {ONTOLOGY_FORMAT}\n{parsed.salt}\n{engines}\n".encode())
    for path in layout.ontology_files():
        try:
            h.update(f"{path}\n{parsed.digest(path)}\n".encode())  # known from its stat when unchanged (kg.inputs.fingerprint)
        except OSError:
            return None
    return h.hexdigest()


def _parse_ontology(layout: Layout, pack: bool) -> tuple[dict, dict, dict, list[Problem]]:
    """(each ontology file's triples, each file's sha256 as parsed, every concept including the deprecated, the problems found).

    pack: the triples are held pickled once parsed (a cache will keep them), each later pass unpickling one file's; the files
    are then parsed across the cores when they are many bytes (kg.cores.PARALLEL_BYTES: a million claims' ten concept files)."""
    own: list[Problem] = []
    ontology_triples: dict = {}
    digests: dict[Path, str] = {}
    concepts: dict[str, Concept] = {}  # as concepts_from_triples makes them, a file at a time
    files = layout.ontology_files()
    named = [path for path in files if not file_name_message(path.name)]
    pooled = _ontology_files_across_cores(named) if pack else None
    made = dict(zip(named, pooled, strict=True)) if pooled is not None else {}
    for path in files:
        if file_name_message(path.name):
            own.append(problem(path, None, "bad-name", file_name_message(path.name) or ""))
            continue
        found = made.get(path) or _ontology_file(path, pack)
        own.extend(found[0])
        if found[1] is not None:
            add_subjects(concepts, path, found[3])  # concepts_from_triples' first pass
            ontology_triples[path], digests[path] = found[1], found[2]
    add_concept_details(concepts, ontology_triples.values())
    return ontology_triples, digests, concepts, own


def _ontology_file(path: Path, pack: bool) -> tuple[list[Problem], KeptTriples | None, str, list]:
    """(its problems, its triples or None if it is not a graph of the vocabulary, its text's sha256, the concepts it types) of
    one ontology file. pack: the triples held pickled only (a fifth of the terms' memory: each later pass over them, the
    concepts' details, the emitter's, unpickles one file's at a time, not the million-claim ontology's ten files at once)."""
    own: list[Problem] = []
    text = read_text_checked(path, own)
    triples = load_turtle(path, own, text) if text is not None else None
    if text is None or triples is None or not check_vocabulary_only(path, triples, own):
        return own, None, "", []
    kept = KeptTriples(triples)
    if pack:
        kept.pack()
    return own, kept, hashlib.sha256(text.encode("utf-8")).hexdigest(), concept_subjects(triples)


def _ontology_files_across_cores(files: list[Path]) -> list[tuple | None] | None:
    """_ontology_file of each file (packed), parsed by forked workers (kg.cores.across_cores) when they are many bytes; None
    for a file a worker could not parse (parsed again in this process, which reports what went wrong), or if no pool ran."""
    from kg.cores import across_cores, bytes_of

    def task(i: int) -> tuple | None:
        try:
            return _ontology_file(files[i], pack=True)
        except Exception:  # noqa: BLE001
            return None

    return across_cores(task, len(files), bytes_of(files))


def _table_key(key: str) -> str:
    return hashlib.sha256(f"ontology table {key}".encode()).hexdigest()


def _table(ontology_triples: dict, digests: dict, every: dict, own: list[Problem]) -> tuple:
    """The ontology's entry in brief (what a rebuild reads of it): each file's path, digest and number of triples, the problems,
    each live concept's brief (kg.model.concepts), the deprecated concepts whole (a few stubs)."""
    files = list(ontology_triples)
    at = {path: i for i, path in enumerate(files)}
    rows = tuple((cid, *brief_of(c)[:3], at[c.path]) for cid, c in every.items() if not c.deprecated)
    return (ONTOLOGY_FORMAT, tuple(map(str, files)), tuple(digests[p] for p in files), tuple(len(ontology_triples[p]) for p in files),
            own, rows, {cid: c for cid, c in every.items() if c.deprecated})


def _from_table(table, layout: Layout, parsed: ParseCache, key: str) -> tuple[dict, dict, Mapping, dict, list[Problem]] | None:
    """_load_ontology's answer from its table (see _table), the whole entry read only when a concept or a triple is asked for; None: a miss."""
    fmt, names, digests, counts, own, rows, deprecated = table
    if fmt != ONTOLOGY_FORMAT or not (len(names) == len(digests) == len(counts)) or not isinstance(deprecated, dict):
        return None
    files = [Path(name) for name in names]
    whole: list = []

    def load() -> tuple:
        """The ontology's whole entry, else the files parsed again if they still hold what was kept."""
        if not whole:
            found = parsed.get(key)
            if not (isinstance(found, tuple) and len(found) == 4):
                found = _parse_ontology(layout, pack=True)
                if _ontology_key(layout, parsed) != key:  # checked after the parse: the files parsed are those the table was made from
                    raise KGError(f"{layout.ontology}: changed while govkg was reading the project: run the command again")
                parsed.put(key, found)
            whole.append(found)
        return whole[0]

    parsed.entries.used.add(key)  # the whole entry is kept for what reads the concepts
    def triples_of(path: Path) -> Callable[[], Sequence[tuple]]:
        return lambda: load()[0][path]

    triples = {path: KeptTriples(count=n, source=triples_of(path)) for path, n in zip(files, counts, strict=True)}
    concepts = KeptConcepts({cid: (actor, cls, sources, files[i]) for cid, actor, cls, sources, i in rows}, lambda: load()[2])
    return triples, dict(zip(files, digests, strict=True)), concepts, deprecated, list(own)


def _load_ontology(layout: Layout, problems: list[Problem], parsed: ParseCache | None) -> tuple[dict, dict, Mapping, dict, str | None]:
    """(each ontology file's triples, each file's sha256 as parsed, the live concepts, the deprecated ones, the key of the files'
    content or None), kept in `parsed` by the files' content.

    The concepts are made from all the files at once (a concept's triples may lie in several), so the entry is the whole ontology's;
    beside it, its table (_table): when the files did not change, that is what is read, the concepts and triples only when asked for.
    """
    key = _ontology_key(layout, parsed) if parsed is not None and parsed.entries.usable else None
    if parsed is not None and key is not None:
        table = parsed.get(_table_key(key))
        try:
            found = _from_table(table, layout, parsed, key) if isinstance(table, tuple) and len(table) == 7 else None
        except (TypeError, ValueError):  # a table of another shape: a miss
            found = None
        if found is not None:
            problems.extend(found[4])
            return found[0], found[1], found[2], found[3], key
    whole = parsed.get(key) if parsed is not None and key is not None else None
    if not (isinstance(whole, tuple) and len(whole) == 4):
        whole = _parse_ontology(layout, pack=parsed is not None)
        if parsed is not None and key is not None and _ontology_key(layout, parsed) == key:  # unchanged while it was parsed
            parsed.put(key, whole)
        else:
            key = None
    ontology_triples, digests, every, own = whole
    problems.extend(own)
    if parsed is not None and key is not None:
        parsed.put(_table_key(key), _table(ontology_triples, digests, every, own))
    concepts = {cid: c for cid, c in every.items() if not c.deprecated}
    deprecated = {cid: c for cid, c in every.items() if c.deprecated}
    return ontology_triples, digests, concepts, deprecated, key


SOURCES_FORMAT = 2


def _sources_key(layout: Layout, parsed: ParseCache) -> str | None:
    """The sha256 of every record and text of sources/ (the names and bytes of its .yaml and .txt files: what load_sources reads)
    and of the code; None if one is not a regular file or cannot be read (then the folder is read as always)."""
    folder = layout.sources
    h = hashlib.sha256(f"govkg sources {SOURCES_FORMAT}\n{parsed.salt}\n{folder}\n".encode())
    try:
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".txt"):
                continue
            if path.is_symlink() or not path.is_file():
                return None
            h.update(f"{path.name}\n{parsed.digest(path)}\n".encode())
    except OSError:
        return None
    return h.hexdigest()


def _load_sources(layout: Layout, problems: list[Problem], parsed: ParseCache | None) -> tuple[dict, dict, str | None]:
    """load_sources of the project, kept in `parsed` by the folder's content: a rebuild after a claim file's edit parses no record;
    and the key of the content read (_sources_key), None if not known or the folder changed while it was read."""
    key = _sources_key(layout, parsed) if parsed is not None and parsed.entries.usable and layout.sources.is_dir() else None
    found = parsed.get(key) if parsed is not None and key is not None else None
    if isinstance(found, tuple) and len(found) == 3 and isinstance(found[0], dict):
        problems.extend(found[2])
        return found[0], found[1], key
    own: list[Problem] = []
    sources, works = load_sources(layout.sources, own)
    problems.extend(own)
    if parsed is not None and key is not None and _sources_key(layout, parsed) == key:  # unchanged while it was read
        parsed.put(key, (sources, works, own))
        return sources, works, key
    return sources, works, None


def load_kg(root: Path, parsed: ParseCache | None = None) -> tuple[KG, list[Problem]]:
    """Read every input file under `root` and resolve claims against concepts and sources.

    `parsed`: each claim file's parse kept by its content (kg.inputs.parsecache), so that after one
    edit only that file is parsed again; the resolving against the whole graph is always redone.

    Returns the graph built from whatever is valid, and every problem found, so one run reports
    all mistakes at once. A caller that needs a clean graph checks that the problem list is empty.
    """
    layout = Layout(root)
    problems: list[Problem] = []
    for folder in (layout.ontology, layout.sources, layout.claims):
        if not folder.is_dir():
            problems.append(problem(folder, None, "missing-folder", f"no folder {folder.name}/ here: run kg from the govkg repository or pass --root"))
    ontology_triples, digests, concepts, deprecated, ontology_key = _load_ontology(layout, problems, parsed)
    sources, works, sources_key = _load_sources(layout, problems, parsed)
    for cid, c in deprecated.items():
        for new in c.replaced_by:
            if new not in concepts:
                from kg.inputs.turtle import line_of_subject

                why = "is deprecated too" if new in deprecated else "is no concept"
                problems.append(problem(c.path, line_of_subject(c.path, f"gkc:{cid}"), "unknown-concept",
                                        f"deprecated concept '{cid}' is replaced by '{new}', which {why}: name a current concept"))
    for cid, (_, _, named_sources, path) in itertools.chain(briefs(concepts), briefs(deprecated)):
        for s in named_sources:
            if s not in sources:
                from kg.inputs.turtle import line_of_subject

                problems.append(problem(path, line_of_subject(path, f"gkc:{cid}"), "unknown-source",
                                        f"concept '{cid}' names source '{s}', which has no record in sources/{_suggest(s, sources)}"))
    named: list[Path] = []
    for p in sorted(layout.claims.glob("*.yaml")):  # listed once, each name checked once: linear in the files
        message = file_name_message(p.name)
        if message:
            problems.append(problem(p, None, "bad-name", message))
        else:
            named.append(p)
    file_keys: dict[Path, str] = {}
    counts: dict[Path, ClaimCounts] = {}
    totals: ClaimCounts | None = None
    if parsed is None:
        files = [cf for p in named if (cf := load_claim_file(p, problems))]
        claims, chains, replaced = _resolve_claims(files, sources, concepts, problems, deprecated)
    else:
        collecting = gc.isenabled()
        gc.disable()  # the summaries are some 300,000 tuples a 100k-claim project, none in a cycle: the collector would walk them again and again
        try:
            world = _world(ontology_key, sources_key, sources)
            claims, chains, replaced, file_keys, counts, totals = _resolve_kept(named, parsed, sources, concepts, deprecated, problems, world)
        finally:
            if collecting:
                gc.enable()
        parsed.prune()
    kg = KG(layout, sources, works, concepts, claims, chains, ontology_triples, deprecated=deprecated, replaced_claims=replaced,
            ontology_digests=digests, claim_file_keys=file_keys, claim_counts=counts, claim_totals=totals)
    return kg, problems


def _world(ontology_key: str | None, sources_key: str | None, sources: dict) -> str | None:
    """The sha256 of everything a claim file's dependencies (`_dependencies`) can read: the ontology's files (its concepts are made
    from them alone) and each source's id and text (or, when known, the key of the sources/ folder's content they were read from:
    not going through every text); None when the ontology's key is not known. While it is the same, every unchanged file's
    dependencies are too (kg.model.mergedstate checks none of them)."""
    if ontology_key is None:
        return None
    if sources_key is not None:
        return hashlib.sha256(f"govkg claim dependencies of the sources read\n{ontology_key}\n{sources_key}\n".encode()).hexdigest()
    h = hashlib.sha256(f"govkg claim dependencies\n{ontology_key}\n".encode())
    for sid, src in sources.items():
        h.update(f"{len(sid)} {sid} {len(src.text)}\n".encode())
        h.update(src.text.encode())
    return h.hexdigest()


def _resolve_kept(named: list[Path], parsed: ParseCache, sources, concepts, deprecated, problems: list[Problem], world: str | None = None):
    """_resolve_claims of the claim files, each file's parse, resolution and summary kept in `parsed` (kg.inputs.parsecache).

    An unchanged file is merged from its summary (kg.model.claimfiles), and its claims are read back only
    when something asks for them (ClaimsOnDemand). Also each file's key for its named graph's record
    (kg.rdf.graphs): the sha256 of its content, of what its resolution read, and of what the merge changed
    in it (statements left out as duplicates, disputes of retired ids); and each file's counts and their sum.
    What the merge made is kept (kg.model.mergedstate, in parts: after one edit, the edited file's part is written
    again): when no file, or one file in a way no other can see, changed since, it is read instead of every file's summary.
    """
    texts: dict = {}

    def dependencies(spec) -> str:
        return _dependencies(spec, sources, concepts, deprecated, texts)

    keyed = [(path, parsed.content_key(path)) for path in named]
    made: dict[Path, tuple] = {}  # the summaries made or read for the state's shortcut, not made again by the full merge
    where = state_key(parsed.salt, str(Path(named[0]).parent) if named else "")
    state = read_state(parsed.get, where) if parsed.entries.usable and named else None
    if state is not None:
        quick = _from_state(state, keyed, parsed, dependencies, (sources, concepts, deprecated), problems, made, world)
        if quick is not None:
            result, state = quick
            if state is not None:
                parsed.entries.used.difference_update(keep_state(state, parsed.put, where))  # the replaced part pruned now
            return result
    _summaries_across_cores([(path, key) for path, key in keyed if path not in made], parsed, dependencies, (sources, concepts, deprecated))
    summaries: list[tuple[Path, str | None, Summary, Resolved | None]] = []
    for path, key in keyed:
        found = made.get(path) or _summary_of(path, key, parsed, dependencies, (sources, concepts, deprecated), problems)
        if found is None:
            continue
        key, summary, resolution = found
        if resolution is not None and key is not None and parsed.has_resolved(key):
            resolution = None  # read back when its claims are asked for (ClaimsOnDemand): a cold load holds no file's claims past its summary
        problems.extend(summary.parse_problems)
        summaries.append((path, key, summary, resolution))
    replaced: dict[str, str] = {}
    files = ClaimFiles(parsed.entries.folder if parsed.entries.usable else None, parsed.salt, replaced,
                       (_resolve_file, sources, concepts, deprecated))
    # _merge, from the summaries: each statement id's first place, the statements left out as duplicates.
    seen: dict[str, tuple[Path, int]] = {}
    links: dict[str, tuple[FileClaims, tuple]] = {}  # every claim id kept, in KG.claims' order, with its file and summary
    dropped: dict[Path, list[str]] = {}
    merge_problems: list[tuple] = []
    for path, key, summary, resolution in summaries:
        ref = FileClaims(files, path, key, summary.dependencies, frozenset(), resolution)
        files.files.append(ref)
        before = len(problems)
        if summary.unknown_source is not None:
            problems.append(summary.unknown_source)
            merge_problems.append(tuple(problems[before:]))
            continue
        for sid, line, id_line, found_problems, its_links, chain_id in summary.statements:
            if sid in seen:
                problems.append(problem(path, id_line, "duplicate-id", _duplicate_message(sid, seen[sid])))
                dropped.setdefault(path, []).append(sid)
                continue
            seen[sid] = (path, line)
            if found_problems:
                problems.extend(problems_of(found_problems))
            if its_links is None:
                continue
            for link in its_links:
                files.claim_file[link[0]] = ref
                links[link[0]] = (ref, link)
            if chain_id is not None:
                files.chain_file[chain_id] = ref
        ref.dropped = frozenset(dropped.get(path, ()))
        merge_problems.append(tuple(problems[before:]))
    statement_ids = set(seen)
    retire_problems: dict[FileClaims, list[tuple]] = {}

    def retire_problem(ref: FileClaims, cid: str, field: str, line, code: str, message: str) -> None:
        problems.append(problem(ref.path, line, code, message))
        retire_problems.setdefault(ref, []).append((cid, field, line, code, message))

    # _retire, from the summaries: the same problems, in the same order; the disputes are rewritten when a file's claims are read.
    live = _Live(statement_ids, links)
    for cid, (ref, (_, chain, position, replaces, replaces_line, _, _)) in links.items():
        if position and position > 1:
            continue
        for old in replaces:
            found = _replacement_problem(old, chain or cid, live, replaced)
            if found is not None:
                retire_problem(ref, cid, "replaces", replaces_line, *found)
    changed: dict[Path, list[str]] = {}
    owned: dict[FileClaims, int] = {}
    for cid, (ref, (_, _, _, _, _, disputes, disputes_line)) in links.items():
        owned[ref] = owned.get(ref, 0) + 1
        for d in disputes:
            message = _dispute_message(d, live, replaced, statement_ids)
            if message is not None:
                retire_problem(ref, cid, "disputes", disputes_line, "unknown-claim", message)
        if disputes:
            changed.setdefault(ref.path, []).append(f"{cid} {' '.join(replaced.get(d, d) for d in disputes)}")
    keys = {path: _record_key(key, summary.dependencies, dropped.get(path, []), changed.get(path, []))
            for path, key, summary, _ in summaries if key is not None}
    counts: dict[Path, ClaimCounts] = {}
    for ref, (_, _, summary, _) in zip(files.files, summaries, strict=True):
        if ref in owned:  # the summary counts every claim of the file: if the merge left some out, they are counted again
            counts[ref.path] = summary.counts if summary.counts.claims == owned[ref] else ClaimCounts(ref.load()[0].values())
    totals = total(counts.values())
    if all(key is not None for _, key, _, _ in summaries) and summaries:
        claim_ids: dict[FileClaims, list[str]] = {ref: [] for ref in files.files}
        for cid, (ref, _) in links.items():
            claim_ids[ref].append(cid)
        chain_ids: dict[FileClaims, list[str]] = {ref: [] for ref in files.files}
        for chid, ref in files.chain_file.items():
            chain_ids[ref].append(chid)
        every = [cid for ref in files.files for cid in claim_ids[ref]]
        every_chain = [chid for ref in files.files for chid in chain_ids[ref]]
        if every == list(links) and every_chain == list(files.chain_file):  # each id once, each file's ids together: the state can say it
            state = MergedState(
                [FileState(str(ref.path), ref.key or "", summary.spec, summary.dependencies, tuple(claim_ids[ref]), tuple(chain_ids[ref]),
                           tuple(dropped.get(ref.path, ())), tuple(plain_problem(p) for p in summary.parse_problems),
                           tuple(plain_problem(p) for p in merged), tuple(retire_problems.get(ref, ())), keys[ref.path],
                           counts[ref.path].to_kept() if ref.path in counts else None)
                 for ref, (_, _, summary, _), merged in zip(files.files, summaries, merge_problems, strict=True)],
                dict(replaced), frozenset(sid for ds in dropped.values() for sid in ds), shared_pairs(list(counts.values())), totals.to_kept(),
                world, totals.link_tallies())
            keep_state(state, parsed.put, where)
    return ClaimsOnDemand(files), ClaimsOnDemand(files, chains=True), replaced, keys, counts, totals


# Set before the pool's processes fork: the files to summarise and what _summary_of reads (the project's sources and concepts).
_TODO: tuple | None = None


def _summary_kept(i: int) -> None:
    """A forked worker's share: one claim file's parse, resolution and summary kept in the parse cache (nothing sent back)."""
    assert _TODO is not None
    files, parsed, dependencies, context = _TODO
    path, key = files[i]
    try:
        _summary_of(path, key, parsed, dependencies, context, [])
    except Exception:  # noqa: BLE001  (the file is summarised again in the build's own process, which reports what went wrong)
        pass


def _summaries_across_cores(keyed: list[tuple[Path, str | None]], parsed: ParseCache, dependencies, context: tuple) -> None:
    """The claim files whose summary is not kept, parsed, resolved and summarised across the cores before the merge reads them.

    Each forked worker keeps its files' entries in the parse cache (kg.inputs.parsecache), from which the merge then reads
    them in the files' order as a rebuild would: the same summaries, problems and order as one process, only sooner. A
    cold load of many bytes of files only (kg.cores.across_cores); none without a cache to keep them in.
    """
    global _TODO
    from kg.cores import across_cores, bytes_of

    if not parsed.entries.usable:
        return
    todo = [(path, key) for path, key in keyed if key is not None and not parsed.has_summary(key)]
    if not todo:
        return
    _TODO = (todo, parsed, dependencies, context)
    try:
        across_cores(_summary_kept, len(todo), bytes_of(path for path, _ in todo))
    finally:
        _TODO = None


def _record_key(key, dependencies: str, dropped: list[str], changed: list[str]) -> str:
    return hashlib.sha256(f"{key} {dependencies}\n{dropped}\n{changed}".encode()).hexdigest()


def _summary_of(path: Path, key: str | None, parsed: ParseCache, dependencies, context: tuple, failed: list[Problem]) -> tuple | None:
    """(key, summary, resolution or None) of a claim file: its kept summary, else its kept resolution summarised, else the file
    parsed and resolved; None if it cannot be read as claims, its parse's problems added to `failed`."""
    summary = _kept_summary(parsed, key, dependencies) if key is not None else None
    if summary is not None:
        return key, summary, None
    found = parsed.resolved(key, dependencies) if key is not None else None
    if found is None:
        own: list[Problem] = []
        cf, key = parsed.load_keyed(path, own)
        if cf is None:
            failed.extend(own)
            return None
        spec = (cf.source, _used_concepts(cf))
        found = (spec, dependencies(spec), own, _resolve_file(cf, *context))
        if key is not None:
            parsed.keep_resolved(key, found)
    raw = summarize(found[0], found[1], found[2], found[3])
    if key is not None:
        parsed.keep_summary(key, raw)
    return key, Summary(raw), found[3]


def _from_state(state: MergedState, keyed: list[tuple[Path, str | None]], parsed: ParseCache, dependencies, context: tuple,
                problems: list[Problem], made: dict[Path, tuple], world: str | None):
    """_resolve_kept's answer from the kept merge (kg.model.mergedstate) and the new state to keep (None: unchanged), or None: a miss."""
    if len(state.files) != len(keyed) or any(f.path != str(path) or key is None for f, (path, key) in zip(state.files, keyed, strict=True)):
        return None
    same_world = world is not None and state.world == world  # else each file's dependencies are checked
    edited = [i for i, (f, (_, key)) in enumerate(zip(state.files, keyed, strict=True))
              if f.key != key or (not same_world and dependencies(f.spec_of()) != f.dependencies)]
    if len(edited) > 1:
        return None
    files_now = list(state.files)
    totals = state.counted()
    shared = state.shared_pairs
    recount = False
    summed_again = False  # the whole's part (the sums, the shared pairs) changed: kept again
    fresh: tuple | None = None
    if edited:
        i = edited[0]
        path, key = keyed[i]
        found = _summary_of(path, key, parsed, dependencies, context, [])
        if found is None:
            return None
        made[path] = found
        _, summary, resolution = found
        old = state.files[i]
        raw = parsed.peek_summary(old.key)
        before = _readable_summary(raw)
        if (before is None or before.dependencies != old.dependencies  # not the summary the state merged (made again since)
                or key is None or old.dropped or any(sid in state.duplicated for sid, *_ in summary.statements)
                or shape(before) != shape(summary)):
            return None
        lines = {}
        changed = []
        for *_, links, _chain in summary.statements:
            for c in links or ():
                lines[c[0]] = {"replaces": c[4], "disputes": c[6]}
                if c[5]:
                    changed.append(f"{c[0]} {' '.join(state.replaced.get(d, d) for d in c[5])}")
        if summary.unknown_source is not None:
            merged = (plain_problem(summary.unknown_source),)
        else:
            merged = tuple(p for *_, found_problems, _links, _chain in summary.statements for p in found_problems)
        counts = None
        if old.counts is not None:
            new_counts = summary.counts
            if new_counts.claims != len(old.claim_ids):
                return None
            counts = new_counts.to_kept()
            before_counts = ClaimCounts.from_plain(old.counts)
            if new_counts.to_plain() != before_counts.to_plain():
                summed_again = True
                after = totals_after(totals, before_counts, new_counts, state.shared())
                recount = after is None  # a causal pair another file has too changed: the sum made again from each file's counts
                totals = after or totals
        relined = tuple((cid, kind, lines[cid][kind], code, message) for cid, kind, _, code, message in old.retire_problems)
        files_now[i] = FileState(old.path, key, summary.spec, summary.dependencies, old.claim_ids, old.chain_ids, (),
                                 tuple(plain_problem(p) for p in summary.parse_problems), merged, relined,
                                 _record_key(key, summary.dependencies, [], changed), counts)
        fresh = (i, resolution)
        if recount:
            each = [ClaimCounts.from_plain(f.counts) for f in files_now if f.counts is not None]
            totals, shared = total(each), shared_pairs(each)
    for f in files_now:
        parsed.mark_used(f.key)
    replaced = dict(state.replaced)
    files = ClaimFiles(parsed.entries.folder if parsed.entries.usable else None, parsed.salt, replaced, (_resolve_file, *context))
    keys: dict[Path, str] = {}
    counts_by_path: dict[Path, ClaimCounts] = {}
    for i, f in enumerate(files_now):
        path = keyed[i][0]
        ref = FileClaims(files, path, f.key, f.dependencies, frozenset(f.dropped), fresh[1] if fresh is not None and fresh[0] == i else None)
        files.files.append(ref)
        files.claim_file.update(dict.fromkeys(f.claim_ids, ref))
        files.chain_file.update(dict.fromkeys(f.chain_ids, ref))
        problems.extend(problems_of(f.parse_problems))
        keys[path] = f.record_key
        if f.counts is not None:
            counts_by_path[path] = ClaimCounts.from_plain(f.counts)
    for f in files_now:
        problems.extend(problems_of(f.merge_problems))
    for field_name in ("replaces", "disputes"):  # as the full merge: every file's `replaces:` problems, then every file's `disputes:`
        for f in files_now:
            problems.extend(problem(f.path, line, code, message) for cid, kind, line, code, message in f.retire_problems if kind == field_name)
    new_state = None
    if fresh is not None or not same_world:  # the parts not changed are kept as they are (kg.model.mergedstate.keep_state)
        new_state = MergedState(files_now, state.replaced, state.duplicated, shared, totals.to_kept(), world, totals.link_tallies(),
                                list(state.file_parts), None if summed_again or state.tallies is None else state.whole_part, state.read_parts)
        if fresh is not None:
            new_state.changed_file(fresh[0])
    return (ClaimsOnDemand(files), ClaimsOnDemand(files, chains=True), replaced, keys, counts_by_path, totals), new_state


def _readable_summary(raw) -> Summary | None:
    try:
        return Summary(raw) if isinstance(raw, bytes) else None
    except Exception:  # a broken entry: a miss
        return None


def _kept_summary(parsed: ParseCache, key: str, dependencies) -> Summary | None:
    """A claim file's kept summary, if it is whole and what its resolution read is unchanged (else None: a miss)."""
    raw = parsed.summarized(key)
    if raw is None:
        return None
    try:
        summary = Summary(raw)
        return summary if dependencies(summary.spec) == summary.dependencies else None
    except Exception:  # a broken entry, or one of another shape: a miss
        return None
