"""The compiled-graph cache in <project>/.cache/: keyed on the sha256 of every input file, so any change rebuilds it.

What is cached, each under the key of the inputs it was made from:
- `kg-<key>.pickle`: the resolved graph (`load_kg`'s KG and problems), so a second `kg` call
  neither parses YAML and Turtle nor finds quotes again; its claims are references to each claim
  file's kept resolution in `claim-files/` (kg.model.claimfiles), read when first asked for, so the
  entry stays small (a resolution pruned since is made again from its file, which still holds the
  content the key names);
- `validate-<key>.pickle`: the validation problems and the checks run (SHACL is the slow part);
- `shacl-units/`: each claim file's SHACL results, by the content they were computed from (kg.rdf.units);
- `claim-files/`: each claim file's parse, resolution and counts, by its content, and the ontology's
  parse, by the content of its files (kg.inputs.parsecache, kg.model.project);
- `rdf-pieces/`: each group of named graphs' Turtle, TriG and JSON-LD bytes, by their content (kg.output.pieces);
- `graphs/`: each named graph's sorted N-Quads, subjects and types, by what it is emitted from (kg.rdf.graphs);
- `check-slices/`: each named graph's slice that the quality checks read, by its content (kg.rdf.checkscope);
- `oxigraph-<key>/`: the graph as an on-disk Oxigraph store, reopened read-only in milliseconds;
- `index-<key>.sqlite`: the query index (kg.query.index), which warm `kg chain`, `explain`,
  `search`, `cite` and `stats` read a record at a time, without unpickling the whole model.

The key covers the content of every input file (`Layout.input_files()`), their paths, govkg's
version and its own code (a cached pickle is only as good as the classes that read it). Re-hashing
every input on every call would cost seconds at a million claims, so `kg.inputs.fingerprint` hashes
again only the files whose size, mtime, ctime or inode changed, or that were modified so close to
the time they were hashed that a same-tick edit could hide (git's "racy" rule).
Every entry is written to a temporary name and renamed into place: a crash leaves either the
old entry or the new one, never half of one. GOVKG_CACHE=off turns the cache off.

The folder is used only when it is govkg's own: a real folder (never a symbolic link, which a
repository can carry and which would point the clean-up at any folder), holding a marker govkg
wrote there with the folder's device and inode, which no checked-out copy can match. Only entries
with govkg's names are ever deleted, and never through a link. Otherwise the cache is off.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

from kg.errors import InputError, KGError
from kg.inputs.fingerprint import code_files, combine, file_digests
from kg.inputs.layout import Layout
from kg.version import __version__

CACHE_FORMAT = 2


def enabled() -> bool:
    return os.environ.get("GOVKG_CACHE", "on").lower() not in ("off", "0", "no", "false")


def cache_dir(root: Path) -> Path:
    """`<project>/.cache`; for the graph bundled in an installed package, a folder in the user's cache
    ($XDG_CACHE_HOME/govkg or ~/.cache/govkg), since site-packages may be read-only and is shared."""
    root = Path(root)
    if root.name == "bundled" and (root.parent / "__init__.py").is_file():
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        import hashlib

        key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
        return base / "govkg" / f"bundled-{key}"
    return root / ".cache"


MARKER = "CACHEDIR.TAG"  # the cache-directory tag (bford.info/cachedir), which backup tools skip too
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# the govkg cache: safe to delete\n"
# The names of what govkg writes in the cache, and nothing else is ever deleted there.
# (A pattern, not a compiled one: compiling it costs a warm query, which never needs it.)
_ENTRY = r"^(?:(?:kg|validate|oxigraph|index)-[0-9a-f]{32}(?:seeds)?(?:\.pickle|\.sqlite(?:-journal)?)?|manifest\.(?:marshal|json)|shacl-units|claim-files|rdf-pieces|graphs|check-slices|CACHEDIR\.TAG|\..+)$"


def _is_entry(name: str) -> bool:
    return re.match(_ENTRY, name) is not None


def _folder_id(st: os.stat_result) -> str:
    return f"# folder {st.st_dev}:{st.st_ino}\n"


def usable_cache(root: Path) -> Path | None:
    """The cache folder, made if missing, when it is safe to read, write and prune in; else None.

    None when the cache is off, when `.cache` is a symbolic link or not a folder, or when it holds
    anything govkg did not put there. A folder with only govkg's entries and no marker (made by
    an older govkg) is adopted; a marker copied from elsewhere does not match the folder's inode.
    """
    return own_cache_folder(root) if enabled() else None


def own_cache_folder(root: Path) -> Path | None:
    """`.cache`, made if missing, if it is govkg's own folder (whether or not the cache is on); else None."""
    d = cache_dir(root)
    try:
        st = os.lstat(d)
    except FileNotFoundError:
        try:
            d.parent.mkdir(parents=True, exist_ok=True)  # the user cache of a bundled graph may not exist yet
            os.mkdir(d)
            st = os.lstat(d)
        except OSError:
            return None
        return d if _write_marker(d, st) else None
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):  # a symbolic link (to anything) or a file
        return None
    try:
        if (d / MARKER).read_text(encoding="utf-8") == _TAG + _folder_id(st) and not (d / MARKER).is_symlink():
            return d
    except (OSError, UnicodeDecodeError):
        pass
    try:
        names = os.listdir(d)
    except OSError:
        return None
    if all(_is_entry(n) for n in names) and _write_marker(d, st):
        return d
    return None


