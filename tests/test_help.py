"""Help text that reads cleanly: no type artefacts of a typer release, defaults shown true, one meaning per short flag."""

from __future__ import annotations

import inspect
import re

import pytest
import typer.main

from kg.cli import app

from .conftest import REPO, invoke

# What a typer release outside the pinned range prints into help: `<bool>` after a flag, `<list[str]>`,
# `{FROM} {TO}` for arguments; and a default that is not the true one (`None`, `[]`, `0` for "4 or 6").
ARTEFACTS = re.compile(r"<(bool|str|int|float|path|text|list\[[^\]]*\])>|\{[A-Z_]+\}|\[default: (None|\[\]|0)\]|<TEXT TEXT>")


def _commands(cmd=None, name="kg"):
    cmd = cmd or typer.main.get_command(app)
    yield name, cmd
    for sub_name, sub in getattr(cmd, "commands", {}).items():
        yield from _commands(sub, f"{name} {sub_name}")


COMMANDS = [name for name, _ in _commands()]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_type_artefacts(runner, command):
    result = invoke(runner, REPO, *command.split()[1:], "--help")
    assert result.exit_code == 0, result.output
    found = ARTEFACTS.findall(result.output)
    assert not found, f"`{command} --help` shows {found}: is typer within the range pyproject.toml pins?\n{result.output}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_paragraphs_are_one_line_each(command):
    """A paragraph broken by hand comes out ragged when the terminal is wider or narrower than the source."""
    cmd = dict(_commands())[command]
    for para in inspect.cleandoc(cmd.help or "").split("\n\n"):
        assert "\n" not in para, f"{command}: a help paragraph broken over lines: {para[:60]}…"


def _short_flags():
    meaning: dict[str, set[str]] = {}
    for _name, cmd in _commands():
        for param in cmd.params:
            longs = [o for o in param.opts if o.startswith("--")]
            for short in (o for o in param.opts if len(o) == 2 and o.startswith("-")):
                meaning.setdefault(short, set()).add(longs[0] if longs else param.name)
    return meaning


def test_a_short_flag_means_one_thing_everywhere():
    mixed = {short: longs for short, longs in _short_flags().items() if len(longs) > 1}
    # cite's -f is --format too: --style is its other name there (a citation style is its output format).
    mixed.pop("-f", None) if _short_flags()["-f"] <= {"--format", "--style"} else None
    assert not mixed, f"short flags with more than one meaning: {mixed}"


def test_every_command_that_prints_data_takes_format():
    lacking = [name for name, cmd in _commands()
               if not hasattr(cmd, "commands") and name not in ("kg serve", "kg schema")
               and not any("--format" in p.opts for p in cmd.params)]
    assert not lacking, f"commands without --format: {lacking}"
