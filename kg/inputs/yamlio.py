"""Reading hand-written YAML safely: YAML 1.2, duplicate keys reported, no aliases or tags, size and depth capped, lines kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.errors import Problem, problem
from kg.inputs.limits import BAD_CHARS, MAX_FILE_BYTES, MAX_LITERAL_CHARS, MAX_NESTING, NUMBER, refused_char_kind
from kg.inputs.yamlfast import load_plain_yaml
from kg.safeio import not_a_regular_file, read_bounded


def read_text_checked(path: Path, problems: list[Problem]) -> str | None:
    """The file's text, or None with a problem when it is not a regular file, too large or not UTF-8."""

    try:
        why = not_a_regular_file(path)
        if why:
            problems.append(problem(path, None, "not-a-file", f"{path.name} is {why}"))
            return None
        raw = read_bounded(path, MAX_FILE_BYTES)
    except OSError as exc:
        problems.append(problem(path, None, "io", f"cannot read the file: {exc.strerror or exc}"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), path.stat().st_size)
        problems.append(
            problem(path, None, "too-large", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}: split it or check it is the right file")
        )
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            problem(path, line, "encoding", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8", column)
        )
        return None




def _check_event(event, depth: int) -> tuple[str, str] | None:
    """(code, message) when one parse event holds something govkg refuses, else None."""
    kind = type(event).__name__
    if kind == "AliasEvent":
        return "yaml-alias", "aliases (*name) are not allowed in govkg files: write the value out"
    if getattr(event, "tag", None) is not None and kind in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent"):
        tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")
        return "yaml-tag", f"tags ({tag}) are not allowed in govkg files: to keep a value as text, put it in quotes"
    if depth > MAX_NESTING:
        return "too-deep", f"lists and mappings nested more than {MAX_NESTING} deep: no govkg file needs that many levels"
    value = getattr(event, "value", None)
    if not isinstance(value, str):
        return None
    if len(value) > MAX_LITERAL_CHARS:
        return "too-large", f"a value of {len(value):,} characters; the limit is {MAX_LITERAL_CHARS:,}"
    # ruamel's round-trip scanner marks where a folded (>) scalar was folded with BEL; not the author's.
    bad = BAD_CHARS.search(value.replace("\a", "") if event.style == ">" else value)
    if bad:
        return "bad-character", f"the character U+{ord(bad.group()):04X} ({refused_char_kind(bad.group())}) is not allowed: remove it (or the escape that makes it)"
    if event.style is None:  # plain, unquoted
        if value == "<<":
            return "yaml-merge", "merge keys (<<) are not allowed in govkg files: write the fields out"
        if len(value) > 100 and NUMBER.fullmatch(value):
            return "too-large", f"a number of {len(value):,} characters: if it is text, put it in quotes"
    return None


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Parse one YAML file into ruamel's round-trip nodes (which know their line), or None on error.

    YAML 1.2 means `no`, `on`, `yes` stay strings; a duplicate key is an error rather than a silent
    overwrite; aliases are refused outright since claim files have no use for them and they are the
    way to build a "billion laughs" document. Tags, merge keys, deep nesting, overlong values and
    control characters are refused too, all while scanning the parse events: before any of it is
    built into Python objects.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = read_text_checked(path, problems)
    if text is None:
        return None
    fast = load_plain_yaml(text)  # the same answer, 20-50× sooner, for plain documents
    if fast is not None:
        return fast
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        depth = 0
        for event in yaml.parse(text):
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            found = _check_event(event, depth)
            if found:
                mark = event.start_mark
                problems.append(problem(path, mark.line + 1, found[0], found[1], mark.column + 1))
                return None
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc):
            what = f"{what}: each key may appear once in a mapping; remove or rename the second one"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problems.append(problem(path, line, "yaml-syntax", what, column))
    except YAMLError as exc:
        # A ReaderError (a raw control character) knows its offset but not its line.
        pos = getattr(exc, "position", None)
        line = text.count("\n", 0, pos) + 1 if isinstance(pos, int) else None
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1 if isinstance(pos, int) else None
        what = str(exc).strip().splitlines()[0].strip()
        character = getattr(exc, "character", None)
        if character is not None:
            what = f"the character U+{character:04X} is not allowed in YAML: remove it"
        problems.append(problem(path, line, "yaml-syntax", what, column))
    except (ValueError, RecursionError) as exc:  # the event scan should have caught these; never a traceback
        problems.append(problem(path, None, "yaml-syntax", f"the file cannot be read as YAML: {exc}"))
    return None


def describe(value: Any) -> str:
    """What YAML made of a value, in words, for a message saying it should have been something else."""
    import datetime

    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if hasattr(value, "items"):
        return "a mapping"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"a {type(value).__name__}"


def text_type_message(key: Any, value: Any) -> str:
    """The message for a field that must be text but is not."""
    if isinstance(value, (bool, int, float)) or describe(value).startswith("the date"):
        return f"'{key}' must be text, but YAML reads this value as {describe(value)}: put it in quotes ({key}: \"…\")"
    return f"'{key}' must be text, not {describe(value)}"


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of a mapping key (or of the node itself) in its file, when ruamel recorded it."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, TypeError, IndexError, AttributeError):
        return lc.line + 1
