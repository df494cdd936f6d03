"""The part of the causal map a page or figure shows: the whole graph, a concept's neighbourhood, some sources, the paths between two concepts."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import EXIT_ERROR, EXIT_PROBLEMS, KGError
from kg.inputs.claims import Claim
from kg.model.names import resolve_concept, resolve_sources
from kg.model.project import KG
from kg.query.paths import Step, find_paths

MAX_PATHS = 200  # --chain draws the union of at most this many paths, shortest first


class NoPath(KGError):
    """--chain FROM TO where no causal path of the allowed length joins the two."""

    exit_code = EXIT_PROBLEMS


class BadSelection(KGError):
    """Options that cannot be combined."""

    exit_code = EXIT_ERROR


@dataclass
class Link(Step):
    """One arrow of the causal map: every claim (in the selection) that `cause` affects `effect`."""

    def works(self, kg: KG) -> list[str]:
        """The independent works behind the link (several documents of one work count once)."""
        return sorted({kg.work_of(c.source) for c in self.claims})


@dataclass
class ConditionLink:
    """A concept named as the condition under which claims about `effect` hold."""

    condition: str
    effect: str
    claims: list[Claim]


@dataclass
class View:
    """What to draw: concept ids, causal links, condition links, and a title saying what was chosen."""

    concepts: list[str]
    links: list[Link]
    conditions: list[ConditionLink] = field(default_factory=list)
    title: str = "the whole graph"
    sources: list[str] = field(default_factory=list)  # the sources whose claims are drawn

    @property
    def claims(self) -> list[Claim]:
        seen: dict[str, Claim] = {}
        for link in self.links:
            for c in link.claims:
                seen.setdefault(c.id, c)
        return list(seen.values())


def to_networkx(kg: KG, sources=None):
    """A networkx DiGraph of every concept, with one edge per causal link, its claims in `claims`."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(sorted(kg.concepts))
    for c in sorted(kg.claims.values(), key=lambda c: c.id):
        if (sources is not None and c.source not in sources) or not c.causal:
            continue
        if g.has_edge(c.cause, c.effect):
            g.edges[c.cause, c.effect]["claims"].append(c)
        else:
            g.add_edge(c.cause, c.effect, claims=[c])
    return g


def chain_links(kg: KG, source: str, target: str, max_len: int, sources) -> list[tuple[str, str, list[Claim]]]:
    """(cause, effect, claims) of every link on a causal path source → … → target of at most `max_len` links (kg.paths.find_paths)."""

    found: dict[tuple[str, str], list[Claim]] = {}
    for path in find_paths(kg, source, target, max_len=max_len, sources=sources, limit=MAX_PATHS):
        for step in path.steps:
            found.setdefault((step.cause, step.effect), list(step.claims))
    return [(a, b, cs) for (a, b), cs in found.items()]


def select(
    kg: KG,
    *,
    focus: str | None = None,
    depth: int = 1,
    sources=(),
    chain: tuple[str, str] | None = None,
    max_len: int = 4,
) -> View:
    """The view of `kg` the options ask for; all of it when none is given.

    `sources` keeps only the claims of those source documents; `focus` keeps the concepts within
    `depth` links of a concept (either direction); `chain` keeps the causal paths FROM → TO of at
    most `max_len` links. Concepts named as conditions of a drawn claim are drawn too.
    """
    import networkx as nx

    if focus and chain:
        raise BadSelection("choose either --focus or --chain, not both")
    if depth < 0 or max_len < 1:
        raise BadSelection("--depth must be 0 or more and --max-len 1 or more")
    wanted = sorted(resolve_sources(kg, sources) or ()) if sources else None
    g = to_networkx(kg, wanted)
    words = []
    if wanted:
        words.append("claims of " + ", ".join(wanted))
    if focus:
        center = resolve_concept(kg, focus)
        # Thinly wraps networkx.ego_graph: the concepts within `depth` links, whatever the direction.
        keep = nx.ego_graph(g, center, radius=depth, undirected=True)
        nodes, edges = list(keep.nodes), list(keep.edges)
        words.insert(0, f"{kg.concepts[center].label('zh')} ({kg.concepts[center].label('en')}) and what lies within {depth} link(s)")
    elif chain:
        start, end = (resolve_concept(kg, n) for n in chain)
        edges = [(a, b) for a, b, _ in chain_links(kg, start, end, max_len, wanted)]
        if not edges:
            raise NoPath(f"no causal path from '{chain[0]}' to '{chain[1]}' of at most {max_len} links"
                         + (" in the chosen sources" if wanted else ""))
        nodes = [n for e in edges for n in e]
        words.insert(0, f"paths from {kg.concepts[start].label('zh')} to {kg.concepts[end].label('zh')}")
    elif wanted:
        edges = list(g.edges)
        nodes = [n for e in edges for n in e]
    else:
        nodes, edges = list(g.nodes), list(g.edges)
    links = [Link(a, b, list(g.edges[a, b]["claims"])) for a, b in sorted(edges)]
    conditions: dict[tuple[str, str], list[Claim]] = {}
    for link in links:
        for c in link.claims:
            for cond in c.conditions:
                conditions.setdefault((cond, link.effect), []).append(c)
    nodes = list(dict.fromkeys([*nodes, *(k[0] for k in conditions)]))
    drawn_sources = sorted({c.source for link in links for c in link.claims})
    return View(
        concepts=sorted(nodes),
        links=links,
        conditions=[ConditionLink(a, b, cs) for (a, b), cs in sorted(conditions.items())],
        title="; ".join(words) or "the whole graph",
        sources=drawn_sources,
    )
