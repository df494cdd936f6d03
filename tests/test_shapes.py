"""SHACL shapes (ontology/shapes.ttl): each shape passes a valid fixture and catches an invalid one.

The fixtures are the compiled mini graph (which conforms) changed by one SPARQL update each: the
valid one a near miss the shape must let through, the invalid one the mistake it exists for.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from kg.inputs.turtle import load_turtle
from kg.model.project import load_kg
from kg.rdf.dataset import union_graph
from kg.rdf.validate import shacl_results

from .conftest import REPO

PREFIXES = """
PREFIX gkv: <https://w3id.org/govkg/vocab#>  PREFIX gkc: <https://w3id.org/govkg/concept/>
PREFIX gkcl: <https://w3id.org/govkg/claim/> PREFIX gks: <https://w3id.org/govkg/source/>
PREFIX gkw: <https://w3id.org/govkg/work/>   PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
C, CL = "gkc:reform", "gkcl:b-reform-shirking"
ANN = "<https://w3id.org/govkg/claim/b-reform-shirking/evidence>"
TARGET, QUOTE, POS = (f"<https://w3id.org/govkg/claim/b-reform-shirking/evidence/{x}-1>" for x in ("target", "quote", "position"))
STEP1 = "<https://w3id.org/govkg/claim/a-chain/steps/1>"
FORM, DEF, ACT, STUB = "gkcl:b-traces-form", "gkcl:b-define-shirking", "gkcl:a-discount-escalation", "gkc:buck-passing"


def _replace(s: str, p: str, new: str) -> str:
    return f"DELETE {{ {s} {p} ?o }} INSERT {{ {s} {p} {new} }} WHERE {{ {s} {p} ?o }}"


def _drop(s: str, p: str) -> str:
    return f"DELETE WHERE {{ {s} {p} ?o }}"


