"""Appending one claim to a source's claim file, leaving every byte before it as it was (comments, layout, wrapping).

The entry is dumped by ruamel (so quoting is YAML's, not ours) and added after the file's last claim,
at the indentation its claims already use; the result is parsed again and must hold the same claims
plus the new one before it replaces the file, whole (kg.atomic). Rewriting the whole file through a
round-trip dump would re-wrap folded glosses and move comments: appending text does not.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from kg.errors import KGError, Problem
from kg.inputs.yamlio import load_yaml

_ITEM = re.compile(r"^( *)- (?:id|relation|cause|chain)\s*:", re.M)
_FLOW_KEYS = {"chain", "conditions", "agent", "target", "level", "disputes", "replaces", "polarity"}


class ClaimFileError(KGError):
    """The claim file cannot take a new claim as it stands (not a claim file, `claims` not last …)."""

    exit_code = 1


def dump_entry(entry: dict, indent: str = "  ") -> str:
    """The YAML of one claim as an item of the `claims` list, each line starting with `indent`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    node = CommentedMap()
    for key, value in entry.items():
        if isinstance(value, dict):
            inner = CommentedMap()
            for k, v in value.items():
                inner[k] = _seq(v, CommentedSeq, flow=True) if isinstance(v, list) else v
            node[key] = inner
        elif isinstance(value, list):
            node[key] = _seq(value, CommentedSeq, flow=key in _FLOW_KEYS)
        else:
            node[key] = value
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 10**6  # one line per value: a long quote stays on its line, as in the files
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump([node], out)
    # The top-level list is dumped at offset 2 (for nested lists to sit 2 under their key, as in the
    # files): take those 2 off, and put the file's own indentation instead.
    return "".join(indent + (line[2:] if line.startswith("  ") else line) + "\n" for line in out.getvalue().splitlines())


def _seq(values: list, cls, flow: bool):
    seq = cls(values)
    if flow:
        seq.fa.set_flow_style()
    return seq


def appended_text(path: Path, source_id: str, entry: dict) -> str:
    """The claim file's text with `entry` appended as its last claim (a new file when there is none)."""
    if not path.exists():
        return f"source: {source_id}\nclaims:\n" + dump_entry(entry)
    problems: list[Problem] = []
    data = load_yaml(path, problems)
    if problems:
        raise ClaimFileError("\n".join(str(p) for p in problems) + f"\nfix {path.name} before adding a claim")
    if not hasattr(data, "get") or "claims" not in data:
        raise ClaimFileError(f"{path}:1: not a claim file (source: and claims:): see claims/README.md")
    if data.get("source") != source_id:
        raise ClaimFileError(f"{path}:1: the file says source: {data.get('source')!r}, not {source_id!r}")
    if list(data)[-1] != "claims":
        raise ClaimFileError(f"{path}: 'claims' is not the file's last field, so a claim cannot be appended at its end: move it last")
    claims = data["claims"]
    text = path.read_text(encoding="utf-8")
    if not claims:
        m = re.search(r"^claims:[ \t]*(?:\[\][ \t]*)?(#.*)?$", text, re.M)
        if not m:
            raise ClaimFileError(f"{path}: an empty 'claims' that is not `claims:` or `claims: []` on one line")
        text = text[:m.start()] + "claims:" + text[m.end():]
    if not isinstance(claims, list):
        raise ClaimFileError(f"{path}: 'claims' is not a list")
    items = _ITEM.findall(text)
    indent = items[0] if items else "  "
    if not text.endswith("\n"):
        text += "\n"
    return text + dump_entry(entry, indent)


def append_claim(path: Path, source_id: str, entry: dict) -> str:
    """Append `entry` to the claim file at `path` (made if missing), atomically; returns the previous text ('' if none).

    The new text is parsed before it is written: it must hold every earlier claim and the new one last.
    """
    from kg.atomic import write_text_atomic

    before = path.read_text(encoding="utf-8") if path.exists() else ""
    n_before = len(load_yaml(path, []).get("claims") or []) if before else 0
    new = appended_text(path, source_id, entry)
    probe = path.with_name(f".{path.stem}.check.yaml")
    try:
        probe.write_text(new, encoding="utf-8")
        problems: list[Problem] = []
        data = load_yaml(probe, problems)
    finally:
        probe.unlink(missing_ok=True)
    claims = data.get("claims") if hasattr(data, "get") else None
    if problems or not claims or len(claims) != n_before + 1 or claims[-1].get("id") != entry.get("id"):
        shown = "; ".join(p.message for p in problems)
        raise ClaimFileError(f"{path}: appending the claim would not give a valid claim file ({shown or 'the claims do not read back'}); "
                             "the file is unchanged")
    write_text_atomic(path, new)
    return before
