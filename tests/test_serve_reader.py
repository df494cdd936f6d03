"""kg.stores.sparqlhttp.read_request reads every head as the reader before it did (a copy kept here), on the usual CRLF heads and on any other bytes."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.stores.sparqlhttp import MAX_BODY, MAX_HEADERS, MAX_LINE, Headers, Malformed, Request, read_request

_HEAD_END = re.compile(rb"\n\r?\n")


def previous_read_request(buf: bytearray, eof: bool):
    """read_request as it was before its CRLF fast path (kg 0.x, issue 18 point 5), line for line."""
    if not buf:
        return None, 0
    start = 0
    while buf.startswith(b"\r\n", start) or buf.startswith(b"\n", start):
        start += 2 if buf.startswith(b"\r\n", start) else 1
    crlf = buf.find(b"\r\n\r\n", start)
    m = _HEAD_END.search(buf, start, crlf + 4) if crlf >= 0 else _HEAD_END.search(buf, start)
    if m is None:
        first, last = buf.find(b"\n", start), buf.rfind(b"\n", start)
        if (first < 0 and len(buf) - start > MAX_LINE) or first - start > MAX_LINE:
            return Malformed(414, "Request-URI Too Long"), len(buf)
        if first >= 0 and len(buf) - last - 1 > MAX_LINE:
            return Malformed(431, "Line too long"), len(buf)
        if len(buf) - start > (MAX_HEADERS + 2) * (MAX_LINE + 2):
            return Malformed(431, "Too many headers"), len(buf)
        return None, 0
    lines = bytes(buf[start:m.start() + 1]).split(b"\n")[:-1]
    head_end = m.end()
    line = str(lines[0], "iso-8859-1").rstrip("\r")
    if len(lines[0]) > MAX_LINE:
        return Malformed(414, "Request-URI Too Long"), head_end
    words = line.split()
    if len(words) != 3 or not re.fullmatch(r"HTTP/1\.[01]", words[2]):
        return Malformed(400, f"Bad request line ({line[:200]!r}): send METHOD /sparql?… HTTP/1.1"), head_end
    fields: list[tuple[str, str]] = []
    for raw in lines[1:]:
        if len(raw) >= MAX_LINE:
            return Malformed(431, "Line too long"), head_end
        if len(fields) >= MAX_HEADERS:
            return Malformed(431, "Too many headers"), head_end
        name, sep, value = str(raw, "iso-8859-1").partition(":")
        if not sep or not name or name != name.strip() or raw[:1] in (b" ", b"\t"):
            return Malformed(400, "Bad header line: send Name: value"), head_end
        fields.append((name, value.strip()))
    headers = Headers(fields)
    method = words[0]
    length = _plain_length(headers) if method == "POST" else None
    if length is None or length > MAX_BODY:
        return Request(method, words[1], words[2], headers, None, line), head_end
    if len(buf) - head_end < length and not eof:
        return None, 0
    body = bytes(buf[head_end:head_end + length])
    return Request(method, words[1], words[2], headers, body, line), head_end + len(body)


def _plain_length(headers: Headers) -> int | None:
    if headers.get("Transfer-Encoding"):
        return None
    lengths = headers.get_all("Content-Length")
    if len(lengths) != 1 or not re.fullmatch(r"[0-9]{1,12}", lengths[0].strip()):
        return None
    return int(lengths[0])


def shape(read) -> tuple:
    req, used = read
    if isinstance(req, Request):
        return ("request", req.method, req.target, req.version, req.headers.fields, req.body, req.line, used)
    if isinstance(req, Malformed):
        return ("malformed", req.status, req.message, used)
    return (None, used)


def same(data: bytes) -> None:
    for eof in (False, True):
        assert shape(read_request(bytearray(data), eof)) == shape(previous_read_request(bytearray(data), eof)), (data, eof)


HEADS = [
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1:7979\r\nAccept: text/csv\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 7\r\n\r\nASK { }GET",
    b"POST /sparql HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\nASK { }",
    b"POST /sparql HTTP/1.1\r\nContent-Length: 70\r\n\r\nASK { }",
    b"\r\n\r\nGET / HTTP/1.0\r\nHost: x\r\n\r\n",
    b"\r\n\nGET / HTTP/1.0\nHost: x\n\n",
    b"GET / HTTP/1.1\r\nHost: x\nAccept: a\r\n\r\n",  # a bare line feed inside a CRLF head
    b"GET / HTTP/1.1\r\nHost: x\r\n\nAccept: a\r\n\r\n",  # a blank line of a bare line feed ends it sooner
    b"GET / HTTP/1.1\r\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    b"GET / HTTP/1.1\r\n Host: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n\tHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
    b"GET / HTTP/1.1\r\n: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: \x85x\xa0\r\r\n\r\n",
    b"GET / HTTP/1.2\r\n\r\n",
    b"GET /  HTTP/1.1 x\r\n\r\n",
    b"GET\x0b/\x0cHTTP/1.1\r\n\r\n",
    b"GET /\xff\xfe HTTP/1.1\r\nX: \xe9\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * MAX_HEADERS + b"\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * (MAX_HEADERS + 1) + b"\r\n",
    b"GET /" + b"a" * (MAX_LINE - 14) + b" HTTP/1.1\r\n\r\n",  # the request line at the limit, with its CR
    b"GET /" + b"a" * (MAX_LINE - 13) + b" HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE - 5) + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE - 4) + b"\r\n\r\n",
    b"GET / HTTP/1.1\nX: " + b"a" * (MAX_LINE - 4) + b"\n\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n",  # not whole yet
]


def test_the_reader_reads_every_head_as_before():
    for data in HEADS:
        same(data)
        same(data + b"GET / HTTP/1.1\r\n\r\n")  # a pipelined request after it stays for later


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"GET", b"POST", b" ", b"/sparql?q=1", b"HTTP/1.1", b"HTTP/1.0", b"\r\n", b"\n", b"\r",
                                 b":", b"Host", b"Content-Length", b"Transfer-Encoding", b"7", b"x", b"\t", b"\xa0",
                                 b"\x85", b"\r\n\r\n", b"ASK { }"]), max_size=30))
def test_any_bytes_are_read_as_before(parts):
    same(b"".join(parts))
    same(b"GET / HTTP/1.1\r\n" + b"".join(parts))