# shape: (valid near miss, invalid change, focus node the violation must name)
CASES = {
    # sh:class counts rdfs:subClassOf: the schema makes every gkv:Intervention a skos:Concept.
    "ConceptShape": (f"DELETE DATA {{ {C} a skos:Concept }}",
                     f"DELETE DATA {{ {C} a skos:Concept . gkv:Intervention rdfs:subClassOf skos:Concept }}", C),
    "ConceptPrefLabelZh": (f'INSERT DATA {{ {C} skos:altLabel "改革"@zh-Hant }}',
                           f'DELETE DATA {{ {C} skos:prefLabel "改革"@zh }} ; INSERT DATA {{ {C} skos:prefLabel "改革"@zh-Hant }}', C),
    "ConceptPrefLabelEn": (f'INSERT DATA {{ {C} skos:altLabel "change"@en }}', f'DELETE DATA {{ {C} skos:prefLabel "reform"@en }}', C),
    "ConceptPrefLabelUnique": (f'INSERT DATA {{ {C} skos:altLabel "变革"@zh }}', f'INSERT DATA {{ {C} skos:prefLabel "变革"@zh }}', C),
    "ConceptDefinitionZh": (f'INSERT DATA {{ {C} skos:definition "另一種說法。"@zh-Hant }}',
                            _drop(C, "skos:definition") + f' ; INSERT DATA {{ {C} skos:definition "A reform."@en , "改革。"@zh-Hant }}', C),
    "ConceptDefinitionEn": (f'INSERT DATA {{ {C} skos:definition "Another wording."@en }}', _drop(C, "skos:definition") + f' ; INSERT DATA {{ {C} skos:definition "改革。"@zh }}', C),
    "ConceptBroader": (f"INSERT DATA {{ {C} skos:broader gkc:pressure }}", f"INSERT DATA {{ {C} skos:broader gkc:no-such-concept }}", C),
    "ConceptSource": (f"INSERT DATA {{ {C} dcterms:source gks:mini-a }}", _drop(C, "dcterms:source"), C),
    "ConceptScheme": ("", _drop(C, "skos:inScheme"), C),
    "ClaimCause": ("", f"INSERT DATA {{ {CL} gkv:cause gkc:pressure }}", CL),
    "ClaimEffect": ("", _drop(CL, "gkv:effect"), CL),
    "ClaimPolarity": (_replace(CL, "gkv:polarity", "gkv:positive"), _replace(CL, "gkv:polarity", "gkv:neutral"), CL),
    "ClaimCondition": (f"INSERT DATA {{ {CL} gkv:condition gkc:incentive }}", f"INSERT DATA {{ {CL} gkv:condition gkcl:a-chain }}", CL),
    "ClaimEvidenceKind": (_replace(CL, "gkv:evidenceKind", "gkv:case"), _replace(CL, "gkv:evidenceKind", "gkv:rumour"), CL),
    "ClaimQuotedFrom": ("", f"INSERT DATA {{ {CL} prov:wasQuotedFrom gks:mini-a }}", CL),
    "ClaimLocator": (_replace(CL, "gkv:locator", '"line 2"'), _replace(CL, "gkv:locator", '"line 2"@en'), CL),
    "ClaimDerivedFrom": ("", _drop(CL, "prov:wasDerivedFrom"), CL),
    "ClaimGloss": (f'INSERT DATA {{ {CL} rdfs:comment "Reform reduces shirking."@en }}', _replace(CL, "rdfs:comment", '"改革减少推诿。"@zh'), CL),
    "ClaimDisputes": (f"INSERT DATA {{ {CL} gkv:disputes gkcl:b-shirking-paperwork }}", f"INSERT DATA {{ {CL} gkv:disputes gkc:reform }}", CL),
    "AnnotationTarget": ("", _drop(ANN, "oa:hasTarget"), ANN),
    "AnnotationBody": ("", f"INSERT DATA {{ {ANN} oa:hasBody gkcl:b-shirking-paperwork }}", ANN),
    "TargetSource": ("", _drop(TARGET, "oa:hasSource"), TARGET),
    "TargetExact": ("", _drop(QUOTE, "oa:exact"), TARGET),
    "PositionStart": (_replace(POS, "oa:start", "0"), _replace(POS, "oa:start", "-1"), POS),
    "PositionEnd": ("", _replace(POS, "oa:end", '"12"'), POS),
    "ChainSteps": ("", f"INSERT DATA {{ gkcl:a-chain gkv:steps {STEP1} , gkcl:b-reform-shirking }}", "gkcl:a-chain"),
    "ChainStepConcepts": ("", _replace(STEP1, "rdf:first", "gkcl:b-reform-shirking"), "gkcl:a-chain"),
    "SourceTitle": ('INSERT DATA { gks:mini-b dcterms:title "Another title"@en }', _drop("gks:mini-b", "dcterms:title"), "gks:mini-b"),
    "SourceKind": (_replace("gks:mini-b", "gkv:documentKind", '"book"'), _replace("gks:mini-b", "gkv:documentKind", '"blog"'), "gks:mini-b"),
    "SourceReportsOn": ("", _drop("gks:mini-b", "gkv:reportsOn"), "gks:mini-b"),
    "SourceCleanedText": ("", _drop("gks:mini-b", "gkv:cleanedText"), "gks:mini-b"),
    "WorkTitle": ("", _drop("gkw:mini-book", "dcterms:title"), "gkw:mini-book"),
    "DeprecatedReplacement": (f"INSERT DATA {{ {STUB} dcterms:isReplacedBy gkc:caution }}", _drop(STUB, "dcterms:isReplacedBy"), STUB),
    "ClaimSubject": ("", _replace(FORM, "rdf:subject", "gkcl:a-chain"), FORM),
    "ClaimPredicate": (_replace(FORM, "rdf:predicate", "gkv:partOf"), _replace(FORM, "rdf:predicate", "gkv:cause"), FORM),
    "ClaimObject": ("", _drop(FORM, "rdf:object"), FORM),
    "DefinitionNoObject": (f"INSERT DATA {{ {FORM} rdf:object gkc:shirking }}", f"INSERT DATA {{ {DEF} rdf:object gkc:paperwork }}", DEF),
    "ClaimAgent": (f"INSERT DATA {{ {ACT} gkv:agent gkc:staffing }}", f"INSERT DATA {{ {ACT} gkv:agent gkc:pressure }}", ACT),
    "ClaimTarget": (f"INSERT DATA {{ {ACT} gkv:target gkc:staffing }}", f"INSERT DATA {{ {ACT} gkv:target gkc:pressure }}", ACT),
    "ClaimCertainty": (_replace(CL, "gkv:certainty", "gkv:likely"), _replace(CL, "gkv:certainty", "gkv:probably"), CL),
    "ClaimModality": (f"INSERT DATA {{ {CL} gkv:modality gkv:necessity }}", f"INSERT DATA {{ {CL} gkv:modality gkv:must }}", CL),
    "ClaimReplaces": (f"INSERT DATA {{ {CL} dcterms:replaces gkcl:a-retired-id }}", f"INSERT DATA {{ {CL} dcterms:replaces gkcl:b-shirking-paperwork }}", CL),
}


