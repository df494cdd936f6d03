"""YAML surprises: what PyYAML (YAML 1.1) silently does to claim files, and govkg refusing each with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.inputs.claims import load_claim_file
from kg.inputs.limits import MAX_FILE_BYTES, MAX_LITERAL_CHARS, MAX_NESTING
from kg.inputs.sources import load_source_record, load_works

from .conftest import invoke

yaml11 = pytest.importorskip("yaml", reason="PyYAML (the test extra) shows what an unguarded YAML 1.1 loader does")

CLAIM = """\
source: s
claims:
  - id: c1
    cause: pressure
    effect: shirking
    polarity: positive
    evidence: argument
    quote: 压力会导致推诿
    gloss: Pressure leads to shirking.
"""


def _claim_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claims" / "s.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str):
    path = _claim_file(tmp_path, text)
    problems = []
    return load_claim_file(path, problems), problems, path


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_valid_claim_loads(tmp_path):
    cf, problems, _ = _load(tmp_path, CLAIM)
    assert problems == [] and [c.id for c in cf.claims] == ["c1"]


# --- Norway and friends: YAML 1.1 booleans stay text in YAML 1.2 -------------------------------


@pytest.mark.parametrize("word", ["NO", "no", "yes", "Yes", "on", "off", "y", "n"])
def test_yes_no_on_off_stay_text(tmp_path, word):
    assert isinstance(yaml11.safe_load(f"hedge: {word}")["hedge"], (bool, str))  # PyYAML: bool for most
    # A hedge word outside the table of hedge words needs its certainty written out.
    cf, problems, _ = _load(tmp_path, CLAIM + f"    hedge: {word}\n    certainty: possibly\n    note: {word}\n    scope: {{case: {word}}}\n")
    assert problems == []
    assert (cf.claims[0].hedge, cf.claims[0].note, cf.claims[0].case) == (word, word, word)


def test_pyyaml_reads_norway_as_false():
    """The unguarded behaviour this file guards against."""
    assert yaml11.safe_load("a: NO\nb: on\nc: 0755\nd: 1.10") == {"a": False, "b": True, "c": 493, "d": 1.1}


# A text field given something YAML reads as another type: refused at its line, "put it in quotes".
NOT_TEXT = {
    "true": ("hedge", "true", "the yes/no value true"),
    "octal-looking": ("hedge", "0755", "the number 755"),
    "trailing-zero": ("locator", "1.10", "the number 1.1"),
    "year": ("note", "2010", "the number 2010"),
    "float": ("note", "1e3", "the number 1000.0"),
    "date": ("hedge", "2021-06-13", "the date 2021-06-13"),
    "gloss-number": ("gloss", "42", "the number 42"),
}


@pytest.mark.parametrize("case", sorted(NOT_TEXT))
def test_text_field_refuses_a_number_or_bool_with_put_it_in_quotes(tmp_path, case):
    key, value, reads_as = NOT_TEXT[case]
    text = CLAIM.replace("    gloss: Pressure leads to shirking.\n", "") + f"    {key}: {value}\n"
    if key != "gloss":
        text += "    gloss: Pressure leads to shirking.\n"
    cf, problems, path = _load(tmp_path, text)
    assert [(p.code, p.line) for p in problems] == [("field-type", _line(path, f"{key}: {value}"))]
    assert reads_as in problems[0].message and "put it in quotes" in problems[0].message
    fixed_text = text.replace(f"{key}: {value}", f'{key}: "{value}"')
    if key == "hedge":  # a hedge word outside the table of hedge words needs its certainty written out
        fixed_text += "    certainty: likely\n"
    fixed, problems, _ = _load(tmp_path, fixed_text)
    assert problems == [] and getattr(fixed.claims[0], key) == value


@pytest.mark.parametrize("key,value", [("period", "2010"), ("case", "2021-06-13"), ("period", "2010.10")])
def test_scope_text_refuses_a_number_or_date(tmp_path, key, value):
    cf, problems, path = _load(tmp_path, CLAIM + f"    scope:\n      {key}: {value}\n")
    assert [(p.code, p.line) for p in problems] == [("field-type", _line(path, f"{key}: {value}"))]
    assert "put it in quotes" in problems[0].message
    cf, problems, _ = _load(tmp_path, CLAIM + f'    scope:\n      {key}: "{value}"\n')
    assert problems == [] and getattr(cf.claims[0], key) == value


def test_quoted_0755_and_1_10_keep_every_character(tmp_path):
    cf, problems, _ = _load(tmp_path, CLAIM + '    locator: "line 0755"\n    hedge: "1.10"\n    certainty: likely\n')
    assert problems == [] and cf.claims[0].hedge == "1.10"


# --- Every field of a claim, given the wrong type ---------------------------------------------

WRONG_TYPES = {
    "id": ("  - id: c1\n", "  - id: 17\n", "field-type"),
    "cause": ("    cause: pressure\n", "    cause: [pressure]\n", "field-type"),
    "effect": ("    effect: shirking\n", "    effect: {id: shirking}\n", "field-type"),
    "polarity": ("    polarity: positive\n", "    polarity: true\n", "bad-value"),
    "evidence": ("    evidence: argument\n", "    evidence: 3\n", "field-type"),
    "quote": ("    quote: 压力会导致推诿\n", "    quote: [压力会导致推诿, 7]\n", "field-type"),
    "quote-mapping": ("    quote: 压力会导致推诿\n", "    quote: {text: 压力会导致推诿}\n", "field-type"),
    "gloss": ("    gloss: Pressure leads to shirking.\n", "    gloss: [Pressure leads to shirking.]\n", "field-type"),
    "conditions": ("    evidence: argument\n", "    evidence: argument\n    conditions: incentive\n", "field-type"),
    "conditions-false": ("    evidence: argument\n", "    evidence: argument\n    conditions: false\n", "field-type"),
    "condition-item": ("    evidence: argument\n", "    evidence: argument\n    conditions: [incentive, 5]\n", "field-type"),
    "scope": ("    evidence: argument\n", "    evidence: argument\n    scope: township\n", "field-type"),
    "scope-level": ("    evidence: argument\n", "    evidence: argument\n    scope: {level: [township, 3]}\n", "field-type"),
    "scope-case": ("    evidence: argument\n", "    evidence: argument\n    scope: {case: 2021}\n", "field-type"),
    "disputes": ("    evidence: argument\n", "    evidence: argument\n    disputes: {c2: yes}\n", "field-type"),
    "chain": ("    cause: pressure\n    effect: shirking\n", "    chain: pressure\n", "claim-shape"),
    "empty-gloss": ("    gloss: Pressure leads to shirking.\n", '    gloss: ""\n', "missing-field"),
    "null-gloss": ("    gloss: Pressure leads to shirking.\n", "    gloss:\n", "missing-field"),
    "empty-id": ("  - id: c1\n", "  - id: '  '\n", "missing-field"),
    "unknown-field": ("    evidence: argument\n", "    evidence: argument\n    evidense: case\n", "unknown-field"),
    "unknown-scope-field": ("    evidence: argument\n", "    evidence: argument\n    scope: {levels: [county]}\n", "unknown-field"),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_each_claim_field_is_type_checked_with_its_line(tmp_path, case):
    old, new, code = WRONG_TYPES[case]
    assert old in CLAIM
    cf, problems, path = _load(tmp_path, CLAIM.replace(old, new))
    assert cf.claims == [], "a claim with a bad field must not be loaded"
    new_first = new.strip().splitlines()[-1].strip().split(":")[0] + ":"
    assert [p.code for p in problems] == [code], problems
    assert problems[0].line == _line(path, "    " + new_first if not new_first.startswith("-") else new_first)


FILE_SHAPES = {
    "source-number": ("source: s\n", "source: 5\n", "field-type", "source: 5"),
    "claims-false": ("claims:\n  - id: c1\n", "claims: false\nx:\n  - id: c1\n", "file-shape", "claims: false"),
    "top-level-typo": ("claims:\n", "claim:\n  - id: c0\nclaims:\n", "unknown-field", "claim:"),
    "null-claim": ("claims:\n", "claims:\n  -\n", "claim-shape", "  -"),
    "text-claim": ("claims:\n", "claims:\n  - just some text\n", "claim-shape", "just some text"),
}


@pytest.mark.parametrize("case", sorted(FILE_SHAPES))
def test_claim_file_shape_is_checked_with_its_line(tmp_path, case):
    old, new, code, needle = FILE_SHAPES[case]
    cf, problems, path = _load(tmp_path, CLAIM.replace(old, new, 1))
    assert code in [p.code for p in problems], problems
    assert _line(path, needle) in [p.line for p in problems if p.code == code]


# --- Duplicate keys, aliases, tags, merge keys ------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_key(tmp_path):
    text = CLAIM + "    quote: 压力\n"
    assert yaml11.safe_load(text)["claims"][0]["quote"] == "压力"  # PyYAML: the first quote silently lost
    cf, problems, path = _load(tmp_path, text)
    assert cf is None
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml-syntax", 10, 5)]
    assert "duplicate key" in problems[0].message and "remove or rename the second one" in problems[0].message


def test_duplicate_key_in_a_nested_mapping(tmp_path):
    _, problems, _ = _load(tmp_path, CLAIM + "    scope:\n      level: county\n      case: A\n      level: township\n")
    assert [(p.code, p.line) for p in problems] == [("yaml-syntax", 13)]


def test_billion_laughs_is_refused_at_the_first_alias(tmp_path):
    bomb = ["lol0: &l0 lol"] + [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = CLAIM + "\n".join(bomb) + "\n"
    small = yaml11.safe_load("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n")
    assert len([x for b in small["c"] for a in b for x in a]) == 27  # PyYAML expands aliases: 9 levels make 9⁹
    cf, problems, path = _load(tmp_path, text)
    assert cf is None
    assert [(p.code, p.line) for p in problems] == [("yaml-alias", _line(path, "lol1:"))]


@pytest.mark.parametrize("value", ["!!str 0755", "!!python/object:os.system echo", "!custom x", "!!binary aGk="])
def test_tags_are_refused(tmp_path, value):
    _, problems, path = _load(tmp_path, CLAIM + f"    note: {value}\n")
    assert [(p.code, p.line) for p in problems] == [("yaml-tag", _line(path, "note:"))]
    assert "put it in quotes" in problems[0].message


def test_merge_keys_are_refused(tmp_path):
    text = CLAIM.replace("    cause: pressure\n", "    <<: {cause: pressure}\n")
    _, problems, path = _load(tmp_path, text)
    assert [(p.code, p.line) for p in problems] == [("yaml-merge", _line(path, "<<:"))]


# --- Characters and sizes ---------------------------------------------------------------------


@pytest.mark.parametrize("escape", ["\\0", "\\x07", "\\ud800", "\\uFFFE", "\\x85"])
def test_control_characters_and_lone_surrogates_are_refused(tmp_path, escape):
    _, problems, path = _load(tmp_path, CLAIM + f'    note: "a{escape}b"\n')
    assert [(p.code, p.line) for p in problems] == [("bad-character", _line(path, "note:"))]


def test_a_raw_control_character_is_refused_with_line_and_column(tmp_path):
    _, problems, path = _load(tmp_path, CLAIM + "    note: a\x07b\n")
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml-syntax", _line(path, "note:"), 12)]


def test_tabs_and_line_breaks_are_kept(tmp_path):
    cf, problems, _ = _load(tmp_path, CLAIM + '    note: "a\\tb\\nc"\n')
    assert problems == [] and cf.claims[0].note == "a\tb\nc"


def test_a_file_far_beyond_any_claim_is_refused_before_parsing(tmp_path, monkeypatch):
    from ruamel.yaml import YAML

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the YAML parser was called on an oversized file")

    monkeypatch.setattr(YAML, "parse", must_not_parse)
    monkeypatch.setattr(YAML, "load", must_not_parse)
    text = CLAIM + "# " + "x" * (MAX_FILE_BYTES + 10) + "\n"
    cf, problems, _ = _load(tmp_path, text)
    assert cf is None and [p.code for p in problems] == ["too-large"]
    assert "the limit is 10,485,760" in problems[0].message


def test_a_scalar_over_the_cap_is_refused_at_its_line(tmp_path):
    _, problems, path = _load(tmp_path, CLAIM + f"    note: {'长' * (MAX_LITERAL_CHARS + 1)}\n")
    assert [(p.code, p.line) for p in problems] == [("too-large", _line(path, "note:"))]


def test_a_huge_number_is_refused_not_a_traceback(tmp_path):
    _, problems, path = _load(tmp_path, CLAIM + f"    note: {'9' * 5000}\n")
    assert [(p.code, p.line) for p in problems] == [("too-large", _line(path, "note:"))]


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path, style):
    n = 3000
    if style == "flow":
        deep = "    note: " + "[" * n + "]" * n + "\n"
    else:
        deep = "    scope:\n" + "".join("      " + "  " * i + "k:\n" for i in range(n)) + "      " + "  " * n + "k: v\n"
    _, problems, _ = _load(tmp_path, CLAIM + deep)
    assert [p.code for p in problems] == ["too-deep"]
    assert problems[0].line is not None and str(MAX_NESTING) in problems[0].message


def test_two_documents_in_one_file_are_refused(tmp_path):
    _, problems, _ = _load(tmp_path, CLAIM + "---\nsource: t\n")
    assert [(p.code, p.line) for p in problems] == [("yaml-syntax", 10)]


# --- Source records and works -----------------------------------------------------------------

RECORD = """\
id: s
kind: article
title: 小文章
authors: [乙]
issued: "2021-01"
cleaning:
  strip_pinyin: false
  drop:
    - {lines: 1, why: "a header"}
  garbled: []
