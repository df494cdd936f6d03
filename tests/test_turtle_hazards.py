"""Bad Turtle: every kind of mistake in tests/fixtures/bad-turtle/ is refused with path:line(:column), never a traceback."""

from __future__ import annotations

import logging
import re
import shutil
import warnings
from pathlib import Path

import pytest

from kg.inputs.limits import MAX_NESTING
from kg.inputs.turtle import load_turtle

from .conftest import invoke

BAD = Path(__file__).resolve().parent / "fixtures" / "bad-turtle"
_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<kind>[^|]+) \|[^|]*\| (?P<line>\d+) \| (?P<column>\d+|–) \| `(?P<code>[^`]+)` \|")


def _table() -> dict[str, dict]:
    rows = {}
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            column = None if m["column"] == "–" else int(m["column"])
            rows[m["file"]] = {"kind": m["kind"].strip(), "line": int(m["line"]), "column": column, "code": m["code"]}
    return rows


TABLE = _table()


def test_every_fixture_has_a_row_and_every_row_a_fixture():
    assert len(TABLE) >= 50
    assert set(TABLE) == {p.name for p in BAD.glob("*.ttl")}


def test_the_table_covers_each_kind_of_mistake():
    kinds = {row["kind"] for row in TABLE.values()}
    for kind in ("bad IRI", "bad escape", "literal as subject", "literal as predicate", "bad language tag",
                 "language tag and datatype", "bad number", "unterminated string", "unterminated long string",
                 "missing dot", "bad prefix", "undeclared prefix", "bad blank node", "bad list", "keyword misuse",
                 "invalid UTF-8", "too-deep nesting", "ill-typed literal"):
        assert kind in kinds, kind


@pytest.mark.parametrize("name", sorted(TABLE))
def test_loader_refuses_with_line_and_column(name):
    row = TABLE[name]
    problems = []
    assert load_turtle(BAD / name, problems) is None
    assert [(Path(p.path).name, p.line, p.column, p.code) for p in problems] == [(name, row["line"], row["column"], row["code"])]
    assert problems[0].message and "Traceback" not in problems[0].message


@pytest.mark.parametrize("name", sorted(TABLE))
def test_cli_validate_names_file_line_and_column(runner, mini, name):
    row = TABLE[name]
    shutil.copy(BAD / name, mini / "ontology" / name)
    result = invoke(runner, mini, "validate", "--no-seeds")
    where = f"ontology/{name}:{row['line']}" + (f":{row['column']}:" if row["column"] else ":")
    assert result.exit_code == 1
    assert where in result.stdout, result.output
    assert f"[{row['code']}]" in result.stdout
    assert "Traceback" not in result.output


# What the issue found rdflib accepting without a word; govkg must not.
RDFLIB_ACCEPTS = ["iri-space.ttl", "iri-relative.ttl", "literal-subject.ttl", "lang-and-datatype.ttl", "ill-typed-integer.ttl"]


@pytest.mark.parametrize("name", RDFLIB_ACCEPTS)
def test_plain_rdflib_would_have_accepted_it(name):
    from rdflib import Graph

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            g = Graph().parse(BAD / name, format="turtle")
        finally:
            logging.disable(logging.NOTSET)
    assert len(g) == 1  # the unguarded behaviour: loaded silently
    assert load_turtle(BAD / name, []) is None


def test_nesting_that_crashes_rdflib_gets_a_message(tmp_path):
    from rdflib import Graph

    path = tmp_path / "deep.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b " + "( " * 5000 + ")" * 5000 + " .\n", encoding="utf-8")
    with pytest.raises(RecursionError):
        Graph().parse(path, format="turtle")
    problems = []
    assert load_turtle(path, problems) is None
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 11 + 2 * MAX_NESTING, "too-deep")]


def test_brackets_in_strings_iris_and_comments_are_not_nesting(tmp_path):
    deep = "[(" * MAX_NESTING
    path = tmp_path / "ok.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\n"
        f"# {deep}\n"
        f'ex:a ex:b "{deep}" , \'{deep}\' , """{deep}\n""" , <http://example.org/{"(" * 2 * MAX_NESTING}> .\n'
        "ex:a ex:c " + "[ ex:d " * (MAX_NESTING - 1) + "ex:e" + " ]" * (MAX_NESTING - 1) + " .\n",
        encoding="utf-8",
    )
    problems = []
    triples = load_turtle(path, problems)
    assert problems == [] and len(triples) == 4 + MAX_NESTING


def test_blank_nodes_are_per_file_and_the_same_on_every_load(tmp_path):
    text = "@prefix ex: <http://example.org/> .\nex:a ex:b [ ex:c ex:d ] .\nex:a ex:e _:x .\n"
    (tmp_path / "one.ttl").write_text(text, encoding="utf-8")
    (tmp_path / "two.ttl").write_text(text, encoding="utf-8")
    one, again, two = (load_turtle(tmp_path / n, []) for n in ("one.ttl", "one.ttl", "two.ttl"))
    assert one == again
    bnodes = lambda triples: {t for triple in triples for t in triple if type(t).__name__ == "BNode"}  # noqa: E731
    assert len(bnodes(one)) == 2 and not bnodes(one) & bnodes(two)


def test_lexical_forms_are_kept_as_written(tmp_path):
    """rdflib normalises "1"^^xsd:boolean to "true" and "1"^^xsd:double to "1.0" unless told not to."""
    from rdflib import Literal

    path = tmp_path / "lex.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:b "1"^^xsd:boolean , "true"^^xsd:boolean , "1"^^xsd:double , "1.0"^^xsd:double , '
        '"1"^^xsd:decimal , "1.0"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    objects = {(str(o), str(o.datatype).split("#")[1]) for _, _, o in load_turtle(path, [])}
    assert objects == {("1", "boolean"), ("true", "boolean"), ("1", "double"), ("1.0", "double"), ("1", "decimal"), ("1.0", "decimal")}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    # The unguarded behaviour: rdflib's default merges what the file keeps apart.
    assert str(Literal("1", datatype=xsd + "boolean")) == "true" and str(Literal("1", datatype=xsd + "double")) == "1.0"