def _write_marker(d: Path, st: os.stat_result) -> bool:
    from kg.atomic import write_bytes_atomic

    try:
        (d / MARKER).unlink(missing_ok=True)
        write_bytes_atomic(d / MARKER, (_TAG + _folder_id(st)).encode("utf-8"))
        return True
    except OSError:
        return False


def remove_entry(p: Path) -> None:
    """Remove one cache entry govkg made: a real folder's tree, or a file; a link only as a link."""
    try:
        st = os.lstat(p)
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(p, ignore_errors=True)  # rmtree never follows links inside the tree
    else:
        p.unlink(missing_ok=True)


class Fingerprint:
    """The cache key of the inputs, their total size and count (a plain class: a dataclass costs every query a compile)."""

    __slots__ = ("key", "input_bytes", "files")

    def __init__(self, key: str, input_bytes: int, files: int):
        self.key = key  # sha256 over govkg's version and code and every input file's path and content
        self.input_bytes = input_bytes
        self.files = files


def _input_files(root: Path) -> list[str]:
    return Layout(Path(root)).input_paths()


def _code_files() -> list[str]:
    return code_files(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fingerprint(root: Path, extra: tuple[Path, ...] | list[Path] = ()) -> Fingerprint:
    """The cache key of a project's inputs (and of `extra` files, e.g. the seeds a check reads).

    Stat first, content hash only for files whose stat changed (kg.inputs.fingerprint); the list
    of paths is in the key, so a file added, removed or renamed changes it too.
    """
    root = Path(root)
    files = _input_files(root) + [str(p) for p in extra]
    code = _code_files()
    folder = usable_cache(root)
    manifest = folder / "manifest.marshal" if folder is not None else None
    digests = file_digests([*files, *code], manifest)
    # The cached graph holds paths as the caller spelled the root, so the spelling (and, for a
    # relative root, the folder it is relative to) is part of the key.
    where = f"{root.resolve()}\n{root}\n{'' if root.is_absolute() else os.getcwd()}"
    named = [(str(p), size, digest) for p, (size, digest) in zip(files, digests[: len(files)], strict=True)]
    named += [(f"code {os.path.basename(p)}", 0, digest) for p, (_, digest) in zip(code, digests[len(files):], strict=True)]
    key = combine(f"govkg {__version__} cache {CACHE_FORMAT}\n{where}\n", named)
    return Fingerprint(key, sum(s for s, _ in digests[: len(files) - len(extra)]), len(files) - len(extra))


def entry_path(root: Path, kind: str, key: str, suffix: str = ".pickle") -> Path:
    """Where the cache keeps the entry of one kind made from the inputs with this key."""
    return cache_dir(root) / f"{kind}-{key[:32]}{suffix}"


def prune_entries(root: Path, kind: str, keep: Path) -> None:
    """Remove the entries of one kind made from older inputs (only in govkg's own cache folder)."""
    folder = own_cache_folder(root)
    if folder is None:
        return
    for name in os.listdir(folder):
        p = folder / name
        if name.startswith(f"{kind}-") and _is_entry(name) and p != keep:
            remove_entry(p)


def _sweep(root: Path, older_than: float = 3600.0) -> None:
    """Remove what killed writers left behind (temporary files and store folders), once surely abandoned."""
    import time

    folder = own_cache_folder(root)
    if folder is None:
        return
    for name in os.listdir(folder):
        p = folder / name
        if not name.startswith(".") or name == MARKER:
            continue
        try:
            if time.time() - os.lstat(p).st_mtime > older_than:
                remove_entry(p)
        except OSError:
            pass


def _read_pickle(path: Path):
    import pickle  # here: a warm query reads the index, never a pickle

    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or stale entry is a miss, never an error
        return None


def _write_pickle(root: Path, kind: str, path: Path, value) -> None:
    import pickle

    from kg.atomic import write_atomic_with

    try:
        write_atomic_with(path, lambda f: pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL))  # streamed: the model's pickle is never one bytes object
        prune_entries(root, kind, path)
    except OSError:
        pass


