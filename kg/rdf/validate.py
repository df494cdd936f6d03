"""Validating a project: loading problems, SHACL shapes, SPARQL quality checks, reproducible sources."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.cores import default_workers
from kg.errors import Problem, problem
from kg.inputs.sources import check_against_seeds
from kg.inputs.turtle import line_of_subject, load_turtle
from kg.model.project import KG, load_kg
from kg.rdf.emit import Triple, graph_of
from kg.rdf.graphs import GraphCache, GraphRecord, code_key, graph_records, read_kept, write_kept
from kg.rdf.namespaces import GKC, GKCL, GKS, GKV, claim_id, concept_id, source_id
from kg.rdf.nquads import nt
from kg.rdf.units import RESULTS, Unit, UnitCache, split_records, unit_key
from kg.version import __version__

# Problems that leave a whole input file out of the graph.
INCOMPLETE = {
    "turtle-syntax", "encoding", "too-large", "too-deep", "bad-character", "ill-typed-literal", "literal-form", "missing-folder",
    "yaml-syntax", "yaml-alias", "yaml-tag", "yaml-merge", "file-shape", "io",
}


@dataclass
class ValidationReport:
    problems: list[Problem]
    kg: KG
    checks_run: list[str] = field(default_factory=list)
    seeds_checked: bool = False
    # What a curator should look at but that does not fail validation (near-duplicate concepts).
    warnings: list[Problem] = field(default_factory=list)
    # Each named graph's record (kg.rdf.graphs) when the graph was validated now (None from the cache): a build reuses them.
    records: list | None = field(default=None, repr=False)
    # The quality checks running in another process (validate(defer_checks=True)), and what to call once they are in (see finish).
    pending: object = field(default=None, repr=False)
    after_checks: list = field(default_factory=list, repr=False)

    @property
    def conforms(self) -> bool:
        return not self.problems

    def finish(self) -> ValidationReport:
        """Wait for the quality checks started in the background, if any, and add what they found (then call `after_checks`)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            names, found = pending.result()  # type: ignore[attr-defined]
            self.checks_run = names
            self.problems = sorted(set(self.problems + found))
            for then in self.after_checks:
                then(self)
        return self

    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [p.to_dict() for p in self.warnings],
            "checks": self.checks_run,
            "seeds_checked": self.seeds_checked,
            "counts": {"sources": len(self.kg.sources), "concepts": len(self.kg.concepts),
                       "claims": len(self.kg.claims), "chains": len(self.kg.chains)},
        }


def locate(kg: KG, node) -> tuple[Path, int | None]:
    """The file and line where a node of the compiled graph was written by hand."""
    iri = str(node)
    if iri.startswith(str(GKC)):
        c = kg.concepts.get(concept_id(iri))
        if c:
            return c.path, line_of_subject(c.path, f"gkc:{c.id}")
    if iri.startswith(str(GKCL)):
        cid = claim_id(iri).split("/")[0]
        stated = kg.claims.get(cid) or kg.chains.get(cid)
        if stated:
            return stated.path, stated.line
    if iri.startswith(str(GKS)):
        s = kg.sources.get(source_id(iri).split("#")[0])
        if s:
            return s.record_path, 1
    schema = kg.layout.ontology / "schema.ttl"
    if iri.startswith(str(GKV)):
        return schema, line_of_subject(schema, "gkv:" + iri[len(str(GKV)):])
    return schema, None


def shacl_results(data_graph, shapes_graph) -> list[tuple[str, object, str, object]]:
    """(shape name, focus node, message, value) for each SHACL violation; thinly wraps pyshacl.validate."""
    import pyshacl
    from rdflib.namespace import SH

    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph, inference="none", advanced=False, allow_warnings=True)
    results = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        shape = report.value(result, SH.sourceShape)
        name = str(shape).rsplit("#", 1)[-1] if shape is not None and "#" in str(shape) else "shape"
        message = report.value(result, SH.resultMessage) or "violates a shape"
        results.append((name, report.value(result, SH.focusNode), str(message), report.value(result, SH.value)))
    return results


