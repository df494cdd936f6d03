"""The SPARQL 1.1 Protocol as `kg serve` speaks it, without I/O: a request's bytes in, a response's bytes out.

`read_request(buffer, eof)` cuts one request (request line, header fields, body) from the bytes a
connection has received, read strictly; `respond(request, site, run)` gives its response: the
route, the refusals that need no query (another site's page, updates, FROM by parameter, a bad
body), the parser-free screen of the query, then `run(query, format, Accept)` for the rest.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from kg.stores.results import FORMATS, TooManyRows
from kg.stores.sparqlcheck import screen
from kg.stores.store import BadQuery, QueryRefused, Store

MAX_BODY = 1_000_000  # bytes of a POSTed query
MAX_HEADERS, MAX_LINE = 100, 65536
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")
ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
           "nt": "nt", "ntriples": "nt", "n-triples": "nt", "ttl": "ttl", "turtle": "ttl"}
MEDIA = {v: k for k, v in FORMATS.items()} | {"application/json": "json", "application/xml": "xml",
                                               "text/xml": "xml", "text/plain": "nt", "application/x-turtle": "ttl"}
TABULAR, GRAPH = ("json", "xml", "csv", "tsv"), ("ttl", "nt")
TEXT = "text/plain; charset=utf-8"
CONTENT_TYPES = {name: f"{media}; charset=utf-8" for name, media in FORMATS.items()}
TOO_MANY_CONNECTIONS = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        b"Connection: close\r\nContent-Length: 32\r\n\r\ntoo many connections: try again\n")
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


_CHOSEN: dict[tuple, str] = {}  # a client sends the same Accept again and again


def choose_format(kind: str, fmt: str | None, accept: str | None) -> str:
    """The result format: `format=` if given, else the client's most preferred acceptable one."""
    key = (kind, fmt, accept)
    name = _CHOSEN.get(key)
    if name is None:
        name = _choose_format(kind, fmt, accept)  # HTTPError if none fits: not kept
        if len(_CHOSEN) >= 256:
            _CHOSEN.clear()
        _CHOSEN[key] = name
    return name


def _choose_format(kind: str, fmt: str | None, accept: str | None) -> str:
    allowed = GRAPH if kind == "graph" else TABULAR
    if fmt:
        name = ALIASES.get(fmt.lower()) or MEDIA.get(fmt.lower().split(";")[0].strip())
        if name is None or name not in allowed:
            raise HTTPError(406, f"format '{fmt}' cannot hold this result: use one of {', '.join(allowed)}")
        return name
    prefs = []
    for i, part in enumerate((accept or "").split(",")):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        prefs.append((-q, i, media.strip().lower()))
    for _, _, media in sorted(prefs):
        name = MEDIA.get(media)
        if name is not None and name in allowed:
            return name
        if media in ("*/*", "application/*", "text/*") or not media:
            return allowed[0]
    if not prefs:
        return allowed[0]
    raise HTTPError(406, f"none of the accepted types ({accept}) can hold this result; send Accept: "
                         + ", ".join(FORMATS[a] for a in allowed))


def answer(store: Store, query: str, fmt: str | None, accept: str | None, max_rows: int) -> tuple[int, str, bytes]:
    """(status, content type, body) for one query: the store checks it with its engine, runs it, and the result is written."""
    try:
        result = store.answer(query, max_rows=max_rows)  # the store checks the query first (kg.store.check_query)
        name = choose_format(result.kind, fmt, accept)
        return 200, CONTENT_TYPES[name], result.write(name)
    except TooManyRows as exc:
        return 500, TEXT, f"refused: {exc}\n".encode()
    except QueryRefused as exc:  # before BadQuery: a refusal is a QueryError too
        return 403, TEXT, f"{exc}\n".encode()
    except BadQuery as exc:
        return 400, TEXT, f"{exc}\n".encode()
    except HTTPError as exc:
        return exc.status, TEXT, f"{exc}\n".encode()


