"""Exit codes and messages instead of crashes: internal errors (exit 70, no traceback unless --debug), a malformed
cache manifest, a remote endpoint answering something else than SPARQL results, out-of-range options, invisible
formatting characters in labels and values (issue 13, lesser items)."""

from __future__ import annotations

import marshal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.errors import EXIT_INTERNAL

from .conftest import REPO, invoke


def test_internal_error_has_its_own_exit_code_and_no_traceback(monkeypatch, capsys):
    import kg.cli as cli
    import kg.query.stats

    def boom(kg):
        raise RuntimeError("something govkg never expected")

    monkeypatch.setattr(kg.query.stats, "get_stats", boom)
    monkeypatch.setattr(sys, "argv", ["kg", "--root", str(REPO / "tests" / "fixtures" / "mini"), "stats"])
    monkeypatch.setenv("GOVKG_CACHE", "off")
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == EXIT_INTERNAL == 70
    assert "internal error (a bug in govkg" in err and "report" in err and "Traceback" not in err
    monkeypatch.setattr(sys, "argv", ["kg", "--debug", "stats"])
    with pytest.raises(RuntimeError):
        cli.main()


# name -> what .cache/manifest.marshal holds
MANIFESTS = {"a list": marshal.dumps([]), "a number": marshal.dumps(5), "text": marshal.dumps("x"), "entries of the wrong shape": None,
             "not marshal data": b"{oops", "truncated": marshal.dumps({"a": [1, 2, 3]})[:-3], "empty": b"",
             "JSON (an older govkg's)": b'{"a": [1, 2, 3, 4, "x", true]}'}


@pytest.mark.parametrize("name", list(MANIFESTS))
def test_malformed_cache_manifest_is_ignored(runner, mini, name):
    assert invoke(runner, mini, "validate", "--no-seeds").exit_code == 0  # makes the cache
    manifest = mini / ".cache" / "manifest.marshal"
    data = MANIFESTS[name]
    if data is None:
        data = marshal.dumps({k: [1, "two"] for k in marshal.loads(manifest.read_bytes())})
    manifest.write_bytes(data)
    result = invoke(runner, mini, "validate", "--no-seeds")
    assert result.exit_code == 0 and result.output.startswith("OK"), result.output


class _Odd(BaseHTTPRequestHandler):
    answers = {"/html": ("text/html", b"<html>a login page</html>"),
               "/badjson": ("application/sparql-results+json", b"{not json"),
               "/wrongjson": ("application/sparql-results+json", b'{"results": {"bindings": [{"s": {}}]}, "head": {"vars": ["s"]}}'),
               "/badnt": ("application/n-triples", b"this is not n-triples\n")}

    def do_POST(self):  # noqa: N802  (a query too long for a URL)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def do_GET(self):  # noqa: N802  (how kg sends a query)
        ctype, body = self.answers[self.path.split("?")[0]]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def odd_endpoint():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    t.join(5)


@pytest.mark.parametrize("path", list(_Odd.answers))
def test_remote_endpoint_answering_something_else_is_a_message(runner, mini_ro, odd_endpoint, path):
    result = invoke(runner, mini_ro, "sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--endpoint", odd_endpoint + path, "--graph", "urn:g")
    assert result.exit_code == 2 and ("answered" in result.output), result.output


# name -> (arguments of kg serve, words of the message)
SERVE_OPTIONS = {
    "--port 99999": (("--port", "99999"), "--port"),
    "--port -1": (("--port", "-1"), "--port"),
    "--timeout -1": (("--timeout", "-1"), "--timeout"),
    "--max-rows -5": (("--max-rows", "-5"), "--max-rows"),
    "--max-rows 0": (("--max-rows", "0"), "--max-rows"),
    "--workers 0": (("--workers", "0"), "--workers"),
    "--cache-mb -1": (("--cache-mb", "-1"), "--cache-mb"),
}


def serve_answer(name: str) -> tuple[int, str]:
    args, _ = SERVE_OPTIONS[name]
    proc = subprocess.run([sys.executable, str(REPO / "cli.py"), "--root", str(REPO / "tests" / "fixtures" / "mini"), "serve", *args],
                          capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "GOVKG_CACHE": "off"})
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", list(SERVE_OPTIONS))
def test_out_of_range_serve_options_are_refused(name):
    code, output = serve_answer(name)
    assert code == 2 and SERVE_OPTIONS[name][1] in output and "Traceback" not in output, output


# name -> a claim's note: invisible characters that make a text read other than it is
INVISIBLE = {"U+202E right-to-left override": "abc\u202edef", "U+200B zero-width space": "压\u200b力",
             "U+2066 left-to-right isolate": "a\u2066b", "U+FEFF inside a value": "a\ufeffb"}


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_invisible_formatting_characters_are_refused(tmp_path, name):
    from kg.inputs.claims import load_claim_file
    from kg.inputs.turtle import load_turtle

    from .test_yaml_hazards import CLAIM

    path = tmp_path / "s.yaml"
    path.write_text(CLAIM + f"    note: {INVISIBLE[name]}\n", encoding="utf-8")
    problems = []
    load_claim_file(path, problems)
    assert [p.code for p in problems] == ["bad-character"] and "invisible formatting character" in problems[0].message
    ttl = tmp_path / "c.ttl"
    ttl.write_text(f'<https://w3id.org/govkg/concept/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "{INVISIBLE[name]}"@en .\n', encoding="utf-8")
    problems = []
    assert load_turtle(ttl, problems) is None and [p.code for p in problems] == ["bad-character"]


# name -> a query rdflib's parser or evaluator would meet with ValueError or RecursionError
DEEP = {
    "{ nested 3,000 deep }": "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
    "FILTER(((…))) 3,000 deep": "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
    '"\\U0011FFFF" (past U+10FFFF)': 'SELECT * WHERE { ?s ?p "\\U0011FFFF" }',
    "<\\U0011FFFF>": "SELECT * WHERE { ?s ?p <\\U0011FFFF> }",
}


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name", list(DEEP))
def test_unparsable_sparql_is_a_message(runner, mini_ro, name, backend):
    result = invoke(runner, mini_ro, "sparql", DEEP[name], "--backend", backend)
    assert result.exit_code == 2 and "not a valid SPARQL query" in result.output, result.output
