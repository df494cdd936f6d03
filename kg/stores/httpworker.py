"""A `kg serve` worker process: it accepts connections on the shared listening socket, speaks HTTP/1.1 itself, and answers one query at a time within the time limit.

Each worker is one thread of events (a selector over the listening socket and its connections)
and a watchdog thread. A query runs in the worker itself, on the store it holds open read-only;
the engine releases the GIL while it evaluates (Oxigraph) or every few milliseconds (rdflib), so
the watchdog can act while it runs: past HAND_OVER_AFTER it passes the worker's other connections
to a free worker (Handover), and past the time limit it answers 503 to that query's client, hands
over (or answers) the rest, and ends the process, which is how a query is stopped. The server
forks a new worker in its place (kg.stores.serve).

Answers are kept per worker by the query's normalised text, format and Accept (the store does not
change while it is served), except answers of RAND, NOW, UUID, STRUUID or BNODE, which differ each time.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import stat
import sys
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

from kg.stores.sparqlhttp import (
    CONTINUE,
    TEXT,
    TOO_MANY_CONNECTIONS,
    Malformed,
    Request,
    Site,
    answer,
    read_request,
    respond,
    text_response,
)
from kg.stores.sparqltext import code_only
from kg.stores.store import Store

WATCH_INTERVAL = 0.05  # seconds between the watchdog's looks at the running query
SWEEP_INTERVAL = 0.25  # seconds between looks for connections silent past the socket timeout
HAND_OVER_AFTER = 0.2  # seconds a query runs before the worker's other connections go to a free worker
LAST_WORDS = 3.0  # seconds a worker stopping past the limit may take to answer and hand over its connections
PAUSE = 0.005  # seconds a worker leaves the listening socket to one that holds fewer connections
RECV_BYTES = 262144  # read from a connection at most at once
_EXPECT = re.compile(rb"\r\nexpect:[ \t]*100-continue[ \t]*(\r\n|$)", re.I)
_VOLATILE = re.compile(r"(?<![\w?$:])(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.I)


class Limits:
    """What every worker is told: the store, the limits, who the endpoint is."""

    def __init__(self, store: Store, site: Site, *, timeout: float, max_rows: int, socket_timeout: float,
                 cache_bytes: int, log=None):
        self.store, self.site, self.timeout, self.max_rows = store, site, timeout, max_rows
        self.socket_timeout, self.cache_bytes, self.log = socket_timeout, cache_bytes, log


class Shared:
    """State the workers share, in memory made before the fork: open connections per worker, and when each one's query must end."""

    def __init__(self, ctx, slots: int, max_connections: int):
        self.counts = ctx.Array("i", slots)  # with a lock: admitting a connection is check-and-add
        self.deadlines = ctx.Array("d", slots, lock=False)  # written by its own worker only; 0 when idle
        self.ready = ctx.Array("b", slots, lock=False)  # 1 from a worker's start until the server reaps it
        self.max_connections = max_connections

    @contextmanager
    def _counting(self):
        lock = self.counts.get_lock()
        # A worker killed while holding the lock would hold it forever: then count without it.
        locked = lock.acquire(timeout=1.0)
        try:
            yield
        finally:
            if locked:
                lock.release()

    def admit(self, slot: int) -> bool:
        with self._counting():
            if sum(self.counts.get_obj()) >= self.max_connections:
                return False
            self.counts[slot] += 1
            return True

    def adopt(self, slot: int) -> None:
        """A connection admitted by a worker that ended, now served by this one."""
        with self._counting():
            self.counts[slot] += 1

    def release(self, slot: int) -> None:
        with self._counting():
            self.counts[slot] = max(0, self.counts[slot] - 1)

    def reset(self, slot: int) -> None:
        """A worker ended: its connections ended with it."""
        self.counts[slot] = 0
        self.deadlines[slot] = 0.0
        self.ready[slot] = 0

    def another_is_free(self, slot: int) -> bool:
        """Whether another worker is up and not running a query."""
        return any(self.ready[i] and not self.deadlines[i] for i in range(len(self.deadlines)) if i != slot)

    def another_has_fewer(self, slot: int) -> bool:
        """Whether a worker that is up and not running a query holds fewer connections than this one (read without the lock: a hint)."""
        counts, mine = self.counts.get_obj(), self.counts.get_obj()[slot]
        return any(counts[i] < mine and self.ready[i] and not self.deadlines[i] for i in range(len(counts)) if i != slot)