"""

RECORD_CASES = {
    "issued-date": ('issued: "2021-01"', "issued: 2021-01-05", "field-type", "put it in quotes"),
    "title-number": ("title: 小文章", "title: 1.10", "field-type", "the number 1.1"),
    "empty-title": ("title: 小文章", 'title: ""', "missing-field", "empty"),
    "authors-text": ("authors: [乙]", "authors: 乙", "field-type", "list of texts"),
    "misspelt-field": ('issued: "2021-01"', 'isued: "2021-01"', "unknown-field", "unknown field 'isued'"),
    "strip-pinyin-text": ("strip_pinyin: false", 'strip_pinyin: "no"', "recipe", "true or false"),
    "strip-pinyin-no": ("strip_pinyin: false", "strip_pinyin: no", "recipe", "true or false"),
    "garbled-text": ("garbled: []", "garbled: abc", "recipe", "list of non-empty texts"),
    "drop-mapping": ("  drop:\n    - {lines: 1, why: \"a header\"}", "  drop: {lines: 1}", "recipe", "must be a list"),
    "drop-without-why": ('{lines: 1, why: "a header"}', "{lines: 1}", "recipe", "'why'"),
    "cleaning-typo": ("strip_pinyin: false", "strip-pinyin: false", "unknown-field", "strip_pinyin"),
    "cleaning-not-mapping": ("cleaning:\n  strip_pinyin: false\n  drop:\n    - {lines: 1, why: \"a header\"}\n  garbled: []\n", "cleaning: yes\n", "recipe", "must be a mapping"),
}


@pytest.mark.parametrize("case", sorted(RECORD_CASES))
def test_source_record_fields_are_type_checked(tmp_path, case):
    old, new, code, words = RECORD_CASES[case]
    assert old in RECORD
    path = tmp_path / "s.yaml"
    path.write_text(RECORD.replace(old, new), encoding="utf-8")
    (tmp_path / "s.txt").write_text("text\n", encoding="utf-8")
    problems = []
    assert load_source_record(path, problems) is None
    assert [p.code for p in problems] == [code], problems
    assert words in problems[0].message
    assert problems[0].line == _line(path, new.strip().splitlines()[0].split(":")[0].strip().lstrip("- {"))


def test_valid_record_loads(tmp_path):
    (tmp_path / "s.yaml").write_text(RECORD, encoding="utf-8")
    (tmp_path / "s.txt").write_text("text\n", encoding="utf-8")
    problems = []
    src = load_source_record(tmp_path / "s.yaml", problems)
    assert problems == [] and src.recipe.strip_pinyin is False and src.recipe.drop[0].why == "a header"


@pytest.mark.parametrize("text,code", [("id: w\nkind: book\n", "file-shape"), ("- just text\n", "file-shape"),
                                       ("- {id: w, kind: book, title: 书, autor: [甲]}\n", "unknown-field")])
def test_works_file_shape_is_checked(tmp_path, text, code):
    (tmp_path / "works.yaml").write_text(text, encoding="utf-8")
    problems = []
    load_works(tmp_path, problems)
    assert [p.code for p in problems] == [code] and problems[0].line is not None


# --- Through the CLI --------------------------------------------------------------------------


@pytest.mark.parametrize("edit,code", [
    (("    hedge: 可以\n", "    hedge: yes\n    certainty: possibly\n    note: on\n"), None),
    (("    hedge: 可以\n", "    hedge: 0755\n"), "field-type"),
    (("    hedge: 可以\n", "    hedge: 可以\n    hedge: 会\n"), "yaml-syntax"),
    (("    hedge: 可以\n", "    hedge: &h 可以\n    note: *h\n"), "yaml-alias"),
    (("    hedge: 可以\n", "    hedge: !!str 可以\n"), "yaml-tag"),
])
def test_cli_validate_reports_yaml_surprises(runner, mini, edit, code):
    path = mini / "claims/mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    result = invoke(runner, mini, "validate", "--no-seeds")
    assert "Traceback" not in result.output
    if code is None:
        assert result.exit_code == 0, result.output
        return
    second = edit[1].strip().splitlines()[-1].strip()
    line = _line(path, second)
    assert result.exit_code == 1 and f"claims/mini-b.yaml:{line}:" in result.stdout and f"[{code}]" in result.stdout

