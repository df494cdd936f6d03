"""`kg validate`: each kind of bad input gets its own message with file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.model.project import load_kg
from kg.rdf.validate import validate

from .conftest import REPO, invoke


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path: Path, needle: str, nth: int = 1) -> int:
    """Line of the nth line that is exactly `needle` (ignoring indentation), else that contains it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    exact = [n for n, line in enumerate(lines, 1) if line.strip() == needle.strip()]
    return exact[nth - 1] if len(exact) >= nth else [n for n, line in enumerate(lines, 1) if needle in line][nth - 1]


def test_real_graph_is_valid():
    report = validate(REPO)
    assert report.conforms, "\n".join(map(str, report.problems))
    assert len(report.checks_run) >= 10


def test_mini_graph_is_valid(mini):
    report = validate(mini, check_seeds=False)
    assert report.conforms, "\n".join(map(str, report.problems))


# Each case: (file to edit, text to replace, replacement, expected code, text on the expected line or None)
CASES = {
    "malformed-turtle": ("ontology/concepts.ttl", '"压力"@zh ,', '"压力"@zh ,,', "turtle-syntax", '"压力"@zh ,,'),
    "relative-iri": ("ontology/concepts.ttl", "gkv:Condition ;\n    skos:inScheme gkc: ;\n    skos:prefLabel \"压力\"", "<Condition> ;\n    skos:inScheme gkc: ;\n    skos:prefLabel \"压力\"", "turtle-syntax", "gkc:pressure a"),
    "ill-typed-literal": ("ontology/concepts.ttl", 'skos:definition "来自上级的压力。"@zh ,', 'skos:definition "来自上级的压力。"@zh , "twenty"^^<http://www.w3.org/2001/XMLSchema#integer> ,', "ill-typed-literal", "twenty"),
    "malformed-yaml": ("claims/mini-b.yaml", "    cause: reform\n", "    cause: [reform\n", "yaml-syntax", None),
    "duplicate-key": ("claims/mini-b.yaml", "    quote: 改革可以减少推诿\n", "    quote: 改革可以减少推诿\n    quote: 改革\n", "yaml-syntax", "quote: 改革"),
    "unknown-concept": ("claims/mini-b.yaml", "cause: reform", "cause: reforms", "unknown-concept", "cause: reforms"),
    "duplicate-id": ("claims/mini-b.yaml", "id: b-reform-shirking", "id: b-shirking-paperwork", "duplicate-id", ("- id: b-shirking-paperwork", 2)),
    "missing-field": ("claims/mini-b.yaml", "    evidence: observation\n", "", "missing-field", "id: b-shirking-paperwork"),
    "quote-not-in-source": ("claims/mini-b.yaml", "quote: 改革可以减少推诿", "quote: 改革可以大大减少推诿", "quote-not-found", "改革可以大大减少推诿"),
    "bad-polarity": ("claims/mini-b.yaml", "polarity: negative", "polarity: maybe", "bad-value", "polarity: maybe"),
    "number-not-text": ("claims/mini-b.yaml", "hedge: 可以", "hedge: 0755", "field-type", "hedge: 0755"),
    "unknown-field": ("claims/mini-b.yaml", "    hedge: 可以\n", "    hedg: 可以\n", "unknown-field", "hedg: 可以"),
    "unknown-source": ("claims/mini-b.yaml", "source: mini-b", "source: mini-c", "file-shape", "source: mini-c"),
    "quote-order": ("claims/mini-b.yaml", "    quote: 推诿的结果是文牍成堆\n", "    quote:\n      - 文牍成堆\n      - 推诿的结果\n", "quote-order", "- 推诿的结果"),
    "bad-locator": ("claims/mini-b.yaml", "    quote: 推诿的结果是文牍成堆\n", "    quote: 推诿的结果是文牍成堆\n    locator: line 3\n", "bad-locator", "locator: line 3"),
    "missing-label-en": ("ontology/concepts.ttl", '"推诿"@zh , "shirking"@en', '"推诿"@zh', "check:missing-label", "gkc:shirking a"),
    "two-preflabels": ("ontology/concepts.ttl", '"推诿"@zh , "shirking"@en', '"推诿"@zh , "推卸责任"@zh , "shirking"@en', "check:two-preflabels-one-language", "gkc:shirking a"),
    "broader-cycle": ("ontology/concepts.ttl", "gkc:caution a skos:Concept , gkv:Mechanism ;", "gkc:caution a skos:Concept , gkv:Mechanism ;\n    skos:broader gkc:shirking ;", "check:broader-cycle", "gkc:caution a"),
    # v2 fields
    "unknown-relation": ("claims/mini-b.yaml", "relation: form-of", "relation: kind-of", "bad-value", "relation: kind-of"),
    "bad-certainty": ("claims/mini-b.yaml", "    hedge: 可以\n", "    hedge: 可以\n    certainty: probably\n", "bad-value", "certainty: probably"),
    "bad-modality": ("claims/mini-b.yaml", "    hedge: 必须\n", "    hedge: 必须\n    modality: must\n", "bad-value", "modality: must"),
    "hedge-not-in-table": ("claims/mini-a.yaml", "    certainty: asserted\n", "", "unknown-hedge", "hedge: 越……越"),
    "agent-not-an-actor": ("claims/mini-a.yaml", "agent: [superior]", "agent: [pressure]", "not-an-actor", "agent: [pressure]"),
    "target-unknown": ("claims/mini-a.yaml", "target: [subordinate]", "target: [subordinates]", "unknown-concept", "target: [subordinates]"),
    "subject-missing": ("claims/mini-b.yaml", "    subject: leaving-traces\n", "", "missing-field", "id: b-traces-form"),
    "object-missing": ("claims/mini-b.yaml", "    object: reform\n", "", "missing-field", "id: b-burden-reduction-part"),
    "definition-with-object": ("claims/mini-b.yaml", "    subject: shirking\n", "    subject: shirking\n    object: paperwork\n", "claim-shape", ("object: paperwork", 2)),
    "cause-on-a-form-claim": ("claims/mini-b.yaml", "    subject: leaving-traces\n", "    cause: leaving-traces\n", "claim-shape", "cause: leaving-traces"),
    "subject-on-a-causal-claim": ("claims/mini-b.yaml", "    cause: shirking\n", "    subject: shirking\n", "claim-shape", "subject: shirking"),
    "polarity-missing-causal": ("claims/mini-b.yaml", "    polarity: negative\n    agent:", "    agent:", "missing-field", "id: b-superior-reduce-workload"),
    "polarity-on-a-form-claim": ("claims/mini-b.yaml", "    object: shirking\n", "    object: shirking\n    polarity: positive\n", "claim-shape", ("polarity: positive", 5)),
    "deprecated-concept": ("claims/mini-b.yaml", "cause: reform", "cause: buck-passing", "deprecated-concept", "cause: buck-passing"),
    "replaces-a-live-claim": ("claims/mini-b.yaml", "replaces: [b-caution-brings-shirking]", "replaces: [b-reform-shirking]", "bad-value", "replaces: [b-reform-shirking]"),
    "shacl-no-source": ("ontology/concepts.ttl", "    dcterms:source gks:mini-b .\n\ngkc:reform", "    .\n\ngkc:reform", "shacl:ConceptSource", "gkc:paperwork a"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gets_file_line_message(mini, case):
    rel, old, new, code, line_text = CASES[case]
    path = mini / rel
    if case == "broader-cycle":
        _edit(path, "gkc:shirking a skos:Concept , gkv:Mechanism ;", "gkc:shirking a skos:Concept , gkv:Mechanism ;\n    skos:broader gkc:caution ;")
    _edit(path, old, new)
    report = validate(mini, check_seeds=False)
    assert not report.conforms
    matching = [p for p in report.problems if p.code == code and Path(p.path).name == path.name]
    assert matching, f"no {code} problem in {path.name}; got:\n" + "\n".join(map(str, report.problems))
    if line_text is not None:
        want = _line(path, *line_text) if isinstance(line_text, tuple) else _line(path, line_text)
        assert want in {p.line for p in matching}, f"expected line {want}: {matching}"


def test_quote_not_found_names_the_nearest_wording(mini):
    _edit(mini / "claims/mini-b.yaml", "quote: 改革可以减少推诿", "quote: 改革可以减少推諉")
    problems = validate(mini, check_seeds=False).problems
    msg = next(p.message for p in problems if p.code == "quote-not-found")
    assert "«改革可以减少推诿»" in msg and "script" in msg


def test_yaml_alias_is_refused(mini):
    path = mini / "claims/mini-b.yaml"
    _edit(path, "    quote: 推诿的结果是文牍成堆\n", "    quote: &q 推诿的结果是文牍成堆\n    note: *q\n")
    problems = validate(mini, check_seeds=False).problems
    assert [(p.code, p.line) for p in problems] == [("yaml-alias", _line(path, "note: *q"))]


def test_every_problem_is_reported_at_once(mini):
    _edit(mini / "claims/mini-b.yaml", "cause: reform", "cause: reforms")
    _edit(mini / "claims/mini-a.yaml", "effect: escalation", "effect: escalations")
    codes = [p.code for p in validate(mini, check_seeds=False).problems]
    assert codes.count("unknown-concept") == 2


def test_invalid_utf8_is_reported_with_line(mini):
    path = mini / "claims/mini-b.yaml"
    path.write_bytes(path.read_bytes().replace("改革可以减少推诿".encode(), b"\xff\xfe", 1))
    problems = validate(mini, check_seeds=False).problems
    assert [(p.code, p.line) for p in problems if p.code == "encoding"] == [("encoding", _line_bytes(path, b"\xff"))]



def _line_bytes(path: Path, needle: bytes) -> int:
    return path.read_bytes()[: path.read_bytes().index(needle)].count(b"\n") + 1


def test_cli_validate_exit_codes_and_messages(runner, mini):
    ok = invoke(runner, mini, "validate", "--no-seeds")
    assert ok.exit_code == 0 and ok.stdout.startswith("OK: 15 concepts, 17 claims, 3 sources")
    _edit(mini / "claims/mini-b.yaml", "cause: reform", "cause: reforms")
    bad = invoke(runner, mini, "validate", "--no-seeds")
    assert bad.exit_code == 1
    assert "claims/mini-b.yaml:" in bad.stdout and "unknown concept 'reforms'" in bad.stdout and "did you mean 'reform'" in bad.stdout
    assert "Traceback" not in bad.output


def test_cli_validate_json(runner, mini):
    import json

    _edit(mini / "claims/mini-b.yaml", "cause: reform", "cause: reforms")
    out = invoke(runner, mini, "validate", "--no-seeds", "--format", "json")
    data = json.loads(out.stdout)
    assert data["conforms"] is False
    assert data["problems"][0]["code"] == "unknown-concept" and data["problems"][0]["line"] > 0


def test_deprecated_concept_message_names_the_replacement_or_the_split(mini):
    path = mini / "claims/mini-b.yaml"
    _edit(path, "cause: reform", "cause: buck-passing")
    _edit(path, "cause: workload", "cause: load")
    got = {p.message for p in validate(mini, check_seeds=False).problems if p.code == "deprecated-concept"}
    assert got == {"concept 'buck-passing' is deprecated: use 'shirking', which replaces it",
                   "concept 'load' is deprecated: it was split into workload, paperwork: use the one meant"}


def test_v2_fields_are_read(mini):
    from kg.model.project import load_kg

    kg, problems = load_kg(mini)
    assert problems == []
    assert {c.id: c.relation for c in kg.claims.values() if not c.causal} == {
        "b-traces-form": "form-of", "b-burden-reduction-part": "part-of", "b-reform-aim": "aim", "b-define-shirking": "definition"}
    aim = kg.claims["b-reform-aim"]
    assert (aim.subject, aim.object, aim.polarity) == ("reform", "paperwork", "negative")
    assert (kg.claims["b-define-shirking"].object, kg.claims["b-define-shirking"].polarity) == ("", "")
    norm = kg.claims["b-superior-reduce-workload"]
    assert (norm.agent, norm.target, norm.certainty, norm.modality) == (["superior"], ["subordinate"], "", "obligation")
    assert {c.id: c.certainty for c in kg.claims.values() if c.causal} == {
        "a-chain.1": "asserted", "a-chain.2": "asserted", "a-discount-escalation": "asserted", "a-escalation-discount": "asserted",
        "b-shirking-paperwork": "asserted", "b-reform-shirking": "possibly", "b-pressure-shirking": "likely",
        "b-workload-staffing": "asserted", "b-staffing-workload": "asserted", "b-caution-shirking": "likely",
        "b-superior-reduce-workload": "", "notes-caution-shirking": "asserted", "notes-shirking-formalism": "asserted"}
    assert kg.replaced_claims == {"b-caution-brings-shirking": "b-caution-shirking"}
    assert sorted(kg.deprecated) == ["buck-passing", "load"] and "buck-passing" not in kg.concepts


def test_a_repeated_quote_is_placed_after_the_claims_previous_quote(mini):
    """推诿 first stands in line 1; after 改革可以减少推诿 (line 2) it is the one in line 2, and the quotes are in order."""
    _edit(mini / "claims/mini-b.yaml", "    quote: 改革可以减少推诿\n", "    quote:\n      - 改革可以\n      - 推诿\n")
    kg, problems = load_kg(mini)
    assert not [p for p in problems if p.code.startswith("quote")], problems
    first, second = kg.claims["b-reform-shirking"].anchors
    assert kg.sources["mini-b"].text.index("改革可以") == first.start < second.start


def test_quote_order_names_both_quotes_and_places(mini):
    _edit(mini / "claims/mini-b.yaml", "    quote: 推诿的结果是文牍成堆\n", "    quote:\n      - 文牍成堆\n      - 推诿的结果\n")
    msg = next(p.message for p in validate(mini, check_seeds=False).problems if p.code == "quote-order")
    assert msg.startswith("quote 2 stands before quote 1 in sources/mini-b.txt (line 1 against line 1)"), msg