class ResponseCache:
    """Answers by (query, format, Accept), the least recently used dropped past `limit` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.items: OrderedDict[tuple, tuple[int, str, bytes]] = OrderedDict()

    def get(self, key: tuple) -> tuple[int, str, bytes] | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple, value: tuple[int, str, bytes]) -> None:
        cost = len(value[2]) + len(key[0]) + 200
        if cost > self.limit // 4 or key in self.items:
            return
        self.items[key] = value
        self.size += cost
        while self.size > self.limit:
            old_key, old = self.items.popitem(last=False)
            self.size -= len(old[2]) + len(old_key[0]) + 200


def cacheable(query: str) -> bool:
    """Whether the same query always has the same answer on a store that does not change."""
    return not _VOLATILE.search(code_only(query))


class Connection:
    __slots__ = ("sock", "inbuf", "out", "last", "eof", "closing", "continued")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.inbuf = bytearray()
        self.out: memoryview | None = None  # what is left to send of a response
        self.last = time.monotonic()
        self.eof = False
        self.closing = False
        self.continued = False  # 100 Continue sent for the request being read


class Worker:
    """The loop of one worker: accept, read, answer, write, until the server closes the line to it."""

    def __init__(self, listener: socket.socket, limits: Limits, shared: Shared, slot: int,
                 lifeline: socket.socket | None = None, stopped=lambda: False, handover: Handover | None = None):
        self.listener, self.limits, self.shared, self.slot = listener, limits, shared, slot
        self.lifeline, self.stopped, self.handover = lifeline, stopped, handover
        self.conns: dict[int, Connection] = {}
        self.sel = selectors.DefaultSelector()
        self.cache = ResponseCache(limits.cache_bytes) if limits.cache_bytes > 0 else None
        self.current: Connection | None = None  # whose request is being answered
        self.current_head = False
        self.watchdog: Watchdog | None = None
        self.listening = True  # False while this worker leaves new connections to one that holds fewer
        self.resume_at = 0.0
        # One buffer every read lands in: a fresh 256 KB per recv() would be mapped and unmapped by
        # malloc each time (past its mmap threshold), a page fault and a TLB flush per request.
        self.received = bytearray(RECV_BYTES)
        self.received_view = memoryview(self.received)

    def run(self) -> None:
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, "accept")
        if self.lifeline is not None:
            self.sel.register(self.lifeline, selectors.EVENT_READ, "life")
        if self.handover is not None:
            self.handover.inbox.setblocking(False)
            self.sel.register(self.handover.inbox, selectors.EVENT_READ, "adopt")
        next_sweep = time.monotonic() + SWEEP_INTERVAL
        self.shared.ready[self.slot] = 1
        try:
            while not self.stopped():
                if not self.listening and time.monotonic() >= self.resume_at:
                    self.listening = True
                    self.sel.register(self.listener, selectors.EVENT_READ, "accept")
                for key, mask in self.sel.select(SWEEP_INTERVAL if self.listening else PAUSE):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "life":
                        return  # the server is gone
                    elif key.data == "adopt":
                        self._adopt()
                    else:
                        conn = key.data
                        if mask & selectors.EVENT_WRITE:
                            self._flush(conn)
                        if mask & selectors.EVENT_READ and conn.sock.fileno() >= 0:
                            self._read(conn)
                now = time.monotonic()
                if now >= next_sweep:
                    next_sweep = now + SWEEP_INTERVAL
                    self._sweep(now)
        finally:
            for conn in list(self.conns.values()):
                self._close(conn)
            self.sel.close()

    # --- connections -----------------------------------------------------------------------------

    def _accept(self) -> None:
        # A few at a time, and none while another free worker holds fewer connections: a client's
        # connections, kept open, then spread over the workers instead of queueing on one.
        for _ in range(4):
            if self.shared.another_has_fewer(self.slot):
                self.listening = False
                self.resume_at = time.monotonic() + PAUSE
                self.sel.unregister(self.listener)
                return
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. too many open files: the connection waits in the backlog
                return
            if not self.shared.admit(self.slot):
                try:
                    sock.setblocking(True)
                    sock.settimeout(1.0)
                    sock.sendall(TOO_MANY_CONNECTIONS)
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                sock.close()
                continue
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # an answer goes out at once
            except OSError:
                pass
            self._keep(Connection(sock))

    def _keep(self, conn: Connection) -> None:
        conn.sock.setblocking(False)
        self.conns[conn.sock.fileno()] = conn
        self.sel.register(conn.sock, selectors.EVENT_READ, conn)

    def _adopt(self) -> None:
        """A connection another worker handed over as it ended: served here from where it was."""
        assert self.handover is not None
        conn = self.handover.receive()
        if conn is None:
            return
        self.shared.adopt(self.slot)
        self._keep(conn)
        if conn.inbuf or conn.eof:
            self._answer_waiting(conn)

    def _close(self, conn: Connection) -> None:
        fd = conn.sock.fileno()
        if fd < 0:
            return
        self.conns.pop(fd, None)
        try:
            self.sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        conn.sock.close()
        self.shared.release(self.slot)

    def _sweep(self, now: float) -> None:
        """Close connections silent past the socket timeout (between requests, or inside one)."""
        limit = self.limits.socket_timeout
        for conn in list(self.conns.values()):
            if now - conn.last > limit:
                self._close(conn)

    def _read(self, conn: Connection) -> None:
        try:
            n = conn.sock.recv_into(self.received)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        conn.last = time.monotonic()
        if n:
            conn.inbuf += self.received_view[:n]
        else:
            conn.eof = True
        self._answer_waiting(conn)

    def _answer_waiting(self, conn: Connection) -> None:
        """Answer the requests the connection has sent, in order, one response in flight at a time."""
        while conn.out is None and not conn.closing and conn.sock.fileno() >= 0:
            req, used = read_request(conn.inbuf, conn.eof)
            if req is None:
                if conn.eof:
                    self._close(conn)  # the client is done: nothing more will come
                elif conn.inbuf and not conn.closing:
                    self._continue(conn)
                return
            del conn.inbuf[:used]
            conn.continued = False
            data, close = self._respond(conn, req)
            conn.closing = close
            self._send(conn, data)
        if conn.out is None and conn.closing:
            self._close(conn)

    def _continue(self, conn: Connection) -> None:
        """A client that waits for 100 Continue before it sends its body is told to send it, once."""
        if conn.continued:
            return
        end = conn.inbuf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(conn.inbuf[:end])
        if head.split(b"\r\n", 1)[0].endswith(b"HTTP/1.1") and _EXPECT.search(head):
            conn.continued = True
            try:
                conn.sock.send(CONTINUE)
            except OSError:
                pass

    def _respond(self, conn: Connection, req: Request | Malformed) -> tuple[bytes, bool]:
        self.current, self.current_head = conn, isinstance(req, Request) and req.method == "HEAD"
        try:
            data, close = respond(req, self.limits.site, self.answer)
        except Exception as exc:  # a fault of this request's, not the worker's: the worker serves on
            data, close = text_response(500, f"the server failed on this request: {exc}", close=True), True
        finally:
            self.current = None
        if self.limits.log is not None:
            status = data[9:12].decode("ascii", "replace")
            self.limits.log(f'"{getattr(req, "line", "")}" {status} -')
        return data, close

    def _send(self, conn: Connection, data: bytes) -> None:
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(conn)
            return
        if sent < len(data):
            conn.out = memoryview(data)[sent:]
            self.sel.modify(conn.sock, selectors.EVENT_WRITE, conn)  # no more requests read until this one is out

    def _flush(self, conn: Connection) -> None:
        out = conn.out
        if out is None:
            return
        try:
            sent = conn.sock.send(out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(conn)
            return
        conn.last = time.monotonic()
        if sent < len(out):
            conn.out = out[sent:]
            return
        conn.out = None
        if conn.closing:
            self._close(conn)
            return
        self.sel.modify(conn.sock, selectors.EVENT_READ, conn)
        self._answer_waiting(conn)

    # --- queries ---------------------------------------------------------------------------------

    def answer(self, query: str, fmt: str | None, accept: str | None) -> tuple[int, str, bytes]:
        """(status, content type, body) of a screened query: from the cache, or from the store within the time limit."""
        key = (query, fmt, accept)
        if self.cache is not None:
            found = self.cache.get(key)
            if found is not None:
                return found
        out = self._run(query, fmt, accept)
        if self.cache is not None and out[0] == 200 and cacheable(query):
            self.cache.put(key, out)
        return out

    def _run(self, query: str, fmt, accept) -> tuple[int, str, bytes]:
        limits = self.limits
        if self.watchdog is None:  # no fork here (Windows): a thread, abandoned past the limit
            return run_in_thread(limits.store, query, fmt, accept, limits.max_rows, limits.timeout)
        deadline = time.monotonic() + limits.timeout
        self.shared.deadlines[self.slot] = deadline
        self.watchdog.arm(self.current, deadline)
        try:
            return answer(limits.store, query, fmt, accept, limits.max_rows)
        except Exception as exc:  # any other failure is this one query's, reported to its client
            return 500, TEXT, f"the query failed: {exc}\n".encode()
        finally:
            self.watchdog.disarm()
            self.shared.deadlines[self.slot] = 0.0

    def hand_over_idle(self, busy: Connection) -> None:
        """A long query holds this worker: its other connections, between responses, go to a worker that is
        free (called by the watchdog while the query runs), so their clients do not wait behind it."""
        if self.handover is None or not self.shared.another_is_free(self.slot):
            return
        for conn in list(self.conns.values()):
            if conn is busy or conn.out is not None or conn.closing or len(conn.inbuf) > Handover.MAX_BUFFERED:
                continue
            if self.handover.give(conn):
                fd = conn.sock.fileno()
                self.conns.pop(fd, None)
                try:
                    self.sel.unregister(conn.sock)
                except (KeyError, ValueError):
                    pass
                conn.sock.close()  # this worker's copy only: the connection lives on in the other worker
                self.shared.release(self.slot)

    def stop_past_limit(self, conn: Connection) -> None:
        """The watchdog's last act, while the query still runs: every client of this worker gets its answer, then the process ends."""
        stopped = text_response(503, f"the query ran longer than {self.limits.timeout:g} s and was stopped: narrow it or add LIMIT",
                                head_only=self.current_head, close=True)
        again = text_response(503, "the query process serving this connection was stopped (another query passed the time limit): "
                                   "send the request again", close=True)
        try:
            # Within LAST_WORDS seconds (the server kills a worker GRACE seconds past the limit): the
            # stopped query's client first, then every other connection, handed over or told to retry.
            give_up = time.monotonic() + LAST_WORDS
            for other in [conn, *(c for c in self.conns.values() if c is not conn)]:
                try:
                    other.sock.settimeout(max(0.05, min(0.5, give_up - time.monotonic())))
                    if other.out is not None:
                        other.sock.sendall(other.out)
                        other.out = None
                    if other is conn:
                        other.sock.sendall(stopped)
                    elif not other.closing and self.handover is not None and self.handover.give(other):
                        continue  # another worker answers what it sent, and what it sends next
                    elif other.inbuf.strip() or _has_bytes(other.sock):
                        other.sock.sendall(again)
                    other.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
        finally:  # whatever happened above, the query must not run on
            os._exit(0)


