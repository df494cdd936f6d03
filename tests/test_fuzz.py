"""Bounded Hypothesis fuzzing of the entry points that read untrusted text: claim files, source records, SPARQL.

Whatever the text, govkg answers with problems or a QueryError, never another exception, never a
hang (each example is small and every query has a time limit of its own), and a query it accepts
never reaches the network (a listener on loopback must hear nothing).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.claims import load_claim_file
from kg.errors import KGError, QueryError
from kg.sources import load_source_record

from .test_yaml_hazards import CLAIM, RECORD

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

YAML_BITS = ["\n", "  ", "- ", ": ", "#", "&a ", "*a", "!!str ", "<<: ", "---\n", "...\n", '"', "'", "\\", "\\u0000", "{", "}", "[", "]",
             ",", "|\n", ">\n", "?", "id: c1", "claims:", "source: s", "cause: pressure", "quote: 压力", "yes", "no", "0755", "1e3",
             "\t", "\r", "\ufeff", "\u2028", "\x85", "\u202e", "9" * 200, "[" * 40, "压力会导致推诿"]
yaml_texts = st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=8)), max_size=30).map("".join)


def _problems_ok(problems) -> None:
    for p in problems:
        assert p.code and p.message and p.path


@FUZZ
@given(text=yaml_texts, where=st.integers(0, len(CLAIM)))
def test_claim_files_never_crash(tmp_path_factory, text, where):
    path = tmp_path_factory.mktemp("fz") / "s.yaml"
    path.write_text(CLAIM[:where] + text + CLAIM[where:], encoding="utf-8", errors="surrogatepass")
    problems = []
    load_claim_file(path, problems)
    _problems_ok(problems)


@FUZZ
@given(text=yaml_texts, where=st.integers(0, len(RECORD)))
def test_source_records_never_crash(tmp_path_factory, text, where):
    folder = tmp_path_factory.mktemp("fz")
    (folder / "s.yaml").write_text(RECORD[:where] + text + RECORD[where:], encoding="utf-8", errors="surrogatepass")
    (folder / "s.txt").write_text("text\n", encoding="utf-8")
    problems = []
    load_source_record(folder / "s.yaml", problems)
    _problems_ok(problems)


class _Listener(BaseHTTPRequestHandler):
    def _hit(self):
        self.server.hits += 1
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _hit  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    srv.hits = 0
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    t.join(5)


QUOTE_ESCAPES = ["\\u0022", "\\u00000022", "\\U00000022", "\\U0022", "\\u0027", "\\u000A", "\\u000D", "\\u005C", "\\\\", '\\"']
SPARQL_BITS = ["SERVICE", "service", "SILENT", " ", "\n", "\r", "\t", "#", '"', "'", '"""', "'''", "{", "}", "(", ")", ".", ",", ";",
               "?s", "?p", "?o", "<", ">", "SELECT", "*", "WHERE", "FILTER", "BIND", "AS", "FROM", "LOAD", "GRAPH", "VALUES",
               "x", "1", "gkc:pressure", "\u00a0", "\u200b", "\x00", "\x0c", *QUOTE_ESCAPES]


@st.composite
def queries(draw, url: str):
    """Token soup, or a query shaped like the issue's: patterns whose strings, comments and filters hold escapes and SERVICE."""
    service = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    if draw(st.booleans()):
        parts = draw(st.lists(st.one_of(st.sampled_from(SPARQL_BITS), st.just(f"<{url}>")), max_size=25))
        return "SELECT * WHERE { " + "".join(parts) + " }"
    inner = st.lists(st.one_of(st.sampled_from([*QUOTE_ESCAPES, " ", ",", ".", "x", service, "}", "{", "#"]), st.text(max_size=3)),
                     max_size=8).map("".join)
    quote = st.sampled_from(['"', "'", '"' * 3, "'" * 3])
    pattern = st.one_of(
        st.tuples(quote, inner).map(lambda qi: f"?s ?p {qi[0]}{qi[1]}{qi[0]} ."),
        st.tuples(quote, inner).map(lambda qi: f"FILTER(?o != {qi[0]}{qi[1]}{qi[0]})"),
        st.tuples(inner, st.sampled_from(["\n", "\r", "\r\n", "\\u000A", " "])).map(lambda t: f"# {t[0]}{t[1]}"),
        st.just(service), st.just("?s ?p ?o ."),
    )
    return "SELECT * WHERE { " + "\n".join(draw(st.lists(pattern, min_size=1, max_size=5))) + "\n}"


@FUZZ
@given(data=st.data())
def test_sparql_never_crashes_and_never_reaches_the_network(listener, data):
    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.sparql import check_query
    from kg.sparqltext import normalize_query
    from kg.store import check_query as checked_text
    from kg.timelimit import call_with_time_limit

    text = data.draw(queries(f"http://127.0.0.1:{listener.server_address[1]}/sparql"))
    before = listener.hits
    try:
        query = check_query(text)
    except QueryError as exc:
        event("refused: SERVICE" if "SERVICE" in str(exc) else "refused or not SPARQL")
        return
    normal = checked_text(text)
    assert normalize_query(normal) == normal  # one reading: normalising twice changes nothing
    store = ox.Store()

    def run_both():
        list(Dataset(default_union=True).query(query))
        list(store.query(normal))
        return True

    event("query accepted")
    try:
        call_with_time_limit(run_both, 10)
    except KGError:
        pass  # an evaluation error of a strange query is fine; reaching the listener is not
    assert listener.hits == before, text
