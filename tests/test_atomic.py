"""Failed writes: a failure at any step, or a kill, leaves the last good output and (after the next write) no temporary files."""

from __future__ import annotations

import builtins
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg.atomic
from kg.atomic import recover, write_bytes_atomic, write_files_atomic
from kg.inputs.sources import write_cleaned_texts
from kg.model.project import load_kg
from kg.output.build import build

from .conftest import REPO, invoke


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    """These tests stop `kg build` at its nth os.replace: the .cache/ entries (also written by rename) would shift n."""
    monkeypatch.setenv("GOVKG_CACHE", "off")

NAMES = ("govkg.ttl", "govkg.trig", "govkg.jsonld", "release.json")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _leftovers(*folders: Path) -> list[str]:
    return [p.name for f in folders for p in f.iterdir() if p.name.startswith(".build-") or p.name.endswith(".tmp")]


@pytest.fixture
def previous(tmp_path):
    """An output folder holding a previous good build, and new outputs that differ from it."""
    out = tmp_path / "dist"
    write_files_atomic({name: f"old {name}\n".encode() for name in NAMES}, out)
    new = {name: f"new {name}\n".encode() for name in NAMES} | {"added.txt": b"new file\n"}
    return out, _snapshot(out), new


class _Counter:
    """Wraps a function: counts calls, and raises OSError on call number `fail_at`."""

    def __init__(self, real, fail_at=None):
        self.real, self.fail_at, self.calls = real, fail_at, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.fail_at:
            raise OSError(28, "No space left on device")
        return self.real(*args, **kwargs)


STEPS = {"open": (kg.atomic, "open", builtins.open), "fsync": (os, "fsync", os.fsync),
         "link": (os, "link", os.link), "replace": (os, "replace", os.replace), "mkdir": (os, "mkdir", os.mkdir)}


def test_a_failure_at_every_step_leaves_the_previous_output(previous, monkeypatch):
    out, before, new = previous
    # Count each kind of step in a successful write (into a copy), then fail at each one in turn.
    counts = {}
    for kind, (owner, name, real) in STEPS.items():
        counter = _Counter(real)
        copy = out.parent / f"count-{kind}" / "dist"
        shutil.copytree(out, copy)
        with monkeypatch.context() as m:
            m.setattr(owner, name, counter, raising=False)
            write_files_atomic(new, copy)
        counts[kind] = counter.calls
    assert counts["replace"] == len(new) and counts["fsync"] > len(new) and counts["link"] == len(NAMES)
    pristine = out.parent / "pristine"
    shutil.copytree(out, pristine)
    tried = 0
    for kind, (owner, name, real) in STEPS.items():
        for k in range(1, counts[kind] + 1):
            shutil.rmtree(out)
            shutil.copytree(pristine, out)
            with monkeypatch.context() as m:
                m.setattr(owner, name, _Counter(real, fail_at=k), raising=False)
                try:
                    write_files_atomic(new, out)
                    failed = False
                except OSError:
                    failed = True
            # Some failures are harmless and ignored: mkdir of a folder that exists (Path.mkdir with
            # exist_ok), fsync of a folder (not possible everywhere), a hard link (copied instead).
            # Every other one stops the write.
            assert failed or kind in ("mkdir", "fsync", "link"), f"{kind} #{k} did not stop the write"
            assert _snapshot(out) == (before if failed else new), f"{kind} #{k} left a mixed output"
            assert _leftovers(out, out.parent) == [], f"{kind} #{k} left temporary files"
            tried += failed
    assert tried >= 3 * len(new)  # every open, file fsync and rename at least


def test_the_same_failure_leaves_a_mixed_output_when_files_are_written_in_place(previous, monkeypatch):
    """The unguarded behaviour: writing each file straight into place, a full disk at the second file."""
    out, before, new = previous
    monkeypatch.setattr(os, "fsync", _Counter(os.fsync, fail_at=2))
    with pytest.raises(OSError):
        for name, data in new.items():
            with open(out / name, "wb") as f:
                f.write(data)
                os.fsync(f.fileno())
    after = _snapshot(out)
    assert after["govkg.ttl"] == new["govkg.ttl"] and after["govkg.jsonld"] == before["govkg.jsonld"]  # mixed


