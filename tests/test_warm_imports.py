"""Warm queries import only what they use: no input parsing, no RDF, no formats or process machinery they do not print.

Each module listed here once cost a warm `kg chain`, `explain`, `search`, `cite`, `stats` or
`kg sparql` a measurable part of its time (bench/warm.py): a test per command, so that an import
added at the top of a module on their path shows here rather than as a slower benchmark.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.api import Graph
from kg.inputs.fingerprint import RACY_NS

from .conftest import REPO, make_mini

# Libraries no warm query needs (tests/test_index.py checks the same for rdflib, networkx … with --help and loops).
HEAVY = ("rdflib", "networkx", "pyvis", "openpyxl", "pyshacl", "ruamel", "yaml", "opencc")
# What the five queries read from the index instead: the input parsers, the emitter, and what only some answers need.
NOT_FOR_QUERIES = ("kg.inputs.claims", "kg.inputs.sources", "kg.inputs.cleaning", "kg.inputs.schema", "kg.inputs.yamlio",
                   "kg.rdf", "kg.query.loops", "kg.query.contrast", "kg.stores.remote", "json", "csv", "pickle",
                   "multiprocessing", "urllib.request", "pyoxigraph")
# `kg sparql` on a store made before: pyoxigraph and the query's checks, no endpoint client, no emitter, no forking library.
NOT_FOR_SPARQL = ("kg.inputs.claims", "kg.inputs.sources", "kg.rdf", "kg.stores.remote", "kg.query.index", "multiprocessing",
                  "urllib.request", "http.client", "ssl", "json", "csv", "pickle", "rdflib", "pyparsing", "networkx")


def _imported(args: list[str], root: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run `kg ARGS` in a fresh interpreter; the names of the modules it imported (itself and any child it forked)."""
    code = ("import sys, runpy\nsys.argv = ['kg'] + sys.argv[1:]\ntry:\n    runpy.run_module('kg', run_name='__main__')\n"
            "finally:\n    print('MODULES=' + ','.join(sorted(sys.modules)), file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # -X importtime as well: `kg sparql` runs the query in a forked child, which leaves by os._exit
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, "--root", str(root), *args], capture_output=True,
                          text=True, cwd=root, env=env, timeout=600)
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("MODULES="):
            modules |= set(line[len("MODULES="):].split(","))
        elif line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[-1].strip())
    return done, modules


def _offending(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


@pytest.fixture(scope="module")
def warm_mini(tmp_path_factory) -> Path:
    """A copy of the mini project whose index (and Oxigraph store) is made: the queries after it are warm."""
    root = make_mini(tmp_path_factory.mktemp("warm") / "mini")
    # Files changed less than 2 s before they are hashed are hashed again on the next call (git's racy rule,
    # kg.inputs.fingerprint), which rewrites the manifest: wait, so that the call after the cold one is warm.
    time.sleep(RACY_NS / 1e9 + 0.1)
    done, _ = _imported(["stats"], root)  # cold: the index is written from the loaded model
    assert done.returncode == 0, done.stderr[-1500:]
    return root


def test_warm_queries_import_no_parser_emitter_or_format_they_do_not_print(warm_mini, mini_kg):
    full = Graph(mini_kg)
    a, b = next((a, b) for a, b in itertools.permutations(full.concepts, 2) if full.chain(a, b))
    claim = next(iter(full.claims))
    for args in (["chain", a, b], ["explain", a], ["search", "压力"], ["cite", claim], ["stats"]):
        done, modules = _imported(args, warm_mini)
        assert done.returncode == 0, (args, done.stderr[-800:])
        assert "kg.query.index" in modules, args  # answered from the index, not the model
        assert _offending(modules, HEAVY + NOT_FOR_QUERIES) == [], args


def test_warm_sparql_on_oxigraph_imports_pyoxigraph_and_little_else(warm_mini):
    args = ["sparql", "--backend", "oxigraph", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    first, _ = _imported(args, warm_mini)  # builds the store
    assert first.returncode == 0, first.stderr[-1500:]
    done, modules = _imported(args, warm_mini)
    assert done.returncode == 0 and done.stdout == first.stdout
    assert "pyoxigraph" in modules
    assert _offending(modules, HEAVY + NOT_FOR_SPARQL) == []


def test_the_json_and_csv_answers_still_import_what_they_print(warm_mini):
    """The formats imported late are imported when asked for: the same answer as text, in JSON and CSV."""
    done, modules = _imported(["stats", "--format", "json"], warm_mini)
    assert done.returncode == 0 and done.stdout.lstrip().startswith("{") and "json" in modules
    done, modules = _imported(["sparql", "--backend", "oxigraph", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
                              warm_mini)
    assert done.returncode == 0 and done.stdout.splitlines()[0] == "n" and "csv" in modules


@pytest.mark.parametrize("argv", [["--help"], [], ["--root", ".", "--help"]])
def test_kg_help_lists_what_the_whole_app_lists(argv, monkeypatch, capsys):
    """main() lists the commands from stand-ins without parameters (cli._listing_only): the same text as the whole app's."""
    import cli

    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(sys, "argv", ["kg", *argv])
    outputs = []
    for run in (cli.main, cli.app):
        with pytest.raises(SystemExit):
            run()
        outputs.append(capsys.readouterr())
    assert outputs[0] == outputs[1]
    assert "chain" in outputs[0].out + outputs[0].err and "suggest-concepts" in outputs[0].out + outputs[0].err
    assert all(c.callback.__name__ != "stub" for c in cli.app.registered_commands)  # the app is whole again
