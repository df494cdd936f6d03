"""`kg serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the graph, with bounded query time and answer size.

Requests (SPARQL 1.1 Protocol, section 2.1): GET `?query=`, POST form-encoded `query=`, or POST
`application/sparql-query`. Result formats by `format=` (json, xml, csv, tsv, nt, ttl, or a media
type) or the Accept header: SPARQL JSON (default), XML, CSV, TSV for SELECT/ASK; Turtle (default)
or N-Triples for CONSTRUCT/DESCRIBE (kg.stores.sparqlhttp).

Answers that are not results:
- 400 a query that is not valid SPARQL, or a request without one;
- 403 a query govkg refuses: any update (also POST `update=` or `application/sparql-update`),
  SERVICE, LOAD, FROM / FROM NAMED;
- 500 an answer with more than `max_rows` rows (or triples): refused whole, never cut short, so
  no client mistakes part of an answer for all of it (the Protocol's "QueryRequestRefused");
- 503 a query still running after `timeout` seconds: it is stopped by ending the worker process
  that runs it, and a new worker takes its place; also when `max_connections` connections are open;
- 403 a request a web page made in a browser on another site (an `Origin` or `Sec-Fetch-Site` that
  is not this endpoint's own), a `Host` that is not this endpoint's (DNS rebinding), and a form
  POST without an `Origin` of this endpoint: a page the user visits must not query it;
- 400, 411, 413 a body that is not UTF-8, a POST without a plain `Content-Length`, or one too long.

Processes: the server opens the listening socket, then forks `workers` processes (one per core by
default) that each accept connections on it, speak HTTP/1.1 with keep-alive themselves and run
queries on the store they hold open read-only (kg.stores.httpworker), so a request crosses no
other process; each keeps the answers of repeated queries (`cache_bytes`; exact, as the store
served does not change and answers that differ each time, of RAND or NOW…, are not kept). The server only watches them: a worker that ends (stopped past the time limit, or
crashed) is replaced at once; one whose query outlives the limit by GRACE seconds, its watchdog
unable to act, is killed. Workers ignore Ctrl-C and die with the server (the kernel's parent-death
signal on Linux, a socket to the server elsewhere). Each connection has a socket timeout, so a
client that sends nothing, or half a request, is dropped; at most `max_connections` are open.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
from multiprocessing.connection import wait

from kg.stores.httpworker import Handover, Limits, Shared, Worker, worker_main
from kg.stores.sparqlcheck import check_query
from kg.stores.sparqlhttp import Site
from kg.stores.store import Store

SOCKET_TIMEOUT = 10.0  # seconds a client may stay silent, between requests or inside one
CACHE_BYTES = 32 * 1024 * 1024  # answers kept per worker
GRACE = 5.0  # seconds past the limit before the server kills a worker whose watchdog did not act (it takes up to LAST_WORDS)
RESTART_PAUSE = 0.5  # a worker that ends within a second of its start is replaced after this pause


def default_workers() -> int:
    """One worker per core the process may use, at least 2 (a slow query then leaves one free), at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 2
    return max(2, min(8, cores))


