"""SPARQL results in one neutral shape, whatever store answered, and their standard serialisations.

Both backends (rdflib, pyoxigraph) and remote endpoints give their answers as `Result`s of `Term`s,
so answers can be compared across backends and written as SPARQL JSON, XML, CSV or TSV
(SELECT/ASK) or N-Triples and Turtle (CONSTRUCT/DESCRIBE) by one piece of code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import NamedTuple

from kg.iris import PREFIXES

_XML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    """XML-escaped text (xml.sax.saxutils would import urllib, and with it the http and email packages)."""
    return text.translate(_XML)


def quoteattr(text: str) -> str:
    return f'"{escape(text)}"'


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Term(NamedTuple):
    """An RDF term: kind is 'uri', 'bnode' or 'literal'; a plain literal has neither lang nor datatype."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""

    def n3(self) -> str:
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        from kg.rdf.nquads import lit  # here: kg.rdf.nquads imports the emitter, which a query's answer never needs

        return lit(self.value, self.lang, self.datatype)

    def to_json(self) -> dict:
        out = {"type": self.kind, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype:
            out["datatype"] = self.datatype
        return out


def literal(value: str, lang: str = "", datatype: str = "") -> Term:
    if datatype in (XSD_STRING, RDF_LANGSTRING):
        datatype = ""
    return Term("literal", value, lang.lower() if lang else "", datatype)


@dataclass
class Result:
    """kind is 'select', 'ask' or 'graph'; rows (SELECT) hold a Term or None per variable."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples) if self.kind == "graph" else 1

    def dicts(self) -> list[dict[str, Term]]:
        return [{v: t for v, t in zip(self.variables, row, strict=True) if t is not None} for row in self.rows]


def triple(s: Term | None, p: Term | None, o: Term | None) -> tuple[Term, Term, Term]:
    """A triple of a graph result: its three terms are always there (only SELECT rows may leave one unbound)."""
    assert s is not None and p is not None and o is not None
    return s, p, o


class TooManyRows(Exception):
    """A query's answer has more rows than the caller allows."""


# --- serialisations ---------------------------------------------------------------------------

FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "nt": "application/n-triples",
    "ttl": "text/turtle",
}


def to_json(result: Result) -> str:
    """SPARQL JSON, compact: byte for byte what Oxigraph's own writer gives for the same answer (the
    endpoint writes Oxigraph's answers with it, kg.stores.store.OxigraphAnswer, and the rest with this)."""
    import json  # the formats' modules only where they are written: a query's answer needs one of them

    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, separators=(",", ":"))
    bindings = [{v: t.to_json() for v, t in row.items()} for row in result.dicts()]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False,
                      separators=(",", ":"))


def to_xml(result: Result) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.dicts():
            out.append("<result>")
            for v, t in row.items():
                if t.kind == "uri":
                    inner = f"<uri>{escape(t.value)}</uri>"
                elif t.kind == "bnode":
                    inner = f"<bnode>{escape(t.value)}</bnode>"
                elif t.lang:
                    inner = f"<literal xml:lang={quoteattr(t.lang)}>{escape(t.value)}</literal>"
                elif t.datatype:
                    inner = f"<literal datatype={quoteattr(t.datatype)}>{escape(t.value)}</literal>"
                else:
                    inner = f"<literal>{escape(t.value)}</literal>"
                out.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


def to_csv(result: Result) -> str:
    """SPARQL 1.1 CSV: plain values only (lexical forms, IRIs without brackets), CRLF line ends."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerow(["boolean"])
        w.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    w.writerow(result.variables)
    for row in result.rows:
        w.writerow(["" if t is None else (f"_:{t.value}" if t.kind == "bnode" else t.value) for t in row])
    return buf.getvalue()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV: terms in their N-Triples form, variables with '?'."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else t.n3().replace("\t", "\\t") for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_ntriples(result: Result) -> str:
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in result.triples)


def to_turtle(result: Result) -> str:
    """Turtle, through pyoxigraph's serialiser (prefixes make it readable)."""
    import pyoxigraph as ox

    data = ox.parse(to_ntriples(result).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return (ox.serialize(data, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode("utf-8")


SERIALIZERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv, "nt": to_ntriples, "ttl": to_turtle}


def dump_result(result: Result, fmt: str) -> str:
    """The result in one of FORMATS; graph results only as nt/ttl, others only as json/xml/csv/tsv."""
    graph = result.kind == "graph"
    if graph != (fmt in ("nt", "ttl")):
        kinds = "nt, ttl" if graph else "json, xml, csv, tsv"
        raise ValueError(f"a {result.kind.upper() if not graph else 'CONSTRUCT/DESCRIBE'} result can be written as {kinds}, not {fmt}")
    return SERIALIZERS[fmt](result)


class Answer:
    """A store's answer to one query, written in the format chosen once its kind is known: `kind` is
    'select', 'ask' or 'graph'; `write(fmt)` gives its bytes in one of FORMATS (TooManyRows past the cap)."""

    kind = "?"

    def write(self, fmt: str) -> bytes:
        raise NotImplementedError


class ResultAnswer(Answer):
    """An answer already read into a Result (the row cap applied when it was read)."""

    def __init__(self, result: Result):
        self.result, self.kind = result, result.kind

    def write(self, fmt: str) -> bytes:
        return dump_result(self.result, fmt).encode("utf-8")


def load_json_result(data: dict) -> Result:
    """A SPARQL JSON results document (from a remote endpoint) as a Result."""
    if "boolean" in data:
        return Result("ask", boolean=bool(data["boolean"]))
    variables = list(data.get("head", {}).get("vars", []))

    def term(b: dict | None):
        if b is None:
            return None
        kind = {"typed-literal": "literal"}.get(b["type"], b["type"])
        if kind == "literal":
            return literal(b["value"], b.get("xml:lang", ""), b.get("datatype", ""))
        return Term(kind, b["value"])

    rows = [tuple(term(b.get(v)) for v in variables) for b in data.get("results", {}).get("bindings", [])]
    return Result("select", variables, rows)


def canonical(result: Result):
    """A backend-independent form for comparing answers: rows as a sorted list, blank nodes anonymised."""
    def norm(t):
        return None if t is None else (Term("bnode", "_") if t.kind == "bnode" else t)

    if result.kind == "ask":
        return ("ask", result.boolean)
    if result.kind == "graph":
        return ("graph", sorted(tuple(map(norm, t)) for t in result.triples))
    return ("select", result.variables, sorted((tuple(map(norm, r)) for r in result.rows), key=repr))
