"""`kg serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the graph, with bounded query time and answer size.

Requests (SPARQL 1.1 Protocol, section 2.1): GET `?query=`, POST form-encoded `query=`, or POST
`application/sparql-query`. Result formats by `format=` (json, xml, csv, tsv, nt, ttl, or a media
type) or the Accept header: SPARQL JSON (default), XML, CSV, TSV for SELECT/ASK; Turtle (default)
or N-Triples for CONSTRUCT/DESCRIBE.

Answers that are not results:
- 400 a query that is not valid SPARQL, or a request without one;
- 403 a query govkg refuses: any update (also POST `update=` or `application/sparql-update`),
  SERVICE, LOAD, FROM / FROM NAMED;
- 500 an answer with more than `max_rows` rows (or triples): refused whole, never cut short, so
  no client mistakes part of an answer for all of it (the Protocol's "QueryRequestRefused");
- 503 a query still running after `timeout` seconds: queries run in worker processes (at most
  `max_concurrent`, forked when first needed, each reading the store it inherited), and the worker
  running a query past the limit is killed then and replaced, so a runaway query (or one that takes
  long to parse) costs nothing afterwards, while every other query costs no fork; also when no
  worker is free within the limit (plus a second), or `max_connections` connections are open;
- 403 a request a web page made in a browser on another site (an `Origin` or `Sec-Fetch-Site` that
  is not this endpoint's own), a `Host` that is not this endpoint's (DNS rebinding), and a form
  POST without an `Origin` of this endpoint: a page the user visits must not query it;
- 400, 411, 413 a body that is not UTF-8, a POST without a plain `Content-Length`, or one too long.

HTTP/1.1 with keep-alive: a client sends its next query on the same connection. Each connection has
a socket timeout, so a client that sends nothing, or half a request, does not hold a thread; at most
`max_connections` are served at once. What needs no parser (SERVICE, LOAD, FROM, updates' keywords,
nesting) is refused in the request thread (kg.stores.sparqlcheck.screen); the parse is the engine's, in
the worker (Oxigraph's for the oxigraph backend, rdflib's for rdflib).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import stat
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from kg.stores.results import FORMATS, TooManyRows, dump_result
from kg.stores.sparqlcheck import check_query, screen
from kg.stores.store import BadQuery, QueryRefused, Store

MAX_BODY = 1_000_000  # bytes of a POSTed query
SOCKET_TIMEOUT = 10.0  # seconds a client may take to send its request
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")
ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
           "nt": "nt", "ntriples": "nt", "n-triples": "nt", "ttl": "ttl", "turtle": "ttl"}
MEDIA = {v: k for k, v in FORMATS.items()} | {"application/json": "json", "application/xml": "xml",
                                               "text/xml": "xml", "text/plain": "nt", "application/x-turtle": "ttl"}
TABULAR, GRAPH = ("json", "xml", "csv", "tsv"), ("ttl", "nt")


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def choose_format(kind: str, fmt: str | None, accept: str | None) -> str:
    """The result format: `format=` if given, else the client's most preferred acceptable one."""
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
    """(status, content type, body) for one query; runs inside the worker process."""
    try:
        result = store.query(query, max_rows=max_rows)  # the store checks the query first (kg.store.check_query)
    except TooManyRows as exc:
        return 500, "text/plain; charset=utf-8", f"refused: {exc}\n".encode()
    except QueryRefused as exc:  # before BadQuery: a refusal is a QueryError too
        return 403, "text/plain; charset=utf-8", f"{exc}\n".encode()
    except BadQuery as exc:
        return 400, "text/plain; charset=utf-8", f"{exc}\n".encode()
    try:
        name = choose_format(result.kind, fmt, accept)
    except HTTPError as exc:
        return exc.status, "text/plain; charset=utf-8", f"{exc}\n".encode()
    return 200, f"{FORMATS[name]}; charset=utf-8", dump_result(result, name).encode("utf-8")


