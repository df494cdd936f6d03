"""The part of the claim graph a page or figure shows: the whole graph, a concept's neighbourhood, some sources, the paths between two concepts."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import EXIT_ERROR, EXIT_PROBLEMS, KGError
from kg.inputs.records import Claim
from kg.model.names import resolve_concept, resolve_sources
from kg.model.project import KG
from kg.query.paths import Step, find_paths

MAX_PATHS = 200  # --chain draws the union of at most this many paths, shortest first
# The relations a view draws as links: causal links, and the form-of, part-of and aim statements
# (each drawn in its own style, never as a cause). A definition has no object: it goes with its concept.
DRAWN_RELATIONS = ("causes", "form-of", "part-of", "aim")


class NoPath(KGError):
    """--chain FROM TO where no causal path of the allowed length joins the two."""

    exit_code = EXIT_PROBLEMS


class BadSelection(KGError):
    """Options that cannot be combined."""

    exit_code = EXIT_ERROR


@dataclass
class Link(Step):
    """One arrow of the map: every claim (in the selection) that `cause` affects `effect`, or, for another
    `relation` (form-of, part-of, aim), that the subject `cause` stands in that relation to the object `effect`."""

    relation: str = "causes"

    @property
    def causal(self) -> bool:
        return self.relation == "causes"

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
    definitions: dict[str, list[Claim]] = field(default_factory=dict)  # concept id -> its definition claims
    ends: tuple[str, str] | None = None  # --chain: the start and end concept ids
    max_len: int = 4  # --chain: at most this many links per path

    @property
    def claims(self) -> list[Claim]:
        """The claims behind the drawn links (definitions are not links: see `definitions`)."""
        seen: dict[str, Claim] = {}
        for link in self.links:
            for c in link.claims:
                seen.setdefault(c.id, c)
        return list(seen.values())

    @property
    def causal_links(self) -> list[Link]:
        return [link for link in self.links if link.causal]

    @property
    def other_links(self) -> list[Link]:
        """The form-of, part-of and aim links."""
        return [link for link in self.links if not link.causal]

    @property
    def actors(self) -> list[str]:
        """The actor ids the drawn claims name as agent or target, in order of first mention."""
        return list(dict.fromkeys(a for c in self.claims for a in c.actors))


def to_networkx(kg: KG, sources=None, relations=("causes",)):
    """A networkx MultiDiGraph of every concept, with one edge per link of each relation (the key), its claims in `claims`."""
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from(sorted(kg.concepts))
    for c in sorted(kg.claims.values(), key=lambda c: c.id):
        if (sources is not None and c.source not in sources) or c.relation not in relations or not c.effect:
            continue
        if g.has_edge(c.cause, c.effect, key=c.relation):
            g.edges[c.cause, c.effect, c.relation]["claims"].append(c)
        else:
            g.add_edge(c.cause, c.effect, key=c.relation, claims=[c])
    return g


def broader_closure(kg: KG, cid: str) -> set[str]:
    """The concept and every concept it is a kind of, at any depth (skos:broader read upwards)."""
    found, todo = {cid}, [cid]
    while todo:
        here = todo.pop()
        for up in kg.concepts[here].broader if here in kg.concepts else ():
            if up not in found and up in kg.concepts:
                found.add(up)
                todo.append(up)
    return found


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
    relations=DRAWN_RELATIONS,
) -> View:
    """The view of `kg` the options ask for; all of it when none is given.

    `sources` keeps only the claims of those source documents; `focus` keeps the concepts within
    `depth` links of a concept (either direction, through links of any drawn relation); `chain` keeps
    the causal paths FROM → TO of at most `max_len` links (causal claims only, as `kg chain` follows
    them), and the other drawn links between the concepts on them. `relations` are the relations drawn
    as links (causes always; form-of, part-of and aim by default). Concepts named as conditions of a
    drawn claim are drawn too; the definition claims of every drawn concept come with the view.
    """
    import networkx as nx

    if focus and chain:
        raise BadSelection("choose either --focus or --chain, not both")
    if depth < 0 or max_len < 1:
        raise BadSelection("--depth must be 0 or more and --max-len 1 or more")
    unknown = [r for r in relations if r not in DRAWN_RELATIONS]
    if unknown:
        raise BadSelection(f"a view draws {', '.join(DRAWN_RELATIONS)} links, not '{unknown[0]}'")
    relations = ("causes", *(r for r in DRAWN_RELATIONS[1:] if r in relations))
    wanted = sorted(resolve_sources(kg, sources) or ()) if sources else None
    g = to_networkx(kg, wanted, relations)
    words = []
    ends: tuple[str, str] | None = None
    if wanted:
        words.append("claims of " + ", ".join(wanted))
    if focus:
        center = resolve_concept(kg, focus)
        # Thinly wraps networkx.ego_graph: the concepts within `depth` links, whatever the direction.
        keep = nx.ego_graph(g, center, radius=depth, undirected=True)
        nodes, edges = list(keep.nodes), list(keep.edges(keys=True))
        words.insert(0, f"{kg.concepts[center].label('zh')} ({kg.concepts[center].label('en')}) and what lies within {depth} link(s)")
    elif chain:
        start, end = ends = (resolve_concept(kg, chain[0]), resolve_concept(kg, chain[1]))
        causal = [(a, b, "causes") for a, b, _ in chain_links(kg, start, end, max_len, wanted)]
        if not causal:
            raise NoPath(f"no causal path from '{chain[0]}' to '{chain[1]}' of at most {max_len} links"
                         + (" in the chosen sources" if wanted else ""))
        nodes = list(dict.fromkeys(n for e in causal for n in e[:2]))
        on_path = set(nodes)
        edges = causal + [(a, b, r) for a, b, r in g.edges(keys=True) if r != "causes" and a in on_path and b in on_path]
        words.insert(0, f"paths from {kg.concepts[start].label('zh')} to {kg.concepts[end].label('zh')}")
    elif wanted:
        edges = list(g.edges(keys=True))
        nodes = [n for e in edges for n in e[:2]]
    else:
        nodes, edges = list(g.nodes), list(g.edges(keys=True))
    order = {r: i for i, r in enumerate(DRAWN_RELATIONS)}
    links = [Link(a, b, list(g.edges[a, b, r]["claims"]), relation=r)
             for a, b, r in sorted(edges, key=lambda e: (order[e[2]], e[0], e[1]))]
    conditions: dict[tuple[str, str], list[Claim]] = {}
    for link in links:
        for c in link.claims:
            for cond in c.conditions:
                conditions.setdefault((cond, link.effect), []).append(c)
    nodes = list(dict.fromkeys([*nodes, *(k[0] for k in conditions)]))
    drawn = set(nodes)
    definitions: dict[str, list[Claim]] = {}
    for c in sorted(kg.claims.values(), key=lambda c: c.id):
        if c.relation == "definition" and c.subject in drawn and (wanted is None or c.source in wanted):
            definitions.setdefault(c.subject, []).append(c)
    drawn_sources = sorted({c.source for link in links for c in link.claims})
    return View(
        concepts=sorted(nodes),
        links=links,
        conditions=[ConditionLink(a, b, cs) for (a, b), cs in sorted(conditions.items())],
        title="; ".join(words) or "the whole graph",
        sources=drawn_sources,
        definitions=definitions,
        ends=ends,
        max_len=max_len,
    )