def claim_graphs(kg: KG) -> set[str]:
    """The named graphs of the claim files: each is a validation unit of its own (kg.rdf.units)."""
    counts = getattr(kg, "claim_counts", None)  # each claim file's counts (kg.model.claimstats): its keys are the files with claims
    if counts and sum(c.claims for c in counts.values()) == len(kg.claims):
        paths = set(counts)  # a chain's links are claims of its file
    else:
        paths = {c.path for c in kg.claims.values()} | {ch.path for ch in kg.chains.values()}
    return {graph_of(kg, p) for p in paths}


class ShapeChecker:
    """The shapes graph, judged by kg.rdf.shacl where it can (no rdflib graph, no pySHACL) and by pySHACL where it cannot."""

    def __init__(self, shape_triples: list[tuple]):
        from kg.rdf.emit import from_rdflib
        from kg.rdf.shacl import Shapes, Unsupported

        self.triples = shape_triples
        plain: list[Triple] = [(from_rdflib(s, ""), from_rdflib(p, ""), from_rdflib(o, "")) for s, p, o in shape_triples]
        self.key = hashlib.sha256("\n".join(sorted({" ".join(nt(x) for x in t) for t in plain})).encode("utf-8")).hexdigest()
        self.iris = {x for t in plain for x in t if type(x) is str}
        self.native: Shapes | None
        try:
            self.native = Shapes(plain)
        except Unsupported:
            self.native = None
        self._graph: Any = None

    @property
    def engine(self) -> str:
        """What judges the units (part of the cache key: the two give the same results, but a change of either is a change)."""
        if self.native is not None:
            return "native"
        import pyshacl

        return f"pyshacl {pyshacl.__version__}"

    def graph(self):
        """The shapes as an rdflib graph, for pySHACL (built once, when first needed)."""
        if self._graph is None:
            from rdflib import Graph

            self._graph = Graph()
            for t in self.triples:
                self._graph.add(t)
        return self._graph


def unit_results(unit: Unit, shapes) -> list[tuple[str, str, str, str | None]]:
    """SHACL results of one unit whose focus node is its own: (shape name, focus, message, value), as text.

    `shapes`: a ShapeChecker (kg.rdf.shacl where it can, else pySHACL) or an rdflib graph of shapes (pySHACL).
    """
    from kg.rdf.shacl import Unsupported

    own = unit.subjects() if unit.name != "*" else None
    if isinstance(shapes, ShapeChecker):
        if shapes.native is not None:
            try:
                return shapes.native.validate(unit.data(), own)
            except Unsupported:
                pass  # a value the evaluator does not compare exactly: pySHACL judges this unit
        shapes = shapes.graph()
    from rdflib import Graph

    from kg.rdf.dataset import rdflib_term

    data = Graph()
    for t in unit.data():
        data.add((rdflib_term(t[0]), rdflib_term(t[1]), rdflib_term(t[2])))
    return [(name, str(focus), message, None if value is None else str(value))
            for name, focus, message, value in shacl_results(data, shapes)
            if own is None or str(focus) in own]


# Below this many triples to validate, one process: forking costs more than it saves (and a small
# project, like every test's, never forks).
PARALLEL_MIN = 20_000
# Set before the worker processes fork, so that they share the units and shapes without pickling them.
_WORK: tuple[list[Unit], object] | None = None


def _work(i: int):
    assert _WORK is not None
    units, shapes = _WORK
    return _results_released(units[i], shapes)  # in the worker: the parent never unpickles the units' triples


def _results_released(unit: Unit, shapes) -> list:
    """unit_results, then the unit's triples let go (a unit of graph records unpickles them again if asked): one unit's triples held at a time."""
    try:
        return unit_results(unit, shapes)
    finally:
        unit.release()


def _take_units(portable: list, units: list[tuple[str, list[int], list[int]]], shapes) -> None:
    """A spawned worker's start (kg.rdf.workers): the units, made again from the records sent, and the shapes."""
    global _WORK
    from kg.rdf.workers import received

    records = received(portable)
    made = []
    for name, own, providers in units:
        unit = Unit(name, records=[records[i] for i in own])
        unit.providers = [records[i] for i in providers]
        made.append(unit)
    _WORK = (made, shapes)


