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
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from kg.errors import EXIT_PROBLEMS, KGError, Problem, QueryError
from kg.inputs.claims import Chain, Claim
from kg.inputs.sources import Source, Work
from kg.model import names
from kg.model.concepts import Concept
from kg.model.project import KG, default_root
from kg.query.contrast import KINDS as CONTRAST_KINDS  # noqa: F401  (the kinds `kg contrast --kind` takes)

if TYPE_CHECKING:  # only for annotations: importing them costs what `load` avoids
    import networkx as nx

    from kg.query.agree import Agreement
    from kg.query.contrast import Contrast
    from kg.query.explain import Explanation
    from kg.query.loops import Loop
    from kg.query.paths import CausalPath
    from kg.query.remedies import Remedy
    from kg.query.search import SearchResult
    from kg.stores.results import Result

CiteStyle = Literal["bibtex", "csl-json", "ris", "markdown", "latex"]
ReportKind = Literal["paths", "explanation", "loops", "search", "contrasts", "agreements", "remedies"]


class LoadError(KGError):
    """The project does not load cleanly; `problems` lists every one, each with its file and line."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:20])
        more = f"\n… and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the input (run `kg validate`):\n{shown}{more}")


def load(root: str | Path | None = None, *, cache: bool = True) -> Graph:
    """The knowledge graph of the project at `root`: the graph bundled with govkg when none is given.

    Raises `LoadError` (carrying every problem with file:line) when the input does not load
    cleanly. With `cache` (the default), a second load of unchanged input reads `.cache/`.
    """
    where = Path(root) if root is not None else default_root()
    if cache:
        from kg.stores.cache import load_kg_cached

        model, problems = load_kg_cached(where)
    else:
        from kg.model.project import load_kg

        model, problems = load_kg(where)
    if problems:
        raise LoadError(problems)
    return Graph(model)


@dataclass(frozen=True)
class Graph:
    """A loaded, checked graph: records by id, and the questions govkg answers."""

    model: KG

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
              include: Iterable[str] = (), min_certainty: str | None = None) -> list[Loop]:
        """Feedback loops (through `concept` if given), each reinforcing or balancing, stated or assembled."""
        from kg.query.loops import find_loops

        return find_loops(self.model, names.resolve_concept(self.model, concept) if concept else None,
                          max_len=max_len, sources=sources, include=include, min_certainty=min_certainty)

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