BUSY = 503, "text/plain; charset=utf-8"


def _serve_queries(conn, store) -> None:
    """A worker's loop: answer each (query, format, Accept, max_rows) the pipe brings, until it closes."""
    while True:
        try:
            query, fmt, accept, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            out = answer(store, query, fmt, accept, max_rows)
        except BaseException as exc:  # anything else is a failure of this one query, reported to the client
            out = (500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode())
        try:
            conn.send(out)
        except (OSError, ValueError):
            return


class Worker:
    """A forked process that answers queries one at a time over a pipe, for as long as it is not killed.

    The store is opened once and the worker lives on from query to query; only a query that passes
    the time limit (or a worker that dies) costs a new fork.
    """

    def __init__(self, store: Store, inherited=lambda: ()):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, store, inherited, self.conn.fileno()), daemon=True)
        self.proc.start()
        child.close()

    def ask(self, request: tuple, timeout: float) -> tuple[int, str, bytes] | None:
        """The answer, or None when the time limit passed (the worker must then be killed)."""
        self.conn.send(request)
        if not self.conn.poll(timeout):
            return None
        return self.conn.recv()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()


def _worker_main(conn, store, inherited, parent_end: int) -> None:
    # The fork copied every socket of the server's process (listening, clients', the pipes' server
    # ends, and any other the process holds): closed here, so that a connection closed there is
    # closed, and a worker whose server is gone (even killed) reads the end of its pipe and exits.
    # Files (an on-disk store's) are kept.
    for fd in {parent_end, *inherited(), *_socket_fds()} - {conn.fileno()}:
        try:
            os.close(fd)
        except OSError:
            pass
    _serve_queries(conn, store)
    conn.close()


def _socket_fds() -> list[int]:
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: only the sockets the server knows of
        return []
    out = []
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                out.append(fd)
        except OSError:
            pass
    return out


class WorkerPool:
    """At most `size` workers; a request takes an idle one (or forks one), and gives it back unless it was stopped."""

    def __init__(self, store: Store, size: int, inherited=lambda: ()):
        self.store, self.size, self.inherited = store, size, inherited
        self.idle: list[Worker] = []
        self.workers: set[Worker] = set()  # idle and busy
        self.count = 0
        self.cond = threading.Condition()
        self.closed = False

    def _take(self, wait: float) -> Worker | None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.idle or self.count < self.size or self.closed, wait) or self.closed:
                return None
            if self.idle:
                return self.idle.pop()
            self.count += 1
        try:
            worker = Worker(self.store, self._inherited)
        except BaseException:
            with self.cond:
                self.count -= 1
                self.cond.notify()
            raise
        with self.cond:
            self.workers.add(worker)
        return worker

    def _inherited(self) -> list[int]:
        """What a new worker closes: the server's sockets and the other workers' pipes (read in the child, after the fork)."""
        return [*self.inherited(), *(w.conn.fileno() for w in self.workers if not w.conn.closed)]

    def _drop(self, worker: Worker) -> None:
        worker.kill()
        with self.cond:
            self.workers.discard(worker)
            self.count -= 1
            self.cond.notify()

    def run(self, query: str, fmt, accept, max_rows: int, timeout: float) -> tuple[int, str, bytes]:
        # A query waits for a worker as long as the longest-running one may still take (then it is
        # stopped), and a second for a replacement: beyond that, the server is busy.
        worker = self._take(timeout + 1.0)
        if worker is None:
            return (*BUSY, f"{self.size} queries are running already: try again\n".encode())
        try:
            out = worker.ask((query, fmt, accept, max_rows), timeout)
        except (EOFError, OSError):
            self._drop(worker)
            return 500, "text/plain; charset=utf-8", b"the query process ended without an answer\n"
        except BaseException:
            self._drop(worker)
            raise
        if out is None:  # past the limit: the worker (and the query in it) is killed, a new one forked when needed
            self._drop(worker)
            return (*BUSY, f"the query ran longer than {timeout:g} s and was stopped: narrow it or add LIMIT\n".encode())
        with self.cond:
            if self.closed:
                self.workers.discard(worker)
                worker.kill()
            else:
                self.idle.append(worker)
                self.cond.notify()
        return out

    def close(self) -> None:
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
            self.workers.difference_update(idle)
            self.cond.notify_all()
        for worker in idle:
            worker.kill()