def _run_units(units: list[Unit], shapes_graph, workers: int) -> list[list]:
    """Each unit's results, across `workers` processes when there are several units to do: spawned and sent the units'
    records when every record is kept in its data file (kg.rdf.workers: they share no page of the model), else forked."""
    global _WORK
    if workers < 2 or len(units) < 2 or sum(u.size for u in units) < PARALLEL_MIN:
        return [_results_released(u, shapes_graph) for u in units]
    from kg.rdf.workers import RecordTable, spawned_pool

    table = RecordTable()
    plan = [(u.name, table.number(u.records), table.number(u.providers)) for u in units if u.from_records and u.lazy_facts]
    portable = table.portable() if len(plan) == len(units) else None
    if portable is not None:
        with spawned_pool(min(workers, len(units)), _take_units, (portable, plan, shapes_graph)) as pool:
            return pool.map(_work, range(len(units)), chunksize=1)
    if "fork" not in multiprocessing.get_all_start_methods():
        return [_results_released(u, shapes_graph) for u in units]
    _WORK = (units, shapes_graph)
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(units))) as pool:
            return pool.map(_work, range(len(units)), chunksize=1)
    finally:
        _WORK = None


def run_shacl(kg: KG, records: list[GraphRecord], problems: list[Problem], cache: UnitCache | None = None, workers: int | None = None) -> None:
    """SHACL over the graph (kg.rdf.shacl, else pySHACL), one unit per claim file (kg.rdf.units): only the units whose content changed are validated again.

    `records`: each named graph's record (kg.rdf.graphs), from which the units are split and keyed.
    """
    shape_triples = load_turtle(kg.layout.shapes, problems)
    if shape_triples is None:
        return
    shapes = ShapeChecker(shape_triples)
    kept = cache.folder if cache is not None and cache.usable else None
    units = split_records(records, claim_graphs(kg), shapes.iris, kept)
    forms: dict = {}  # N-Triples forms shared by the units' keys
    keys = [unit_key(u, f"{shapes.key} {shapes.engine}", forms) for u in units] if cache is not None else [""] * len(units)
    # The last run's results by unit key, read in one go (each is also kept alone, under its key, in `cache`).
    last = read_kept(kept / RESULTS) if kept is not None else None
    last = last if isinstance(last, dict) else {}
    results: list = [None] * len(units)
    for i, k in enumerate(keys):
        if k in last:
            results[i] = last[k]
            cache.used.add(k)  # type: ignore[union-attr]
        elif cache is not None:
            results[i] = cache.get(k)
    todo = [i for i, r in enumerate(results) if r is None]
    for i, found in zip(todo, _run_units([units[i] for i in todo], shapes, workers or default_workers()), strict=True):
        results[i] = found
        if cache is not None:
            cache.put(keys[i], found)
    if cache is not None:
        cache.prune()
    if kept is not None and set(last) != set(keys):
        write_kept(kept / RESULTS, dict(zip(keys, results, strict=True)))
    for found in results:
        for name, focus, message, value in found:
            path, line = locate(kg, focus)
            detail = f" (value: {value})" if value is not None else ""
            problems.append(problem(path, line, f"shacl:{name}", f"<{focus}>: {message}{detail}"))


def load_store(data_graph):
    """An rdflib graph in a pyoxigraph store, where the checks run (tests hand the checks graphs of their own)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(data_graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def store_of_records(records: list[GraphRecord], folder: Path | None = None):
    """The union of the graph the records hold in a pyoxigraph store: their lines as N-Triples, no term written again (see store_of_lines)."""
    return store_of_lines((r.ntriples() for r in records), folder)


class _Chunks(io.RawIOBase):
    """A binary file that reads an iterator of byte strings in turn."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.held = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.held:
            nxt = next(self.chunks, None)
            if nxt is None:
                return 0
            self.held = memoryview(nxt)
        n = min(len(buffer), len(self.held))
        buffer[:n] = self.held[:n]
        self.held = self.held[n:]
        return n


def check_rows(store, query: str) -> list[tuple[str, str]]:
    """(focus IRI, message) for each row a quality check returns; raises SyntaxError for a broken query."""
    return [(row["focus"].value, row["message"].value) for row in store.query(query)]