def test_a_failure_while_rendering_changes_nothing(mini, monkeypatch):
    kg_, problems = load_kg(mini)
    build(kg_, mini / "dist")
    before = _snapshot(mini / "dist")

    def broken(*args, **kwargs):
        raise ValueError("serialiser bug")

    # The outputs are streamed into a stage file by file: the JSON-LD fails after the Turtle and TriG were staged.
    monkeypatch.setattr("kg.output.pieces.Pieces.write_jsonld", broken)
    with pytest.raises(ValueError):
        build(kg_, mini / "dist")
    assert _snapshot(mini / "dist") == before and _leftovers(mini, mini / "dist") == []


def test_cli_build_reports_a_failed_write_without_a_traceback(runner, mini, monkeypatch):
    assert invoke(runner, mini, "build").exit_code == 0
    before = _snapshot(mini / "dist")
    (mini / "claims/mini-b.yaml").write_text((mini / "claims/mini-b.yaml").read_text(encoding="utf-8")
                                             .replace("Reform can reduce shirking.", "Reform may reduce shirking."), encoding="utf-8")
    monkeypatch.setattr(os, "replace", _Counter(os.replace, fail_at=2))
    result = invoke(runner, mini, "build")
    assert result.exit_code == 2
    assert "could not write" in result.output and "No space left on device" in result.output and "dist/ is unchanged" in result.output
    assert "Traceback" not in result.output
    assert _snapshot(mini / "dist") == before and _leftovers(mini, mini / "dist") == []


# --- Killed with SIGKILL: no cleanup code runs --------------------------------------------------

HANG = """
import os, sys, time, pathlib
root, step, nth = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
real, calls = getattr(os, step), [0]
def hang(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth:
        (root / "ready").write_text("ready")
        time.sleep(120)
    return real(*args, **kwargs)
setattr(os, step, hang)
sys.argv = ["kg", "--root", str(root), *sys.argv[4:]]
import kg.cli as cli
cli.main()
"""


