"""Source documents: their bibliographic records (sources/*.yaml), cleaned texts, and the works they report on."""

from __future__ import annotations

import re
from pathlib import Path

from kg.atomic import write_files_atomic
from kg.errors import Problem, problem
from kg.ids import ID_PATTERN, file_name_message  # noqa: E402  (one pattern for every id and file name)
from kg.inputs import schema
from kg.inputs.cleaning import RecipeError, clean_text
from kg.inputs.limits import MAX_FILE_BYTES
from kg.inputs.records import MARKER, DropLines, Recipe, Source, Work  # noqa: F401  (re-exported: the records this module reads)
from kg.inputs.yamlio import describe, line_of, load_yaml, read_text_checked, text_type_message
from kg.safeio import not_a_regular_file, read_bounded

SEED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # a file right in the seeds folder: no folders, no ..
WORKS_FILE = "works.yaml"
# Declared once in kg.inputs.schema, with the JSON Schema editors use.
KINDS, RELATIONS = schema.SOURCE_KINDS, schema.SOURCE_RELATIONS
RECORD_FIELDS = schema.names(schema.SOURCE_RECORD)
WORK_FIELDS = schema.names(schema.WORK)
CLEANING_FIELDS = schema.names(schema.CLEANING)


def _unknown_fields(node, allowed: set[str], path, problems, what: str) -> None:
    """A misspelt field would otherwise be silently ignored (and the value meant for it lost)."""
    for key in node:
        if key not in allowed:
            problems.append(problem(path, line_of(node, key), "unknown-field",
                                    f"unknown field '{key}' in {what}; the fields are {', '.join(sorted(allowed))}"))


def _text_field(node, key, path, problems, required=False) -> str:
    value = node.get(key)
    if value is None:
        if required:
            problems.append(problem(path, line_of(node, key) if key in node else line_of(node), "missing-field", f"the record needs a '{key}' field"))
        return ""
    if not isinstance(value, str):
        problems.append(problem(path, line_of(node, key), "field-type", text_type_message(key, value)))
        return ""
    if required and not value.strip():
        problems.append(problem(path, line_of(node, key), "missing-field", f"'{key}' is empty: fill it in"))
    return value


def _text_list(node, key, path, problems) -> tuple[str, ...]:
    value = node.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(problem(path, line_of(node, key), "field-type",
                                f"'{key}' must be a list of texts ([\"…\", \"…\"]), not {describe(value)}"))
        return ()
    return tuple(value)


def _recipe(node, path, problems, line: int | None = None) -> Recipe:
    """The cleaning recipe; every field is type-checked, since a wrong one silently changes the cleaned text."""
    if node is None:
        return Recipe()
    if not hasattr(node, "get"):
        problems.append(problem(path, line, "recipe", f"'cleaning' must be a mapping (drop, strip_pinyin, garbled), not {describe(node)}"))
        return Recipe()
    _unknown_fields(node, CLEANING_FIELDS, path, problems, "the cleaning recipe")
    drops = []
    raw_drops = node.get("drop")
    if raw_drops is not None and not isinstance(raw_drops, list):
        problems.append(problem(path, line_of(node, "drop"), "recipe", f"'drop' must be a list, not {describe(raw_drops)}"))
        raw_drops = []
    for i, d in enumerate(raw_drops or []):
        spec = d.get("lines", "") if hasattr(d, "get") else ""
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", str(spec)) if isinstance(spec, (int, str)) and not isinstance(spec, bool) else None
        why = d.get("why") if hasattr(d, "get") else None
        if not m or not isinstance(why, str) or not why.strip():
            problems.append(
                problem(path, line_of(raw_drops, i), "recipe", "each drop needs 'lines: N' or 'lines: N-M' and a 'why' (text)")
            )
            continue
        first = int(m.group(1))
        drops.append(DropLines(first, int(m.group(2) or first), why))
    # bool("no") is True: only a real YAML true/false may switch pinyin stripping.
    strip_pinyin = node.get("strip_pinyin", False)
    if not isinstance(strip_pinyin, bool):
        problems.append(problem(path, line_of(node, "strip_pinyin"), "recipe",
                                f"'strip_pinyin' must be true or false (unquoted), not {describe(strip_pinyin)}"))
        strip_pinyin = False
    # A string here would be iterated character by character.
    garbled = node.get("garbled")
    if garbled is None:
        garbled = []
    if not isinstance(garbled, list) or not all(isinstance(g, str) and g for g in garbled):
        problems.append(problem(path, line_of(node, "garbled"), "recipe",
                                f"'garbled' must be a list of non-empty texts, not {describe(garbled)}"))
        garbled = []
    return Recipe(tuple(drops), strip_pinyin, tuple(garbled))


