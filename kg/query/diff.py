"""What changed between two states of the graph (release folders, git revisions, project folders), and each claim's history across releases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, KGError
from kg.query.snapshot import RELEASES_DIR, Snapshot, is_release, read_release, snapshot_of_kg


@dataclass(frozen=True)
class Change:
    """One field of a concept or claim that differs: its name, the old value and the new ("" or () when absent)."""

    field: str
    old: str | tuple[str, ...]
    new: str | tuple[str, ...]


@dataclass
class Diff:
    """Concepts and claims added, removed and changed from `old` to `new`, and the ids retired in `new`.

    `deprecated`: concept ids that are deprecated stubs in `new` and were not in `old` (or pointed elsewhere),
    each with what replaces them (a merge: one id; a split: several; none: nothing current). `retired`: claim ids a
    claim of `new` replaces (its `replaces:`) that `old` did not already retire, each with that claim.
    Neither is counted as removed: their IRIs still resolve and point on.
    """

    old: Snapshot
    new: Snapshot
    concepts_added: list[str] = field(default_factory=list)
    concepts_removed: list[str] = field(default_factory=list)
    concepts_changed: dict[str, list[Change]] = field(default_factory=dict)
    deprecated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    claims_added: list[str] = field(default_factory=list)
    claims_removed: list[str] = field(default_factory=list)
    claims_changed: dict[str, list[Change]] = field(default_factory=dict)
    retired: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.concepts_added or self.concepts_removed or self.concepts_changed or self.deprecated
                    or self.claims_added or self.claims_removed or self.claims_changed or self.retired)


def changes(old: dict, new: dict) -> list[Change]:
    """The fields of two records (of one concept or claim) that differ, in field-name order."""
    return [Change(k, old.get(k, ""), new.get(k, "")) for k in sorted(old.keys() | new.keys())
            if old.get(k, "") != new.get(k, "") and not (old.get(k) in ("", ()) and new.get(k) in ("", ()))]


def diff(old: Snapshot, new: Snapshot) -> Diff:
    """Compare two snapshots (kg.query.snapshot): every concept and claim by id, field by field."""
    out = Diff(old, new)
    live_old = {c for c in old.concepts if c not in old.deprecated}
    live_new = {c for c in new.concepts if c not in new.deprecated}
    out.deprecated = {c: r for c, r in sorted(new.deprecated.items()) if old.deprecated.get(c) != r}
    out.concepts_added = sorted(live_new - live_old)  # a stub brought back to life is added again
    out.concepts_removed = sorted(live_old - set(new.concepts))
    for cid in sorted(live_old & live_new):
        found = changes(old.concepts[cid], new.concepts[cid])
        if found:
            out.concepts_changed[cid] = found
    out.retired = {c: r for c, r in sorted(new.retired.items()) if old.retired.get(c) != r}
    out.claims_added = sorted(set(new.claims) - set(old.claims))
    out.claims_removed = sorted(set(old.claims) - set(new.claims) - set(out.retired))
    for cid in sorted(set(old.claims) & set(new.claims)):
        found = changes(old.claims[cid], new.claims[cid])
        if found:
            out.claims_changed[cid] = found
    return out


# --- the states a user names ---------------------------------------------------------------------------


def load_state(spec: str, root: Path) -> Snapshot:
    """The snapshot `spec` names: a release folder (release.json and govkg.trig, or parts/, as `kg release` or `kg build`
    writes), a version released in root/releases/, a project folder (ontology/, sources/, claims/), or else a git
    revision of the project at `root`
    (a tag, branch or commit, unpacked into a temporary folder; the working tree is not touched).

    The project folder and the revision are loaded and emitted by this version of govkg; a revision whose
    files have problems raises InputError with them.
    """
    from kg.inputs.revision import checkout
    from kg.model.project import load_kg

    folder = Path(spec)
    if not folder.is_dir() and (root / RELEASES_DIR / spec).is_dir():  # a version: the project's release of it
        folder = root / RELEASES_DIR / spec
    if folder.is_dir() and is_release(folder):
        return read_release(folder)
    if folder.is_dir() and (folder / "ontology").is_dir() and (folder / "claims").is_dir():
        kg, problems = load_kg(folder)
        if problems:
            raise InputError(problems)
        return _snapshot_now(kg, spec)
    if folder.is_dir():
        raise KGError(f"{spec} is a folder, but neither a release (release.json and govkg.trig or parts/) nor a project (ontology/, claims/)")
    with checkout(root, spec) as tree:
        kg, problems = load_kg(tree)
        if problems:
            shown = "\n".join(f"  {p}" for p in problems[:10])
            more = f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else ""
            raise KGError(f"the project at revision {spec} does not load cleanly with this govkg "
                          f"({len(problems)} problem(s), paths inside the revision):\n{shown}{more}")
        return _snapshot_now(kg, spec, version_in(tree))


def version_in(tree: Path) -> str | None:
    """The version a checkout of govkg names in its kg/version.py (the last of RELEASES), if it has one."""
    import ast

    try:
        module = ast.parse((tree / "kg" / "version.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("RELEASES", "__version__") for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, tuple) and value and isinstance(value[-1], str):
                return value[-1]
            if isinstance(value, str):
                return value
    return None


def _snapshot_now(kg, label: str, version: str | None = None) -> Snapshot:
    from kg.version import __version__

    return snapshot_of_kg(kg, label, hashed=True, version=version or __version__)


# --- a claim's releases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRelease:
    """A claim in one release: present (status added, changed or unchanged, with the changes from the release
    before), or gone (status removed, or replaced with the claim that replaces it)."""

    version: str
    released: str  # the release date, "" when unknown
    iri: str  # the release IRI, "" when unknown
    content_sha256: str
    status: str  # added | unchanged | changed | removed | replaced
    changes: tuple[Change, ...] = ()
    replaced_by: str = ""

    def to_dict(self) -> dict:
        """As JSON, and as the site's claim pages read it: `change` is the status, `changes` one line per field."""
        return {"version": self.version, "date": self.released, "iri": self.iri, "content_sha256": self.content_sha256,
                "change": self.status, "changes": [change_line(c) for c in self.changes], "replaced_by": self.replaced_by}