def _kill_during(root: Path, step: str, nth: int, *args: str) -> None:
    """Run `kg <args>` in a subprocess that stops at the nth call of os.<step>; SIGKILL it there."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", HANG, str(root), step, str(nth), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (root / "ready").exists():
        if proc.poll() is not None:
            raise AssertionError(f"finished before step {step} #{nth}: {proc.communicate()}")
        assert time.monotonic() < deadline, "never reached the step"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    (root / "ready").unlink()


def _edit_gloss(mini: Path) -> None:
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Reform can reduce shirking.", "Reform may reduce shirking."), encoding="utf-8")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_build_killed_while_writing_leaves_the_previous_output(runner, mini):
    assert invoke(runner, mini, "build").exit_code == 0
    before = _snapshot(mini / "dist")
    _edit_gloss(mini)
    _kill_during(mini, "fsync", 2, "build")  # the second staged file is being synced
    assert _snapshot(mini / "dist") == before
    assert [n for n in _leftovers(mini) if n.startswith(".build-")], "the kill should have left its stage behind"
    result = invoke(runner, mini, "build")  # the next build cleans up after the killed one
    assert result.exit_code == 0
    assert _leftovers(mini, mini / "dist") == []
    assert b"Reform may reduce shirking." in (mini / "dist/govkg.ttl").read_bytes()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_build_killed_between_renames_is_rolled_back(runner, mini):
    assert invoke(runner, mini, "build").exit_code == 0
    before = _snapshot(mini / "dist")
    _edit_gloss(mini)
    _kill_during(mini, "replace", 2, "build")  # govkg.ttl is in place, the others are not
    assert _snapshot(mini / "dist") != before  # the moment of the kill: mixed
    assert [stage.name for stage in recover(mini)] != []
    assert _snapshot(mini / "dist") == before and _leftovers(mini, mini / "dist") == []


@pytest.fixture
def seeded(tmp_path):
    """A project with two sources cleaned from seeds, their cleaned texts written once."""
    root, seeds = tmp_path / "p", tmp_path / "seeds"
    (root / "sources").mkdir(parents=True)
    seeds.mkdir()
    for sid in ("a", "b"):
        (seeds / f"{sid}.raw").write_text(f"page header\n{sid} text, first version\n", encoding="utf-8")
        (root / "sources" / f"{sid}.yaml").write_text(
            f"id: {sid}\nkind: article\ntitle: 文章{sid}\nseed: {sid}.raw\ncleaning:\n  drop:\n    - {{lines: 1, why: header}}\n",
            encoding="utf-8")
    written, problems = write_cleaned_texts(root / "sources", seeds)
    assert problems == [] and len(written) == 2
    for sid in ("a", "b"):
        (seeds / f"{sid}.raw").write_text(f"page header\n{sid} text, second version\n", encoding="utf-8")
    return root, seeds


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_sources_clean_failing_half_way_changes_no_text(seeded, monkeypatch, step):
    root, seeds = seeded
    before = _snapshot(root / "sources")
    monkeypatch.setattr(os, step, _Counter(getattr(os, step), fail_at=2))
    with pytest.raises(OSError):
        write_cleaned_texts(root / "sources", seeds)
    assert _snapshot(root / "sources") == before and _leftovers(root, root / "sources") == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sources_clean_killed_half_way_changes_no_text(runner, seeded):
    root, seeds = seeded
    before = _snapshot(root / "sources")
    _kill_during(root, "replace", 2, "sources", "clean", "--seeds", str(seeds))
    recover(root)
    assert _snapshot(root / "sources") == before and _leftovers(root, root / "sources") == []
    result = invoke(runner, root, "sources", "clean", "--seeds", str(seeds))
    assert result.exit_code == 0
    assert (root / "sources/a.txt").read_text(encoding="utf-8") == "a text, second version\n"


def test_leftover_temp_file_of_a_dead_process_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".a.txt.{dead}.x1y2.tmp"
    stale.write_bytes(b"half")
    mine = tmp_path / f".b.txt.{os.getpid()}.x1y2.tmp"  # a live process's file is left alone
    mine.write_bytes(b"in progress")
    write_bytes_atomic(tmp_path / "a.txt", b"whole")
    assert not stale.exists() and mine.exists()
    assert (tmp_path / "a.txt").read_bytes() == b"whole"


def _is_file_fd(fd) -> bool:
    import stat

    return isinstance(fd, int) and stat.S_ISREG(os.fstat(fd).st_mode)


def test_every_staged_file_is_synced_before_the_first_rename(previous, monkeypatch):
    """The files' fsyncs run beside the writing (kg.atomic.StagedFiles._sync_beside): each is done before any file is put in place."""
    import threading

    out, _, new = previous
    events: list[str] = []
    lock = threading.Lock()
    real_fsync, real_replace = os.fsync, os.replace

    def slow_fsync(fd):
        regular = _is_file_fd(fd)
        if regular:
            time.sleep(0.05)  # a slow disk: the renames must wait for it
        real_fsync(fd)
        with lock:
            events.append("fsync" if regular else "fsync folder")

    def replace(src, dst):
        with lock:
            events.append(f"replace {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_files_atomic(new, out)
    first = next(i for i, e in enumerate(events) if e.startswith("replace"))
    # each staged file, the stage's mark and its manifest: every one synced before the first rename
    assert events[:first].count("fsync") == len(new) + 2 and "fsync" not in events[first:]
    assert _snapshot(out) == new


@pytest.mark.parametrize("nth", [1, 3, 5])
def test_a_staged_file_that_cannot_be_synced_stops_the_write(previous, monkeypatch, nth):
    """A failed fsync of a staged file (a full disk found at writeback) is raised by commit: the previous output stays."""
    out, before, new = previous
    real_fsync = os.fsync
    seen = [0]

    def failing(fd):
        if _is_file_fd(fd) and os.path.basename(os.readlink(f"/proc/self/fd/{fd}")) in new:
            seen[0] += 1
            if seen[0] == nth:
                raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError, match="No space left"):
        write_files_atomic(new, out)
    assert _snapshot(out) == before and _leftovers(out, out.parent) == []


def test_a_kill_while_the_replaced_files_are_deleted_leaves_the_new_output(previous, monkeypatch):
    """After the renames, the stage's replaced files are deleted (seconds for gigabytes): a kill then must not put some of them back."""
    out, _, new = previous
    real_rmtree = shutil.rmtree
    stages: list[Path] = []

    def killed_half_way(path, *args, **kwargs):
        path = Path(path)
        if path.name.startswith(".build-") and (path / ".previous").is_dir():
            stages.append(path)
            next((path / ".previous").iterdir()).unlink()  # one replaced file deleted, then the process is killed
            return
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(kg.atomic.shutil, "rmtree", killed_half_way)
    stage = kg.atomic.StagedFiles(out)
    for name, data in new.items():
        stage.write(name, data)
    stage.commit()
    assert stages and stages[0].is_dir()  # left behind, as by a kill
    monkeypatch.setattr(kg.atomic.shutil, "rmtree", real_rmtree)
    monkeypatch.setattr(kg.atomic, "_alive", lambda pid: False)  # its process is gone
    assert recover(out.parent) == stages
    assert _snapshot(out) == new and _leftovers(out, out.parent) == []
