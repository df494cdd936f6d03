"""One SPARQL answer pipeline: every backend's answer is a neutral Result, printed by one formatter, byte for byte the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, invoke

QUERIES = {
    "select": "SELECT ?c ?v WHERE { ?c <http://example.org/value> ?v } ORDER BY ?v",
    "construct": "CONSTRUCT { ?c <http://example.org/value> ?v } WHERE { ?c <http://example.org/value> ?v }",
    "ask": 'ASK { ?c <http://example.org/value> "2.5"^^xsd:decimal }',
}


@pytest.fixture(scope="module")
def literal_mini(tmp_path_factory):
    from .conftest import make_mini

    mini = make_mini(tmp_path_factory.mktemp("lit") / "mini")
    # Typed literals in their canonical forms (Oxigraph's store keeps numbers by value, so 2.50 would come back as 2.5;
    # rdflib's result objects used to print "1"^^xsd:decimal as 1.0).
    (mini / "ontology" / "literals.ttl").write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/a> <http://example.org/value> "1"^^xsd:decimal , "2.5"^^xsd:decimal , "7"^^xsd:integer , "压力"@zh .\n',
        encoding="utf-8")
    return mini


def _both(runner, root, query: str, fmt: str) -> dict[str, str]:
    """`kg sparql` as a user runs it, a fresh process per backend (the query runs in a forked child with a time
    limit; forked from a long-lived process that has opened RocksDB stores, such as pytest, it could hang)."""
    out = {}
    for backend in ("rdflib", "oxigraph"):
        result = subprocess.run([sys.executable, "-m", "kg", "--root", str(root), "sparql", query, "--backend", backend,
                                 "--format", fmt], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        out[backend] = result.stdout
    return out


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
@pytest.mark.parametrize("query", sorted(QUERIES))
def test_backends_print_the_same_bytes(runner, literal_mini, query, fmt):
    out = _both(runner, literal_mini, QUERIES[query], fmt)
    assert out["rdflib"] == out["oxigraph"]


def test_a_decimal_one_stays_a_decimal(runner, literal_mini):
    turtle = invoke(runner, literal_mini, "sparql", QUERIES["construct"], "--backend", "rdflib").stdout
    assert '"1"^^xsd:decimal' in turtle and "2.5" in turtle and "1.0" not in turtle


@pytest.mark.parametrize("path", sorted((REPO / "queries").glob("*.rq")), ids=lambda p: p.name)
def test_example_queries_print_the_same_on_both_backends(runner, path: Path):
    """The same rows, value for value. SPARQL leaves two orders to the engine: rows that ORDER BY leaves tied, and
    the items GROUP_CONCAT joins (links-with-several-sources lists its sources that way); both are normalised here."""
    import csv
    import io

    def rows(text: str) -> list:
        table = list(csv.reader(io.StringIO(text)))
        return [table[0]] + sorted([", ".join(sorted(cell.split(", "))) for cell in row] for row in table[1:])

    out = _both(runner, REPO, str(path), "csv")
    assert rows(out["rdflib"]) == rows(out["oxigraph"])


def test_kg_sparql_on_the_oxigraph_store_imports_no_rdflib(mini):
    """Warm, `kg sparql --backend oxigraph` reads, checks and runs the query without rdflib (its parse costs more than the query)."""
    cmd = [sys.executable, "-X", "importtime", "-m", "kg", "--root", str(mini), "sparql", "--backend", "oxigraph",
           "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)  # builds the store
    assert first.returncode == 0, first.stderr[-2000:]
    warm = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert warm.returncode == 0 and warm.stdout == first.stdout
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "pyoxigraph" in imported and not {m for m in imported if m.split(".")[0] in ("rdflib", "pyparsing")}
