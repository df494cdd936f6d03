"""Issue 18 points 5 and 6: `kg serve` beside `oxigraph serve-read-only` on the same store, and `kg sparql` beside its floor.

Both servers are started as whole processes on loopback over the same on-disk Oxigraph store (the one
`kg` keeps in `.cache/`), then a bounded load of one simple SELECT is sent to each in turn, the same
number of connections at a time, for the same time: requests per second, p50 and p99 latency. The
client (below) keeps each connection open when the server allows it (HTTP/1.1 keep-alive) and opens
a new one per request when it does not; it runs on the same cores as the server, for both servers alike.
`kg serve` runs as a user starts it (one worker process per core, its answer cache on) and with
`--cache-mb 0`, where every request runs the query; Oxigraph has no answer cache. 8 connections on a
2-core machine keep both servers busy (Oxigraph runs a thread per connection; kg's workers each serve
their share of the connections), with the client's own work on the same cores. The uncached server
and Oxigraph are also sent a new query text each request (the same SELECT with LIMIT 1000, 1001, …):
then nothing kg memoises per text (its checks of a query, the parse of its parameters) helps either.
Beside each rate, the CPU time the server's processes used per request over the same seconds (from
/proc): a figure less at the mercy of how the shared cores are divided than requests per second.

`python -m bench.serve [--sizes real,10k] [--quick]` prints the targets; `bench.run` collects them.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .targets import Target, module_main

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
# A simple SELECT: one concept's labels, as a client looking a name up asks (the prefixes spelled
# out, since `oxigraph serve` predeclares none).
SIMPLE = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "SELECT ?label WHERE { <https://w3id.org/govkg/concept/%s> skos:prefLabel ?label }")
CONCURRENCY = 8
NEW_TEXTS = 2000  # distinct query texts of the "new" mode: more than the 256 texts each memo of checks keeps


@dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    server_cpu: float | None = None  # CPU seconds the server's processes used over the measure (Linux)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        lat = sorted(self.latencies)
        return lat[min(len(lat) - 1, int(p * (len(lat) - 1)))] * 1000 if lat else float("nan")

    def __str__(self) -> str:
        return (f"{self.rate:,.0f} req/s, p50 {self.pct(0.5):.1f} ms, p99 {self.pct(0.99):.1f} ms"
                + (f", {self.server_cpu / self.requests * 1e6:.0f} µs of server CPU a request"
                   if self.server_cpu is not None and self.requests else "")
                + (f", {self.errors} errors" if self.errors else ""))


def server_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) used so far by a process and its children (kg's workers), from /proc; None elsewhere."""
    try:
        pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        return total
    except (OSError, ValueError, IndexError):
        return None


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("closed inside a response")
    return chunk


