"""Feedback loops: bounded simple cycles of the claim graph, reinforcing or balancing, and who states them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import QueryError
from kg.model.names import resolve_concept, resolve_sources
from kg.query.paths import (
    Step,
    StepSequence,
    check_include,
    claim_filter,
    claim_paragraphs,
    link_graph,
    sign_of,
    stated_by,
    steps_along,
)


@dataclass
class Loop(StepSequence):
    """A cycle of concepts back to its start; `stated_by` lists the sources that state it whole (as for paths)."""

    steps: list[Step]
    kind: str  # reinforcing | balancing | mixed
    stated_by: list[str]

    @property
    def concepts(self) -> list[str]:
        return [s.cause for s in self.steps]



def loop_kind(steps: Iterable[Step]) -> str:
    """reinforcing for an even number of negative links, balancing for an odd one; mixed if a link's claims disagree."""
    sign = sign_of(steps)
    return "mixed" if sign is None else ("reinforcing" if sign > 0 else "balancing")


def _rotate(cycle: list[str], first: str | None) -> list[str]:
    """The cycle starting at `first` (or at its smallest id), so that a loop is always written the same way."""
    i = cycle.index(first) if first in cycle else cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


def find_loops(kg, concept: str | None = None, *, max_len: int = 6, sources: Iterable[str] | None = None,
               include: Iterable[str] = (), min_certainty: str | None = None) -> list[Loop]:
    """The feedback loops of at most `max_len` links (through `concept` if given), shortest first.

    Thinly wraps networkx.simple_cycles with its length_bound, on the link graph of the claims of
    `sources` (None: all). A loop is *stated* by a source by the rule for paths (kg.paths), its
    last link joined to its first as well: the source claims every link and joins every two
    consecutive links itself, in one chain or one paragraph. A loop whose links one source makes in
    separate paragraphs is assembled: the source never says the effect feeds back. Raises
    NameNotFound for an unknown or ambiguous name. Loops follow causal claims only, unless `include`
    adds form-of, part-of or aim claims; `min_certainty` keeps only claims at least that sure.
    Each loop's `agents` and `one_agent` tell whether its links keep one actor's perspective.
    """
    import networkx as nx

    if max_len < 2:
        raise QueryError(f"--max-len must be at least 2 (a loop has two links or more), not {max_len}")
    start = resolve_concept(kg, concept) if concept is not None else None

    g = link_graph(kg, resolve_sources(kg, sources), check_include(include), claim_filter(kg, min_certainty=min_certainty))
    if start is not None:
        # Only the strongly connected component of the concept can hold a cycle through it.
        component = next(c for c in nx.strongly_connected_components(g) if start in c)
        g = g.subgraph(component)
    loops = []
    for cycle in nx.simple_cycles(g, length_bound=max_len):
        if start is not None and start not in cycle:
            continue
        nodes = _rotate(list(cycle), start)
        steps = steps_along(g, nodes + [nodes[0]])
        loops.append(Loop(steps, loop_kind(steps), stated_by(steps, lambda c: claim_paragraphs(kg, c), closed=True)))
    loops.sort(key=lambda lp: (len(lp), lp.concepts))
    return loops
