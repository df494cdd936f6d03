"""Special files and names: folders named like inputs, FIFOs, devices behind links, links out of the project, seeds outside their folder.

Issue 13 items 6 and 8: `seed: ../../secret` was copied into sources/<id>.txt, `/dev/zero` as a
seed or behind a link crashed or hung validate, a symlinked sources/*.txt leaked outside text
through "closest passage" messages, a FIFO or a folder named foo.yaml hung or crashed the loaders.
Every case runs with a time limit of its own (a FIFO must never be opened).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import make_mini

SECRET = "TOP-SECRET 压力会导致推诿 the password is hunter2"


def _project(tmp: Path) -> tuple[Path, Path]:
    root = make_mini(tmp / "mini")
    seeds = tmp / "seeds"
    seeds.mkdir()
    (tmp / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    return root, seeds


def _with_seed(root: Path, seed: str) -> None:
    path = root / "sources" / "mini-b.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("seed:", "seed_sha256:"))]
    path.write_text("\n".join(lines) + f"\nseed: {seed}\n", encoding="utf-8")


def _seed_escape(tmp):
    root, seeds = _project(tmp)
    _with_seed(root, "../secret.txt")
    return root, seeds


def _seed_link_out(tmp):
    root, seeds = _project(tmp)
    (seeds / "b.txt").symlink_to(tmp / "secret.txt")
    _with_seed(root, "b.txt")
    return root, seeds


def _seed_dev_zero(tmp):
    root, seeds = _project(tmp)
    _with_seed(root, "/dev/zero")
    return root, seeds


def _seed_link_dev_zero(tmp):
    root, seeds = _project(tmp)
    os.symlink("/dev/zero", seeds / "z.txt")
    _with_seed(root, "z.txt")
    return root, seeds


def _seed_fifo(tmp):
    root, seeds = _project(tmp)
    os.mkfifo(seeds / "f.txt")
    _with_seed(root, "f.txt")
    return root, seeds


def _text_link_out(tmp):
    root, seeds = _project(tmp)
    (root / "sources" / "mini-b.txt").unlink()
    (root / "sources" / "mini-b.txt").symlink_to(tmp / "secret.txt")
    return root, seeds


def _text_link_dev_zero(tmp):
    root, seeds = _project(tmp)
    (root / "sources" / "mini-b.txt").unlink()
    os.symlink("/dev/zero", root / "sources" / "mini-b.txt")
    return root, seeds


def _claims_fifo(tmp):
    root, seeds = _project(tmp)
    os.mkfifo(root / "claims" / "fifo.yaml")
    return root, seeds


def _claims_folder(tmp):
    root, seeds = _project(tmp)
    (root / "claims" / "folder.yaml").mkdir()
    return root, seeds


def _ontology_folder(tmp):
    root, seeds = _project(tmp)
    (root / "ontology" / "folder.ttl").mkdir()
    return root, seeds


# name -> (make the project, the command, exit code wanted)
CASES = {
    "seed: ../secret.txt": (_seed_escape, ("sources", "clean"), 1),
    "seed: b.txt, a link to a file outside the seeds folder": (_seed_link_out, ("sources", "clean"), 1),
    "seed: /dev/zero": (_seed_dev_zero, ("validate", "--seeds"), 1),
    "seed: z.txt, a link to /dev/zero": (_seed_link_dev_zero, ("validate", "--seeds"), 1),
    "seed: f.txt, a FIFO": (_seed_fifo, ("sources", "check"), 1),
    "sources/mini-b.txt a link to a file outside": (_text_link_out, ("validate", "--no-seeds"), 1),
    "sources/mini-b.txt a link to /dev/zero": (_text_link_dev_zero, ("validate", "--no-seeds"), 1),
    "claims/fifo.yaml a FIFO": (_claims_fifo, ("validate", "--no-seeds"), 1),
    "claims/folder.yaml a folder": (_claims_folder, ("validate", "--no-seeds"), 1),
    "ontology/folder.ttl a folder": (_ontology_folder, ("validate", "--no-seeds"), 1),
}


def run_case(name: str, tmp: Path):
    """(exit code, output) of the case's command, run in a subprocess with a time limit: a hang is a failure, not a stuck suite."""
    import subprocess
    import sys

    from .conftest import REPO

    make, args, _ = CASES[name]
    root, seeds = make(tmp)
    env = {**os.environ, "PYTHONPATH": str(REPO), "GOVKG_SEEDS": str(seeds)}
    argv = [sys.executable, str(REPO / "cli.py"), "--root", str(root), *args]
    if args[0] == "sources":
        argv += ["--seeds", str(seeds)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return proc.returncode, (proc.stdout + proc.stderr).replace(str(tmp) + os.sep, "")


@pytest.mark.parametrize("name", list(CASES))
def test_special_files_are_refused_with_a_message(tmp_path, name):
    code, output = run_case(name, tmp_path)
    assert code == CASES[name][2], output
    assert "Traceback" not in output and "hunter2" not in output, output
    text = tmp_path / "mini" / "sources" / "mini-b.txt"
    if text.is_file() and not text.is_symlink():  # kg sources clean must not have copied the secret in
        assert "hunter2" not in text.read_text(encoding="utf-8", errors="replace")


def describe_case(name: str, tmp: Path) -> str:
    code, output = run_case(name, tmp)
    lines = [line for line in output.splitlines() if line.strip()]
    first = next((line for line in lines if any(f"[{c}]" in line for c in ("recipe", "not-a-file", "bad-value"))),
                 next((line for line in lines if "[" in line), lines[0] if lines else ""))
    return f"exit {code}: {first}"