class Headers:
    """A request's header fields, looked up by name in any case."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.fields = fields
        self.first: dict[str, str] = {}
        for name, value in fields:
            self.first.setdefault(name.lower(), value)

    def get(self, name: str, default=None):
        return self.first.get(name.lower(), default)

    def get_all(self, name: str) -> list[str]:
        return [v for n, v in self.fields if n.lower() == name.lower()]

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.first


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: Headers
    body: bytes | None  # the bytes Content-Length announced (fewer if the client stopped sending), for a POST
    line: str = ""

    @property
    def keep_alive(self) -> bool:
        conn = (self.headers.get("Connection") or "").lower()
        if conn == "close":
            return False
        return self.version == "HTTP/1.1" or conn == "keep-alive"

    @property
    def expects_continue(self) -> bool:
        return self.version == "HTTP/1.1" and (self.headers.get("Expect") or "").lower() == "100-continue"


@dataclass
class Malformed:
    """A request that cannot be read: answered with its status, then the connection is closed."""

    status: int
    message: str


_HEAD_END = re.compile(rb"\n\r?\n")
_VERSIONS = ("HTTP/1.0", "HTTP/1.1")


def read_request(buf: bytearray, eof: bool) -> tuple[Request | Malformed | None, int]:
    """(the first request in `buf`, bytes it takes) — (None, 0) while more bytes are needed.

    Strict, like the request line and header fields of http.server without its e-mail parser:
    `METHOD TARGET HTTP/1.x`, at most MAX_HEADERS fields of at most MAX_LINE bytes, no folded lines.
    A POST's body is the Content-Length bytes after the head; when the client stops sending (eof)
    before them, the request comes with what there is (respond says how much was missing). A POST
    without one plain Content-Length comes without a body, for respond to refuse.
    """
    if not buf:
        return None, 0
    start = 0
    while buf.startswith(b"\r\n", start) or buf.startswith(b"\n", start):  # blank lines before a request (RFC 9112, 2.2)
        start += 2 if buf.startswith(b"\r\n", start) else 1
    crlf = buf.find(b"\r\n\r\n", start)  # what clients send; the expression below also reads bare line feeds
    if crlf >= 0:
        text = buf[start:crlf].decode("iso-8859-1")
        lines = text.split("\r\n")
        if text.count("\n") == len(lines) - 1:  # no bare line feed: the head ends at the first blank line
            return _request(buf, lines, 1, crlf + 4, eof)
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
    return _request(buf, buf[start:m.start() + 1].decode("iso-8859-1").split("\n")[:-1], 0, m.end(), eof)


def _request(buf: bytearray, lines: list[str], cut: int, head_end: int, eof: bool) -> tuple[Request | Malformed | None, int]:
    """The request whose head is `lines` (each line as sent, less `cut` characters: the CR of a CRLF)."""
    line = lines[0].rstrip("\r")
    if len(lines[0]) + cut > MAX_LINE:
        return Malformed(414, "Request-URI Too Long"), head_end
    words = line.split()
    if len(words) != 3 or words[2] not in _VERSIONS:
        return Malformed(400, f"Bad request line ({line[:200]!r}): send METHOD /sparql?… HTTP/1.1"), head_end
    fields: list[tuple[str, str]] = []
    for raw in lines[1:]:
        if len(raw) + cut >= MAX_LINE:
            return Malformed(431, "Line too long"), head_end
        if len(fields) >= MAX_HEADERS:
            return Malformed(431, "Too many headers"), head_end
        name, sep, value = raw.partition(":")
        if not sep or not name or name != name.strip() or raw[:1] in (" ", "\t"):
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
    """The one Content-Length of digits of a body sent whole, else None."""
    if headers.get("Transfer-Encoding"):
        return None
    lengths = headers.get_all("Content-Length")
    if len(lengths) != 1 or not re.fullmatch(r"[0-9]{1,12}", lengths[0].strip()):
        return None
    return int(lengths[0])


_PHRASES = {s.value: s.phrase for s in HTTPStatus}
_DATE: list = [0, ""]


def http_date() -> str:
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, formatdate(now, usegmt=True)]
    return _DATE[1]


def response(status: int, ctype: str | None, body: bytes, *, head_only: bool = False, close: bool = False,
             extra: tuple[str, ...] = ()) -> bytes:
    """A response's bytes: status line, the usual fields, the body (not for HEAD)."""
    head = (f"HTTP/1.1 {status} {_PHRASES.get(status, '')}\r\nServer: govkg-sparql\r\nDate: {http_date()}\r\n"
            + (f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\nVary: Accept\r\n" if ctype is not None
               else f"Content-Length: {len(body)}\r\n")
            + "".join(f"{field}\r\n" for field in extra)
            + ("Connection: close\r\n\r\n" if close else "\r\n")).encode("latin-1")
    return head if head_only else head + body