# From this many distinct triples on, each check runs on the slices of the graph it can read (kg.rdf.checkscope).
SLICE_MIN = 50_000


def run_checks(kg: KG, records: list[GraphRecord], problems: list[Problem], slices=None) -> list[str]:
    """Run every ontology/checks/*.rq; each must return no rows (ROBOT-report style).

    The checks run on pyoxigraph. In a large graph, each check that kg.rdf.checkscope can read runs
    on the union of each named graph's slice of the triples its patterns can match (the same rows:
    tests/test_checks.py compares), kept by content in `slices` (a kg.rdf.checkscope.SliceCache);
    the others, and every check of a small graph, on the whole graph. From DISK_MIN triples on, the
    stores are on disk, in a temporary folder beside the cache, bulk-loaded a chunk at a time.
    """
    names, rows = check_results(kg.layout.checks, records, problems, slices)
    add_rows(kg, rows, problems)
    return names


def add_rows(kg: KG, rows: list[tuple[Path, str, str]], problems: list[Problem]) -> None:
    """A problem for each (check file, focus IRI, message) a check returned, at the place the focus was written."""
    for rq, focus, message in rows:
        path, line = locate(kg, focus)
        problems.append(problem(path, line, f"check:{rq.stem}", f"<{focus}>: {message}"))


def check_results(queries: Path, records: list, problems: list[Problem], slices=None) -> tuple[list[str], list[tuple[Path, str, str]]]:
    """run_checks without the model: the checks' names and their rows as (check file, focus IRI, message); a check that does not run is a problem.

    With `slices` (in a large graph), each check's rows are kept by what it reads (kg.rdf.checkrows): only the
    checks an edit can change run again, on a store of their own slices.
    """
    answer = _check_results(queries, records, problems, slices, only_kept=False)
    assert answer is not None  # only_kept=False always answers
    return answer


def kept_check_results(queries: Path, records: list, problems: list[Problem], slices) -> tuple[list[str], list[tuple[Path, str, str]]] | None:
    """check_results when every check's rows are kept (no store loaded, no query run), else None."""
    return _check_results(queries, records, problems, slices, only_kept=True)