def load_works(sources_dir: Path, problems: list[Problem]) -> dict[str, Work]:
    path = sources_dir / WORKS_FILE
    if not path.exists():
        return {}
    data = load_yaml(path, problems)
    works: dict[str, Work] = {}
    if data is not None and not isinstance(data, list):
        problems.append(problem(path, line_of(data) or 1, "file-shape", f"{WORKS_FILE} is a list of works ('- id: …'), not {describe(data)}"))
        return works
    for i, node in enumerate(data or []):
        if not hasattr(node, "get"):
            problems.append(problem(path, line_of(data, i), "file-shape", f"each work is a mapping (id:, kind:, title:, …), not {describe(node)}"))
            continue
        _unknown_fields(node, WORK_FIELDS, path, problems, "a work")
        wid = _text_field(node, "id", path, problems, required=True)
        if wid and not ID_PATTERN.match(wid):
            problems.append(problem(path, line_of(node, "id"), "bad-id", f"work id {wid!r} must be lower-case letters, digits and '-'"))
            continue
        if wid in works:
            problems.append(problem(path, line_of(data, i), "duplicate-id", f"work id '{wid}' is used twice"))
        works[wid] = Work(
            id=wid,
            kind=_text_field(node, "kind", path, problems, required=True),
            title=_text_field(node, "title", path, problems, required=True),
            title_en=_text_field(node, "title_en", path, problems),
            authors=_text_list(node, "authors", path, problems),
            note=_text_field(node, "note", path, problems),
        )
    return works


def load_source_record(path: Path, problems: list[Problem], require_text: bool = True) -> Source | None:
    """Read one source record and its cleaned text (sources/<id>.txt); None when it cannot be used."""
    n_before = len(problems)
    data = load_yaml(path, problems)
    if data is None:
        if len(problems) == n_before:  # no YAML error: the file is empty or only comments
            problems.append(problem(path, 1, "empty-file", "the source record is empty (or holds only comments): "
                                    "fill in its fields, or delete it"))
        return None
    if not hasattr(data, "get"):
        problems.append(problem(path, 1, "record-shape", "a source record is a mapping of fields (id:, title:, …)"))
        return None
    n_before = len(problems)
    _unknown_fields(data, RECORD_FIELDS, path, problems, "a source record")
    sid = _text_field(data, "id", path, problems, required=True)
    if sid and not ID_PATTERN.match(sid):
        problems.append(problem(path, line_of(data, "id"), "bad-id", f"source id '{sid}' must be lower-case letters, digits and '-'"))
    if sid and sid != path.stem:
        problems.append(problem(path, line_of(data, "id"), "bad-id", f"source id '{sid}' must match the file name '{path.stem}'"))
    kind = _text_field(data, "kind", path, problems, required=True)
    if kind and kind not in KINDS:
        problems.append(problem(path, line_of(data, "kind"), "bad-value", schema.choice_message("kind", kind, KINDS)))
    relation = _text_field(data, "relation", path, problems)
    if relation and relation not in RELATIONS:
        problems.append(problem(path, line_of(data, "relation"), "bad-value", schema.choice_message("relation", relation, RELATIONS)))
    fields = {
        k: _text_field(data, k, path, problems)
        for k in ("title_en", "container", "issue", "issued", "language", "work", "note", "seed", "seed_sha256")
    }
    if fields["work"] and not ID_PATTERN.match(fields["work"]):
        problems.append(problem(path, line_of(data, "work"), "bad-id", f"work {fields['work']!r} must be a work id: lower-case letters, digits and '-'"))
    if fields["seed"] and not SEED_NAME.match(fields["seed"]):
        problems.append(problem(path, line_of(data, "seed"), "bad-value",
                                f"seed '{fields['seed']}' must be the name of a file in the seeds folder (no folders, no ..)"))
    title = _text_field(data, "title", path, problems, required=True)
    authors = _text_list(data, "authors", path, problems)
    keywords = _text_list(data, "keywords", path, problems)
    recipe = _recipe(data.get("cleaning"), path, problems, line_of(data, "cleaning"))
    text_path = path.with_suffix(".txt")
    if text_path.exists():
        text = read_text_checked(text_path, problems)
    elif require_text:
        text = None
        problems.append(problem(text_path, None, "missing-text", f"no cleaned text: run `kg sources clean` to write {text_path.name}"))
    else:
        text = ""
    if len(problems) > n_before or text is None:
        return None
    return Source(
        id=sid, kind=kind, title=title, text=text, record_path=path, text_path=text_path,
        authors=authors, keywords=keywords, relation=relation, recipe=recipe,
        language=fields["language"] or "zh-Hans", title_en=fields["title_en"], container=fields["container"],
        issue=fields["issue"], issued=fields["issued"], work=fields["work"], note=fields["note"], seed=fields["seed"],
        seed_sha256=fields["seed_sha256"],
    )


