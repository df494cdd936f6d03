"""SPARQL answers as text for `kg sparql`: one formatter for every backend, from the neutral Result, losing nothing.

Every store (rdflib, Oxigraph, a remote endpoint) answers with a kg.stores.results.Result, so the
same query prints the same bytes whichever ran it; literals are written as their lexical forms
("1"^^xsd:decimal stays 1, never 1.0).
"""

from __future__ import annotations

import functools
import io
import unicodedata

from kg.errors import QueryError
from kg.iris import PREFIXES
from kg.output.markup import to_markdown_cell
from kg.stores.results import Result, Term, to_csv, to_ntriples, to_turtle

FORMATS = ("table", "csv", "json", "markdown")


def short(term: Term | None) -> str:
    """A term as a researcher reads it: prefixed IRIs, literals as their text."""
    if term is None:
        return ""
    if term.kind == "uri":
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    return term.value


@functools.lru_cache(maxsize=4096)
def _wide(ch: str) -> int:
    """1 for a character that takes two columns (East Asian Wide or Fullwidth), else 0; a text repeats its characters."""
    return 1 if unicodedata.east_asian_width(ch) in "WF" else 0


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    return len(s) if s.isascii() else len(s) + sum(map(_wide, s))


def _jsonld(result: Result) -> str:
    import json

    import pyoxigraph as ox

    data = ox.parse(to_ntriples(result).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return json.dumps(json.loads(ox.serialize(data, format=ox.RdfFormat.JSON_LD) or b"[]"), ensure_ascii=False, indent=2)


def _graph(result: Result, fmt: str) -> str:
    # A graph has no order: written sorted, the same triples give the same bytes from every store.
    result = Result("graph", triples=sorted(result.triples, key=lambda t: tuple(x.n3() for x in t)))
    if fmt == "json":
        return _jsonld(result)
    if fmt == "csv":
        import csv

        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["subject", "predicate", "object"])
        for s, p, o in result.triples:
            w.writerow([s.value, p.value, o.value])
        return out.getvalue().rstrip("\n")
    ttl = to_turtle(result).rstrip("\n")
    return f"```turtle\n{ttl}\n```" if fmt == "markdown" else ttl


def format_result(result: Result, fmt: str = "table") -> str:
    """A SPARQL result as text: `table` (aligned columns), `csv`, `json` (W3C SPARQL 1.1 Query Results JSON;
    JSON-LD for CONSTRUCT and DESCRIBE) or `markdown`."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt}: choose from {', '.join(FORMATS)}")
    if result.kind == "ask":
        if fmt == "json":
            import json  # only for a json answer: at the top, every `kg sparql` would pay for it

            return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=2)
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return _graph(result, fmt)
    if fmt == "json":
        import json

        bindings = [{v: t.to_json() for v, t in row.items()} for row in result.dicts()]
        return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return to_csv(result).replace("\r\n", "\n").rstrip("\n")
    names = list(result.variables)
    rows = [[short(t).replace("\n", " ") for t in row] for row in result.rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(to_markdown_cell(n) for n in names) + " |", "|" + " --- |" * len(names)]
        lines += ["| " + " | ".join(to_markdown_cell(c) for c in row) + " |" for row in rows]
        return "\n".join(lines) + f"\n\n{len(rows)} row(s)"
    cells = [[(c, _width(c)) for c in row] for row in [names, *rows]]  # each cell measured once
    widths = [max(cell[i][1] for cell in cells) for i in range(len(names))]
    lines = ["  ".join(c + " " * (w - n) for (c, n), w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"{len(rows)} row(s)")
    return "\n".join(lines)
