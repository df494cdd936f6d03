"""The records people write by hand, declared once: claim files, source records, works.

The loaders (kg.inputs.claims, kg.inputs.sources) take their field names, closed vocabularies and
required fields from here, and `json_schema` writes the same declarations as JSON Schema, so an
editor with the YAML language server completes and checks a claim file as `kg validate` would
(claims/claim-file.schema.json, sources/source-record.schema.json; `kg schema` rewrites them).
What JSON Schema cannot say (a quote found verbatim, a concept that exists, a hedge word's
certainty) only `kg validate` checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kg.ids import ID_PATTERN
from kg.inputs.vocabulary import (  # noqa: F401  (re-exported)
    CERTAINTIES,
    EVIDENCE_KINDS,
    LEVELS,
    MODALITIES,
    POLARITY_WORDS,
    RELATIONS,
    SOURCE_KINDS,
    SOURCE_RELATIONS,
)

Kind = Literal["text", "texts", "id", "ids", "choice", "choices", "polarity", "conditions", "mapping", "records", "flag", "lines"]

# Closed vocabularies (kg.inputs.vocabulary: a query reads them without this module's declarations).
EVERY = RELATIONS  # `required` for every relation


@dataclass(frozen=True)
class Field:
    """One field of a record: its name, the shape of its value, when it is required, what it holds."""

    name: str
    kind: Kind
    help: str
    choices: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # claims: the relations that need it; other records: EVERY or ()
    fields: tuple[Field, ...] = ()  # a mapping's or a list of records' own fields


SCOPE = (
    Field("level", "choices", "levels of government the claim is about", LEVELS),
    Field("case", "text", "the case the claim rests on, if any"),
    Field("period", "text", "the period it is about, if the text gives one"),
)

CLAIM = (
    Field("id", "id", "a stable id, unique in the whole graph: lower-case letters, digits and '-'", required=EVERY),
    Field("relation", "choice", "what the claim states (default: causes)", RELATIONS),
    Field("cause", "id", "causes: the concept that acts", required=()),
    Field("effect", "id", "causes: the concept acted on", required=()),
    Field("chain", "ids", "causes: three or more concepts the text states as one argument, in order"),
    Field("subject", "id", "form-of, part-of, aim, definition: the concept the claim is about", required=("form-of", "part-of", "aim", "definition")),
    Field("object", "id", "form-of, part-of, aim: the concept it is a form or part of, or aims at", required=("form-of", "part-of", "aim")),
    Field("polarity", "polarity", "causes (and aim): positive raises or brings about, negative lowers or counters; a chain may give one per link",
          POLARITY_WORDS, required=("causes",)),
    Field("agent", "ids", "actor concepts that act in the claim, as the text says"),
    Field("target", "ids", "actor concepts the action falls on, as the text says"),
    Field("conditions", "conditions", "concept ids, or {text: …}, under which the claim holds"),
    Field("evidence", "choice", "what the text rests the claim on", EVIDENCE_KINDS, required=EVERY),
    Field("hedge", "text", "the text's own word for how sure or how binding it is (必然, 会, 可能, 必须 …)"),
    Field("certainty", "choice", "how sure the text is, when the hedge word does not say it by the table", CERTAINTIES),
    Field("modality", "choice", "a norm: obligation (必须, 要) or necessity (只能, 才能)", MODALITIES),
    Field("scope", "mapping", "what the claim is about: level, case, period", fields=SCOPE),
    Field("quote", "texts", "the words of the source that support it, verbatim; one or a list", required=EVERY),
    Field("locator", "text", "¶<marker> or line N of the cleaned text; computed when left out"),
    Field("gloss", "text", "a precise English rendering of the claim as the text makes it", required=EVERY),
    Field("note", "text", "what a reader should know: why this reading, what the text leaves open"),
    Field("conjecture", "text", "a reading proposed for a garbled stretch next to the quote, with its basis (never in the quote)"),
    Field("disputes", "ids", "ids of claims this one contradicts"),
    Field("replaces", "ids", "ids of claims this one replaces: they keep resolving to it"),
)

CLAIM_FILE = (
    Field("source", "id", "the id of the source document (sources/<id>.yaml); the file is claims/<id>.yaml", required=EVERY),
    Field("claims", "records", "the claims", fields=CLAIM),
)

CLEANING = (
    Field("drop", "records", "lines of the seed to drop, each with the reason",
          fields=(Field("lines", "lines", "N or N-M", required=EVERY), Field("why", "text", "why they go", required=EVERY))),
    Field("strip_pinyin", "flag", "remove pinyin annotations after characters (網(wǎng))"),
    Field("garbled", "texts", "garbled stretches, each replaced by the mark 〔乱码〕"),
)

SOURCE_RECORD = (
    Field("id", "id", "the source's id: the file is sources/<id>.yaml, the text sources/<id>.txt", required=EVERY),
    Field("seed", "text", "the raw text's file name in the seeds folder"),
    Field("seed_sha256", "text", "the sha256 of the seed, so a changed seed is noticed"),
    Field("kind", "choice", "what the document is", SOURCE_KINDS, required=EVERY),
    Field("title", "text", "the title as the document gives it", required=EVERY),
    Field("title_en", "text", "an English rendering of the title"),
    Field("authors", "texts", "the authors the document names (none invented)"),
    Field("container", "text", "the periodical, site or book it appeared in"),
    Field("issue", "text", "the issue of the container"),
    Field("issued", "text", "the date it gives: YYYY-MM-DD, YYYY-MM or YYYY"),
    Field("language", "text", "zh-Hans or zh-Hant"),
    Field("work", "id", "the work it excerpts or takes notes on (sources/works.yaml)"),
    Field("relation", "choice", "how it stands to its work", SOURCE_RELATIONS),
    Field("note", "text", "what a reader should know about the document"),
    Field("keywords", "texts", "keywords the document gives"),
    Field("cleaning", "mapping", "the recipe that makes the cleaned text from the seed", fields=CLEANING),
)

WORK = (
    Field("id", "id", "the work's id", required=EVERY),
    Field("kind", "text", "what the work is (book …)", required=EVERY),
    Field("title", "text", "the title", required=EVERY),
    Field("title_en", "text", "an English rendering of the title"),
    Field("authors", "texts", "the authors the documents name"),
    Field("note", "text", "what a reader should know"),
)


def names(record: tuple[Field, ...]) -> set[str]:
    return {f.name for f in record}


def choice_message(name: str, value: str, choices: tuple[str, ...]) -> str:
    """The one wording of a value outside a closed vocabulary."""
    allowed = " or ".join(choices) if len(choices) == 2 else "one of " + ", ".join(choices)
    return f"{name} '{value}' must be {allowed}"


# --- JSON Schema -------------------------------------------------------------------------------------

_ID = {"type": "string", "pattern": ID_PATTERN.pattern}


def _value_schema(f: Field) -> dict:
    text = {"type": "string"}
    if f.kind == "text":
        out: dict = dict(text)
    elif f.kind == "texts":
        out = {"anyOf": [text, {"type": "array", "items": text, "minItems": 1 if f.required else 0}]}
    elif f.kind == "id":
        out = dict(_ID)
    elif f.kind == "ids":
        out = {"anyOf": [_ID, {"type": "array", "items": _ID}]}
    elif f.kind == "choice":
        out = {"type": "string", "enum": list(f.choices)}
    elif f.kind == "choices":
        enum = {"type": "string", "enum": list(f.choices)}
        out = {"anyOf": [enum, {"type": "array", "items": enum}]}
    elif f.kind == "polarity":
        enum = {"type": "string", "enum": list(f.choices)}
        out = {"anyOf": [enum, {"type": "array", "items": enum, "minItems": 1}]}
    elif f.kind == "conditions":
        out = {"type": "array", "items": {"anyOf": [_ID, {"type": "object", "properties": {"text": text},
                                                          "required": ["text"], "additionalProperties": False}]}}
    elif f.kind == "lines":
        out = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\d+(-\d+)?$"}]}
    elif f.kind == "flag":
        out = {"type": "boolean"}
    elif f.kind == "mapping":
        out = _object_schema(f.fields)
    elif f.kind == "records":
        out = {"type": "array", "items": _object_schema(f.fields)}
    else:  # pragma: no cover - every kind is listed above
        raise ValueError(f.kind)
    out["description"] = f.help
    return out


def _object_schema(fields: tuple[Field, ...]) -> dict:
    return {
        "type": "object",
        "properties": {f.name: _value_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required == EVERY],
        "additionalProperties": False,
    }


def _claim_schema() -> dict:
    out = _object_schema(CLAIM)
    # What each relation needs: a causal claim cause + effect (or a chain) and a polarity; the
    # others subject (and object), no cause, effect or chain.
    causal = {"required": ["polarity"], "anyOf": [{"required": ["cause", "effect"]}, {"required": ["chain"]}],
              "not": {"anyOf": [{"required": ["subject"]}, {"required": ["object"]}]}}
    out["allOf"] = [{"if": {"not": {"required": ["relation"]}}, "then": causal},
                    {"if": {"properties": {"relation": {"const": "causes"}}, "required": ["relation"]}, "then": causal}]
    for rel in RELATIONS[1:]:
        needs = [f.name for f in CLAIM if rel in f.required and f.required != EVERY]
        out["allOf"].append({"if": {"properties": {"relation": {"const": rel}}, "required": ["relation"]},
                             "then": {"required": needs, "not": {"anyOf": [{"required": [k]} for k in ("cause", "effect", "chain")]}}})
    return out


def json_schema(record: str) -> dict:
    """The JSON Schema (draft 2020-12) of a claim file ("claim-file") or a source record ("source-record")."""
    if record == "claim-file":
        body = _object_schema(CLAIM_FILE)
        body["properties"]["claims"] = {"type": "array", "items": _claim_schema(), "description": "the claims"}
        title = "govkg claim file (claims/<source>.yaml)"
    elif record == "source-record":
        body = _object_schema(SOURCE_RECORD)
        title = "govkg source record (sources/<id>.yaml)"
    else:
        raise ValueError(f"no schema for '{record}': claim-file or source-record")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://w3id.org/govkg/schema/{record}.schema.json", "title": title, **body}


SCHEMA_FILES = {"claim-file": "claims/claim-file.schema.json", "source-record": "sources/source-record.schema.json"}


def schema_texts() -> dict[str, str]:
    """The JSON Schema files, by their path in a project, as the text `kg schema --write` puts there."""
    import json

    return {path: json.dumps(json_schema(record), ensure_ascii=False, indent=2) + "\n" for record, path in SCHEMA_FILES.items()}