def _check_results(queries: Path, records: list, problems: list[Problem], slices, only_kept: bool):
    checks: list[tuple[Path, str | Exception]] = []
    for rq in sorted(queries.glob("*.rq")):
        try:
            checks.append((rq, rq.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            checks.append((rq, exc))
    size = sum(r.size for r in records)
    sliced = size >= SLICE_MIN
    scopes = check_scopes([text for _, text in checks], slices) if sliced else [None] * len(checks)
    patterns = list(dict.fromkeys(p for found in scopes if found is not None for p in found))
    kept = None
    if sliced and slices is not None and getattr(slices, "usable", False):
        from kg.rdf.checkrows import KeptRows

        kept = KeptRows(records, [text for _, text in checks], scopes, slices)
    found_rows: list = [kept.rows(i) if kept is not None else None for i in range(len(checks))]
    if only_kept and (kept is None or None in found_rows):
        return None
    # The checks to run that kg.rdf.checkscope reads: on their own slices, or on every check's if all of them run (a cold cache).
    todo = [i for i, found in enumerate(scopes) if found is not None and found_rows[i] is None]
    own = kept.stores(todo) if kept is not None and todo and len(todo) < sum(found is not None for found in scopes) else []
    group = {i: n for n, (members, _) in enumerate(own) for i in members}
    stores: dict[Any, Any] = {}
    names: list[str] = []
    out: list[tuple[Path, str, str]] = []
    with _StoreFolder(slices) as folder:

        def store(i: int, sliced: bool):
            which = group.get(i, "sliced") if sliced else "whole"
            if which not in stores:
                if which == "whole":
                    stores[which] = _store_of(lambda: (r.ntriples() for r in records), folder.make(size >= DISK_MIN))
                else:
                    from kg.rdf.checkscope import iter_slices

                    def chunks():
                        return iter(own[which][1]) if isinstance(which, int) else iter_slices(records, patterns, slices, prune=False)

                    # on disk only if the slices are large: a few hundred thousand triples load in memory in a
                    # fraction of the time RocksDB takes (counted first: the kept slices are read, not held)
                    lines = sum(chunk.count(b"\n") for chunk in chunks())
                    stores[which] = _store_of(chunks, folder.make(lines >= DISK_MIN))
            return stores[which]

        for i, ((rq, text), found) in enumerate(zip(checks, scopes, strict=True)):
            names.append(rq.stem)
            rows = found_rows[i]
            if rows is None:
                try:
                    if isinstance(text, Exception):
                        raise text
                    _empty_store().query(text)  # a query that does not parse is told before any store is loaded
                    rows = check_rows(store(i, found is not None), text)
                except (SyntaxError, ValueError, OSError) as exc:  # a broken check is a problem in that file, not a crash
                    problems.append(problem(rq, None, "check-error", f"the check query does not run: {exc}"))
                    continue
                if kept is not None:
                    kept.keep(i, rows)
            out += [(rq, focus, message) for focus, message in rows]
        stores.clear()  # the on-disk stores closed before their folder is removed
    if sliced and slices is not None:
        slices.prune()
    return names, out


def _empty_store():
    import pyoxigraph as ox

    return ox.Store()


# From this many triples in a store on, the checks' store is on disk (store_of_lines): what it holds then grows with the graph.
DISK_MIN = 1_000_000


class _StoreFolder:
    """Empty folders for the checks' on-disk stores, in a temporary folder beside the cache (else the system's), removed on leaving;
    `make()` gives None (a store in memory) when not wanted or when no folder can be made."""

    def __init__(self, slices):
        self.slices = slices
        self.tmp: Any = None  # a tempfile.TemporaryDirectory once a store asks for a folder
        self.made = 0

    def __enter__(self) -> _StoreFolder:
        return self

    def make(self, wanted: bool = True) -> Path | None:
        import tempfile

        if not wanted:
            return None
        try:
            if self.tmp is None:
                near = getattr(self.slices, "folder", None)
                beside = near.parent if near is not None and getattr(self.slices, "usable", False) and near.parent.is_dir() else None
                self.tmp = tempfile.TemporaryDirectory(prefix=".checks-store-", dir=beside)  # a dot name: the cache's own
            self.made += 1
            folder = Path(self.tmp.name) / str(self.made)
            folder.mkdir()
            return folder
        except OSError:
            return None

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()


def _store_of(chunks, folder: Path | None):
    """store_of_lines of the chunks `chunks()` gives, on disk in `folder` if given; in memory if that store cannot be written."""
    if folder is not None:
        try:
            return store_of_lines(chunks(), folder)
        except OSError:
            pass  # a full or unwritable disk: the checks still run, in memory
    return store_of_lines(chunks())


def check_scopes(texts: list, cache=None) -> list:
    """kg.rdf.checkscope.scope of each check's text (None for a text that is not one), kept in `cache` by the text and govkg's code."""
    from kg.rdf.checkscope import scope

    out: list = []
    for text in texts:
        if not isinstance(text, str):
            out.append(None)
            continue
        key = hashlib.sha256(f"govkg check scope {code_key()}\n{text}".encode()).hexdigest()
        found = cache.get_scope(key) if cache is not None else None
        if found is None:
            found = (scope(text),)
            if cache is not None:
                cache.put(key, found)
        out.append(found[0])
    return out


def store_of_lines(chunks: Iterable[bytes], folder: Path | None = None):
    """A pyoxigraph store of N-Triples chunks, read one at a time (never joined into one text).

    In memory (`load` costs less CPU than `bulk_load` there), or, given an empty `folder`, on disk,
    bulk-loaded: its memory is RocksDB's buffers, not about 300 bytes a triple of the whole graph.
    """
    import pyoxigraph as ox

    reader = io.BufferedReader(_Chunks(iter(chunks)), 1 << 20)
    if folder is None:
        store = ox.Store()
        store.load(reader, format=ox.RdfFormat.N_TRIPLES)
    else:
        store = ox.Store(str(folder))
        store.bulk_load(reader, format=ox.RdfFormat.N_TRIPLES)
    return store


def _near_duplicates_key(kg: KG) -> str | None:
    """The cache key of the near-duplicate warnings: the code and every file concepts come from (None if one cannot be read)."""
    h = hashlib.sha256(f"govkg {__version__} {code_key()} near-duplicates {kg.layout.root}\n".encode())
    digests = getattr(kg, "ontology_digests", None) or {}
    if digests and set(digests) == set(kg.ontology_triples):
        # Concepts come only from the ontology files whose triples the model holds, each kept with the sha256 of its text
        # (kg.model.project): their digests, not every concept's path (a walk over every concept) nor the files read again.
        h.update(b"ontology digests\n")
        for path in sorted(digests):
            h.update(f"{path}\t{digests[path]}\n".encode())
        return h.hexdigest()
    from kg.model.concepts import briefs

    for path in sorted({b[3] for concepts in (kg.concepts, kg.deprecated) for _, b in briefs(concepts)}):  # no concept unpickled
        try:
            h.update(f"{path}\t".encode() + hashlib.sha256(path.read_bytes()).digest() + b"\n")
        except OSError:
            return None
    return h.hexdigest()


def near_duplicates(kg: KG, cache: UnitCache | None = None) -> list[Problem]:
    """kg.model.similar.near_duplicate_concepts, kept in the unit cache under the content of the ontology files.

    It compares concepts' labels pairwise, so it runs again only when a file concepts come from changed.
    """
    from kg.model.similar import near_duplicate_concepts

    key = _near_duplicates_key(kg) if cache is not None else None
    if cache is None or key is None:
        return near_duplicate_concepts(kg)
    found = cache.get(key)
    if found is None:
        found = near_duplicate_concepts(kg)
        cache.put(key, found)
    return found


def validate(root: Path, check_seeds: bool | None = None, loaded: tuple | None = None, units: UnitCache | None = None,
             workers: int | None = None, warnings: bool = True, graphs: GraphCache | None = None,
             defer_checks: bool = False, background=None, slices=None) -> ValidationReport:
    """Everything `kg validate` checks. check_seeds=None checks the sources only if the seeds are there.

    `loaded` is `load_kg(root)`'s answer when the caller has it already (from the cache); `units`
    keeps each claim file's SHACL results by content (kg.rdf.units), `workers` processes validate
    the files that changed (default: the cores); `graphs` keeps each named graph's record
    (kg.rdf.graphs) by what it is emitted from, `slices` (kg.rdf.checkscope.SliceCache) the slices
    of each graph the quality checks read. The report keeps the records for a build.
    warnings=False leaves out the near-duplicate warnings (they fail nothing, and `kg build` shows
    none), keeping their cached entry, if any, for the next `kg validate`.
    defer_checks=True runs the quality checks in another process and returns at once
    (BackgroundChecks; `background`, if given, runs once they are in): the caller's `report.finish()` adds their problems, so a
    build makes its outputs in memory meanwhile and looks at the whole report before it writes them.
    """
    import gc

    kg, problems = loaded if loaded is not None else load_kg(root)
    gc.freeze()  # the model outlives the checks: the collector need not walk it again at each step (unfrozen after)
    try:
        return _validate_loaded(kg, list(problems), check_seeds, units, workers, warnings, graphs, defer_checks, background, slices)
    finally:
        gc.unfreeze()


def _validate_loaded(kg: KG, problems: list[Problem], check_seeds: bool | None, units: UnitCache | None, workers: int | None,
                     warnings: bool, graphs: GraphCache | None = None, defer_checks: bool = False, background=None,
                     slices=None) -> ValidationReport:
    report = ValidationReport(problems, kg)
    if warnings:
        report.warnings = near_duplicates(kg, units)
    elif units is not None and (key := _near_duplicates_key(kg)) is not None:
        units.used.add(key)  # not computed, not pruned either
    seeds = kg.layout.seeds
    if check_seeds or (check_seeds is None and seeds.is_dir()):

        problems.extend(check_against_seeds(kg.sources, seeds))
        report.seeds_checked = True
    if any(p.code in INCOMPLETE for p in problems):
        if background is not None:
            background()
        return report  # a whole file is missing from the graph: shape errors now would only repeat the cause
    records = graph_records(kg, graphs)  # each graph emitted once (or kept): SHACL, the checks and the build's files all read these
    report.records = records
    # The checks' process starts first (a fork, without kept records: this process starts no thread, so SHACL's pool may fork after it).
    report.pending = BackgroundChecks(kg, records, defer_checks, background, slices)
    run_shacl(kg, records, problems, units, workers)
    report.problems = sorted(set(problems))
    return report if defer_checks else report.finish()


# Below this many bytes of N-Quads, the checks run in the caller's process (a fork costs more than it saves).
BACKGROUND_MIN = 2_000_000


class BackgroundChecks:
    """run_checks in another process, while the caller goes on (a build makes its outputs meanwhile); `result()` waits for it.

    First, in this process, the rows kept by what each check reads (kg.rdf.checkrows): when every check's
    are kept (an edit no check can see, a claim's gloss), that is the answer, and no process starts. Else,
    when every record is kept in its data file (kg.rdf.graphs, a build with its cache), the checks run
    in a new Python process (`checks_main`) that is handed the records (names, digests, data files:
    a few bytes a graph, in a file: KeptLines) and answers their rows, which this process locates in the model. It shares
    no page with this process: a forked child did, and every page of the model this process touched
    while the child ran (its garbage collector, its pools) stayed in the child as a copy of its own
    (at 100k claims 0.55 GB, 0.9 GB when the child also pickled the model). Else the checks run in a
    forked child that answers through a pipe. If neither can start, the graph is small, or the
    other process gives no answer, the checks run in this process: the same checks on the same
    records, so the same problems either way. `background`: more work once the checks are in (the
    model's cache entry written), done by `result()` in this process.
    """

    def __init__(self, kg: KG, records: list[GraphRecord], fork: bool = True, background=None, slices=None):
        self.kg, self.records, self.pid, self.pipe, self.slices = kg, records, 0, -1, slices
        self.background = background
        self.spawned: Any = None
        self.answer: tuple[list[str], list[Problem]] | None = None
        if not fork or sum(r.lines_size for r in records) < BACKGROUND_MIN:
            return
        now: list[Problem] = []
        try:  # tens of ms when no check's key changed (kg.rdf.checkrows): no other process then
            kept = kept_check_results(kg.layout.checks, records, now, slices)
        except OSError:
            kept = None
        if kept is not None:
            add_rows(kg, kept[1], now)
            self.answer = (kept[0], now)
            return
        if all(r.data_file is not None for r in records):
            self.spawned = _spawn_checks(kg.layout.checks, records, slices)
            if self.spawned is not None:
                return
        if not hasattr(os, "fork"):
            return
        receive, send = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                found: list[Problem] = []
                data = pickle.dumps((run_checks(kg, records, found, slices), found), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(send, "wb") as f:
                    f.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(send)
        self.pid, self.pipe = pid, receive

    def result(self) -> tuple[list[str], list[Problem]]:
        answer = self.answer
        if answer is None and self.spawned is not None:
            answer = self._spawned_answer()
        elif answer is None and self.pid:
            try:
                with os.fdopen(self.pipe, "rb") as f:
                    data = f.read()
                answer = pickle.loads(data) if data else None
            except Exception:  # no answer: the checks run here
                answer = None
            finally:
                try:
                    os.waitpid(self.pid, 0)
                except ChildProcessError:
                    pass
        if answer is None:
            found: list[Problem] = []
            answer = (run_checks(self.kg, self.records, found, self.slices), found)
        if self.background is not None:
            self.background()
        return answer

    def _spawned_answer(self) -> tuple[list[str], list[Problem]] | None:
        proc, self.spawned = self.spawned, None
        try:
            data = proc.stdout.read()
            proc.stdout.close()
            if proc.wait() != 0 or not data:
                return None
            names, rows, found = pickle.loads(data)
        except Exception:  # no answer: the checks run here
            proc.kill()
            proc.wait()
            return None
        finally:
            if getattr(proc, "given", "-") != "-":
                Path(proc.given).unlink(missing_ok=True)
        add_rows(self.kg, rows, found)
        return names, found


# The checks' own process (BackgroundChecks): its import path is this one's (and the file of its input, if any), its input and answer
# pickles on its stdin (or in that file) and stdout.
_CHECKS_MAIN = "import sys; sys.path[:0] = sys.argv[2:]; from kg.rdf.validate import checks_main; sys.exit(checks_main(sys.argv[1]))"


class StaleGraph(Exception):
    """A graph's data file no longer holds the lines its record was made with: the checks' process gives no answer."""


class KeptLines:
    """What the checks read of a kept graph record (kg.rdf.graphs): its name, digest, size and lines, these read from the
    start of its data file and compared with the digest. A few hundred bytes a graph for the checks' process, where the
    records pickled whole were 15 MB at 100k claims (their subjects, types and pointed nodes, which the checks never read)."""

    __slots__ = ("name", "digest", "size", "lines_size", "file")

    def __init__(self, record: GraphRecord, file: Path):
        self.name, self.digest, self.size, self.lines_size, self.file = record.name, record.digest, record.size, record.lines_size, file

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state) -> None:
        for k in self.__slots__:
            setattr(self, k, state[k])

    @property
    def lines(self) -> bytes:
        try:
            with open(self.file, "rb") as f:
                data = f.read(self.lines_size)
        except OSError as exc:
            raise StaleGraph(str(exc)) from exc
        if hashlib.sha256(data).hexdigest() != self.digest:
            raise StaleGraph(f"{self.file}: not the lines of {self.name}")
        return data

    def ntriples(self) -> bytes:
        return self.lines.replace(f" <{self.name}> .\n".encode(), b" .\n")


def _spawn_checks(queries: Path, records: list[GraphRecord], slices):
    """A new Python process running checks_main on the records (their lines read from their data files there), or None if it cannot start.

    Its input goes in a file beside the kept slices (a dot name, never pruned as an entry), which it removes once read:
    this process does not wait on a pipe while the other one starts (its imports take about half a second).
    """
    import subprocess
    import sys
    import tempfile

    folder = getattr(slices, "folder", None) if slices is not None and getattr(slices, "usable", False) else None
    graphs = [KeptLines(r, r.data_file) for r in records if r.data_file is not None]
    if len(graphs) != len(records):
        return None
    data = pickle.dumps((queries, graphs, folder, (SLICE_MIN, DISK_MIN)), protocol=pickle.HIGHEST_PROTOCOL)
    given = "-"
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".checks-input-", suffix=".pickle", delete=False) as f:
                f.write(data)
            given = f.name
        except OSError:
            given = "-"
    try:
        proc = subprocess.Popen([sys.executable, "-c", _CHECKS_MAIN, given, *[p for p in sys.path if p]],
                                stdin=subprocess.PIPE if given == "-" else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        if given != "-":
            Path(given).unlink(missing_ok=True)
        return None
    proc.given = given  # type: ignore[attr-defined]  # removed by _spawned_answer if the process did not
    if given != "-":
        return proc
    try:
        assert proc.stdin is not None
        proc.stdin.write(data)
        proc.stdin.close()
    except OSError:
        proc.kill()
        proc.wait()
        return None
    return proc


def checks_main(given: str = "-") -> int:
    """The checks' own process: check_results of the graphs in `given` (a file it removes, or "-": stdin), (names, rows, problems) pickled to stdout."""
    import sys

    from kg.rdf.checkscope import SliceCache

    global SLICE_MIN, DISK_MIN
    if given == "-":
        queries, records, folder, (SLICE_MIN, DISK_MIN) = pickle.load(sys.stdin.buffer)  # the caller's thresholds (tests set them)
    else:
        try:
            with open(given, "rb") as f:
                queries, records, folder, (SLICE_MIN, DISK_MIN) = pickle.load(f)
        finally:
            Path(given).unlink(missing_ok=True)
    found: list[Problem] = []
    names, rows = check_results(queries, records, found, SliceCache(folder) if folder is not None else None)
    sys.stdout.buffer.write(pickle.dumps((names, rows, found), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0
