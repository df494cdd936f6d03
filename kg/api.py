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
from typing import TYPE_CHECKING, Literal

from kg.errors import EXIT_PROBLEMS, KGError, Problem
from kg.inputs.claims import Chain, Claim
from kg.inputs.sources import Source, Work
from kg.model import names
from kg.model.concepts import Concept
from kg.model.project import KG, default_root

if TYPE_CHECKING:  # only for annotations: importing them costs what `load` avoids
    import networkx as nx

    from kg.query.contrast import Contrast
    from kg.query.explain import Explanation
    from kg.query.loops import Loop
    from kg.query.paths import CausalPath
    from kg.query.search import SearchResult
    from kg.stores.results import Result

CiteStyle = Literal["bibtex", "csl-json", "ris", "markdown", "latex"]


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

    def claim(self, name: str) -> list[Claim]:
        """The claims an id names: one claim, or every link of a chain."""
        return names.get_claims(self.model, name)

    # --- questions ----------------------------------------------------------------------------

    def chain(self, start: str, end: str, *, max_len: int = 4, via: Iterable[str] = (), avoid: Iterable[str] = (),
              sources: Iterable[str] | None = None, same_source: bool = False, limit: int | None = 20) -> list[CausalPath]:
        """The causal paths start → end, shortest first (kg.query.paths.find_paths)."""
        from kg.query.paths import find_paths

        return find_paths(self.model, start, end, max_len=max_len, via=via, avoid=avoid, sources=sources,
                          same_source=same_source, limit=limit)

    def explain(self, concept: str, *, depth: int = 1, sources: Iterable[str] | None = None) -> Explanation:
        """A concept with its kinds and its causes and effects to `depth` links."""
        from kg.query.explain import explain

        return explain(self.model, concept, depth=depth, sources=sources)

    def loops(self, concept: str | None = None, *, max_len: int = 6, sources: Iterable[str] | None = None) -> list[Loop]:
        """Feedback loops (through `concept` if given), each reinforcing or balancing."""
        from kg.query.loops import find_loops

        return find_loops(self.model, names.resolve_concept(self.model, concept) if concept else None,
                          max_len=max_len, sources=sources)

    def search(self, text: str) -> SearchResult:
        """Concepts and claims holding every word of `text`, in either language and script."""
        from kg.query.search import search

        return search(self.model, text)

    def contrast(self, concept: str | None = None, *, kinds: Iterable[str] | None = None,
                 sources: Iterable[str] | None = None) -> list[Contrast]:
        """Claims in tension: disputes, opposite polarities on one link, divergent conditional effects."""
        from kg.query.contrast import KINDS, find_contrasts

        return find_contrasts(self.model, concept, sources=sources, kinds=kinds or KINDS)

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