@pytest.fixture(scope="module")
def base(mini_ro):
    kg, problems = load_kg(mini_ro)
    assert problems == []
    return union_graph(kg)


@pytest.fixture(scope="module")
def shapes():
    g = Graph()
    for t in load_turtle(REPO / "ontology" / "shapes.ttl", []):
        g.add(t)
    return g


def changed_graph(base: Graph, update: str) -> Graph:
    """A copy of `base` with a SPARQL Update (PREFIXES declared) applied: a graph broken on purpose."""
    g = Graph()
    for t in base:
        g.add(t)
    if update:
        g.update(PREFIXES + update)
    return g


def _expand(curie: str) -> str:
    if curie.startswith("<"):
        return curie[1:-1]
    prefix, local = curie.split(":", 1)
    return {"gkc": "https://w3id.org/govkg/concept/", "gkcl": "https://w3id.org/govkg/claim/",
            "gks": "https://w3id.org/govkg/source/", "gkw": "https://w3id.org/govkg/work/"}[prefix] + local


def test_every_shape_with_a_message_has_cases(shapes):
    named = {str(s).rsplit("#", 1)[1] for s in shapes.subjects(SH.message, None) if "#" in str(s)}
    blank = [s for s in shapes.subjects(SH.message, None) if "#" not in str(s)]
    assert blank == [], "every shape with a message has a stable IRI"
    assert named == set(CASES)
    for kind in (SH.NodeShape, SH.PropertyShape):
        for s in shapes.subjects(RDF.type, kind):
            assert str(s).rsplit("#", 1)[1] in CASES or (s, SH.message, None) not in shapes


def test_the_base_conforms(base, shapes):
    assert shacl_results(base, shapes) == []


@pytest.mark.parametrize("shape", sorted(CASES))
def test_shape_lets_its_near_miss_through(base, shapes, shape):
    valid, _, _ = CASES[shape]
    assert [r for r in shacl_results(changed_graph(base, valid), shapes) if r[0] == shape] == []


@pytest.mark.parametrize("shape", sorted(CASES))
def test_shape_catches_its_mistake(base, shapes, shape):
    _, invalid, focus = CASES[shape]
    changed = changed_graph(base, invalid)
    assert len(changed) != len(base) or set(changed) != set(base), "the update changed nothing"
    found = {(name, str(node)) for name, node, _, _ in shacl_results(changed, shapes)}
    assert (shape, _expand(focus)) in found, found


def test_a_deprecated_stub_needs_no_definition_but_a_current_concept_does(base, shapes):
    assert not [r for r in shacl_results(base, shapes) if str(r[1]).endswith("/buck-passing")]
    revived = changed_graph(base, f"DELETE WHERE {{ {STUB} owl:deprecated ?d }}")
    found = {(name, str(node)) for name, node, _, _ in shacl_results(revived, shapes)}
    stub = _expand(STUB)
    assert {("ConceptDefinitionZh", stub), ("ConceptDefinitionEn", stub), ("ConceptSource", stub), ("ConceptScheme", stub)} <= found