class SparqlServer:
    """The listening socket and the worker processes on it; `serve_forever()` starts and watches them, `shutdown()` stops them.

    `graph_names`: the IRIs a client may give as default-graph-uri to mean the served graph (the release
    graph `kg push` names for the same content); any other is refused.
    """

    def __init__(self, store: Store, host: str = "127.0.0.1", port: int = 0, *, timeout: float = 10.0,
                 max_rows: int = 10_000, max_concurrent: int | None = None, max_connections: int = 32,
                 socket_timeout: float = SOCKET_TIMEOUT, cache_bytes: int = CACHE_BYTES, log=None,
                 graph_names: frozenset[str] = frozenset()):
        workers = default_workers() if max_concurrent is None else max_concurrent
        if not timeout > 0 or not max_rows > 0 or not workers > 0 or not max_connections > 0 or not socket_timeout > 0:
            raise ValueError("timeout, max_rows, workers, max_connections and socket_timeout must be positive")
        if cache_bytes < 0:
            raise ValueError("the cache size cannot be negative")
        if store.backend == "rdflib":
            # One parse now, before the fork: every worker then starts with rdflib's parser imported
            # and built, instead of spending half a second on its first query.
            check_query("ASK { ?s ?p ?o }")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=128)
        self.server_address = self.socket.getsockname()[:2]
        site = Site(host if family == socket.AF_INET else host.strip("[]"), self.server_address[1], graph_names)
        self.store, self.query_timeout, self.max_rows = store, timeout, max_rows
        self.limits = Limits(store, site, timeout=timeout, max_rows=max_rows, socket_timeout=socket_timeout,
                             cache_bytes=cache_bytes, log=log)
        self.forks = "fork" in multiprocessing.get_all_start_methods()
        self.max_concurrent = workers if self.forks else 1
        self.ctx = multiprocessing.get_context("fork") if self.forks else None
        self.shared = Shared(self.ctx or multiprocessing, self.max_concurrent, max_connections)
        self.workers: dict[int, multiprocessing.process.BaseProcess] = {}  # slot → process
        self.started: dict[int, float] = {}
        # The workers' end of this pair reads EOF when the server's process is gone, however it ended.
        self._life_server, self._life_workers = socket.socketpair()
        self.handover = Handover() if self.forks else None
        self._wake_r, self._wake_w = os.pipe()
        self._stopping = False
        self._serving = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/sparql"

    def hosts(self) -> set[str] | None:
        return self.limits.site.hosts()

    def origins(self, host: str | None) -> set[str]:
        return self.limits.site.origins(host)

    def worker_pids(self) -> set[int]:
        with self._lock:
            return {p.pid for p in self.workers.values() if p.pid is not None and p.is_alive()}

    def serve_forever(self, poll_interval: float = 0.25) -> None:
        """Start the workers and keep them: a worker that ends is replaced, until shutdown()."""
        self._done.clear()
        self._serving.set()
        try:
            if not self.forks:
                worker = Worker(self.socket, self.limits, self.shared, 0, stopped=lambda: self._stopping)
                worker.run()
                return
            while not self._stopping:
                self._keep_workers()
                with self._lock:
                    sentinels = [p.sentinel for p in self.workers.values()]
                wait([*sentinels, self._wake_r], timeout=poll_interval)
                self._stop_overdue()
        finally:
            self._stop_workers()
            self._done.set()

    def _keep_workers(self) -> None:
        now = time.monotonic()
        for slot in range(self.max_concurrent):
            proc = self.workers.get(slot)
            if proc is not None:
                if proc.is_alive():
                    continue
                proc.join()
                self.shared.reset(slot)
                if now - self.started.get(slot, 0.0) < 1.0:
                    time.sleep(RESTART_PAUSE)  # a worker that cannot start must not be forked in a tight loop
            if self._stopping:
                return
            assert self.ctx is not None
            proc = self.ctx.Process(target=worker_main, daemon=True, name=f"kg-serve-worker-{slot}",
                                    args=(self.socket, self._life_workers, self.handover, self.limits, self.shared, slot, os.getpid()))
            proc.start()
            with self._lock:
                self.workers[slot] = proc
            self.started[slot] = time.monotonic()

    def _stop_overdue(self) -> None:
        """Kill a worker whose query has run GRACE seconds past its limit: its watchdog could not act (e.g. C code holding the GIL)."""
        now = time.monotonic()
        for slot, proc in list(self.workers.items()):
            deadline = self.shared.deadlines[slot]
            if deadline and now > deadline + GRACE and proc.is_alive():
                proc.kill()

    def _stop_workers(self) -> None:
        with self._lock:
            procs, self.workers = list(self.workers.values()), {}
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def shutdown(self) -> None:
        """Stop serving: the workers end and serve_forever() returns (waited for, when it runs in another thread)."""
        self._stopping = True
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass
        if self._serving.is_set():
            self._done.wait()

    def server_close(self) -> None:
        self._stopping = True
        self._stop_workers()
        self.socket.close()
        for s in (self._life_server, self._life_workers):
            s.close()
        if self.handover is not None:
            self.handover.close()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass


def make_server(store: Store, host: str = "127.0.0.1", port: int = 0, **limits) -> SparqlServer:
    """A server bound to host:port (port 0: any free port); call serve_forever(), then shutdown() and server_close()."""
    return SparqlServer(store, host, port, **limits)
