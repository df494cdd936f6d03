"""A project's input files as they stood at a git revision, unpacked into a temporary folder (the user's tree is never touched)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KGError

GIT_TIMEOUT = 120  # seconds: an archive of a large history still comes in seconds


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    git = shutil.which("git")
    if not git:
        raise KGError("git is not installed: it is needed to read a revision (give two release folders instead)")
    try:
        return subprocess.run([git, "-C", str(root), *args], capture_output=True, timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise KGError(f"git {args[0]} took more than {GIT_TIMEOUT} s in {root}") from exc


def resolve_revision(root: Path, rev: str) -> str:
    """The commit a revision names in the git repository holding `root`; KGError when it names none."""
    if rev.startswith("-"):
        raise KGError(f"'{rev}' is not a revision (it starts with '-')")
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if found.returncode != 0:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0:
            raise KGError(f"'{rev}' is no release folder, and {root} is not in a git repository to read it as a revision")
        raise KGError(f"'{rev}' is neither a release folder nor a revision of the git repository at {root}")
    return found.stdout.decode().strip()


@contextmanager
def checkout(root: Path, rev: str) -> Iterator[Path]:
    """The project folder `root` as it stood at `rev`, unpacked with `git archive` into a temporary folder.

    `root` may lie inside the repository (the project in a subfolder): the same subfolder is taken.
    The folder is deleted on leaving the block.
    """
    commit = resolve_revision(root, rev)
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    tree = f"{commit}:{prefix}" if prefix else commit
    run = _git(root, "archive", "--format=tar", tree)
    if run.returncode != 0:
        why = run.stderr.decode("utf-8", "replace").strip()
        raise KGError(f"git archive could not read {prefix or 'the project'} at {rev}: {why}")
    with tempfile.TemporaryDirectory(prefix="govkg-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(run.stdout)) as tar:
            tar.extractall(tmp, filter="data")  # no absolute paths, no links out of the folder
        yield Path(tmp)