def load_sources(sources_dir: Path, problems: list[Problem]) -> tuple[dict[str, Source], dict[str, Work]]:
    """All source records in a folder, and the works they report on."""
    works = load_works(sources_dir, problems)
    sources: dict[str, Source] = {}
    for path in sorted(sources_dir.glob("*.yaml")):
        if path.name == WORKS_FILE:
            continue
        if file_name_message(path.name):
            problems.append(problem(path, None, "bad-name", file_name_message(path.name) or ""))
            continue
        src = load_source_record(path, problems)
        if src is None:
            continue
        if src.work != src.id and src.work not in works:
            problems.append(problem(path, None, "unknown-work", f"work '{src.work}' is not in {WORKS_FILE}"))
        sources[src.id] = src
    return sources, works


def sha256_of(path: Path) -> str:
    import hashlib  # not at the top: a warm query imports this module, never hashing (OpenSSL loads with hashlib)

    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed_path_of(src: Source, seeds_dir: Path) -> Path:
    """The seed's file, which must be a regular file inside the seeds folder; else RecipeError."""

    if not SEED_NAME.match(src.seed):
        raise RecipeError(f"seed '{src.seed}' must be the name of a file in the seeds folder (no folders, no ..)")
    seed_path = seeds_dir / src.seed
    try:
        inside = seed_path.resolve().is_relative_to(Path(seeds_dir).resolve())
        why = not_a_regular_file(seed_path, follow=True) if inside else None
    except FileNotFoundError:
        raise RecipeError(f"seed {seed_path} not found") from None
    except OSError as exc:
        raise RecipeError(f"cannot read seed {seed_path}: {exc.strerror or exc}") from None
    if not inside:
        raise RecipeError(f"seed {src.seed} is a link to a file outside the seeds folder {seeds_dir}")
    if why:
        raise RecipeError(f"seed {src.seed} is {why}")
    return seed_path


def clean_from_seed(src: Source, seeds_dir: Path) -> str:
    """The cleaned text as the recipe makes it from the seed; raises RecipeError if it cannot."""

    seed_path = seed_path_of(src, seeds_dir)
    try:
        raw = read_bounded(seed_path.resolve(), MAX_FILE_BYTES)
    except OSError as exc:
        raise RecipeError(f"cannot read seed {seed_path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), seed_path.stat().st_size)
        raise RecipeError(f"seed {src.seed} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}: is it the right file?")
    import hashlib

    digest = hashlib.sha256(raw).hexdigest()
    if src.seed_sha256 and digest != src.seed_sha256:
        raise RecipeError(f"seed {src.seed} has changed (sha256 {digest[:12]}…, the record says {src.seed_sha256[:12]}…)")
    from kg.inputs.intake import decode_seed

    try:  # UTF-8, or GB18030 for a seed `kg source add` took in as such
        return clean_text(decode_seed(raw, f"seed {src.seed}"), src.recipe)
    except ValueError as exc:
        raise RecipeError(str(exc)) from None


def check_against_seeds(sources: dict[str, Source], seeds_dir: Path) -> list[Problem]:
    """Problems where a committed cleaned text is not what its recipe makes from the seed."""
    problems = []
    for src in sources.values():
        if not src.seed:  # a source typed in directly has no seed to reproduce it from
            continue
        try:
            expected = clean_from_seed(src, seeds_dir)
        except RecipeError as exc:
            problems.append(problem(src.record_path, None, "recipe", str(exc)))
            continue
        if expected != src.text:
            a, b = expected, src.text
            i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            problems.append(
                problem(src.text_path, src.line_of_offset(i), "not-reproducible",
                        "the cleaned text differs from what the recipe makes from the seed: run `kg sources clean`")
            )
    return problems


def write_cleaned_texts(sources_dir: Path, seeds_dir: Path) -> tuple[list[Path], list[Problem]]:
    """(Re)write every sources/<id>.txt from its seed and recipe; returns the files written.

    All texts are made in memory first and then written together, all or none, so a failure or a
    kill half-way never leaves some texts from this run and some from the last.
    """

    problems: list[Problem] = []
    outputs: dict[str, bytes] = {}
    for path in sorted(sources_dir.glob("*.yaml")):
        if path.name == WORKS_FILE:
            continue
        src = load_source_record(path, problems, require_text=False)
        if src is None or not src.seed:  # a source typed in directly has no seed to make it from
            continue
        try:
            text = clean_from_seed(src, seeds_dir)
        except RecipeError as exc:
            problems.append(problem(path, None, "recipe", str(exc)))
            continue
        outputs[src.text_path.name] = text.encode("utf-8")
    written = write_files_atomic(outputs, sources_dir) if outputs else []
    return written, problems