def run_in_thread(store: Store, query: str, fmt, accept, max_rows: int, timeout: float) -> tuple[int, str, bytes]:
    """Where fork is missing (Windows): a thread that is abandoned, not killed, on timeout."""
    box: list = []
    t = threading.Thread(target=lambda: box.append(answer(store, query, fmt, accept, max_rows)), daemon=True)
    t.start()
    t.join(timeout)
    if box:
        return box[0]
    return (*BUSY, f"the query ran longer than {timeout:g} s: narrow it or add LIMIT\n".encode())


MAX_HEADERS, MAX_LINE = 100, 65536


class Headers:
    """A request's header fields, looked up by name in any case (what the handler reads of http.server's Message)."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.fields = fields
        self.first: dict[str, str] = {}
        for name, value in fields:
            self.first.setdefault(name.lower(), value)

    def get(self, name: str, default=None):
        return self.first.get(name.lower(), default)

    def get_all(self, name: str, default=None):
        found = [v for n, v in self.fields if n.lower() == name.lower()]
        return found or default

    def __getitem__(self, name: str):
        return self.get(name)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.first

    def items(self):
        return list(self.fields)


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "govkg-sparql"
    protocol_version = "HTTP/1.1"  # keep-alive: a client sends its next query on the same connection
    disable_nagle_algorithm = True  # an answer goes out at once, not after the client's delayed ACK
    body_read = False
    timeout = SOCKET_TIMEOUT  # socketserver sets it on the connection: a silent client is dropped

    def setup(self) -> None:
        self.timeout = self.server.socket_timeout  # type: ignore[misc]  # socketserver reads it per connection
        super().setup()

    def parse_request(self) -> bool:
        """The request line and header fields, read strictly (http.server's own parse goes through the
        e-mail parser, most of the time of a small request): `METHOD TARGET HTTP/1.x`, at most
        MAX_HEADERS fields of at most MAX_LINE bytes, no folded lines."""
        self.command = None  # type: ignore[assignment]  # http.server's own start, for send_error
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")  # type: ignore[attr-defined]
        words = line.split()
        if not words:
            return False
        if len(words) != 3 or not re.fullmatch(r"HTTP/1\.[01]", words[2]):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request line ({line[:200]!r}): send METHOD /sparql?… HTTP/1.1")
            return False
        self.command, self.path, self.request_version = words
        self.close_connection = words[2] != "HTTP/1.1"
        fields: list[tuple[str, str]] = []
        while True:
            raw = self.rfile.readline(MAX_LINE + 1)
            if len(raw) > MAX_LINE:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long")
                return False
            if raw in (b"\r\n", b"\n", b""):
                break
            if len(fields) >= MAX_HEADERS:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
                return False
            name, sep, value = str(raw, "iso-8859-1").partition(":")
            if not sep or not name or name != name.strip() or raw[:1] in (b" ", b"\t"):
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad header line: send Name: value")
                return False
            fields.append((name, value.strip()))
        self.headers = Headers(fields)  # type: ignore[assignment]
        conn = (self.headers.get("Connection") or "").lower()
        if conn == "close":
            self.close_connection = True
        elif conn == "keep-alive":
            self.close_connection = False
        if (self.headers.get("Expect") or "").lower() == "100-continue" and self.request_version == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def send_response(self, code, message=None) -> None:
        """The status line and the usual fields, without http.server's log line and e-mail date formatting per request."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", "govkg-sparql")
        self.send_header("Date", _http_date())

    def log_request(self, code="-", size="-") -> None:
        if self.server.log:
            super().log_request(code, size)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.log:
            self.server.log(format % args)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        if self.command == "POST" and not self.body_read:
            # A body left unread (a request refused before it) would be read as the next request.
            self.send_header("Connection", "close")
        if self.command != "HEAD":
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]  # headers and body in one write
            self.flush_headers()
        else:
            self.end_headers()

    def _error(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))

    def _params(self) -> tuple[dict, str | None]:
        """Form/URL parameters, and the query when it came as the body of application/sparql-query."""
        url = urlsplit(self.path)
        if url.path not in ("/", "/sparql", "/query"):
            raise HTTPError(404, f"no such resource {url.path}: the endpoint is /sparql")
        params = _parse_qs(url.query)
        if self.command != "POST":
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
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            raise HTTPError(411, "a POST needs a Content-Length")
        if len(lengths) > 1 or not re.fullmatch(r"[0-9]{1,12}", lengths[0].strip()):
            raise HTTPError(400, "Content-Length must be one number of bytes")
        length = int(lengths[0])
        if length > MAX_BODY:
            raise HTTPError(413, f"a request body of {length:,} bytes; the limit is {MAX_BODY:,}")
        raw = self.rfile.read(length)
        if len(raw) != length:
            raise HTTPError(400, f"the body ended after {len(raw):,} of the {length:,} bytes Content-Length announced")
        self.body_read = True
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPError(400, f"the body is not UTF-8 (byte {exc.start}): send the query as UTF-8") from None

    def _own_origin(self) -> bool:
        origin = self.headers.get("Origin")
        return origin is not None and origin.rstrip("/").lower() in self.server.origins(self.headers.get("Host"))

    def _check_site(self) -> None:
        """Refuse what a web page in the user's browser sends here, and any Host that is not this endpoint's."""
        host, hosts = self.headers.get("Host"), self.server.hosts()
        if host is not None and hosts is not None and host.lower() not in hosts:
            raise HTTPError(403, f"Host '{host}' is not this endpoint's: a page on a name that points here may not query it; "
                                 "use 127.0.0.1 or localhost")
        site = (self.headers.get("Sec-Fetch-Site") or "").lower()
        if site and site not in ("same-origin", "none"):
            raise HTTPError(403, "a request from a page of another site is refused: a web page may not query this endpoint")
        origin = self.headers.get("Origin")
        if origin is not None and not self._own_origin():
            raise HTTPError(403, f"a request from {origin} is refused: a web page may not query this endpoint")

    def _handle(self) -> None:
        self.body_read = False
        try:
            self._check_site()
            params, body_query = self._params()
            if "update" in params:
                raise HTTPError(403, "updates are refused: this endpoint is read-only")
            queries = params.get("query", []) + ([body_query] if body_query is not None else [])
            if not queries:
                if self.command == "GET":
                    return self._error(200, "govkg SPARQL endpoint (read-only): send ?query=… (SPARQL 1.1 Protocol)")
                raise HTTPError(400, "no query: send query=… or a body of type application/sparql-query")
            if len(queries) > 1:
                raise HTTPError(400, "one query per request")
            if params.get("default-graph-uri") or params.get("named-graph-uri"):
                raise HTTPError(403, "default-graph-uri and named-graph-uri are refused: queries run over govkg's own graph")
            # What needs no parser is refused here at once (kg.stores.sparqlcheck.screen); the store
            # parses, like it runs, in the time-limited worker.
            try:
                query = screen(queries[0])
            except QueryRefused as exc:
                raise HTTPError(403, str(exc)) from None
            except BadQuery as exc:
                raise HTTPError(400, str(exc)) from None
            fmt = (params.get("format") or [None])[0]
            self._send(*self.server.run(query, fmt, self.headers.get("Accept")))
        except HTTPError as exc:
            self._error(exc.status, str(exc))

    def do_GET(self):  # noqa: N802 - http.server's names
        self._handle()

    def do_POST(self):  # noqa: N802
        self._handle()

    def do_HEAD(self):  # noqa: N802
        self._handle()

    def _not_allowed(self):
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD, POST")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815


