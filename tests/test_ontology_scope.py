"""Ontology files hold concepts and vocabulary only: a claim, chain, annotation, selector, source or work stated in Turtle is refused.

Issue 13: a complete gkv:CausalClaim with a made-up oa:exact in ontology/*.ttl passed validate and build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import invoke, make_mini

HEAD = """@prefix gkv: <https://w3id.org/govkg/vocab#> .
@prefix gkc: <https://w3id.org/govkg/concept/> .
@prefix gkcl: <https://w3id.org/govkg/claim/> .
@prefix gks: <https://w3id.org/govkg/source/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
FORGED_CLAIM = """gkcl:forged a gkv:CausalClaim ;
    gkv:cause gkc:pressure ; gkv:effect gkc:shirking ; gkv:polarity gkv:positive ;
    gkv:evidenceKind gkv:argument ; rdfs:comment "Made up."@en ;
    prov:wasQuotedFrom gks:mini-b ; dcterms:source gks:mini-b ; gkv:locator "line 1" ;
    prov:wasDerivedFrom <https://w3id.org/govkg/claim/forged/evidence> .
<https://w3id.org/govkg/claim/forged/evidence> a oa:Annotation ; oa:hasTarget [ oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "words nobody wrote" ] ] .
"""

# name -> Turtle added to the mini graph's ontology (after HEAD)
FORGED = {
    "a complete gkv:CausalClaim with a made-up oa:exact": FORGED_CLAIM,
    "a blank-node claim": "[] a gkv:CausalClaim ; gkv:cause gkc:pressure ; gkv:effect gkc:shirking .\n",
    "gkv:cause on a concept": "gkc:pressure gkv:cause gkc:shirking .\n",
    "a selector alone": "[] a oa:TextQuoteSelector ; oa:exact \"x\" .\n",
    "a chain": "gkcl:c2 a gkv:CausalChain .\n",
    "a source document": 'gks:mini-b dcterms:title "Forged title" .\n',
}


def _forge(root: Path, text: str) -> Path:
    path = root / "ontology" / "forged.ttl"
    path.write_text(HEAD + text, encoding="utf-8")
    return path


def forged_problems(name: str, tmp: Path) -> list:
    from kg.model.project import load_kg

    root = make_mini(tmp / "mini")
    _forge(root, FORGED[name])
    _, problems = load_kg(root)
    return problems


@pytest.mark.parametrize("name", list(FORGED))
def test_claims_in_ontology_files_are_refused(tmp_path, name):
    problems = forged_problems(name, tmp_path)
    assert [p.code for p in problems] and all(p.code == "claim-in-ontology" for p in problems), problems
    assert all(p.path.endswith("forged.ttl") and p.line is not None for p in problems)


def test_forged_claim_stops_validate_and_build(runner, tmp_path):
    root = make_mini(tmp_path / "mini")
    _forge(root, FORGED_CLAIM)
    result = invoke(runner, root, "validate", "--no-seeds")
    assert result.exit_code == 1 and "forged.ttl:9: gkcl:forged is in the namespace of claims" in result.output, result.output
    result = invoke(runner, root, "build")
    assert result.exit_code == 1 and not (root / "dist" / "govkg.ttl").exists()


def test_vocabulary_and_foreign_triples_are_still_fine(tmp_path):
    from kg.model.project import load_kg

    root = make_mini(tmp_path / "mini")
    _forge(root, 'gkv:newProperty a <http://www.w3.org/2002/07/owl#ObjectProperty> ; rdfs:domain gkv:CausalClaim .\n'
                 '<http://example.org/a> <http://example.org/b> "c" .\n')
    _, problems = load_kg(root)
    assert problems == []
