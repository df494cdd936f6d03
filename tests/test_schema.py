"""One declaration of the hand-written records: the loaders and the JSON Schema for editors both come from kg.inputs.schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from kg.inputs import claims, schema, sources
from kg.inputs.claims import load_claim_file

from .conftest import REPO, invoke

_yaml = YAML(typ="safe")
_yaml.version = (1, 2)


def _validator(record: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema.json_schema(record))


def test_committed_schema_files_are_the_generated_ones():
    for rel, text in schema.schema_texts().items():
        assert (REPO / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run `kg schema --write`"


def test_loaders_take_their_fields_from_the_schema():
    assert claims.CLAIM_FIELDS == {f.name for f in schema.CLAIM}
    assert sources.RECORD_FIELDS == {f.name for f in schema.SOURCE_RECORD}
    assert set(schema.json_schema("claim-file")["properties"]["claims"]["items"]["properties"]) == claims.CLAIM_FIELDS


@pytest.mark.parametrize("path", sorted((REPO / "claims").glob("*.yaml")), ids=lambda p: p.name)
def test_every_claim_file_fits_the_json_schema(path: Path):
    errors = list(_validator("claim-file").iter_errors(_yaml.load(path.read_text(encoding="utf-8"))))
    assert errors == []


@pytest.mark.parametrize("path", sorted(p for p in (REPO / "sources").glob("*.yaml") if p.name != "works.yaml"), ids=lambda p: p.name)
def test_every_source_record_fits_the_json_schema(path: Path):
    assert list(_validator("source-record").iter_errors(_yaml.load(path.read_text(encoding="utf-8")))) == []


CLAIM = {"id": "a", "cause": "x", "effect": "y", "polarity": "positive", "evidence": "argument", "quote": "q", "gloss": "g"}
BAD = [
    ({**CLAIM, "evidnce": "argument"}, "unknown-field"),
    ({**CLAIM, "evidence": "rumour"}, "bad-value"),
    ({k: v for k, v in CLAIM.items() if k != "polarity"}, "missing-field"),
    ({**CLAIM, "relation": "form-of"}, "claim-shape"),
    ({**CLAIM, "certainty": "probably"}, "bad-value"),
    ({k: v for k, v in CLAIM.items() if k != "gloss"}, "missing-field"),
]


@pytest.mark.parametrize(("claim", "code"), BAD, ids=[c for _, c in BAD])
def test_the_loader_and_the_json_schema_refuse_the_same_claims(tmp_path, claim, code):
    doc = {"source": "s", "claims": [claim]}
    assert list(_validator("claim-file").iter_errors(doc)), "the JSON Schema accepts it"
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    problems: list = []
    load_claim_file(path, problems)
    assert code in {p.code for p in problems}


def test_a_good_claim_passes_both(tmp_path):
    doc = {"source": "s", "claims": [CLAIM, {**CLAIM, "id": "b", "relation": "part-of", "subject": "x", "object": "y",
                                             "cause": None}]}
    doc["claims"][1].pop("cause"), doc["claims"][1].pop("effect"), doc["claims"][1].pop("polarity")
    assert list(_validator("claim-file").iter_errors(doc)) == []
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")
    problems: list = []
    assert load_claim_file(path, problems) and problems == []


def test_cli_prints_and_writes_the_schemas(runner, mini):
    out = invoke(runner, mini, "schema", "source-record")
    assert out.exit_code == 0 and json.loads(out.output)["title"].startswith("govkg source record")
    out = invoke(runner, mini, "schema", "--write")
    assert out.exit_code == 0
    assert json.loads((mini / "claims" / "claim-file.schema.json").read_text(encoding="utf-8"))["$id"].endswith("claim-file.schema.json")
