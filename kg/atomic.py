"""Writing files so that a failure or a kill half-way leaves the previous version in place."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

# Every temporary name carries the writing process's id, so a later write can tell the leftovers
# of a killed process (whose id no longer runs) from the work of one still running, and clean up.
STAGE_PREFIX = ".build-"  # a folder beside the output folder: .build-<pid>-<random>
MANIFEST = ".manifest.json"  # written once every file is staged: from then on the renames may start
PREVIOUS = ".previous"  # hard links to the files being replaced, to put back if the renames stop
STAGE_MARK = ".govkg-stage"  # the stage folder's own device and inode, written when govkg makes it
SCRATCH = ".scratch"  # a folder in the stage for a writer's temporary files (kg.output.pieces' without a cache)
_STAGE = re.compile(r"^\.build-(\d+)-")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # what a staged file may be called: no folders, no ..
_TEMP = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return True
    return True


def process_alive(pid: int) -> bool:
    """Whether a process id still runs: a temporary left by one that does not may be cleaned up."""
    return _alive(pid)


def _fsync_dir(folder: Path) -> None:
    """Make renames in a folder durable (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _present(path: Path) -> bool:
    return path.exists() or path.is_symlink()


# The errors of os.link that mean "no hard links here" (a file system without them, another device): the file is copied instead.
_NO_LINK = {errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def _copy_into(source: Path, f) -> None:
    with open(source, "rb") as src:
        shutil.copyfileobj(src, f, 1 << 20)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporary files that a killed write_bytes_atomic left in `folder`."""
    removed: list[Path] = []
    if not folder.is_dir() or folder.is_symlink():  # never delete through a link
        return removed
    for p in folder.iterdir():
        m = _TEMP.match(p.name)
        if m and p.is_file() and not p.is_symlink() and not _alive(int(m.group(1))):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`."""
    write_atomic_with(path, lambda f: f.write(data))


def write_atomic_with(path: Path, write) -> None:
    """write_bytes_atomic of what `write(file)` writes into a binary file (a large pickle streamed, never held whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def _folder_id(folder: Path) -> str:
    st = os.lstat(folder)
    return f"{st.st_dev}:{st.st_ino}"


def _is_own_stage(stage: Path) -> bool:
    """A stage folder govkg made: a real folder whose mark names its own device and inode.

    A folder of the same name that came with a repository (or any copy) has another inode, so its
    manifest is never followed: it could name files anywhere to remove or overwrite.
    """
    try:
        return (not stage.is_symlink() and stage.is_dir() and not (stage / STAGE_MARK).is_symlink()
                and (stage / STAGE_MARK).read_text(encoding="utf-8") == _folder_id(stage))
    except (OSError, UnicodeDecodeError):
        return False


def refuse_link(folder: Path) -> None:
    """OSError if `folder` is a symbolic link: govkg writes and deletes only in real folders, never through a link."""
    if Path(folder).is_symlink():
        raise OSError(40, f"{folder} is a symbolic link; govkg writes only into real folders: replace it with a folder")


def _remove_any(path: Path) -> None:
    """Remove a file, link or folder, if there is one."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _roll_back(stage: Path) -> None:
    """Undo a stage's renames: put back each replaced file or folder and each removed one, remove each added one; then delete the stage.

    Safe to run twice (a kill during recovery): a file already put back has no copy left to restore.
    Only a stage govkg made is followed, and only to plain file names in a real folder beside it.
    """
    if not _is_own_stage(stage):
        return
    manifest = stage / MANIFEST
    if manifest.exists():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        listed = info.get("names", []) + info.get("existed", []) + info.get("folders", []) + info.get("removed", [])
        if not (isinstance(info.get("out_dir"), str) and _NAME.match(info["out_dir"])
                and all(isinstance(n, str) and _NAME.match(n) for n in listed)):
            return
        out_dir = stage.parent / info["out_dir"]
        if out_dir.is_symlink():
            return
        folders = set(info.get("folders", []))
        for name in info["names"]:
            previous, target = stage / PREVIOUS / name, out_dir / name
            if name in folders:
                # The old folder is moved aside before the new one is moved in: while it is aside, what stands at its name is new.
                if _present(previous):
                    _remove_any(target)
                    os.replace(previous, target)
                elif name not in info["existed"]:
                    _remove_any(target)
            elif previous.exists():
                os.replace(previous, target)
            elif name not in info["existed"]:
                target.unlink(missing_ok=True)
        for name in info.get("removed", []):
            previous, target = stage / PREVIOUS / name, out_dir / name
            if _present(previous) and not _present(target):
                os.replace(previous, target)
        _fsync_dir(out_dir)
    shutil.rmtree(stage, ignore_errors=True)


def recover(parent: Path) -> list[Path]:
    """Roll back every stage in `parent` whose process was killed; returns the stages cleaned up."""
    cleaned: list[Path] = []
    if not parent.is_dir():
        return cleaned
    for stage in sorted(parent.iterdir()):
        m = _STAGE.match(stage.name)
        if m and _is_own_stage(stage) and not _alive(int(m.group(1))):
            _roll_back(stage)
            cleaned.append(stage)
    return cleaned


def write_files_atomic(outputs: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every file of `outputs` (name -> bytes) into out_dir, all of them or none (see StagedFiles)."""
    with StagedFiles(out_dir) as stage:
        for name, data in outputs.items():
            stage.write(name, data)
        return stage.commit()


class StagedFiles:
    """Files written one at a time (streamed, never held whole) and put into out_dir together by `commit`, all of them or none.

    The files are staged in a folder beside out_dir (same file system, so renames are atomic) and
    synced; only then does a manifest say the renames may start. Each file being replaced is kept
    as a hard link until all renames are done: an exception puts them back at once, and a kill
    (which runs no cleanup) is rolled back by the next write into the same parent folder. Files
    in out_dir that are not staged are left alone. Leaving the `with` block without `commit`
    (an exception, or a build that found problems) removes the stage: out_dir is as it was.
    A staged folder (`folder`: files linked or written into it) replaces the folder of its name whole:
    the old one is moved aside, the new one moved in, two renames whatever their size. A name given to
    `remove` is moved aside with the rest and deleted with the stage (put back if the commit does not end).
    """

    def __init__(self, out_dir: Path):
        refuse_link(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir.resolve()  # so that "." or "a/.." has a real name and parent
        recover(self.out_dir.parent)
        remove_stale_temps(self.out_dir)
        self.names: list[str] = []
        self.folders: set[str] = set()  # the staged names that are folders
        self.removed: list[str] = []  # names in out_dir to take away at the commit
        self._syncing: list[tuple[threading.Thread, list[BaseException]]] = []  # each staged file's fsync, running beside the next writes
        self.stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=self.out_dir.parent))
        try:
            _write_synced(self.stage / STAGE_MARK, _folder_id(self.stage).encode())
        except BaseException:
            shutil.rmtree(self.stage, ignore_errors=True)
            raise

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()

    def _path(self, name: str) -> Path:
        if not _NAME.match(name) or name in (STAGE_MARK, MANIFEST, PREVIOUS, SCRATCH) or name in self.names or name in self.removed:
            raise ValueError(f"not a plain file name, or staged twice: {name!r}")
        self.names.append(name)
        return self.stage / name

    def write(self, name: str, data: bytes) -> None:
        self.write_with(name, lambda f: f.write(data))

    def folder(self, name: str) -> Path:
        """Stage the folder `name`, empty: fill it with `write_into` and `link_into`; it replaces out_dir/name whole."""
        path = self._path(name)
        path.mkdir()
        self.folders.add(name)
        return path

    def _in_folder(self, folder: str, name: str) -> Path:
        if folder not in self.folders or not _NAME.match(name):
            raise ValueError(f"not a staged folder and a plain file name: {folder!r}, {name!r}")
        return self.stage / folder / name

    def write_into(self, folder: str, name: str, write) -> None:
        """Stage the file `name` in the staged folder `folder` with what `write(file)` writes into a binary file."""
        self._write_synced_beside(self._in_folder(folder, name), write)

    def link_into(self, folder: str, name: str, source: Path) -> None:
        """Stage `source` (a file already on disk, unchanged) as `name` in the staged folder: a hard link, else a copy."""
        path = self._in_folder(folder, name)
        try:
            os.link(source, path)
        except OSError as exc:
            if exc.errno not in _NO_LINK:
                raise
            self._write_synced_beside(path, lambda f: _copy_into(source, f))

    def remove(self, name: str) -> None:
        """Take out_dir/name (a file or folder) away at the commit, with the same all-or-none as the staged files."""
        if not _NAME.match(name) or name in self.names or name in self.removed:
            raise ValueError(f"not a plain file name, or staged: {name!r}")
        self.removed.append(name)

    def write_with(self, name: str, write) -> None:
        """Stage the file `name` with what `write(file)` writes into a binary file."""
        self._write_synced_beside(self._path(name), write)

    def _write_synced_beside(self, path: Path, write) -> None:
        with open(path, "wb") as f:
            write(f)
            f.flush()
            fd = os.dup(f.fileno())  # the same open file: its fsync sees any error of these writes
        try:
            os.chmod(path, 0o666 & ~_umask())
        except BaseException:
            os.close(fd)
            raise
        self._sync_beside(fd)

    def _sync_beside(self, fd: int) -> None:
        """fsync a staged file in a thread of its own (the call waits for the disk, not for this process) while the next files are
        written; `commit` waits for every one, and stops at the first that failed, before its manifest: as durable as an fsync here."""
        errors: list[BaseException] = []

        def sync() -> None:
            try:
                os.fsync(fd)
            except BaseException as exc:  # noqa: BLE001  (raised again in the caller's thread, by commit)
                errors.append(exc)
            finally:
                os.close(fd)

        thread = threading.Thread(target=sync, name="govkg-fsync", daemon=True)
        thread.start()
        self._syncing.append((thread, errors))

    def _synced(self) -> None:
        """Wait for every staged file's fsync; the first failure raised."""
        syncing, self._syncing = self._syncing, []
        failed = None
        for thread, errors in syncing:
            thread.join()
            if errors and failed is None:
                failed = errors[0]
        if failed is not None:
            raise failed

    def scratch(self) -> Path:
        """A folder inside the stage for the writer's own temporary files: removed with the stage, whether it is
        committed, left, or its process killed (the next write into the same parent removes a killed one's stage)."""
        folder = self.stage / SCRATCH
        folder.mkdir(exist_ok=True)
        return folder

    def commit(self) -> list[Path]:
        """Put every staged file and folder into out_dir (replacing those of the same names), take the removed names away;
        returns the staged ones' paths there."""
        stage, out_dir = self.stage, self.out_dir
        try:
            self._synced()
            for name in self.folders:
                _fsync_dir(stage / name)
            existed = [name for name in self.names if (_present if name in self.folders else Path.exists)(out_dir / name)]
            removed = [name for name in self.removed if _present(out_dir / name)]
            (stage / PREVIOUS).mkdir(exist_ok=True)
            for name in existed:
                if name in self.folders:
                    continue  # moved aside below, once the manifest says so: a folder cannot be linked
                (stage / PREVIOUS / name).parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(out_dir / name, stage / PREVIOUS / name)
                except OSError:  # a file system without hard links
                    shutil.copy2(out_dir / name, stage / PREVIOUS / name)
            _write_synced(stage / MANIFEST, json.dumps({"out_dir": out_dir.name, "names": self.names, "existed": existed,
                                                        "folders": sorted(self.folders), "removed": removed}).encode())
            _fsync_dir(stage)
            for name in removed:
                os.replace(out_dir / name, stage / PREVIOUS / name)
            for name in self.names:
                if name in self.folders and name in existed:
                    os.replace(out_dir / name, stage / PREVIOUS / name)
                os.replace(stage / name, out_dir / name)
            _fsync_dir(out_dir)
        except BaseException:
            self.abort()
            raise
        # Committed: the manifest goes first, so that a kill while the replaced files are deleted (seconds for gigabytes) leaves a
        # stage that recover() only removes: with the manifest, it would put back the replaced files not yet deleted over the new ones.
        try:
            (stage / MANIFEST).unlink()
            _fsync_dir(stage)
        except OSError:
            pass
        shutil.rmtree(stage, ignore_errors=True)
        return [out_dir / name for name in self.names]

    def abort(self) -> None:
        """Undo whatever was done (renames put back, the stage removed); nothing once committed."""
        try:
            self._synced()  # no fsync left running on a file about to be removed
        except Exception:  # noqa: BLE001  (the write is being undone: its failure is the caller's already)
            pass
        if not self.stage.exists():
            return
        if _is_own_stage(self.stage):
            _roll_back(self.stage)
        else:  # its mark is gone: nothing was renamed
            shutil.rmtree(self.stage, ignore_errors=True)


def remove_unused_entries(folder: Path, used: set[str], suffix: str = ".pickle") -> None:
    """Remove the entries of a content-keyed cache folder (`<sha256><suffix>`) whose key is not in `used`:
    an edited file's old entry. Best effort: a read-only or vanished folder is left as it is."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.endswith(suffix) and len(name) == 64 + len(suffix) and name[:64] not in used:
            try:
                os.unlink(folder / name)
            except OSError:
                pass


class KeptPickles:
    """Values kept by key (a sha256 of what they are made from), one pickle each in a folder.

    A missing, truncated or stale entry is a miss, never an error; a folder that cannot be written
    only loses the shortcut. Never used through a symbolic link (which would point the writes and
    the pruning elsewhere). `prune` removes the entries the last run did not ask for.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()
        self.usable = not self.folder.is_symlink()

    def get(self, key: str):
        import pickle  # here: the warm query path imports this module and reads no pickle

        self.used.add(key)
        if not self.usable:
            return None
        try:
            with open(self.folder / f"{key}.pickle", "rb") as f:
                return pickle.load(f)
        except Exception:  # missing, truncated or stale (a class renamed since): a miss
            return None

    def put(self, key: str, value) -> None:
        import pickle

        self.used.add(key)
        if not self.usable:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.folder / f"{key}.pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError):
            pass  # a read-only project still builds, only without the shortcut

    def prune(self) -> None:
        if self.usable:
            remove_unused_entries(self.folder, self.used)
