"""Every command that takes --source resolves it the same way (kg.model.names.resolve_source): id, part of an id, or title."""

from __future__ import annotations

import pytest

from .conftest import REPO, invoke

# (command and its arguments, where its output names the source or its claims)
COMMANDS = [
    ["chain", "責任主體", "卸责", "--format", "json"],
    ["explain", "形式主义", "--format", "json"],
    ["loops", "--format", "json"],
    ["contrast", "--format", "json"],
    ["export", "claims", "--format", "csv"],
    ["export", "graph", "--format", "json"],
    ["render", "-o", "{tmp}/page.html"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("name", ["zuo-2023", "zuo", "好好的政策"])
def test_source_named_by_id_part_or_title(runner, tmp_path, args, name):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = invoke(runner, REPO, *args, "--source", name)
    assert result.exit_code in (0,), result.output
    if args[0] == "export" and args[1] == "claims":
        rows = result.output.splitlines()[1:]
        assert rows and all(",zuo-2023," in r for r in rows if r.count(",") > 5 and r.startswith("zuo-"))
        assert not any(r.startswith("col-") for r in rows)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_unknown_source_is_the_same_message_everywhere(runner, tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = invoke(runner, REPO, *args, "--source", "no-such-source")
    assert result.exit_code == 1
    assert "no source named 'no-such-source'" in result.output
