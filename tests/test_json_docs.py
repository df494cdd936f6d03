"""docs/json.md documents every key the query commands print, and the README's query examples run."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from .conftest import REPO, invoke
from .edit_mini import add_source

DOC = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
DYNAMIC = re.compile(r"^(prefLabel|altLabel|definition)@|^quote\[\d+\]$|^(zh|en|zh-hant)$")


def _keys(data, out: set[str]) -> set[str]:
    if isinstance(data, dict):
        for k, v in data.items():
            out.add(k)
            _keys(v, out)
    elif isinstance(data, list):
        for v in data:
            _keys(v, out)
    return out


@pytest.mark.parametrize("args", [
    ("chain", "压力", "文牍"), ("loops",), ("explain", "shirking", "--depth", "2"), ("explain", "激励"),
    ("search", "推诿"), ("contrast",), ("agree",), ("remedies", "文牍"), ("explain", "上级"), ("explain", "形式主义", "--narrower"),
    ("chain", "留痕", "文牍", "--include", "form-of"), ("loops", "--min-certainty", "asserted"),
])
def test_every_printed_key_is_documented(runner, mini, args):
    add_source(mini, "mini-c", "改革反而增加推诿。\n", "  - id: c-reform-shirking\n    cause: reform\n    effect: shirking\n"
               "    polarity: positive\n    evidence: observation\n    quote: 改革反而增加推诿\n    gloss: Reform increases shirking.\n"
               "    disputes: b-reform-shirking\n")
    result = invoke(runner, mini, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    keys = _keys(json.loads(result.stdout), set())
    missing = sorted(k for k in keys if f"`{k}`" not in DOC and f"{k}`" not in DOC and f'"{k}"' not in DOC and not DYNAMIC.search(k))
    assert not missing, f"docs/json.md does not document {missing}"


def _readme_query_examples() -> list[list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Asking the graph", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("#", 1)[0])[1:] for line in block.strip().splitlines()]


@pytest.mark.parametrize("args", _readme_query_examples(), ids=lambda a: " ".join(a[:3]))
def test_readme_query_examples_run_on_the_real_graph(runner, args):
    result = invoke(runner, REPO, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
