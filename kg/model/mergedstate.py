"""What the merge of every claim file's summary made (kg.model.project `_resolve_kept`), kept as one entry, so that a rebuild reads one file, not every summary.

The state holds, for each claim file in order: its path, content key, spec and dependencies (what its
resolution read), its claim and chain ids as the merge kept them, the statements left out as
duplicates, the problems the merge reported in it (its parse's, its statements', its `replaces:` and
`disputes:` entries'), its graph record's key and its counts; and for the whole: the retired ids, the
ids that were duplicates, the causal pairs that several files share, the counts' sum.

It is used as it is when no file changed, and when one file changed in a way no other file can see:
the same statement ids, claim ids, chains, positions, `replaces:` and `disputes:` (only its lines,
glosses, quotes, concepts …), none of its ids a duplicate, none of its causal pairs shared. Then
that file's part is made again from its new summary, the rest is the state's: the same answer as a
full merge (tests/test_merged_state.py compares after every kind of edit). Anything else, or a state
that cannot be read, is a miss: the full merge runs and keeps a new state.

It is kept in parts, so that keeping it again after one edit writes what changed: the files' parts
in runs of FILES_PER_PART (the edited file's run is written again, the others are left as they are),
the whole's part (written again only when it changed: not after an edit of a gloss), and a small
index naming them by the sha256 of their bytes, written last: a run stopped halfway leaves the
previous index, whose parts are still there (kg.atomic writes each whole or not at all).
"""

from __future__ import annotations

import hashlib
import marshal
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.model.claimstats import ClaimCounts

STATE_FORMAT = 4
FILES_PER_PART = 32  # at 1,000 files, 32 parts: an edit writes one, some 1/32 of the files' part


def state_key(salt: str, claims_folder: str) -> str:
    return hashlib.sha256(f"govkg merged claim files {STATE_FORMAT}\n{salt}\n{claims_folder}".encode()).hexdigest()


@dataclass
class FileState:
    """One claim file's part of the merge (plain values: marshal)."""

    path: str
    key: str
    spec: tuple | bytes  # or its marshal bytes as kept: read by `spec_of()` only when the dependencies are checked (a third of a part's read)
    dependencies: str
    claim_ids: tuple  # in KG.claims' order
    chain_ids: tuple
    dropped: tuple  # statement ids left out as duplicates
    parse_problems: tuple  # plain problems (kg.model.claimfiles)
    merge_problems: tuple  # its unknown source, or its statements' problems and duplicates, in order
    retire_problems: tuple  # (claim id, "replaces" or "disputes", code, message): their line is the claim's field's
    record_key: str
    counts: tuple | None  # ClaimCounts.to_kept (its links read only when asked for), None for a file with no claim kept

    def spec_of(self) -> tuple:
        spec = marshal.loads(self.spec) if isinstance(self.spec, bytes) else self.spec
        self.spec = spec
        return spec

    def plain(self) -> tuple:
        return (self.path, self.key, self.spec if isinstance(self.spec, bytes) else marshal.dumps(self.spec), self.dependencies, self.claim_ids, self.chain_ids, self.dropped, self.parse_problems,
                self.merge_problems, self.retire_problems, self.record_key, self.counts)


