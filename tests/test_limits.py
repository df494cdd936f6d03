"""Size limits: a file or value far beyond any real claim is refused with a message instead of being loaded."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.inputs.limits import MAX_FILE_BYTES, MAX_LITERAL_CHARS, MAX_QUOTE_CHARS
from kg.inputs.turtle import load_turtle
from kg.model.project import load_kg

from .conftest import invoke

PREFIX = "@prefix ex: <http://example.org/> .\n"


def _pad(path: Path, text: str, comment: str) -> None:
    """The text, then comment lines until the file is just over the size limit: still valid, only too big."""
    line = comment + "x" * 1000 + "\n"
    n = (MAX_FILE_BYTES - len(text.encode())) // len(line) + 2
    path.write_text(text + line * n, encoding="utf-8")
    assert path.stat().st_size > MAX_FILE_BYTES


# (file to write in the mini graph, how its padding line starts)
OVERSIZED = {
    "claim file": ("claims/mini-b.yaml", "# "),
    "source record": ("sources/mini-b.yaml", "# "),
    "source text": ("sources/mini-b.txt", ""),
    "ontology file": ("ontology/concepts.ttl", "# "),
}


@pytest.mark.parametrize("kind", sorted(OVERSIZED))
def test_a_file_over_10_mb_is_refused_with_a_message(runner, mini, kind):
    rel, comment = OVERSIZED[kind]
    path = mini / rel
    _pad(path, path.read_text(encoding="utf-8"), comment)
    _, problems = load_kg(mini)
    assert [(p.path, p.code) for p in problems if p.code == "too-large"] == [(str(path), "too-large")]
    result = invoke(runner, mini, "validate", "--no-seeds")
    assert result.exit_code == 1 and f"{rel}: file is " in result.stdout and "the limit is 10,485,760" in result.stdout
    assert "Traceback" not in result.output


def test_the_oversized_turtle_is_otherwise_valid(tmp_path):
    """So the refusal is the size limit's doing, not a syntax error: unguarded, it would be loaded."""
    path = tmp_path / "big.ttl"
    _pad(path, PREFIX + "ex:a ex:b ex:c .\n", "# ")
    assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == 1
    problems = []
    assert load_turtle(path, problems) is None and [p.code for p in problems] == ["too-large"]


@pytest.mark.parametrize("what,text,line", [
    ("literal", PREFIX + "ex:a ex:b\n  \"" + "长" * (MAX_LITERAL_CHARS + 1) + "\" .\n", 3),
    ("long literal", PREFIX + "ex:a ex:b \"\"\"\n" + "长" * (MAX_LITERAL_CHARS + 1) + "\"\"\" .\n", 2),
    ("IRI", PREFIX + "ex:a ex:b\n  <http://example.org/" + "x" * MAX_LITERAL_CHARS + "> .\n", 3),
])
def test_a_turtle_value_over_the_cap_is_refused_at_its_line(tmp_path, what, text, line):
    path = tmp_path / "v.ttl"
    path.write_text(text, encoding="utf-8")
    problems = []
    assert load_turtle(path, problems) is None
    assert [(p.code, p.line) for p in problems] == [("too-large", line)], what
    assert f"the limit is {MAX_LITERAL_CHARS:,}" in problems[0].message


def test_a_yaml_value_over_the_cap_is_refused_at_its_line(mini):
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    hedge: 可以\n", "    hedge: 可以\n    note: " + "长" * (MAX_LITERAL_CHARS + 1) + "\n"), encoding="utf-8")
    _, problems = load_kg(mini)
    line = next(n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("    note:"))
    assert [(p.code, p.line) for p in problems] == [("too-large", line)]


def test_a_quote_over_its_cap_is_refused(mini):
    path = mini / "claims/mini-b.yaml"
    long_quote = "推诿" * (MAX_QUOTE_CHARS // 2 + 1)
    path.write_text(path.read_text(encoding="utf-8").replace("quote: 改革可以减少推诿", f"quote: {long_quote}"), encoding="utf-8")
    _, problems = load_kg(mini)
    assert [p.code for p in problems] == ["too-large"] and f"quote at most {MAX_QUOTE_CHARS:,}" in problems[0].message


def test_an_oversized_seed_is_refused_by_sources_clean(runner, tmp_path):
    root, seeds = tmp_path / "p", tmp_path / "seeds"
    (root / "sources").mkdir(parents=True)
    seeds.mkdir()
    _pad(seeds / "big.raw", "header\n", "")
    (root / "sources" / "big.yaml").write_text("id: big\nkind: article\ntitle: 大\nseed: big.raw\n", encoding="utf-8")
    result = invoke(runner, root, "sources", "clean", "--seeds", str(seeds))
    assert result.exit_code == 1 and "the limit is 10,485,760" in result.output and "Traceback" not in result.output
    assert not (root / "sources" / "big.txt").exists()