def parse_cache(root: Path):
    """Each claim file's parse by content (kg.inputs.parsecache), keyed with govkg's code as the SHACL units are; a file's content
    known from the manifest `fingerprint` just brought up to date (its stat unchanged: git's rule), else read."""
    from kg.inputs.fingerprint import known_digest, read_manifest
    from kg.inputs.parsecache import ParseCache
    from kg.rdf.graphs import code_key

    folder = usable_cache(root)
    manifest = read_manifest(folder / "manifest.marshal") if folder is not None else {}  # each input's stat and sha256 (fingerprint)
    return ParseCache(cache_dir(root) / "claim-files", code_key(), lambda path: known_digest(manifest, path))


def load_kg_cached(root: Path):
    """`kg.project.load_kg(root)`, from the cache when no input file changed since it was made."""
    loaded, keep = _load_kg_unwritten(root)
    if keep is not None:
        keep()
    return loaded


def _load_kg_unwritten(root: Path):
    """load_kg_cached's (model, problems), and what writes its cache entry (None when there is nothing to write)."""
    from kg.model.project import load_kg

    if usable_cache(root) is None:
        return load_kg(Path(root)), None
    path = entry_path(root, "kg", fingerprint(root).key)
    hit = _read_pickle(path)
    if hit is not None:
        return hit, None
    kg, problems = load_kg(Path(root), parse_cache(root))
    return (kg, problems), lambda: _write_pickle(root, "kg", path, (replace(kg, _dataset=None), problems))


def kept_content_hash(kg) -> str | None:
    """The model's content hash from each named graph's kept record (kg.rdf.graphs: a digest a graph, emitted again only where
    its inputs changed), as `kg build` computes it; None without a cache. content_hash(kg) would emit and sort every quad
    (about a minute at 100k claims), which the first query after an edit paid for writing the index."""
    folder = usable_cache(kg.layout.root)
    if folder is None:
        return None
    from kg.rdf.graphs import GraphCache, graph_records
    from kg.rdf.release import content_hash

    return content_hash(kg, records=graph_records(kg, GraphCache(folder / "graphs")))


def index_enabled() -> bool:
    """GOVKG_INDEX=off answers every query from the loaded model (the index's answers are the same; tests compare)."""
    return enabled() and os.environ.get("GOVKG_INDEX", "on").lower() not in ("off", "0", "no", "false")


