"""Claim files (claims/<source>.yaml): reading them, checking every field, and the claims they hold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import Problem, problem
from kg.ids import ID_PATTERN  # noqa: E402  (one pattern for every id)
from kg.inputs import schema
from kg.inputs.limits import MAX_QUOTE_CHARS
from kg.inputs.modality import from_hedge
from kg.inputs.records import Chain, Claim  # noqa: F401  (re-exported: the records this module reads)
from kg.inputs.schema import CERTAINTIES, EVIDENCE_KINDS, LEVELS, MODALITIES, RELATIONS, choice_message
from kg.inputs.yamlio import describe, line_of, load_yaml, text_type_message

POLARITY = {"positive": "positive", "+": "positive", "negative": "negative", "-": "negative", "−": "negative"}
# The fields and closed vocabularies are declared once, in kg.inputs.schema (which also writes the
# JSON Schema editors use); this module checks what JSON Schema cannot say, line by line.
CLAIM_FIELDS = schema.names(schema.CLAIM)
SCOPE_FIELDS = schema.names(schema.SCOPE)
FILE_FIELDS = schema.names(schema.CLAIM_FILE)
# Each relation's claim class in the vocabulary (gkv:) and, for those read "subject relation
# object", the property the claim reifies (its rdf:predicate).
RELATION_CLASS = {"causes": "CausalClaim", "form-of": "FormClaim", "part-of": "PartClaim", "aim": "AimClaim",
                  "definition": "DefinitionClaim"}
RELATION_PROPERTY = {"form-of": "formOf", "part-of": "partOf", "aim": "aim", "definition": "defines"}


@dataclass
class ClaimFile:
    path: Path
    source: str
    source_line: int
    claims: list[Claim]
    chains: list[Chain]


class _Fields:
    """Typed access to one YAML mapping, recording a problem (with its line) for each bad field."""

    def __init__(self, node, path: Path, problems: list[Problem], what: str):
        self.node, self.path, self.problems, self.what = node, path, problems, what

    def line(self, key=None) -> int | None:
        return line_of(self.node, key)

    def add(self, key, code: str, message: str) -> None:
        self.problems.append(problem(self.path, self.line(key), code, message))

    def text(self, key: str, required: bool = False) -> str:
        """A text field, stripped of surrounding white space (a block scalar's final line break)."""
        value = self.node.get(key)
        if value is None:
            if required:
                where = key if key in self.node else None
                self.add(where, "missing-field", f"{self.what} has no '{key}': add it")
            return ""
        if not isinstance(value, str):
            self.add(key, "field-type", text_type_message(key, value))
            return ""
        if required and not value.strip():
            self.add(key, "missing-field", f"'{key}' of {self.what} is empty: fill it in")
        return str(value).strip()

    def texts(self, key: str) -> list[tuple[str, int | None]]:
        """A text or a list of texts, each with its own line."""
        value = self.node.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [(str(value), self.line(key))]
        if isinstance(value, list):
            out = []
            for i, v in enumerate(value):
                if isinstance(v, str):
                    out.append((str(v), line_of(value, i)))
                else:
                    self.problems.append(problem(self.path, line_of(value, i), "field-type",
                                                 f"each item of '{key}' must be text; this one is {describe(v)}: put it in quotes"))
            return out
        self.add(key, "field-type", f"'{key}' must be a text or a list of texts, not {describe(value)}")
        return []


def _polarities(f: _Fields, n_links: int) -> list[str]:
    raw = f.node.get("polarity")
    if raw is None:
        f.add(None, "missing-field", f"{f.what} has no 'polarity': add positive or negative")
        return []
    values = raw if isinstance(raw, list) else [raw]
    out = []
    for v in values:
        key = str(v).strip().lower() if isinstance(v, str) else None
        if key not in POLARITY:
            what = repr(v) if isinstance(v, str) else describe(v)
            f.add("polarity", "bad-value", f"polarity {what} must be positive or negative (or + / -)")
            return []
        out.append(POLARITY[key])
    if len(out) == 1:
        return out * n_links
    if len(out) != n_links:
        f.add("polarity", "bad-value", f"a chain of {n_links} links needs one polarity, or a list of {n_links}")
        return []
    return out


def _subject_object(f: _Fields, relation: str) -> tuple[list[str], list[str]]:
    """The subject and object of a claim that is not causal, and its polarity (aim only; default positive)."""
    for key in ("cause", "effect", "chain"):
        if key in f.node:
            f.add(key, "claim-shape", f"a {relation} claim names 'subject' and 'object', not '{key}' (those are for relation: causes)")
    subject = f.text("subject", required=True)
    if relation == "definition":
        if "object" in f.node:
            f.add("object", "claim-shape", "a definition claim has a subject only: the quote defines it")
        obj = ""
    else:
        obj = f.text("object", required=True)
    polarities = ["positive" if relation == "aim" else ""]
    if relation == "aim":
        if f.node.get("polarity") is not None:
            polarities = _polarities(f, 1) or polarities
    elif "polarity" in f.node:
        f.add("polarity", "claim-shape", f"'polarity' is for causes and aim claims; a {relation} claim has none")
    return [subject, obj], polarities


def _certainty(f: _Fields, hedge: str) -> tuple[str, str]:
    """The claim's certainty and modality: as written, else from the hedge word by the table in kg.modality."""
    certainty, modality = f.text("certainty"), f.text("modality")
    if certainty and certainty not in CERTAINTIES:
        f.add("certainty", "bad-value", choice_message("certainty", certainty, CERTAINTIES))
    if modality and modality not in MODALITIES:
        f.add("modality", "bad-value", choice_message("modality", modality, MODALITIES))
    derived = from_hedge(hedge)
    if derived is None:
        if not certainty and not modality:
            f.add("hedge", "unknown-hedge",
                  f"hedge '{hedge}' is not in the table of hedge words: add certainty: ({' | '.join(CERTAINTIES)}), "
                  f"or modality: ({' | '.join(MODALITIES)}) if the word states a norm")
        return certainty, modality
    return certainty or (derived[0] or ""), modality or derived[1]


def _parse_claim(node, path: Path, source: str, problems: list[Problem], line: int | None = None) -> tuple[list[Claim], Chain | None]:
    f = _Fields(node, path, problems, "this claim")
    n_before = len(problems)
    if not hasattr(node, "get"):
        problems.append(problem(path, line_of(node) or line, "claim-shape",
                                f"each claim is a mapping (id:, cause:, …), not {describe(node)}"))
        return [], None
    for key in node:
        if key not in CLAIM_FIELDS:
            close = [k for k in CLAIM_FIELDS if k[:3] == str(key)[:3]]
            hint = f" (did you mean '{close[0]}'?)" if close else f"; the fields are {', '.join(sorted(CLAIM_FIELDS))}"
            f.add(key, "unknown-field", f"unknown field '{key}'{hint}")
    cid = f.text("id", required=True)
    if cid and not ID_PATTERN.match(cid):
        f.add("id", "bad-id", f"claim id '{cid}' may hold only lower-case letters, digits and '-'")
    f.what = f"claim '{cid}'" if cid else "this claim"

    relation = f.text("relation") or "causes"
    if relation not in RELATIONS:
        f.add("relation", "bad-value", choice_message("relation", relation, RELATIONS))
        # Check the rest as the fields written suggest, so that one mistake gives one message.
        relation = "aim" if {"subject", "object"} & set(node) and not {"cause", "effect", "chain"} & set(node) else "causes"
    chain_raw = node.get("chain")
    if relation != "causes":
        chain_raw = None
        steps, polarities = _subject_object(f, relation)
    elif chain_raw is not None:
        if "cause" in node or "effect" in node:
            f.add("chain", "claim-shape", "a claim has either 'chain' or 'cause' and 'effect', not both")
        if not (isinstance(chain_raw, list) and len(chain_raw) >= 3 and all(isinstance(c, str) for c in chain_raw)):
            f.add("chain", "claim-shape", "'chain' must list three or more concept ids (for two, use cause: and effect:)")
            steps = []
        else:
            steps = [str(c).strip() for c in chain_raw]
    else:
        for key in ("subject", "object"):
            if key in node:
                f.add(key, "claim-shape", f"a causal claim names 'cause' and 'effect', not '{key}' (or give relation: form-of, part-of, aim or definition)")
        steps = [f.text("cause", required=True), f.text("effect", required=True)]
    if relation == "causes":
        n_links = max(1, len(steps) - 1)
        polarities = _polarities(f, n_links)
    else:
        n_links = 1

    evidence = f.text("evidence", required=True)
    if evidence and evidence not in EVIDENCE_KINDS:
        f.add("evidence", "bad-value", choice_message("evidence", evidence, EVIDENCE_KINDS))
    n_quote_problems = len(problems)
    quotes = f.texts("quote")
    if not quotes and len(problems) == n_quote_problems:  # else the quote is there but of the wrong type
        f.add(None, "missing-field", f"{f.what} has no 'quote': add the words of the source that support it")
    for q, qline in quotes:
        if not q.strip():
            problems.append(problem(path, qline, "bad-value", "an empty quote supports nothing"))
        elif len(q) > MAX_QUOTE_CHARS:
            problems.append(problem(path, qline, "too-large", f"a quote of {len(q):,} characters; quote at most {MAX_QUOTE_CHARS:,}"))
    gloss = f.text("gloss", required=True)

    conditions, condition_texts = [], []
    raw_conditions = node.get("conditions")
    if raw_conditions is None:
        raw_conditions = []
    elif not isinstance(raw_conditions, list):
        f.add("conditions", "field-type", "'conditions' must be a list of concept ids or {text: …} items")
        raw_conditions = []
    for i, c in enumerate(raw_conditions):
        if isinstance(c, str):
            conditions.append(c.strip())
        elif hasattr(c, "get") and isinstance(c.get("text"), str) and set(c) == {"text"}:
            condition_texts.append(c["text"].strip())
        else:
            problems.append(problem(path, line_of(raw_conditions, i), "field-type", "a condition is a concept id or {text: \"…\"}"))

    levels, case, period = [], "", ""
    scope = node.get("scope")
    if scope is not None:
        if not hasattr(scope, "get"):
            f.add("scope", "field-type", "'scope' is a mapping with level, case and period")
        else:
            sf = _Fields(scope, path, problems, "scope")
            for key in scope:
                if key not in SCOPE_FIELDS:
                    sf.add(key, "unknown-field", f"unknown scope field '{key}'; use level, case, period")
            levels = [lv for lv, _ in sf.texts("level")]
            for lv in levels:
                if lv not in LEVELS:
                    sf.add("level", "bad-value", choice_message("level", lv, LEVELS))
            case, period = sf.text("case"), sf.text("period")
    disputes = [d for d, _ in f.texts("disputes")]
    hedge = f.text("hedge")
    certainty, modality = _certainty(f, hedge)
    replaces = [r.strip() for r, _ in f.texts("replaces")]
    for r in replaces:
        if not ID_PATTERN.match(r):
            f.add("replaces", "bad-id", f"replaces '{r}', which is no claim id (lower-case letters, digits and '-')")
        elif r == cid:
            f.add("replaces", "bad-value", "a claim cannot replace itself")
    common: dict[str, Any] = dict(
        source=source, evidence=evidence, quotes=[q for q, _ in quotes], gloss=gloss, path=path,
        conditions=conditions, condition_texts=condition_texts, hedge=hedge, levels=levels,
        case=case, period=period, locator=f.text("locator"), note=f.text("note"), disputes=disputes,
        relation=relation, agent=[a.strip() for a, _ in f.texts("agent")], target=[t.strip() for t, _ in f.texts("target")],
        certainty=certainty, modality=modality, conjecture=f.text("conjecture"), replaces=replaces,
    )
    field_lines = {k: f.line(k) for k in node}
    if isinstance(node.get("quote"), list):
        field_lines.update({f"quote[{i}]": qline for i, (_, qline) in enumerate(quotes)})
    if len(problems) > n_before:
        return [], None
    line = f.line() or line or 1
    if chain_raw is None:
        return [Claim(id=cid, cause=steps[0], effect=steps[1], polarity=polarities[0], line=line,
                      field_lines=field_lines, **common)], None
    links = [
        Claim(id=f"{cid}.{k + 1}", cause=steps[k], effect=steps[k + 1], polarity=polarities[k],
              chain=cid, position=k + 1, line=line, field_lines=field_lines, **common)
        for k in range(n_links)
    ]
    return links, Chain(cid, source, steps, links, path, line)


def load_claim_file(path: Path, problems: list[Problem]) -> ClaimFile | None:
    """Read and check one claim file; concept ids, sources and quotes are resolved later, against the graph."""
    n_before = len(problems)
    data = load_yaml(path, problems)
    if data is None:
        if len(problems) == n_before:  # no YAML error: the file is empty or only comments
            problems.append(problem(path, 1, "empty-file", "the claim file is empty (or holds only comments): "
                                    "give it 'source:' and 'claims:', or delete it"))
        return None
    if not hasattr(data, "get") or "claims" not in data:
        problems.append(problem(path, line_of(data) or 1, "file-shape", "a claim file is a mapping with 'source:' and 'claims:' (a list)"))
        return None
    f = _Fields(data, path, problems, "the claim file")
    for key in data:
        if key not in FILE_FIELDS:
            f.add(key, "unknown-field", f"unknown field '{key}' at the top of a claim file: it holds only 'source:' and 'claims:' (indent claim fields under '- id: …')")
    source = f.text("source", required=True)
    if source and source != path.stem:
        f.add("source", "file-shape", f"claims of source '{source}' belong in claims/{source}.yaml, not {path.name}")
    raw_claims = data.get("claims")
    if raw_claims is None:
        raw_claims = []  # a source with no claims yet
    elif not isinstance(raw_claims, list):
        f.add("claims", "file-shape", f"'claims' must be a list, not {describe(raw_claims)}: start each claim with '- id: …'")
        return None
    claims, chains = [], []
    for i, node in enumerate(raw_claims):
        links, chain = _parse_claim(node, path, source, problems, line_of(raw_claims, i))
        claims.extend(links)
        if chain:
            chains.append(chain)
    return ClaimFile(path, source, f.line("source") or 1, claims, chains)
