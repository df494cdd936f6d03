"""Round-trip properties: claim files written by ruamel load back field for field; built exports give back every text exactly."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from kg.build import build
from kg.claims import EVIDENCE_KINDS, LEVELS, POLARITY, RELATIONS, load_claim_file
from kg.modality import CERTAINTIES
from kg.project import load_kg

from .conftest import make_mini

# Characters that have broken exports and loaders elsewhere: quotes, braces, backslashes, line
# breaks, %, &, markup, YAML indicators, right-to-left text and marks, emoji (astral and joined),
# full-width and CJK punctuation, and Unicode line/paragraph separators.
SPECIAL = [*'"\'{}[]\\%&<>#@*!|`~:-?,.=$^', "\n", "\t", " ", "\u3000", "\u00a0", "\u2028", "\u2029",
           "\u202e", "\u200f", "\u061c", "\u200b", "ع", "ש", "😀", "👩‍👩‍👧", "压", "力", "推", "诿", "壓",
           "“", "”", "「", "」", "，", "。", "\ufeff", "NO", "yes", "0755", "1.10", "~", "null", "- ", ": ", " #"]
chars = st.one_of(st.sampled_from(SPECIAL),
                  st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"))
texts = st.lists(chars, min_size=1, max_size=12).map("".join)
# Fields govkg strips (surrounding white space is layout, not content); they must hold something.
stripped = texts.filter(lambda t: t.strip())
ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
# Each example loads and builds a project: slower than Hypothesis's default deadline allows.
slow = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _dump(path: Path, data) -> None:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    with open(path, "w", encoding="utf-8") as f:
        yaml.dump(data, f)


# --- Claim files: write with ruamel, load with govkg, fields equal ------------------------------


@st.composite
def claims(draw):
    claim = {"id": draw(ids)}
    relation = draw(st.sampled_from(RELATIONS))
    if relation != "causes":  # v2: a claim read "subject relation object"
        claim["relation"] = relation
        claim["subject"] = draw(ids)
        if relation != "definition":
            claim["object"] = draw(ids)
        if relation == "aim" and draw(st.booleans()):
            claim["polarity"] = draw(st.sampled_from(sorted(POLARITY)))
    elif draw(st.booleans()):
        claim["chain"] = draw(st.lists(ids, min_size=3, max_size=5))
        claim["polarity"] = draw(st.sampled_from(sorted(POLARITY)))
    else:
        claim["cause"], claim["effect"] = draw(ids), draw(ids)
        claim["polarity"] = draw(st.sampled_from(sorted(POLARITY)))
    others = ids.filter(lambda i: i != claim["id"])  # a claim cannot replace itself (a problem of its own)
    for key, values in (("agent", ids), ("target", ids), ("replaces", others)):
        if draw(st.booleans()):
            claim[key] = draw(st.lists(values, min_size=1, max_size=2))
    if draw(st.booleans()):
        claim["conjecture"] = draw(stripped)
    claim["evidence"] = draw(st.sampled_from(EVIDENCE_KINDS))
    quotes = draw(st.lists(stripped, min_size=1, max_size=3))
    claim["quote"] = quotes[0] if len(quotes) == 1 and draw(st.booleans()) else quotes
    claim["gloss"] = draw(stripped)
    for key in ("hedge", "note", "locator"):
        if draw(st.booleans()):
            claim[key] = draw(stripped)
    if "hedge" in claim:  # a hedge word outside the table needs its certainty written out
        claim["certainty"] = draw(st.sampled_from(CERTAINTIES))
    conditions = draw(st.lists(st.one_of(ids, stripped.map(lambda t: {"text": t})), max_size=3))
    if conditions:
        claim["conditions"] = conditions
    scope = {}
    if draw(st.booleans()):
        scope["level"] = draw(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=3))
    for key in ("case", "period"):
        if draw(st.booleans()):
            scope[key] = draw(stripped)
    if scope:
        claim["scope"] = scope
    if draw(st.booleans()):
        claim["disputes"] = draw(st.lists(ids, min_size=1, max_size=2))
    return claim


@slow
@given(claim=claims())
def test_claim_file_round_trip(claim):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        _dump(path, {"source": "s", "claims": [claim]})
        problems = []
        cf = load_claim_file(path, problems)
        assert problems == [], (path.read_text(encoding="utf-8"), problems)
    if "relation" in claim:
        steps = [claim["subject"], claim.get("object", "")]
    else:
        steps = claim.get("chain") or [claim["cause"], claim["effect"]]
    assert [(c.cause, c.effect) for c in cf.claims] == list(zip(steps, steps[1:], strict=False))
    quotes = claim["quote"] if isinstance(claim["quote"], list) else [claim["quote"]]
    scope = claim.get("scope", {})
    conditions = claim.get("conditions", [])
    for c in cf.claims:
        assert c.id == (f"{claim['id']}.{c.position}" if "chain" in claim else claim["id"])
        relation = claim.get("relation", "causes")
        polarity = POLARITY[claim["polarity"]] if "polarity" in claim else ("positive" if relation == "aim" else "")
        assert c.relation == relation and c.polarity == polarity and c.evidence == claim["evidence"]
        assert (c.agent, c.target, c.replaces) == tuple(claim.get(k, []) for k in ("agent", "target", "replaces"))
        assert c.conjecture == claim.get("conjecture", "").strip()
        assert c.quotes == quotes  # quotes are never altered, not even stripped
        assert c.gloss == claim["gloss"].strip()
        for key in ("hedge", "note", "locator"):
            assert getattr(c, key) == claim.get(key, "").strip()
        assert c.certainty == claim.get("certainty", "asserted")
        assert (c.case, c.period) == (scope.get("case", "").strip(), scope.get("period", "").strip())
        assert c.levels == scope.get("level", [])
        assert c.conditions == [x for x in conditions if isinstance(x, str)]
        assert c.condition_texts == [x["text"].strip() for x in conditions if isinstance(x, dict)]
        assert c.disputes == claim.get("disputes", [])


# --- Exports: a generated claim in a project, built, parsed back -------------------------------

CLAIM_IRI = "https://w3id.org/govkg/claim/hyp-1"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#note"
GKV = "https://w3id.org/govkg/vocab#"
OA = "http://www.w3.org/ns/oa#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_mini(tmp_path_factory.mktemp("hyp") / "mini")


@st.composite
def exported_claims(draw):
    return {
        "gloss": draw(stripped), "note": draw(stripped), "hedge": draw(stripped),
        "case": draw(stripped), "period": draw(stripped), "condition": draw(stripped),
        "quote": draw(stripped), "before": draw(st.lists(chars, max_size=30).map("".join)),
        "after": draw(st.lists(chars, max_size=30).map("".join)),
    }


def _objects(quads, subject, predicate) -> list:
    return [q.object for q in quads if q.subject.value == subject and q.predicate.value == predicate]


def _claim_fields(quads) -> dict:
    """The claim's texts as an export states them."""
    one = lambda p: [o.value for o in _objects(quads, CLAIM_IRI, p)]  # noqa: E731
    ann = _objects(quads, CLAIM_IRI, PROV_DERIVED)[0].value
    target = _objects(quads, ann, OA + "hasTarget")[0].value
    selectors = [s.value for s in _objects(quads, target, OA + "hasSelector")]
    quote_sel = next(s for s in selectors if _objects(quads, s, OA + "exact"))
    pos_sel = next(s for s in selectors if _objects(quads, s, OA + "start"))
    return {
        "gloss": one(RDFS_COMMENT), "note": one(SKOS_NOTE), "hedge": one(GKV + "hedge"),
        "case": one(GKV + "scopeCase"), "period": one(GKV + "scopePeriod"), "condition": one(GKV + "conditionText"),
        "locator": one(GKV + "locator"),
        "exact": [o.value for o in _objects(quads, quote_sel, OA + "exact")],
        "prefix": [o.value for o in _objects(quads, quote_sel, OA + "prefix")],
        "suffix": [o.value for o in _objects(quads, quote_sel, OA + "suffix")],
        "start": [o.value for o in _objects(quads, pos_sel, OA + "start")],
        "gloss_lang": [o.language for o in _objects(quads, CLAIM_IRI, RDFS_COMMENT)],
    }