def _shown(v) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(v) + "]" if v else "(none)"
    return f"«{v}»" if v else "(none)"


def change_line(c: Change) -> str:
    """A change in words: 'polarity: «positive» → «negative»'."""
    return f"{c.field}: {_shown(c.old)} → {_shown(c.new)}"


def _snapshot(item: Path | Snapshot) -> Snapshot:
    return item if isinstance(item, Snapshot) else read_release(Path(item))


def claim_history(releases: Sequence[Path | Snapshot]) -> dict[str, list[ClaimRelease]]:
    """For each claim id, the releases it appears in and how it changed, oldest first.

    `releases`: release folders (as `kg release` writes them) or snapshots, oldest first. A claim's list
    has one entry per release from the one it first appears in: `added` there, then `unchanged` or
    `changed` (with the fields that changed), and `removed` or `replaced` (with `replaced_by`, the id of
    the claim whose `replaces:` retired it) in the first release it is missing from; if it comes back,
    `added` again. Claims that were only ever retired ids are listed from the release that retired them.
    """
    snaps = [_snapshot(r) for r in releases]
    history: dict[str, list[ClaimRelease]] = {}
    previous: Snapshot | None = None
    for snap in snaps:
        def entry(status: str, found: tuple[Change, ...] = (), replaced_by: str = "", s: Snapshot = snap) -> ClaimRelease:
            return ClaimRelease(s.version, s.released, s.iri, s.content_sha256, status, found, replaced_by)

        for cid, record in snap.claims.items():
            before = previous.claims.get(cid) if previous else None
            if before is None:
                item = entry("added")
            else:
                found = tuple(changes(before, record))
                item = entry("changed" if found else "unchanged", found)
            history.setdefault(cid, []).append(item)
        gone = set(previous.claims) - set(snap.claims) if previous else set()
        gone |= {c for c in snap.retired if c not in snap.claims and (previous is None or c not in previous.retired)}
        for cid in sorted(gone):
            if cid in snap.retired:
                history.setdefault(cid, []).append(entry("replaced", replaced_by=snap.retired[cid]))
            else:
                history.setdefault(cid, []).append(entry("removed"))
        previous = snap
    return history