def text_response(status: int, message: str, *, head_only: bool = False, close: bool = False) -> bytes:
    return response(status, TEXT, (message.rstrip() + "\n").encode("utf-8"), head_only=head_only, close=close)


class Site:
    """Which Host and Origin headers are this endpoint's own, from the address it listens on."""

    def __init__(self, host: str, port: int, graphs: frozenset[str] = frozenset()):
        self.host, self.port = host, port
        self._hosts = self._own_hosts()
        # The IRIs that name the served graph itself (the release graph `kg push` would load it into):
        # a client that queries a pushed release names it as default-graph-uri, and here it means "this graph".
        self.graphs = graphs

    def hosts(self) -> set[str] | None:
        """The Host headers this endpoint answers to when it listens on loopback (its address, loopback
        names), so a web page whose own name resolves to 127.0.0.1 (DNS rebinding) gets nothing; None
        (any Host) when it listens elsewhere, for others to reach it by whatever name they know."""
        return self._hosts

    def _own_hosts(self) -> set[str] | None:
        if self.host not in ("127.0.0.1", "::1"):
            return None
        names = set(LOOPBACK_NAMES) | {self.host}
        return {f"{n}:{self.port}" for n in names} | (names if self.port == 80 else set())

    def origins(self, host: str | None) -> set[str]:
        """The Origins of pages of this endpoint itself: http://<its Host>."""
        hosts = self.hosts()
        if host is None:
            return {f"http://{h}" for h in hosts or ()}
        host = host.lower()
        return {f"http://{host}"} if hosts is None or host in hosts else set()


def respond(req: Request | Malformed, site: Site, run) -> tuple[bytes, bool]:
    """(the response's bytes, whether the connection closes after it); `run(query, format, Accept)` answers a screened query."""
    if isinstance(req, Malformed):
        return text_response(req.status, req.message, close=True), True
    if req.method in ("PUT", "DELETE", "PATCH"):
        return response(405, None, b"", extra=("Allow: GET, HEAD, POST",), close=not req.keep_alive), not req.keep_alive
    if req.method not in ("GET", "HEAD", "POST"):
        return text_response(501, f"Unsupported method ({req.method!r})", close=True), True
    exchange = _Exchange(req, site)
    try:
        status, ctype, body = exchange.handle(run)
    except HTTPError as exc:
        status, ctype, body = exc.status, TEXT, (str(exc).rstrip() + "\n").encode("utf-8")
    # A body left unread (a request refused before it was read) must not be read as the next request.
    close = not req.keep_alive or (req.method == "POST" and not exchange.body_read)
    return response(status, ctype, body, head_only=req.method == "HEAD", close=close), close


