"""docs/bad-inputs.md lists every bad input the hardening tests try, with the answer govkg gives now."""

from __future__ import annotations

import re

import pytest

from .bad_inputs import _cell, iter_cases
from .conftest import REPO

DOC = REPO / "docs" / "bad-inputs.md"
COMMAND_AREAS = ("project folder", "special file")
_CODES = re.compile(r"\[([a-z0-9:-]+)\]")


def _doc_rows() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (?P<area>[^|`]+) \| `(?P<input>.*)` \| (?P<answer>.*) \|$", line)
        if m:
            rows.append((m["area"].strip(), m["input"], _CODES.findall(m["answer"])))
    return rows


@pytest.fixture(scope="module")
def cases():
    return list(iter_cases())


def test_the_document_lists_every_case_with_the_codes_govkg_gives_now(cases):
    """Regenerate the table (python -m tests.bad_inputs > docs/bad-inputs.md) when this fails."""
    now = [(area, _cell(shown), _CODES.findall(answer)) for area, shown, answer in cases]
    assert len(now) >= 130
    assert _doc_rows() == now


def test_every_refused_input_names_a_file_and_a_code(cases):
    for area, shown, answer in cases:
        if answer.startswith("accepted") or area in ("kg build", "exports"):
            continue
        if area.startswith("kg ") or area in COMMAND_AREAS:  # a command's answer: its exit code or HTTP status
            assert re.match(r"(exit \d|HTTP \d{3})", answer), (shown, answer)
            continue
        assert re.search(r"\.(yaml|ttl|txt):", answer), (shown, answer)
        assert _CODES.search(answer), (shown, answer)