def validate_cached(root: Path, check_seeds: bool | None = None, warnings: bool = True, defer_checks: bool = False):
    """`kg.validate.validate(root, check_seeds)`, from the cache when nothing it reads changed.

    warnings=False (`kg build`, which shows none): no near-duplicate warnings are computed, and the
    report kept says it lacks them, so that `kg validate` computes them and a build reuses either.
    defer_checks=True: the quality checks may still run when this returns; `report.finish()` waits for them.
    """
    from kg.rdf.validate import ValidationReport, validate

    if usable_cache(root) is None:
        return validate(Path(root), check_seeds, warnings=warnings, defer_checks=defer_checks)
    seeds = Layout(Path(root)).seeds
    use_seeds = bool(check_seeds or (check_seeds is None and seeds.is_dir()))
    extra = sorted(p for p in seeds.glob("*") if p.is_file()) if use_seeds and seeds.is_dir() else []
    fp = fingerprint(root, extra)
    path = entry_path(root, "validate", fp.key + ("seeds" if use_seeds else ""))
    hit = _read_pickle(path)
    # the fifth field: whether the warnings were computed (a build's report has none to give `kg validate`)
    if isinstance(hit, tuple) and len(hit) == 5 and (hit[4] or not warnings):
        kg, _ = load_kg_cached(root)
        return ValidationReport(hit[0], kg, hit[1], hit[2], hit[3])
    from kg.rdf.units import UnitCache

    # Each claim file's SHACL results by content (kg.rdf.units): after an edit, only that file is validated again.
    units = UnitCache(cache_dir(root) / "shacl-units")
    from kg.rdf.graphs import GraphCache

    # Each named graph's record by what it is emitted from (kg.rdf.graphs): after an edit, one graph is emitted again.
    loaded, keep_model = _load_kg_unwritten(root)
    # The model's cache entry is written once the checks are in (kg.rdf.validate.BackgroundChecks calls `background`);
    # not by `kg build` (defer_checks), which never reads it: pickling the model cost a rebuild about 1 s at 100k claims,
    # and the first command that loads the model (the query index's update, `kg validate`) writes it then.
    if defer_checks:
        keep_model = None
    from kg.rdf.checkscope import SliceCache

    report = validate(Path(root), check_seeds, loaded=loaded, units=units, warnings=warnings,
                      graphs=GraphCache(cache_dir(root) / "graphs"), defer_checks=defer_checks, background=keep_model,
                      slices=SliceCache(cache_dir(root) / "check-slices"))

    def keep(report) -> None:
        _write_pickle(root, "validate", path, (report.problems, report.checks_run, report.seeds_checked, report.warnings, warnings))

    if report.pending is not None:
        report.after_checks.append(keep)  # once the checks are in
    else:
        keep(report)
    return report


def load_oxigraph(kg, path: Path):
    """kg.stores.oxigraph.load_oxigraph, imported only when a store is built (pyoxigraph costs a warm query's time)."""
    from kg.stores.oxigraph import load_oxigraph as run

    return run(kg, path)


def oxigraph_store(root: Path, fp: Fingerprint | None = None) -> Path:
    """The folder of the on-disk Oxigraph store of the project's current inputs, built if missing.

    Built in a temporary folder beside it and renamed into place, so a reader never sees half a
    store; if two processes build at once, the first rename wins and the other's copy is dropped.
    """

    root = Path(root)
    if own_cache_folder(root) is None:

        raise KGError(f"{cache_dir(root)} is not govkg's cache folder (a symbolic link, a file, or a folder of other files): "
                      "remove it, and govkg makes its own")
    fp = fp or fingerprint(root)
    path = entry_path(root, "oxigraph", fp.key, suffix="")
    if path.is_dir() and not path.is_symlink():
        return path
    # The pickled graph if there is one; else a plain load, not pickled: at a million claims the
    # pickle costs more to write than the store, and the store is what later calls will open.
    from kg.model.project import load_kg

    hit = _read_pickle(entry_path(root, "kg", fp.key)) if usable_cache(root) is not None else None
    kg, problems = hit if hit is not None else load_kg(root)
    if problems:
        raise InputError(problems)
    cache_dir(root).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=cache_dir(root)))
    try:
        store = load_oxigraph(kg, tmp / "store")
        del store  # closes the database before it is moved
        try:
            os.rename(tmp / "store", path)
        except OSError:
            if not path.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    prune_entries(root, "oxigraph", path)
    _sweep(root)
    return path