@settings(slow, max_examples=40)
@given(c=exported_claims())
def test_exports_give_back_every_text_exactly(base, c):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(base, root)
        _dump(root / "sources" / "hyp.yaml", {"id": "hyp", "kind": "article", "title": "生成的文章"})
        source_text = c["before"] + c["quote"] + c["after"] + "\n"
        (root / "sources" / "hyp.txt").write_text(source_text, encoding="utf-8")
        claim = {"id": "hyp-1", "cause": "pressure", "effect": "shirking", "polarity": "positive",
                 "conditions": [{"text": c["condition"]}], "evidence": "argument", "hedge": c["hedge"],
                 "certainty": "likely",
                 "scope": {"case": c["case"], "period": c["period"]}, "quote": c["quote"],
                 "gloss": c["gloss"], "note": c["note"]}
        _dump(root / "claims" / "hyp.yaml", {"source": "hyp", "claims": [claim]})
        kg, problems = load_kg(root)
        assert problems == []
        loaded = kg.claims["hyp-1"]
        a = loaded.anchors[0]
        assert source_text[a.start:a.end] == c["quote"]
        build(kg, root / "dist")
        expected = {
            "gloss": [c["gloss"].strip()], "note": [c["note"].strip()], "hedge": [c["hedge"].strip()],
            "case": [c["case"].strip()], "period": [c["period"].strip()], "condition": [c["condition"].strip()],
            "locator": [loaded.locator], "exact": [c["quote"]], "prefix": [a.prefix], "suffix": [a.suffix],
            "start": [str(a.start)], "gloss_lang": ["en"],
        }
        for name, fmt in (("govkg.ttl", ox.RdfFormat.TURTLE), ("govkg.trig", ox.RdfFormat.TRIG),
                          ("govkg.jsonld", ox.RdfFormat.JSON_LD)):
            quads = list(ox.parse((root / "dist" / name).read_bytes(), format=fmt))
            assert _claim_fields(quads) == expected, name
