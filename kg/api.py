"""The public API: `kg.load()` and the `Graph` it returns, the one door the CLI, notebooks and tests go through.

    >>> import kg
    >>> g = kg.load()
    >>> path = g.chain("責任主體", "卸责", via=["自保"])[0]
    >>> [g.concepts[c].label("zh") for c in path.concepts]
    ['责任主体从单位变成个人', '自保', '卸责']
    >>> path.stated_by
    ['xxzg-collusion', 'xxzg-notes']

Every method resolves names the same way (`Graph.concept`, `Graph.source`, `Graph.claim`: an id,
a label or altLabel in either script, a title), and raises `NameNotFound` for a name that matches
nothing or too much. Heavy libraries (networkx, rdflib, pyoxigraph) load on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, cast

from kg.errors import EXIT_PROBLEMS, InputError, KGError, Problem, QueryError
from kg.inputs.layout import default_root
from kg.model import names

if TYPE_CHECKING:  # only for annotations: importing them costs what `load` avoids
    import networkx as nx

    from kg.inputs.intake import AddedSource
    from kg.inputs.records import Chain, Claim, Source, Work
    from kg.model.concepts import Concept
    from kg.model.project import KG
    from kg.model.similar import SimilarConcept
    from kg.query.agree import Agreement
    from kg.query.contrast import Contrast
    from kg.query.coverage import Coverage
    from kg.query.explain import Explanation
    from kg.query.loops import Loops
    from kg.query.passages import Passage
    from kg.query.paths import CausalPath
    from kg.query.quotefind import QuoteMatch
    from kg.query.remedies import Remedy
    from kg.query.search import SearchResult
    from kg.stores.results import Result

CiteStyle = Literal["bibtex", "csl-json", "ris", "markdown", "latex"]
ReportKind = Literal["paths", "explanation", "loops", "search", "contrasts", "agreements", "remedies"]


def __getattr__(name: str) -> Any:
    """CONTRAST_KINDS, the kinds `kg contrast --kind` takes, from kg.query.contrast when asked for (not on every query)."""
    if name == "CONTRAST_KINDS":
        from kg.query.contrast import KINDS

        return KINDS
    raise AttributeError(f"module 'kg.api' has no attribute '{name}'")


class LoadError(KGError):
    """The project does not load cleanly; `problems` lists every one, each with its file and line."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n… and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the input (run `kg validate`):\n{shown}{more}")


def load(root: str | Path | None = None, *, cache: bool = True, lazy: bool = False) -> Graph:
    """The knowledge graph of the project at `root`: the graph bundled with govkg when none is given.

    Raises `LoadError` (carrying every problem with file:line) when the input does not load
    cleanly. With `cache` (the default), a second load of unchanged input reads `.cache/`.
    With `lazy`, the graph reads the query index (`.cache/index-<key>.sqlite`, kg.query.index) a
    record at a time, for the questions (chain, explain, loops, search, cite, stats, names) at any size,
    without rdflib; the writers that need the RDF (sparql, export, render, push) want `lazy=False`.
    """
    where = Path(root) if root is not None else default_root()
    if cache and lazy:
        from kg.query.index import open_index

        index = open_index(where)
        if index is not None:
            return Graph(cast("KG", index))  # the index reads as the model does for every question
    if cache:
        from kg.stores.cache import load_kg_cached

        model, problems = load_kg_cached(where)
    else:
        from kg.model.project import load_kg

        model, problems = load_kg(where)
    if problems:
        raise LoadError(problems)
    return Graph(model)


def add_source(file: str | Path, root: str | Path | None = None, *, id: str | None = None, seeds: str | Path | None = None,
               force: bool = False, **record: Any) -> AddedSource:
    """Take a raw text (UTF-8 or GB18030) into a project: the seed copied into the seeds folder, sources/<id>.yaml
    scaffolded with the record's fields and a proposed cleaning recipe (a reason per rule), sources/<id>.txt cleaned.

    `record` may give kind, title, title_en, authors, container, issued, work, relation; what is missing
    is left for the curator to fill in (`AddedSource.incomplete`). Raises IntakeError for an empty or
    binary file, or an id already taken (unless `force`).
    """
    from kg.inputs.intake import add_source as run
    from kg.inputs.layout import Layout

    layout = Layout(Path(root) if root is not None else default_root())
    return run(layout.sources, Path(seeds) if seeds else layout.seeds, Path(file), sid=id, force=force, **record)