_DATE: list = [0, ""]


def _http_date() -> str:
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, formatdate(now, usegmt=True)]
    return _DATE[1]


def _parse_qs(text: str) -> dict:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=100)
    except UnicodeDecodeError:
        raise HTTPError(400, "a parameter is not UTF-8 once percent-decoded") from None
    except ValueError as exc:
        raise HTTPError(400, f"bad parameters: {exc}") from None


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, store: Store, host: str = "127.0.0.1", port: int = 0, *, timeout: float = 10.0,
                 max_rows: int = 10_000, max_concurrent: int = 2, max_connections: int = 32,
                 socket_timeout: float = SOCKET_TIMEOUT, log=None):
        if not timeout > 0 or not max_rows > 0 or not max_concurrent > 0 or not max_connections > 0 or not socket_timeout > 0:
            raise ValueError("timeout, max_rows, max_concurrent, max_connections and socket_timeout must be positive")
        self.socket_timeout = socket_timeout
        if store.backend == "rdflib":
            # One parse now, while there is one thread: every forked worker then starts with rdflib's
            # parser imported and built, instead of spending half a second on it.
            check_query("ASK { ?s ?p ?o }")
        super().__init__((host, port), Handler)
        self.store, self.query_timeout, self.max_rows, self.log = store, timeout, max_rows, log
        self.max_concurrent = max_concurrent
        self.connections = threading.BoundedSemaphore(max_connections)
        self.open_sockets: set = set()  # the client connections, closed in each worker after its fork
        forks = "fork" in multiprocessing.get_all_start_methods()
        self.pool = WorkerPool(store, max_concurrent, self._sockets) if forks else None

    def _sockets(self) -> list[int]:
        return [self.socket.fileno(), *(s.fileno() for s in list(self.open_sockets))]

    def run(self, query: str, fmt: str | None, accept: str | None) -> tuple[int, str, bytes]:
        """(status, content type, body) of one query, answered by a worker within the time limit."""
        if self.pool is None:
            return run_in_thread(self.store, query, fmt, accept, self.max_rows, self.query_timeout)
        return self.pool.run(query, fmt, accept, self.max_rows, self.query_timeout)

    def server_close(self) -> None:
        super().server_close()
        if self.pool is not None:
            self.pool.close()

    def hosts(self) -> set[str] | None:
        """The Host headers this endpoint answers to when it listens on loopback (its address, loopback
        names), so a web page whose own name resolves to 127.0.0.1 (DNS rebinding) gets nothing; None
        (any Host) when it listens elsewhere, for others to reach it by whatever name they know."""
        host, port = self.server_address[:2]
        if host not in ("127.0.0.1", "::1"):
            return None
        names = set(LOOPBACK_NAMES) | {host}
        return {f"{n}:{port}" for n in names} | (names if port == 80 else set())

    def origins(self, host: str | None) -> set[str]:
        """The Origins of pages of this endpoint itself: http://<its Host>."""
        hosts = self.hosts()
        if host is None:
            return {f"http://{h}" for h in hosts or ()}
        host = host.lower()
        return {f"http://{host}"} if hosts is None or host in hosts else set()

    def process_request(self, request, client_address):
        """A thread per connection, but at most max_connections: past that, a 503 at once and the socket closed."""
        if not self.connections.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                b"Connection: close\r\nContent-Length: 32\r\n\r\ntoo many connections: try again\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        self.open_sockets.add(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.open_sockets.discard(request)
            self.connections.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.open_sockets.discard(request)
            self.connections.release()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}/sparql"


def make_server(store: Store, host: str = "127.0.0.1", port: int = 0, **limits) -> SparqlServer:
    """A server bound to host:port (port 0: any free port); call serve_forever(), then shutdown()."""
    return SparqlServer(store, host, port, **limits)
