"""Limits on query time and size everywhere: `kg sparql --timeout` (default 30 s) stops a runaway query with a message and exit 3.

Issue 13: `kg sparql` had no time limit (a 60-byte regex query ran past 120 s on rdflib).
"""

from __future__ import annotations

import time

import pytest

from kg.inputs.limits import MAX_QUERY_CHARS

from .conftest import invoke
from .test_serve import SLOW

# Catastrophic backtracking in Python's re (rdflib's REGEX): 2^n steps on one short literal.
REGEX = 'SELECT * WHERE { VALUES ?x { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" } FILTER(REGEX(?x, "^(a|aa)+$")) }'

# name -> (arguments after `kg sparql`, exit code, words of the message)
CASES = {
    "a 4-way cross join, --timeout 1.5": ((SLOW, "--timeout", "1.5"), 3, "ran longer than 1.5 s and was stopped"),
    "a 4-way cross join on oxigraph, --timeout 1.5": ((SLOW, "--backend", "oxigraph", "--timeout", "1.5"), 3, "ran longer than 1.5 s"),
    "a backtracking REGEX (rdflib), --timeout 1.5": ((REGEX, "--backend", "rdflib", "--timeout", "1.5"), 3, "ran longer than 1.5 s"),
    f"a query of {MAX_QUERY_CHARS + 1:,} characters": (("ASK {} #" + "x" * MAX_QUERY_CHARS,), 2, f"the limit is {MAX_QUERY_CHARS:,}"),
    "--timeout 0": (("ASK {}", "--timeout", "0"), 2, "--timeout"),
    "--timeout -5": (("ASK {}", "--timeout", "-5"), 2, "--timeout"),
}


def run_case(runner, root, name: str):
    args, _, _ = CASES[name]
    start = time.monotonic()
    result = invoke(runner, root, "sparql", *args)
    return result, time.monotonic() - start


@pytest.mark.parametrize("name", list(CASES))
def test_query_limits(runner, mini_ro, name):
    result, took = run_case(runner, mini_ro, name)
    _, code, words = CASES[name]
    assert result.exit_code == code and words in result.output, result.output
    assert took < 20


def test_default_timeout_is_30_seconds(runner):
    from cli import app

    from .conftest import REPO

    result = runner.invoke(app, ["--root", str(REPO), "sparql", "--help"])
    assert "--timeout" in result.output and "30" in result.output


def test_a_quick_query_is_unchanged_by_the_limit(runner, mini_ro):
    assert invoke(runner, mini_ro, "sparql", "ASK { ?s ?p ?o }", "--timeout", "20").output.strip() == "true"
