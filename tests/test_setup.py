"""The README's two set-up commands, as written, in a clean virtual environment made from a stock interpreter.

Slow (it installs the dependencies from the package index: a few minutes), so it is marked `setup`:
`.ci/run` runs it; `python -m pytest -m 'not setup'` leaves it out locally.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.setup


def setup_commands() -> list[str]:
    """The commands of the README's Set-up block, comments removed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set-up\n.*?```sh\n(.*?)```", text, re.S).group(1)
    return [re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def stock_python() -> Path:
    """The interpreter this one's virtual environment (if any) was made from."""
    for name in ("python3", "python"):
        candidate = Path(sys.base_prefix) / "bin" / name
        if candidate.exists():
            return candidate
    return Path(sys.executable)


def test_the_readme_set_up_commands_work_in_a_clean_environment(tmp_path):
    install, test = setup_commands()
    assert install.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install") and install.endswith("kg build")
    assert test.startswith("python -m pytest")
    clone = tmp_path / "govkg"
    shutil.copytree(REPO, clone, ignore=shutil.ignore_patterns(".git", ".venv", ".cache", "dist", "*.egg-info", "__pycache__",
                                                                ".pytest_cache", ".hypothesis", ".ruff_cache", "build"))
    # `python3` is the stock interpreter; nothing of this test's own environment leaks in.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(stock_python())
    keep = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "HTTP", "http", "NO_PROXY", "no_proxy", "LANG", "LC_", "SSL_", "REQUESTS_"))}
    env = {**keep, "HOME": str(tmp_path), "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"}
    if (REPO.parent / "shared" / "seeds").is_dir():
        env["GOVKG_SEEDS"] = str(REPO.parent / "shared" / "seeds")
    first = subprocess.run(["bash", "-c", install], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert (clone / "dist" / "release.json").is_file() and (clone / ".venv" / "bin" / "kg").is_file()
    # The README's test command, in that environment, on the quick CLI tests (the whole suite runs in .ci/run).
    second = subprocess.run(["bash", "-c", f". .venv/bin/activate && {test} -q -x tests/test_cli.py tests/test_help.py"],
                            cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert " passed" in second.stdout