class _Exchange:
    """One request's way through the Protocol, up to the query."""

    def __init__(self, req: Request, site: Site):
        self.req, self.site, self.headers = req, site, req.headers
        self.body_read = False

    def handle(self, run) -> tuple[int, str, bytes]:
        self._check_site()
        params, body_query = self._params()
        if "update" in params:
            raise HTTPError(403, "updates are refused: this endpoint is read-only")
        queries = params.get("query", []) + ([body_query] if body_query is not None else [])
        if not queries:
            if self.req.method == "GET":
                return 200, TEXT, "govkg SPARQL endpoint (read-only): send ?query=… (SPARQL 1.1 Protocol)\n".encode()
            raise HTTPError(400, "no query: send query=… or a body of type application/sparql-query")
        if len(queries) > 1:
            raise HTTPError(400, "one query per request")
        if params.get("named-graph-uri"):
            raise HTTPError(403, "named-graph-uri is refused: queries run over govkg's own graph")
        for iri in params.get("default-graph-uri", []):
            if iri not in self.site.graphs:
                own = f" (this endpoint serves <{min(self.site.graphs)}>)" if self.site.graphs else ""
                raise HTTPError(403, f"default-graph-uri <{iri}> is not the served graph{own}: queries run over govkg's own graph")
        # What needs no parser is refused here at once (kg.stores.sparqlcheck.screen); the store
        # parses, like it runs, within the time limit.
        try:
            query = screen(queries[0])
        except QueryRefused as exc:
            raise HTTPError(403, str(exc)) from None
        except BadQuery as exc:
            raise HTTPError(400, str(exc)) from None
        fmt = (params.get("format") or [None])[0]
        return run(query, fmt, self.headers.get("Accept"))

    def _params(self) -> tuple[dict, str | None]:
        """Form/URL parameters, and the query when it came as the body of application/sparql-query."""
        url = urlsplit(self.req.target)
        if url.path not in ("/", "/sparql", "/query"):
            raise HTTPError(404, f"no such resource {url.path}: the endpoint is /sparql")
        params = _parse_qs_cached(url.query)
        if self.req.method != "POST":
            return params, None
        body = self._body()
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain") and not self._own_origin():
            # What an HTML form on any web page can send: only from a page of this endpoint itself.
            raise HTTPError(403, "a form POST without this endpoint's own Origin is refused (a web page may not query it): "
                                 "send Content-Type application/sparql-query, or GET ?query=")
        if ctype == "application/x-www-form-urlencoded":
            for k, v in _parse_qs(body).items():
                params.setdefault(k, []).extend(v)
            return params, None
        if ctype == "application/sparql-query":
            return params, body
        if ctype == "application/sparql-update":
            raise HTTPError(403, "updates are refused: this endpoint is read-only")
        raise HTTPError(415, f"Content-Type '{ctype}' is not a SPARQL request: use application/sparql-query "
                             "or application/x-www-form-urlencoded")

    def _body(self) -> str:
        """The request body, read strictly: one Content-Length of digits, no chunks, all of it, UTF-8."""
        if self.headers.get("Transfer-Encoding"):
            raise HTTPError(411, "chunked bodies are not read: send a Content-Length")
        lengths = self.headers.get_all("Content-Length")
        if not lengths:
            raise HTTPError(411, "a POST needs a Content-Length")
        if len(lengths) > 1 or not re.fullmatch(r"[0-9]{1,12}", lengths[0].strip()):
            raise HTTPError(400, "Content-Length must be one number of bytes")
        length = int(lengths[0])
        if length > MAX_BODY:
            raise HTTPError(413, f"a request body of {length:,} bytes; the limit is {MAX_BODY:,}")
        raw = self.req.body or b""
        if len(raw) != length:
            raise HTTPError(400, f"the body ended after {len(raw):,} of the {length:,} bytes Content-Length announced")
        self.body_read = True
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPError(400, f"the body is not UTF-8 (byte {exc.start}): send the query as UTF-8") from None

    def _own_origin(self) -> bool:
        origin = self.headers.get("Origin")
        return origin is not None and origin.rstrip("/").lower() in self.site.origins(self.headers.get("Host"))

    def _check_site(self) -> None:
        """Refuse what a web page in the user's browser sends here, and any Host that is not this endpoint's."""
        host, hosts = self.headers.get("Host"), self.site.hosts()
        if host is not None and hosts is not None and host.lower() not in hosts:
            raise HTTPError(403, f"Host '{host}' is not this endpoint's: a page on a name that points here may not query it; "
                                 "use 127.0.0.1 or localhost")
        site = (self.headers.get("Sec-Fetch-Site") or "").lower()
        if site and site not in ("same-origin", "none"):
            raise HTTPError(403, "a request from a page of another site is refused: a web page may not query this endpoint")
        origin = self.headers.get("Origin")
        if origin is not None and not self._own_origin():
            raise HTTPError(403, f"a request from {origin} is refused: a web page may not query this endpoint")


_QS: dict[str, dict[str, list[str]]] = {}  # a client sends the same query string again and again


def _parse_qs_cached(text: str) -> dict[str, list[str]]:
    found = _QS.get(text)
    if found is None:
        found = _parse_qs(text)
        if len(text) < 10_000:
            if len(_QS) >= 256:
                _QS.clear()
            _QS[text] = found
    return {k: list(v) for k, v in found.items()}


def _parse_qs(text: str) -> dict:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=100)
    except UnicodeDecodeError:
        raise HTTPError(400, "a parameter is not UTF-8 once percent-decoded") from None
    except ValueError as exc:
        raise HTTPError(400, f"bad parameters: {exc}") from None
