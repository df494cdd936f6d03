"""kg.stores.sparqlhttp: a request cut from the bytes a connection brings, in any pieces, read strictly."""

from __future__ import annotations

import socket
from urllib.parse import urlencode

import pytest

from kg.stores.sparqlhttp import MAX_HEADERS, MAX_LINE, Malformed, Request, read_request

from .test_serve import CHAIN

GET = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1:7979\r\nAccept: text/csv\r\n\r\n"
POST = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:7979\r\nContent-Type: application/sparql-query\r\nContent-Length: 7\r\n\r\nASK { }"


@pytest.mark.parametrize("data", [GET, POST, GET + POST])
def test_a_request_arrives_in_any_pieces(data):
    """Fed byte by byte, a request is read once it is whole, never before, and what follows it stays."""
    buf = bytearray()
    got: list = []
    for i in range(len(data)):
        buf += data[i:i + 1]
        req, used = read_request(buf, eof=False)
        if req is not None:
            got.append(req)
            del buf[:used]
    assert [type(r) for r in got] == [Request] * (data.count(b" HTTP/1.1\r\n")) and buf == b""
    assert got[0].headers.get("accept" if data.startswith(b"GET") else "content-type") in ("text/csv", "application/sparql-query")
    if data.startswith(b"POST"):
        assert got[0].body == b"ASK { }"


def test_bare_line_feeds_and_blank_lines_before_a_request():
    req, used = read_request(bytearray(b"\r\n\nGET / HTTP/1.0\nHost: x\n\n"), eof=False)
    assert isinstance(req, Request) and req.target == "/" and not req.keep_alive and used == 27


def test_a_body_cut_short_comes_with_what_there_is_at_the_end():
    cut = POST[:-3]
    assert read_request(bytearray(cut), eof=False) == (None, 0)
    req, _ = read_request(bytearray(cut), eof=True)
    assert isinstance(req, Request) and req.body == b"ASK "


@pytest.mark.parametrize(("data", "status"), [
    (b"GET /" + b"a" * (MAX_LINE + 10), 414),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE + 10), 431),
    (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * (MAX_HEADERS + 1) + b"\r\n", 431),
    (b"GET / HTTP/2.0\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400),
])
def test_heads_past_the_limits_are_refused(data, status):
    req, _ = read_request(bytearray(data), eof=False)
    assert isinstance(req, Malformed) and req.status == status


def test_expect_100_continue_is_answered_before_the_body(serve_mini):
    server = serve_mini("oxigraph", max_concurrent=1)
    host, port = server.server_address
    body = CHAIN.encode()
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(f"POST /sparql?{urlencode({'format': 'csv'})} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                  f"Content-Type: application/sparql-query\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        assert s.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200 OK") and b"concept/caution" in answer
