"""An empty or comment-only claim file (or source record) is a problem at file:1, never silently dropped claims.

Issue 13: an empty claim file, or one whose every line was commented out, loaded as no file at all.
"""

from __future__ import annotations

import pytest

from kg.inputs.claims import load_claim_file
from kg.inputs.sources import load_source_record

from .conftest import invoke, make_mini

EMPTY = {
    "an empty file": "",
    "only comments": "# source: mini-b\n# claims:\n#   - id: b-pressure-shirking\n",
    "only blank lines": "\n\n   \n",
    "only a document marker": "---\n",
}


@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_claim_file_is_a_problem_at_line_1(tmp_path, name):
    path = tmp_path / "s.yaml"
    path.write_text(EMPTY[name], encoding="utf-8")
    problems = []
    assert load_claim_file(path, problems) is None
    assert [(p.code, p.line) for p in problems] == [("empty-file", 1)]


@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_source_record_is_a_problem_at_line_1(tmp_path, name):
    path = tmp_path / "s.yaml"
    path.write_text(EMPTY[name], encoding="utf-8")
    (tmp_path / "s.txt").write_text("text\n", encoding="utf-8")
    problems = []
    assert load_source_record(path, problems) is None
    assert [(p.code, p.line) for p in problems] == [("empty-file", 1)]


def test_commenting_out_a_claim_file_fails_validate(runner, tmp_path):
    root = make_mini(tmp_path / "mini")
    path = root / "claims" / "mini-b.yaml"
    path.write_text("".join("# " + line + "\n" for line in path.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    result = invoke(runner, root, "validate", "--no-seeds")
    assert result.exit_code == 1 and "mini-b.yaml:1: the claim file is empty" in result.output