class Handover:
    """A socket pair every worker holds both ends of: a worker that must end passes its other
    connections (with the bytes it has read of them) through it, and a worker that is free takes
    each one up, so a query stopped past the limit costs no other client its answer."""

    MAX_BUFFERED = 60_000  # bytes read but not yet answered that go along; a connection with more is answered 503

    def __init__(self):
        self.outbox, self.inbox = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def fds(self) -> set[int]:
        return {self.outbox.fileno(), self.inbox.fileno()}

    def give(self, conn: Connection) -> bool:
        if len(conn.inbuf) > self.MAX_BUFFERED:
            return False
        try:
            self.outbox.settimeout(0.2)
            socket.send_fds(self.outbox, [(b"E" if conn.eof else b"C") + bytes(conn.inbuf)], [conn.sock.fileno()])
            return True
        except OSError:
            return False

    def receive(self) -> Connection | None:
        try:
            msg, fds, _, _ = socket.recv_fds(self.inbox, self.MAX_BUFFERED + 1, 1)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            return None
        if not fds:
            return None
        conn = Connection(socket.socket(fileno=fds[0]))
        conn.eof = msg[:1] == b"E"
        conn.inbuf += msg[1:]
        return conn

    def close(self) -> None:
        self.outbox.close()
        self.inbox.close()


