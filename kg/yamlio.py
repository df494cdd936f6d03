"""Reading hand-written YAML safely: YAML 1.2, duplicate keys reported, no aliases, line numbers kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import Problem, problem
from .limits import MAX_FILE_BYTES, MAX_LITERAL_CHARS


def read_text_checked(path: Path, problems: list[Problem]) -> str | None:
    """The file's text, or None with a problem when it is too large or not UTF-8."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.append(problem(path, None, "io", f"cannot read the file: {exc.strerror}"))
        return None
    if size > MAX_FILE_BYTES:
        problems.append(
            problem(path, None, "too-large", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}: split it or check it is the right file")
        )
        return None
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            problem(path, line, "encoding", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8", column)
        )
        return None


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Parse one YAML file into ruamel's round-trip nodes (which know their line), or None on error.

    YAML 1.2 means `no`, `on`, `yes` stay strings; a duplicate key is an error rather than a silent
    overwrite; aliases are refused outright since claim files have no use for them and they are the
    way to build a "billion laughs" document.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    text = read_text_checked(path, problems)
    if text is None:
        return None
    from .yamlfast import load_plain_yaml

    fast = load_plain_yaml(text)  # the same answer, 20-50× sooner, for plain documents
    if fast is not None:
        return fast
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        for event in yaml.parse(text):
            if type(event).__name__ == "AliasEvent":
                mark = event.start_mark
                problems.append(
                    problem(path, mark.line + 1, "yaml-alias", "aliases (*name) are not allowed in govkg files: write the value out", mark.column + 1)
                )
                return None
            value = getattr(event, "value", None)
            if isinstance(value, str) and len(value) > MAX_LITERAL_CHARS:
                mark = event.start_mark
                problems.append(
                    problem(path, mark.line + 1, "too-large", f"a value of {len(value):,} characters; the limit is {MAX_LITERAL_CHARS:,}", mark.column + 1)
                )
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
        problems.append(problem(path, None, "yaml-syntax", str(exc).strip().splitlines()[0]))
    return None


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
