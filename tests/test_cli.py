"""The installed `kg` command, run as a user would: help for every command, errors without tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO, invoke

COMMANDS = ["validate", "build", "release", "diff", "stats", "sources", "cite", "export", "render", "figure", "chain", "explain", "loops", "search",
            "contrast", "sparql", "serve", "push", "agree", "remedies", "source", "quote", "uncovered", "suggest-concepts", "claim"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(runner, command):
    result = invoke(runner, REPO, command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output
    assert f"kg {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def _kg(*args, cwd=REPO, env=None):
    """Run the installed `kg` command; PYTHONPATH makes it load this checkout's code, whichever is installed."""
    exe = shutil.which("kg")
    cmd = [exe, *args] if exe else [sys.executable, str(REPO / "cli.py"), *args]
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_installed_command_validates_the_real_graph():
    result = _kg("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("OK:")  # after the warnings, if any (they fail nothing)


def test_unreadable_project_gives_a_message_not_a_traceback(tmp_path):
    result = _kg("--root", str(tmp_path), "validate", "--no-seeds")
    assert result.returncode == 1
    assert "no folder ontology/ here" in result.stdout and "Traceback" not in result.stderr


def test_sources_check_through_the_cli(runner):
    from .test_sources import SEEDS

    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the repository")
    result = invoke(runner, REPO, "sources", "check")
    assert result.exit_code == 0 and "5 cleaned texts reproduce" in result.output
