"""The claim graph as a networkx graph with plain attributes, and its GraphML, GEXF and node-link JSON files."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

import networkx as nx

from kg.query.paths import link_graph

FORMATS = ("graphml", "gexf", "json")


def to_networkx(kg, sources: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """Every concept, and one edge per causal link (the claims of `sources` only, if given).

    Thinly wraps kg.query.paths.link_graph, turning its Claim objects into plain strings and
    numbers, which every graph file format can hold.
    """
    links = link_graph(kg, sources)
    g = nx.MultiDiGraph(name="govkg")
    for cid in sorted(kg.concepts):
        c = kg.concepts[cid]
        g.add_node(cid, label_zh=c.label("zh"), label_en=c.label("en"), cls=c.cls)
    for a, b, data in sorted(links.edges(data=True), key=lambda e: (e[0], e[1])):
        claims = data["claims"]
        kinds = {c.polarity for c in claims}
        g.add_edge(a, b, key="causes",
                   polarity=kinds.pop() if len(kinds) == 1 else "mixed",
                   claims=" ".join(c.id for c in claims),
                   sources=" ".join(sorted({c.source for c in claims})),
                   works=len({kg.work_of(c.source) for c in claims}),
                   weight=len(claims))
    return g


def dump_graph(g: nx.MultiDiGraph, fmt: str) -> bytes:
    """The graph in one of FORMATS, as the bytes of a file."""
    if fmt == "json":
        data = nx.node_link_data(g, edges="links")
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(g, buf, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(g, buf, encoding="utf-8")
    else:
        raise ValueError(f"unknown graph format '{fmt}': use {', '.join(FORMATS)}")
    return buf.getvalue()