def _read_response(sock: socket.socket, buf: bytes) -> tuple[int, bool, bytes]:
    """(status, whether the server keeps the connection, bytes left over) of one response read from sock."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    version, status = lines[0].split(b" ", 2)[:2]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:])}
    keep = version == b"HTTP/1.1" and headers.get(b"connection", b"").lower() != b"close"
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":  # Oxigraph streams its results
        while True:
            while b"\r\n" not in buf:
                buf += _recv(sock)
            size_line, _, buf = buf.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                buf += _recv(sock)
            buf = buf[size + 2:]
            if size == 0:  # no trailers are sent by the servers measured here
                return int(status), keep, buf
    length = int(headers.get(b"content-length", b"-1"))
    if length < 0:  # no length: the body runs to the end of the connection
        while chunk := sock.recv(65536):
            buf += chunk
        return int(status), False, b""
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        buf += chunk
    return int(status), keep, buf[length:]


def load(host: str, port: int, path: str | list[str], concurrency: int = CONCURRENCY, seconds: float = 3.0,
         warmup: float = 0.5) -> Load:
    """Send GET `path` from `concurrency` connections at once for `seconds` (after `warmup`): a bounded load.
    With a list of paths, each connection sends them in turn, each starting at its own place in the list."""
    paths = [path] if isinstance(path, str) else path
    requests = [(f"GET {p} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/sparql-results+json\r\n"
                 "Connection: keep-alive\r\n\r\n").encode() for p in paths]
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    def worker(first: int) -> None:
        sock, rest, mine, bad, n = None, b"", [], 0, first
        while True:
            request = requests[n % len(requests)]
            n += 1
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            try:
                if sock is None:
                    sock = socket.create_connection((host, port), timeout=30)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    rest = b""
                sock.sendall(request)
                status, keep, rest = _read_response(sock, rest)
                if status != 200:
                    bad += 1
            except OSError:
                bad, keep = bad + 1, False
            t1 = time.perf_counter()
            if t0 >= measure_from and t1 <= stop_at:
                mine.append(t1 - t0)
            if not keep and sock is not None:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(i * len(requests) // concurrency,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Load(len(latencies), seconds, latencies, errors[0])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, what: str, limit: float = 600.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen within {limit:g} s")


class Server:
    """A server process on loopback, stopped on exit."""

    def __init__(self, cmd: list[str], port: int, what: str, env: dict | None = None, cwd: Path | None = None):
        self.port, self.what = port, what
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd or REPO)
        try:
            _wait_listening(port, self.proc, what)
        except BaseException:
            self.__exit__()
            raise

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def kg_server(root: Path, backend: str = "oxigraph", options: tuple[str, ...] = ()) -> Server:
    port = _free_port()
    return Server([sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port), "--backend", backend, *options],
                  port, f"kg serve --backend {backend} {' '.join(options)}".strip(), _env())


def oxigraph_server(store: Path) -> Server:
    port = _free_port()
    return Server([_oxigraph(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                   "--union-default-graph"], port, "oxigraph serve-read-only")


def _oxigraph() -> str:
    exe = shutil.which("oxigraph")
    if exe is None:
        raise RuntimeError("the oxigraph server is not installed: pip install oxigraph (in the test extra)")
    return exe


def store_of(root: Path) -> Path:
    """The project's on-disk Oxigraph store (built if it is missing), as `kg --backend oxigraph` uses it."""
    sys.path.insert(0, str(REPO))
    from kg.stores.cache import fingerprint, oxigraph_store

    return oxigraph_store(root, fingerprint(root))


def a_concept(root: Path) -> str:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_of(root)))
    row = next(iter(store.query("SELECT ?c WHERE { GRAPH ?g { ?c a <http://www.w3.org/2004/02/skos/core#Concept> } } "
                                "ORDER BY ?c LIMIT 1")))
    return row["c"].value.rsplit("/", 1)[-1]


def compare(root: Path, backend: str = "oxigraph", concurrency: int = CONCURRENCY, seconds: float = 3.0,
            rounds: int = 2, options: tuple[str, ...] = ()) -> tuple[Load, Load]:
    """(kg serve, oxigraph serve-read-only) under the same load, alternating `rounds` times; the best round of each."""
    kg, ox = compare_all(root, [options], backend, concurrency, seconds, rounds)
    return kg[0], ox


def compare_all(root: Path, variants: list[tuple[str, ...]], backend: str = "oxigraph", concurrency: int = CONCURRENCY,
                seconds: float = 3.0, rounds: int = 2) -> tuple[list[Load], Load]:
    """Each `kg serve` variant (its options) and oxigraph serve-read-only under the same load, in turn within each of
    `rounds` rounds (the machine's load drifts); the best round of each."""
    best = compare_texts(root, {f"kg{i}": (options, ("same",)) for i, options in enumerate(variants)}, backend,
                         concurrency, seconds, rounds)
    return [best[(f"kg{i}", "same")] for i in range(len(variants))], best[("oxigraph", "same")]


def query_paths(root: Path, mode: str) -> list[str]:
    """The ?query= of the simple SELECT: the same text each time ("same"), or a text no request sent before
    ("new": the same SELECT with LIMIT 1000, 1001, …, more texts than any memo of checked texts keeps)."""
    text = SIMPLE % a_concept(root)
    if mode == "same":
        return ["?query=" + quote(text)]
    return ["?query=" + quote(f"{text} LIMIT {1000 + i}") for i in range(NEW_TEXTS)]