class Graph:
    """A loaded, checked graph: records by id, and the questions govkg answers.

    A plain class, read-only as a frozen dataclass is (a dataclass costs every `kg` call a compile of its methods).
    """

    __slots__ = ("model",)
    model: KG

    def __init__(self, model: KG) -> None:
        object.__setattr__(self, "model", model)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Graph is read-only: cannot set '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Graph is read-only: cannot delete '{name}'")

    def __repr__(self) -> str:
        return f"<kg.Graph of {self.root}>"

    # --- records ------------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.model.layout.root

    @property
    def concepts(self) -> Mapping[str, Concept]:
        """Concepts by id (read-only)."""
        return MappingProxyType(self.model.concepts)

    @property
    def claims(self) -> Mapping[str, Claim]:
        """Claims by id, one per link (a chain's links are `<chain>.<n>`), read-only."""
        return MappingProxyType(self.model.claims)

    @property
    def chains(self) -> Mapping[str, Chain]:
        return MappingProxyType(self.model.chains)

    @property
    def sources(self) -> Mapping[str, Source]:
        """Source documents by id (read-only)."""
        return MappingProxyType(self.model.sources)

    @property
    def works(self) -> Mapping[str, Work]:
        """The works the documents report on (three documents of one book are one work)."""
        return MappingProxyType(self.model.works)

    # --- names: one resolver for each kind -----------------------------------------------------

    def concept(self, name: str) -> Concept:
        """The concept a name means: id, zh or en label or altLabel, either script."""
        return self.model.concepts[names.resolve_concept(self.model, name)]

    def source(self, name: str) -> Source:
        """The source document a name means: id (or a unique part of it) or title, either language or script."""
        return self.model.sources[names.resolve_source(self.model, name)]

    def sources_named(self, names_: Iterable[str] | None) -> list[str] | None:
        """The ids of the source documents these names mean, sorted (None for no names: all sources)."""
        wanted = names.resolve_sources(self.model, names_)
        return sorted(wanted) if wanted else None

    def includable(self, relations: Iterable[str]) -> list[str]:
        """The relations named (`form-of,part-of` or a list) that causal queries may follow besides causes."""
        from kg.query.paths import check_include

        return check_include(relations)

    def claim(self, name: str) -> list[Claim]:
        """The claims an id names: one claim, or every link of a chain."""
        return names.get_claims(self.model, name)

    def passage(self, claim: str) -> Passage:
        """The paragraph a claim's quotes stand in, with the quotes marked (offsets into the cleaned text)."""
        from kg.query.passages import passage_of

        found = names.get_claims(self.model, claim)
        if len(found) != 1:
            raise QueryError(f"'{claim}' names a chain of {len(found)} claims: give one claim's id for its passage")
        return passage_of(self.model, found[0].id)

    def source_text(self, source: str) -> list[Passage]:
        """Every paragraph of a source, each with the quotes of the claims made in it marked."""
        from kg.query.passages import source_passages

        return source_passages(self.model, self.source(source).id)

    def source_name(self, source: str, lang: str = "en") -> str:
        """How pages and captions name a document: an excerpt or notes with their work (《县乡中国》 …)."""
        from kg.query.passages import source_name

        return source_name(self.source(source), self.model.works, lang)

    # --- questions ----------------------------------------------------------------------------

    def chain(self, start: str, end: str, *, max_len: int = 4, via: Iterable[str] = (), avoid: Iterable[str] = (),
              sources: Iterable[str] | None = None, same_source: bool = False, limit: int | None = 20,
              include: Iterable[str] = (), min_certainty: str | None = None, actor: str | None = None,
              backend: str | None = None, endpoint: str | None = None) -> list[CausalPath]:
        """The causal paths start → end, shortest first (kg.query.paths.find_paths, thinly over networkx).

        `include` adds form-of, part-of or aim links to the causal ones; `min_certainty` keeps claims at
        least that sure; `actor` keeps paths whose every link names that actor (or a kind of it). With
        `backend` (rdflib, oxigraph) or `endpoint`, the paths are found by SPARQL in that store, with the
        same filters and the same stated rule (kg.query.storepaths); include, min_certainty and actor are
        answered in memory only.
        """
        from kg.query.paths import find_paths

        if backend is None and endpoint is None:
            return find_paths(self.model, start, end, max_len=max_len, via=via, avoid=avoid, sources=sources,
                              same_source=same_source, limit=limit, include=include, min_certainty=min_certainty,
                              actor=actor)
        if list(include) or min_certainty or actor:
            raise QueryError("--include, --min-certainty and --actor are answered in memory: leave out --backend and --endpoint")
        if backend not in (None, "rdflib", "oxigraph"):
            raise QueryError(f"unknown backend '{backend}': use rdflib or oxigraph")
        from kg.query.storepaths import find_paths_in_store, to_causal_paths
        from kg.stores.connect import open_query_store

        a, b = self.concept(start).id, self.concept(end).id
        store = open_query_store(self.root, backend or "oxigraph", endpoint)
        links = find_paths_in_store(store, a, b, max_len)
        return to_causal_paths(self.model, links, via=[self.concept(v).id for v in via], avoid=[self.concept(v).id for v in avoid],
                               sources=self.sources_named(sources), same_source=same_source, limit=limit)

    def why_no_path(self, start: str, end: str, *, max_len: int = 4, via: Iterable[str] = (), avoid: Iterable[str] = (),
                    sources: Iterable[str] | None = None, same_source: bool = False, include: Iterable[str] = (),
                    min_certainty: str | None = None, actor: str | None = None) -> dict[str, Any]:
        """Why `chain` with these options finds nothing: the paths each option alone removes, the nearest paths without any.

        (kg.query.paths.why_no_path: {"without": [{"option", "paths"}], "unfiltered": [CausalPath], "longer": (n, count) | None}.)
        """
        from kg.query.paths import why_no_path

        return why_no_path(self.model, start, end, max_len=max_len, via=list(via), avoid=list(avoid),
                           sources=list(sources) if sources else None, same_source=same_source, include=list(include),
                           min_certainty=min_certainty, actor=actor)

    def explain(self, concept: str, *, depth: int = 1, sources: Iterable[str] | None = None, include: Iterable[str] = (),
                min_certainty: str | None = None, narrower: bool = False) -> Explanation:
        """A concept: kinds, causes and effects to `depth` links, what the texts say it is, an actor's claims."""
        from kg.query.explain import explain

        return explain(self.model, concept, depth=depth, sources=sources, include=include, min_certainty=min_certainty,
                       narrower=narrower)

    def loops(self, concept: str | None = None, *, max_len: int = 6, sources: Iterable[str] | None = None,
              include: Iterable[str] = (), min_certainty: str | None = None, limit: int | None = None) -> Loops:
        """Feedback loops (through `concept` if given), each reinforcing or balancing, stated or assembled.

        Ranked, stated ones first (kg.query.loops.find_loops); the first `limit` (None: all), with
        `.total` and `.stated` counting every loop found.
        """
        from kg.query.loops import find_loops

        return find_loops(self.model, names.resolve_concept(self.model, concept) if concept else None,
                          max_len=max_len, sources=sources, include=include, min_certainty=min_certainty, limit=limit)

    def agree(self, concept: str | None = None, *, exact: bool = False) -> list[Agreement]:
        """What several independent works say alike: the same link, or (unless `exact`) through broader concepts."""
        from kg.query.agree import find_agreements

        return find_agreements(self.model, self.concept(concept).id if concept else None, broader=not exact)

    def remedies(self, concept: str) -> list[Remedy]:
        """Interventions the texts say counter a concept (or one of its causes), or aim to reduce it."""
        from kg.query.remedies import find_remedies

        return find_remedies(self.model, self.concept(concept).id)

    def search(self, text: str) -> SearchResult:
        """Concepts and claims holding every word of `text`, in either language and script."""
        from kg.query.search import search

        return search(self.model, text)

    def contrast(self, concept: str | None = None, *, kinds: Iterable[str] | None = None,
                 sources: Iterable[str] | None = None) -> list[Contrast]:
        """Claims in tension: disputes, opposite polarities on one link, divergent conditional effects."""
        from kg.query.contrast import KINDS, find_contrasts

        return find_contrasts(self.model, concept, sources=sources, kinds=kinds or KINDS)

    def report(self, kind: ReportKind, result: Any, fmt: Literal["text", "json", "markdown"] = "text",
               query: dict | None = None) -> str:
        """A query's answer as `kg` prints it: text, Markdown, or JSON in the shapes of docs/json.md.

        `kind` names what `result` is: paths (from .chain), explanation, loops, search, contrasts,
        agreements, remedies; `query` is echoed in the JSON and the headings (what was asked).
        """
        from kg.output import report

        if kind == "explanation":
            return report.render_explanation(self.model, result, fmt)
        if kind == "search":
            return report.render_search(self.model, result, fmt)
        renderers = {"paths": report.render_paths, "loops": report.render_loops, "contrasts": report.render_contrasts,
                     "agreements": report.render_agreements, "remedies": report.render_remedies}
        if kind not in renderers:
            raise KGError(f"no report of kind '{kind}'")
        return renderers[kind](self.model, result, fmt, query or {})

    def cite(self, ids: str | Iterable[str], style: CiteStyle = "bibtex") -> str:
        """The claims' source records with pinpoint and verbatim quote, in a citation format."""
        from kg.output import citations

        wanted = [ids] if isinstance(ids, str) else list(ids)
        if style not in citations.WRITERS:
            raise KGError(f"unknown citation style '{style}': use {', '.join(citations.WRITERS)}")
        return citations.WRITERS[style](citations.get_claim_records(self.model, wanted))

    def sparql(self, query: str) -> Result:
        """A read-only SPARQL query over the graph (updates, SERVICE, FROM and LOAD refused), as a neutral Result.

        `kg.output.sparqlformat.format_result(result, "table" | "csv" | "json" | "markdown")` prints it
        as `kg sparql` does; `result.dicts()` gives the rows as {variable: Term}.
        """
        from kg.query.sparql import run_query

        return run_query(self.model, query)

    # --- curating: quotes, coverage, concepts, new claims ------------------------------------------

    def find_quote(self, source: str, passage: str, *, limit: int = 4) -> list[QuoteMatch]:
        """The spans of a source's cleaned text that read like `passage`, best first, verbatim with their locators.

        Script, punctuation, spacing and case do not count (score 1.0); otherwise the nearest windows of
        each paragraph are ranked by difflib's ratio (kg.query.quotefind). Raises QuoteNotFound when
        nothing is alike enough.
        """
        from kg.query.quotefind import find_quote

        return find_quote(self.source(source), passage, limit=limit)

    def uncovered(self, source: str, *, cues: Iterable[str] = ()) -> Coverage:
        """The sentences of a source with causal, conditional, purposive or remedial cue words, by paragraph,
        each marked covered when a claim's quote overlaps it (kg.query.coverage; `cues` adds words for this run)."""
        from kg.query.coverage import coverage

        return coverage(self.model, self.source(source).id, tuple(cues))

    def similar_concepts(self, text: str, *, limit: int = 10) -> list[SimilarConcept]:
        """The concepts whose labels, altLabels or definitions are closest to `text`, in either script and language."""
        from kg.model.similar import similar_concepts

        return similar_concepts(self.model, text, limit=limit)

    def add_claim(self, source: str, *, id: str, evidence: str, quote: str | Iterable[str], gloss: str,
                  cause: str | None = None, effect: str | None = None, chain: Iterable[str] = (),
                  relation: str = "causes", subject: str | None = None, object: str | None = None,
                  polarity: str | None = None, conditions: Iterable[str] = (), agent: Iterable[str] = (),
                  target: Iterable[str] = (), hedge: str = "", level: Iterable[str] = (), locator: str | None = None,
                  note: str = "") -> dict:
        """Append a claim to the source's claim file (claims/<source>.yaml), then check the project loads cleanly.

        Concepts are given by any name (resolved as everywhere: `Graph.concept`); each quote is a passage
        as `find_quote` finds it, written verbatim as the text has it; a passage that occurs more than once
        needs `locator`. When the project then has a problem in that file, the file is put back as it was
        and InputError lists the problems. Returns the entry written. The Graph itself is not updated:
        `kg.load()` again to query the new claim.
        """
        from kg.model.project import load_kg
        from kg.output.claimwriter import ClaimFileError, append_claim
        from kg.query.quotefind import QuoteNotFound

        src = self.source(source)
        if not id or id in self.model.claims or id in self.model.chains or id in self.model.replaced_claims:
            raise ClaimFileError(f"claim id '{id}' is {'taken' if id else 'empty'}: give a new one (lower-case letters, digits and '-')")
        entry: dict[str, Any] = {"id": id}
        if relation != "causes":
            entry["relation"] = relation
        cid = lambda n: self.concept(n).id  # noqa: E731
        if list(chain):
            entry["chain"] = [cid(n) for n in chain]
        if cause:
            entry["cause"] = cid(cause)
        if effect:
            entry["effect"] = cid(effect)
        if subject:
            entry["subject"] = cid(subject)
        if object:
            entry["object"] = cid(object)
        if polarity:
            entry["polarity"] = polarity
        if list(conditions):
            entry["conditions"] = [cid(n) for n in conditions]
        for key, values in (("agent", agent), ("target", target)):
            if list(values):
                entry[key] = [cid(n) for n in values]
        entry["evidence"] = evidence
        if hedge:
            entry["hedge"] = hedge
        if list(level):
            entry["scope"] = {"level": list(level)}
        quotes, where = [], set()
        for passage in [quote] if isinstance(quote, str) else list(quote):
            exact = [m for m in self.find_quote(src.id, passage, limit=50) if m.score == 1.0]
            if locator:
                exact = [m for m in exact if m.locator == locator]
            if not exact:
                near = self.find_quote(src.id, passage)
                listed = "\n".join(f"  {m.locator} ({m.score:.0%} alike): {m.exact}" for m in near)
                raise QuoteNotFound(f"«{passage}» is not in sources/{src.id}.txt{' at ' + locator if locator else ''} "
                                 f"up to script and punctuation; the nearest:\n{listed}\n(`kg quote find` to copy one)")
            if len(exact) > 1:
                listed = "\n".join(f"  {m.locator}: {m.exact}" for m in exact)
                raise QuoteNotFound(f"«{passage}» occurs {len(exact)} times in sources/{src.id}.txt: give --locator, one of\n{listed}")
            if exact[0].garbled:
                raise QuoteNotFound(f"«{exact[0].exact}» crosses a garbled stretch 〔乱码〕: quote only readable text")
            quotes.append(exact[0].exact)
            where.add(exact[0].locator)
            if src.text.count(exact[0].exact) > 1:
                locator = exact[0].locator
        entry["quote"] = quotes[0] if len(quotes) == 1 else quotes
        if locator:
            entry["locator"] = locator
        entry["gloss"] = gloss
        if note:
            entry["note"] = note
        path = self.model.layout.claims / f"{src.id}.yaml"
        before = append_claim(path, src.id, entry)
        _, problems = load_kg(self.root)
        mine = [p for p in problems if Path(p.path).resolve() == path.resolve()]
        if mine:
            from kg.atomic import write_text_atomic

            if before:
                write_text_atomic(path, before)
            else:
                path.unlink()
            raise InputError(mine)
        return entry

    def stats(self) -> dict:
        """Counts: sources, concepts by class, claims by source and polarity, agreement across works."""
        from kg.query.stats import get_stats

        return get_stats(self.model)

    # --- other tools --------------------------------------------------------------------------

    def to_networkx(self, *, sources: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """The claim graph for networkx, Gephi or Cytoscape: plain attributes only, so GraphML and GEXF can hold it.

        Nodes are concept ids with `label_zh`, `label_en`, `cls`; one edge per causal link with
        `polarity` (positive, negative or mixed), `claims` and `sources` (ids joined by spaces),
        `works` (the number of independent works behind it) and `weight` (the number of claims).
        """
        from kg.output.network import to_networkx

        wanted = names.resolve_sources(self.model, sources)
        return to_networkx(self.model, wanted)
