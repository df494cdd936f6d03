"""`kg push` and `--endpoint` against Virtuoso, a second SPARQL 1.1 store besides Oxigraph: the same answers as local.

Virtuoso (Debian's virtuoso-opensource, installed by .ci/run) is started once per session on loopback
in a temporary folder with its own virtuoso.ini (free ports, no network), and the graph is pushed to
its authenticated Graph Store endpoint (/sparql-graph-crud-auth, HTTP Digest) as the `dba` user,
with the password from GOVKG_PASSWORD or a netrc file, never on the command line. Then every example
query in queries/, a chain, and ASK/CONSTRUCT answer from Virtuoso as they do locally.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import REPO, invoke

VIRTUOSO = shutil.which("virtuoso-t")
pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason="Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does)")
USER, PASSWORD = "dba", "dba"  # a fresh database's administrator; the store lives only for the session

INI = """[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = .
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """The base URL of a Virtuoso listening on loopback only, started for this session and stopped after it."""
    folder = tmp_path_factory.mktemp("virtuoso")
    http = _free_port()
    (folder / "virtuoso.ini").write_text(INI.format(sql=_free_port(), http=http), encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "-f", "-c", "virtuoso.ini"], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 120  # a new database is made on first start: about 15 s
        while True:
            try:
                urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:] if (folder / "virtuoso.log").exists() else ""
                    pytest.fail("Virtuoso did not start listening: " + log)
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def pushed(virtuoso):
    """The real graph pushed into Virtuoso as `kg push` does it, the password in GOVKG_PASSWORD."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(_app(), ["--root", str(REPO), "push", "--endpoint", virtuoso + "/sparql-graph-crud-auth",
                                         "--user", USER], env={"GOVKG_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "HTTP 201" in result.output or "HTTP 200" in result.output
    return REPO


def _app():
    from cli import app

    return app


def _queries() -> list[Path]:
    return sorted((REPO / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", _queries(), ids=lambda p: p.name)
def test_every_example_query_answers_as_local(pushed, virtuoso, path):
    from kg.stores.connect import run_sparql
    from kg.stores.results import canonical

    text = path.read_text(encoding="utf-8")
    remote = canonical(run_sparql(pushed, text, endpoint=virtuoso + "/sparql"))
    local = canonical(run_sparql(pushed, text, backend="oxigraph"))
    if "GROUP_CONCAT" in text:  # SPARQL leaves the order inside a GROUP_CONCAT to the engine
        remote, local = _concat_sorted(remote), _concat_sorted(local)
    assert remote == local


def _concat_sorted(answer):
    from kg.stores.results import Term

    def norm(t):
        return t if t is None or t.kind != "literal" else Term(t.kind, ", ".join(sorted(t.value.split(", "))), t.lang, t.datatype)

    kind, variables, rows = answer
    return kind, variables, sorted((tuple(map(norm, r)) for r in rows), key=repr)


def test_chain_ask_construct_answer_as_local(pushed, virtuoso, runner):
    from kg.stores.connect import run_sparql
    from kg.stores.results import canonical
    from tests.test_store import QUERIES

    for name in ("ask", "construct", "count"):
        q = QUERIES[name].replace("gkc:discount", "gkc:accountability-sanction")
        assert canonical(run_sparql(pushed, q, endpoint=virtuoso + "/sparql")) == canonical(run_sparql(pushed, q, backend="rdflib")), name
    # A `+` path from a bound start: SPARQL 1.1 counts the start itself when a loop leads back to it, Virtuoso
    # leaves it out (README, "Sharing one graph"). accountability-sanction is on a loop (inaction lowers it), so
    # the answers differ by exactly that row, and by nothing else.
    q = QUERIES["reachability"].replace("gkc:pressure", "gkc:accountability-sanction")
    remote, local = (canonical(run_sparql(pushed, q, **where)) for where in ({"endpoint": virtuoso + "/sparql"}, {"backend": "rdflib"}))
    start = ("https://w3id.org/govkg/concept/accountability-sanction",)
    assert start in {tuple(t.value for t in row) for row in local[2]}, "the start is on a loop: the deviation is exercised"
    assert remote[:2] == local[:2]
    assert sorted(remote[2], key=repr) == sorted((r for r in local[2] if tuple(t.value for t in r) != start), key=repr)
    remote = invoke(runner, pushed, "chain", "individual-responsibility-subject", "blame-shifting", "--endpoint", virtuoso + "/sparql", "--format", "json")
    local = invoke(runner, pushed, "chain", "individual-responsibility-subject", "blame-shifting", "--format", "json")
    assert remote.exit_code == 0 and remote.output == local.output, remote.output
    assert '"claims"' in local.output or "claim" in local.output


def test_push_without_login_is_refused_with_a_hint(virtuoso, mini, runner, monkeypatch):
    monkeypatch.setenv("NETRC", str(mini / "no-netrc"))
    result = invoke(runner, mini, "push", "--endpoint", virtuoso + "/sparql-graph-crud-auth")
    assert result.exit_code == 2 and "401" in result.output and "--user" in result.output, result.output


def test_push_with_a_netrc_replaces_the_graph(virtuoso, mini, runner, monkeypatch, tmp_path):
    """The login from a netrc file; a second push replaces the release graph instead of adding to it."""
    from kg.stores.remote import open_remote

    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("GOVKG_PASSWORD", raising=False)
    first = invoke(runner, mini, "push", "--endpoint", virtuoso + "/sparql-graph-crud-auth")
    assert first.exit_code == 0, first.output
    remote = open_remote(virtuoso + "/sparql", root=mini)
    n = remote.triples_count()
    assert n > 100
    again = invoke(runner, mini, "push", "--endpoint", virtuoso + "/sparql-graph-crud-auth")
    assert again.exit_code == 0 and remote.triples_count() == n
    assert os.environ["NETRC"] == str(netrc)