def compare_texts(root: Path, servers: dict[str, tuple[tuple[str, ...], tuple[str, ...]]], backend: str = "oxigraph",
                  concurrency: int = CONCURRENCY, seconds: float = 3.0, rounds: int = 2,
                  oxigraph_modes: tuple[str, ...] = ("same",)) -> dict[tuple[str, str], Load]:
    """{(name, mode): the best round} for each `kg serve` of `servers` (name → (options, modes)) and oxigraph
    serve-read-only ("oxigraph", under `oxigraph_modes`), each started in turn within each of `rounds` rounds
    (the machine's load drifts), each mode of query texts sent to it in turn (query_paths)."""
    store = store_of(root)
    paths = {mode: query_paths(root, mode) for mode in ("same", "new")}
    runs: dict[tuple[str, str], list[Load]] = {}

    def measure_modes(name: str, server: Server, endpoint: str, modes: tuple[str, ...]) -> None:
        for mode in modes:
            urls = [endpoint + p for p in paths[mode]]
            load("127.0.0.1", server.port, urls, concurrency, 0.5, 0.0)  # first requests: warm-up
            before = server_cpu(server.proc.pid)
            measured = load("127.0.0.1", server.port, urls, concurrency, seconds, warmup=0.0)
            after = server_cpu(server.proc.pid)
            if before is not None and after is not None:
                measured.server_cpu = after - before
            runs.setdefault((name, mode), []).append(measured)

    for _ in range(rounds):
        for name, (options, modes) in servers.items():
            with kg_server(root, backend, options) as s:
                measure_modes(name, s, "/sparql", modes)
        with oxigraph_server(store) as s:
            measure_modes("oxigraph", s, "/query", oxigraph_modes)
    return {key: max(loads, key=lambda x: x.rate) for key, loads in runs.items()}


def _project(size: str) -> Path:
    if size == "real":
        return REPO
    from .generate import generate, parse_size

    root = DATA / size
    if not (root / "claims").is_dir():
        generate(root, parse_size(size))
    return root


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    return time.perf_counter() - start


def _floor_cmd() -> tuple[list[str], str]:
    """The floor issue 18 sets for a warm query (bench/warm.py's): the hello-world Typer app printing two arguments."""
    from .warm import HELLO

    return HELLO + ["责任主体", "卸责"], "typer hello-world"


def sparql_warm(root: Path, repeat: int) -> tuple[float, float, str]:
    """(median wall of `kg sparql` of an example query on Oxigraph, warm; median of the floor; the floor's name)."""
    query = str(REPO / "queries" / "causes-of-outcomes.rq")
    cmd = [sys.executable, "-m", "kg", "--root", str(root), "sparql", query, "--backend", "oxigraph"]
    floor, name = _floor_cmd()
    _wall(cmd)  # the store built and cached
    runs, floors = [], []
    for _ in range(repeat):  # interleaved: the machine's load drifts
        floors.append(_wall(floor))
        runs.append(_wall(cmd))
    return statistics.median(runs), statistics.median(floors), name


def measure(sizes: list[str], quick: bool) -> list[Target]:
    out = []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    for size in [s for s in sizes if s in ("real", "10k")] or ["real"]:
        root = _project(size)
        before = os.getloadavg()[0]
        best = compare_texts(root, {"cached": ((), ("same",)), "uncached": (("--cache-mb", "0"), ("same", "new"))},
                             seconds=1.5 if quick else 4.0, rounds=1 if quick else 3, oxigraph_modes=("same", "new"))
        ox_load, uncached = best[("oxigraph", "same")], best[("uncached", "same")]
        where = (f"{CONCURRENCY} connections, kg's default {min(8, max(2, cores or 2))} workers on {cores} cores; "
                 f"load average {before:.1f} → {os.getloadavg()[0]:.1f}")
        new_kg, new_ox = best[("uncached", "new")], best[("oxigraph", "new")]
        new_texts = (f"a new query text each request (no memo of checks helps): kg {new_kg}; oxigraph {new_ox} "
                     f"({new_kg.rate / new_ox.rate:.2f}×)")
        out.append(Target("`kg serve`, a simple SELECT, requests/s", size, best[("cached", "same")].rate / ox_load.rate, 0.5,
                          "×", "oxigraph serve-read-only", f"kg {best[('cached', 'same')]}; oxigraph {ox_load}; {where}",
                          higher_is_better=True))
        out.append(Target("`kg serve --cache-mb 0` (each query run), a simple SELECT, requests/s", size,
                          uncached.rate / ox_load.rate, 0.5, "×", "oxigraph serve-read-only",
                          f"kg {uncached}; oxigraph {ox_load}; {new_texts}; {where}", higher_is_better=True))
    run, floor, name = sparql_warm(REPO, 3 if quick else 7)
    out.append(Target("warm `kg sparql` of an example query (oxigraph)", "real", run / floor, 1.5, "×", name,
                      f"{run:.3f} s vs {floor:.3f} s (medians)"))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "real,10k", argv)


if __name__ == "__main__":
    raise SystemExit(main())
