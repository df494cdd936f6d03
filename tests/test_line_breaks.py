"""Lines end at "\\n" only, everywhere: cleaning, locators, N-Triples, Turtle line numbers.

Issue 13: cleaning split lines with str.splitlines (which also breaks at a form feed, U+0085,
U+2028 …) while locators count "\\n", so a recipe's `drop: lines` removed other lines than meant
and every later locator was off.
"""

from __future__ import annotations

import pytest

from kg.inputs.cleaning import DropLines, Recipe, clean_text

# Characters str.splitlines takes for a line end and govkg (like every locator) does not.
BREAKS = {"form feed": "\x0c", "vertical tab": "\x0b", "U+001C": "\x1c", "U+0085": "\x85",
          "U+2028": "\u2028", "U+2029": "\u2029", "CR alone": "\r"}


def cleaned(ch: str) -> str:
    raw = f"line 1\nline 2 has a{ch}inside\nline 3 to drop\nline 4\n"
    return clean_text(raw, Recipe(drop=(DropLines(3, 3, "a caption"),)))


@pytest.mark.parametrize("name", list(BREAKS))
def test_drop_lines_counts_lines_as_locators_do(name):
    ch = BREAKS[name]
    assert cleaned(ch) == f"line 1\nline 2 has a{ch}inside\nline 4\n"


@pytest.mark.parametrize("name", list(BREAKS))
def test_locator_line_is_the_recipe_line(name):
    from pathlib import Path

    from kg.inputs.sources import Source

    text = cleaned(BREAKS[name])
    src = Source("s", "article", "t", text, Path("s.yaml"), Path("s.txt"))
    assert src.locator(text.index("line 4")) == "line 3"  # the 4th seed line, the 3rd after the drop


def test_ntriples_keep_a_literal_with_a_line_separator_whole(mini):
    import pyoxigraph as ox

    from kg.model.project import load_kg
    from kg.rdf.nquads import iter_nquads

    (mini / "ontology" / "odd.ttl").write_text('<http://example.org/a> <http://example.org/b> "x\\u2028y\\u2029z" .\n', encoding="utf-8")
    kg, problems = load_kg(mini)
    assert not problems
    data = "".join(iter_nquads(kg, graphs=False)).encode("utf-8")
    objects = {q.object.value for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES) if q.subject.value == "http://example.org/a"}
    assert objects == {"x\u2028y\u2029z"}