@dataclass
class MergedState:
    files: list[FileState]
    replaced: dict[str, str]
    duplicated: frozenset  # every statement id that is a duplicate somewhere
    shared_pairs: frozenset | bytes  # the causal pairs of more than one file, or their marshal bytes as kept: read by `shared()`
    totals: tuple  # ClaimCounts.to_kept of every file's counts added up
    world: str | None  # kg.model.project._world when the state was made: while it is the same, no file's dependencies changed
    tallies: tuple | None = None  # the sum's ClaimCounts.link_tallies

    # The names of the parts this state was read from (None: made since, to be written): see keep_state.
    file_parts: list[str | None] = field(default_factory=list)
    whole_part: str | None = None
    read_parts: frozenset = frozenset()  # every part's name as read: those no longer named once kept again are let go

    def shared(self) -> frozenset:
        """The causal pairs of more than one file (read from the kept bytes the first time: only an edit that changed a pair asks)."""
        if isinstance(self.shared_pairs, bytes):
            self.shared_pairs = frozenset(marshal.loads(self.shared_pairs))
        return self.shared_pairs

    def changed_file(self, i: int) -> None:
        """Mark the part holding file `i` as to be written again."""
        if self.file_parts:
            self.file_parts[i // FILES_PER_PART] = None

    def counted(self) -> ClaimCounts:
        """The sum of every file's counts, with its link tallies when they are kept."""
        out = ClaimCounts.from_plain(self.totals)
        if self.tallies is not None:
            out.tallies = (self.tallies[0], self.tallies[1])
        return out



def part_key(raw: bytes) -> str:
    return hashlib.sha256(b"govkg merged state part\n" + raw).hexdigest()


def read_state(get: Callable[[str], object], where: str) -> MergedState | None:
    """The state kept under `where` (`get` reads a kept value, marking it used), or None (a miss) if a part is missing, or of
    another format or shape. A part is not hashed again: like every kept entry, it is trusted to hold what its name says."""
    try:
        index = get(where)
        if not isinstance(index, bytes):
            return None
        fmt, file_parts, whole_part, world = marshal.loads(index)
        if fmt != STATE_FORMAT or not isinstance(world, str | None) or not isinstance(whole_part, str):
            return None
        files: list[FileState] = []
        for name in file_parts:
            raw = get(name)
            if not isinstance(raw, bytes):
                return None
            fmt, plain = marshal.loads(raw)
            if fmt != STATE_FORMAT:
                return None
            files.extend(FileState(*f) for f in plain)
        raw = get(whole_part)
        if not isinstance(raw, bytes):
            return None
        fmt, replaced, duplicated, shared, totals, tallies = marshal.loads(raw)
        if (fmt != STATE_FORMAT or not isinstance(replaced, dict) or not isinstance(totals, tuple) or not isinstance(shared, bytes)
                or not (tallies is None or (isinstance(tallies, tuple) and isinstance(tallies[0], dict) and isinstance(tallies[1], int)))):
            return None
        ClaimCounts.from_plain(totals)  # of the shape kept (its links are read when asked for)
        return MergedState(files, replaced, frozenset(duplicated), shared, totals, world, tallies, list(file_parts), whole_part,
                           frozenset((*file_parts, whole_part)))
    except Exception:  # broken, truncated, of another shape: a miss
        return None


def keep_state(state: MergedState, put: Callable[[str, bytes], None], where: str) -> set[str]:
    """Keep `state` under `where`: the parts not read as they are written (each under the sha256 of its bytes), then the index.
    Returns the names of the parts read that it no longer names (the caller lets them be pruned)."""
    runs = range(0, len(state.files), FILES_PER_PART)
    parts: list[str | None] = list(state.file_parts) if len(state.file_parts) == len(runs) else [None] * len(runs)
    for n, start in enumerate(runs):
        if parts[n] is None:
            raw = marshal.dumps((STATE_FORMAT, tuple(f.plain() for f in state.files[start:start + FILES_PER_PART])))
            name = parts[n] = part_key(raw)
            put(name, raw)
    whole = state.whole_part
    if whole is None:
        shared = state.shared_pairs
        shared_bytes = shared if isinstance(shared, bytes) else marshal.dumps(tuple(shared))
        raw = marshal.dumps((STATE_FORMAT, state.replaced, tuple(state.duplicated), shared_bytes, state.totals, state.tallies))
        whole = part_key(raw)
        put(whole, raw)
    put(where, marshal.dumps((STATE_FORMAT, tuple(parts), whole, state.world)))
    state.file_parts, state.whole_part = list(parts), whole
    return set(state.read_parts - {*parts, whole})


def shared_pairs(counts: list[ClaimCounts]) -> frozenset:
    seen: set = set()
    shared: set = set()
    for c in counts:
        shared.update(seen & c.links.keys())
        seen.update(c.links)
    return frozenset(shared)


def totals_after(totals: ClaimCounts, old: ClaimCounts, new: ClaimCounts, shared: frozenset) -> ClaimCounts | None:
    """`totals` with one file's counts `old` replaced by `new`, or None when a causal pair whose sources or polarities changed
    is another file's too (they are a union: it cannot be taken apart)."""
    changed = [pair for pair in old.links.keys() | new.links.keys() if old.links.get(pair) != new.links.get(pair)]
    if any(pair in shared or (pair not in old.links and pair in totals.links) for pair in changed):
        return None
    out = ClaimCounts.from_plain(totals.to_kept())  # the sum's links as kept: read only if a pair changed
    if changed:
        out.links = dict(totals.links)
    out.claims += new.claims - old.claims
    for name in ("by_source", "by_polarity", "in_roles", "by_relation", "by_certainty", "by_modality"):
        tally: Counter = getattr(out, name)
        tally.subtract(getattr(old, name))
        tally.update(getattr(new, name))
        setattr(out, name, Counter({k: n for k, n in tally.items() if n > 0}))  # as counted from the claims: no zero entry
    out.conditional += new.conditional - old.conditional
    out.disputes += new.disputes - old.disputes
    out.with_agent += new.with_agent - old.with_agent
    out.with_target += new.with_target - old.with_target
    for pair in changed:
        if pair in new.links:
            out.links[pair] = new.links[pair]
        else:
            out.links.pop(pair, None)
    if totals.tallies is not None:  # the tallies of the changed pairs alone taken out and put back
        several, opposed = dict(totals.tallies[0]), totals.tallies[1]
        for pair in changed:
            for links, sign in ((totals.links, -1), (out.links, 1)):
                if pair in links:
                    sources, polarities = links[pair]
                    if len(sources) > 1 and sign < 0:
                        del several[pair]
                    elif len(sources) > 1:
                        several[pair] = sources
                    if len(polarities) > 1:
                        opposed += sign
        out.tallies = (several, opposed)
    return out


def shape(summary) -> tuple | None:
    """What other files' part of the merge reads of a file's summary (kg.model.claimfiles.Summary): its ids, chains, positions,
    `replaces:` and `disputes:`, without lines; None for a file whose source is unknown (the merge takes nothing of it)."""
    if summary.unknown_source is not None:
        return None
    return tuple((sid, None if links is None else tuple((c[0], c[1], c[2], c[3], c[5]) for c in links), chain)
                 for sid, _line, _id_line, _found, links, chain in summary.statements)