def _has_bytes(sock: socket.socket) -> bool:
    try:
        return bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except OSError:
        return False


class Watchdog(threading.Thread):
    """Looks at the running query every WATCH_INTERVAL; one past its deadline ends the worker (Worker.stop_past_limit)."""

    def __init__(self, worker: Worker):
        super().__init__(daemon=True, name="kg-serve-watchdog")
        self.worker = worker
        self.lock = threading.Lock()
        self.conn: Connection | None = None
        self.deadline = 0.0
        self.hand_over_at = 0.0

    def arm(self, conn: Connection | None, deadline: float) -> None:
        self.deadline = deadline
        self.hand_over_at = time.monotonic() + HAND_OVER_AFTER
        self.conn = conn

    def disarm(self) -> None:
        with self.lock:  # a query that ends as its time runs out is either answered or stopped, never both
            self.conn = None

    def run(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            conn = self.conn
            if conn is None:
                continue
            now = time.monotonic()
            if now >= self.deadline:
                with self.lock:
                    if self.conn is conn and time.monotonic() >= self.deadline:
                        self.worker.stop_past_limit(conn)
            elif now >= self.hand_over_at:
                with self.lock:  # the query's thread waits here before it touches a connection again
                    if self.conn is conn:
                        self.hand_over_at = self.deadline
                        self.worker.hand_over_idle(conn)


def run_in_thread(store: Store, query: str, fmt, accept, max_rows: int, timeout: float) -> tuple[int, str, bytes]:
    """Where fork is missing (Windows): a thread that is abandoned, not killed, on timeout."""
    box: list = []
    t = threading.Thread(target=lambda: box.append(answer(store, query, fmt, accept, max_rows)), daemon=True)
    t.start()
    t.join(timeout)
    if box:
        return box[0]
    return 503, TEXT, f"the query ran longer than {timeout:g} s: narrow it or add LIMIT\n".encode()


# --- the process ---------------------------------------------------------------------------------


def worker_main(listener: socket.socket, lifeline: socket.socket, handover: Handover, limits: Limits, shared: Shared,
                slot: int, server_pid: int) -> None:
    """The forked child: ignore Ctrl-C (the server stops its workers), die with the server, drop what it inherited, serve."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != server_pid:  # the server ended before the line above took effect
        return
    _drop_inherited_sockets(keep={listener.fileno(), lifeline.fileno(), *handover.fds()})
    limits.store = _reopened(limits.store)
    worker = Worker(listener, limits, shared, slot, lifeline, handover=handover)
    worker.watchdog = Watchdog(worker)
    worker.watchdog.start()
    worker.run()


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the server's process ends, however it ends (the lifeline covers the rest)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _drop_inherited_sockets(keep: set[int]) -> None:
    """The fork copied every socket of the server's process (other servers', a test's clients): a copy
    held here would keep a connection open after its owner closed it. Each is pointed at /dev/null
    instead of closed, so a stale socket object closing its number later closes nothing of ours."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in fds:
            if fd in keep or fd == null:
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
            except OSError:
                pass
    finally:
        os.close(null)


def _reopened(store: Store) -> Store:
    """An on-disk Oxigraph store opened afresh in this process (a database handle does not cross a fork safely)."""
    path = getattr(store, "path", None)
    if store.backend != "oxigraph" or path is None:
        return store
    import pyoxigraph as ox

    from kg.stores.store import OxigraphStore

    return OxigraphStore(ox.Store.read_only(str(path)), path)
