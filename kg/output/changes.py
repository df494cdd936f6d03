"""What changed between two states of the graph (kg.query.diff.Diff), as a JSON-ready dict, plain text and Markdown."""

from __future__ import annotations

import json

from kg.output.markup import to_markdown_inline as md
from kg.output.report import JSON_VERSION
from kg.query.diff import Change, Diff, change_line
from kg.query.snapshot import Snapshot

# How a claim reads in one line: its link, named from the state it is in.
_ARROW = {"positive": "→", "negative": "⊣", "mixed": "⇢"}


def _state(s: Snapshot) -> dict:
    return {"label": s.label, "version": s.version, "content_sha256": s.content_sha256,
            "content_sha256_method": s.content_sha256_method or None, "date": s.released or None,
            "iri": s.iri or None}


def _value(v) -> str | list[str]:
    return list(v) if isinstance(v, tuple) else v


def _change(c: Change) -> dict:
    return {"field": c.field, "old": _value(c.old), "new": _value(c.new)}


def claim_line(snap: Snapshot, cid: str) -> str:
    """'压力 (pressure) → 推诿 (shirking) [mini-b]', or a non-causal claim's subject, relation and object."""
    c = snap.claims.get(cid, {})
    if c.get("relation") == "causes":
        link = f"{snap.concept_name(c.get('cause', ''))} {_ARROW.get(c.get('polarity', ''), '→')} {snap.concept_name(c.get('effect', ''))}"
    else:
        obj = f" {snap.concept_name(c['object'])}" if c.get("object") else ""
        link = f"{snap.concept_name(c.get('subject', ''))} {c.get('relation', '')}{obj}"
    return f"{link} [{c.get('source', '')}]"


def diff_to_dict(d: Diff) -> dict:
    """The shape `kg diff --format json` prints (documented in docs/json.md)."""
    return {
        "command": "diff",
        "version": JSON_VERSION,
        "old": _state(d.old),
        "new": _state(d.new),
        "concepts": {
            "added": [{"id": c, "name": d.new.concept_name(c)} for c in d.concepts_added],
            "removed": [{"id": c, "name": d.old.concept_name(c)} for c in d.concepts_removed],
            "changed": [{"id": c, "name": d.new.concept_name(c), "changes": [_change(x) for x in xs]}
                        for c, xs in d.concepts_changed.items()],
            "deprecated": [{"id": c, "name": d.old.concept_name(c), "replaced_by": list(r)} for c, r in d.deprecated.items()],
        },
        "claims": {
            "added": [{"id": c, "link": claim_line(d.new, c)} for c in d.claims_added],
            "removed": [{"id": c, "link": claim_line(d.old, c)} for c in d.claims_removed],
            "changed": [{"id": c, "link": claim_line(d.new, c), "changes": [_change(x) for x in xs]}
                        for c, xs in d.claims_changed.items()],
            "replaced": [{"id": c, "replaced_by": r} for c, r in d.retired.items()],
        },
    }


def _head(s: Snapshot) -> str:
    from kg.rdf.release import LEGACY_METHOD

    # a hash of govkg 0.4.0 or earlier differs from today's for the same graph: say so beside it
    digest = f", sha256 {s.content_sha256[:12]}" + (" by 0.4.0's definition" if s.content_sha256_method == LEGACY_METHOD else "") if s.content_sha256 else ""
    date = f", {s.released}" if s.released else ""
    return f"{s.label} (govkg {s.version}{date}{digest})"


def _replacement(d: Diff, targets: tuple[str, ...]) -> str:
    if not targets:
        return "no replacement"
    names = ", ".join(f"{t} {d.new.concept_name(t)}" for t in targets)
    return f"merged into {names}" if len(targets) == 1 else f"split into {names}"


def _counts(d: Diff) -> tuple[str, str]:
    concepts = (f"{len(d.concepts_added)} added, {len(d.concepts_removed)} removed, {len(d.concepts_changed)} changed, "
                f"{len(d.deprecated)} deprecated")
    claims = (f"{len(d.claims_added)} added, {len(d.claims_removed)} removed, {len(d.claims_changed)} changed, "
              f"{len(d.retired)} replaced")
    return concepts, claims


def _lines(d: Diff, name, item, sub) -> list[str]:
    """The body shared by text and Markdown: `name` escapes a name, `item`/`sub` start a line and a sub-line."""
    concepts, claims = _counts(d)
    out = [f"Concepts: {concepts}"]
    out += [f"{item}+ {c} {name(d.new.concept_name(c))}" for c in d.concepts_added]
    out += [f"{item}- {c} {name(d.old.concept_name(c))}" for c in d.concepts_removed]
    for c, xs in d.concepts_changed.items():
        out.append(f"{item}~ {c} {name(d.new.concept_name(c))}")
        out += [f"{sub}{name(change_line(x))}" for x in xs]
    out += [f"{item}⇢ {c} {name(d.old.concept_name(c))}: deprecated, {name(_replacement(d, r))}" for c, r in d.deprecated.items()]
    out += ["", f"Claims: {claims}"]
    out += [f"{item}+ {c} {name(claim_line(d.new, c))}" for c in d.claims_added]
    out += [f"{item}- {c} {name(claim_line(d.old, c))}" for c in d.claims_removed]
    for c, xs in d.claims_changed.items():
        out.append(f"{item}~ {c} {name(claim_line(d.new, c))}")
        out += [f"{sub}{name(change_line(x))}" for x in xs]
    out += [f"{item}⇢ {c}: replaced by {r}" for c, r in d.retired.items()]
    return out


def render_diff(d: Diff, fmt: str) -> str:
    """The diff as `text`, `markdown` or `json`."""
    if fmt == "json":
        return json.dumps(diff_to_dict(d), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        head = [f"# Changes from {md(_head(d.old))} to {md(_head(d.new))}", ""]
        body = _lines(d, md, "- ", "    - ")
        body = [f"## {line}" if line.startswith(("Concepts:", "Claims:")) else line for line in body]
        body = [x for line in body for x in ((line, "") if line.startswith("## ") else (line,))]
        body = [line for i, line in enumerate(body) if line or not i or body[i - 1]]  # one blank line at most
        return "\n".join(head + body + ([] if not d.empty else ["", "No differences."])) + "\n"
    head = [f"{_head(d.old)} → {_head(d.new)}"]
    body = _lines(d, lambda s: s, "  ", "      ")
    return "\n".join(head + body + ([] if not d.empty else ["no differences"])) + "\n"
