"""Taking in a new raw text: reading it (UTF-8 or GB18030), proposing a cleaning recipe, scaffolding its source record.

The proposal is only a proposal: each rule says why, and the curator reads the record before the
text is quoted. What is proposed for dropping: web addresses and HTML left in a copied page, page
numbers, an aggregator's furniture (update times, tag lists, share buttons), and short lines that
recur as running headers; pinyin annotations (網(wǎng)) are stripped when there are any.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.ids import ID_PATTERN
from kg.inputs.cleaning import PINYIN_ANNOTATION, DropLines, Recipe, clean_text
from kg.inputs.limits import MAX_FILE_BYTES
from kg.inputs.quotes import fold
from kg.inputs.schema import SOURCE_KINDS

ENCODINGS = ("utf-8", "gb18030")


class IntakeError(KGError):
    """A raw text that cannot be taken in (empty, binary, in no encoding govkg reads, a record already there)."""

    exit_code = 1


class WriteError(KGError):
    """The new source's files could not be written (nothing was left half-written)."""

    exit_code = 2


def decode_raw(raw: bytes, name: str = "the file") -> tuple[str, str]:
    """(the text, the encoding it was read in): UTF-8 (a byte-order mark is dropped) or, failing that, GB18030.

    Raises IntakeError for an empty file, a binary one (NUL bytes or many control characters), or one
    that neither encoding reads.
    """
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise IntakeError(f"{name} is empty: there is no text to take in")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise IntakeError(f"{name}:{line}: a NUL byte: this is a binary file (a PDF, Word or image?), not a text; save it as plain text first")
    for enc in ENCODINGS:
        try:
            text = raw.decode("utf-8-sig" if enc == "utf-8" else enc)
        except UnicodeDecodeError as exc:
            if enc == ENCODINGS[-1]:
                line = raw[: exc.start].count(b"\n") + 1
                raise IntakeError(f"{name}:{line}: neither UTF-8 nor GB18030 (byte 0x{raw[exc.start]:02x}): save the file as UTF-8") from None
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        if controls > max(2, len(text) // 100):
            raise IntakeError(f"{name}: {controls} control characters: this looks like a binary file, not a text")
        return text, enc
    raise AssertionError("unreachable")


def read_raw(path: Path) -> tuple[str, str, bytes]:
    """(text, encoding, bytes) of a raw file; IntakeError when it is not a readable text file."""
    from kg.safeio import not_a_regular_file, read_bounded

    try:
        why = not_a_regular_file(path, follow=True)
        if why:
            raise IntakeError(f"{path} is {why}")
        raw = read_bounded(path.resolve(), MAX_FILE_BYTES)
    except FileNotFoundError:
        raise IntakeError(f"{path}: no such file") from None
    except OSError as exc:
        raise IntakeError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise IntakeError(f"{path} is over {MAX_FILE_BYTES:,} bytes, the limit: is it the right file?")
    text, enc = decode_raw(raw, str(path))
    return text, enc, raw


# Each rule: (pattern over the line in simplified script, why the line goes). First match wins.
_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"https?://|www\.[a-z0-9-]+\.[a-z]"), "a web address: page furniture or advertising, not the text"),
    (re.compile(r"^\s*<[a-zA-Z/][^>]*>.*$"), "HTML tags left in the copied page"),
    (re.compile(r"^\s*[-—–(（]?\s*(?:第\s*)?\d{1,4}\s*(?:页|/\s*\d{1,4})?\s*[-—–)）]?\s*$"), "a page number"),
    (re.compile(r"(?:更新时间|发布时间|发表时间|责任编辑|本文标签|扫一扫|分享到|点击查看|关注我们|版权所有|上一篇|下一篇|相关阅读|阅读次数)"),
     "page furniture of the site it was copied from (times, tags, links)"),
    (re.compile(r"(?:在线|不卡|日韩|欧美|无码|av|彩票|博彩|成人)(?:.*(?:在线|不卡|日韩|欧美|无码|av|彩票|博彩|成人)){2,}", re.I),
     "a spam line (a list of site titles)"),
)
HEADER_MAX_CHARS = 40  # a running header is short
HEADER_MIN_REPEATS = 3


@dataclass(frozen=True)
class Proposal:
    """A proposed cleaning recipe, each dropped range with its reason, and what was noticed of the text."""

    drop: tuple[DropLines, ...]
    strip_pinyin: bool
    pinyin: int  # annotations found
    language: str  # zh-Hans or zh-Hant, by the share of characters OpenCC's t2s changes
    encoding: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def recipe(self) -> Recipe:
        return Recipe(self.drop, self.strip_pinyin)


def _lines(text: str) -> list[str]:
    """The lines as `kg.inputs.cleaning.clean_text` numbers them (split at \\n only)."""
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def guess_language(text: str) -> str:
    han = [ch for ch in text if "\u3400" <= ch <= "\u9fff"]
    if not han:
        return "zh-Hans"
    sample = "".join(han[:20000])
    changed = sum(1 for a, b in zip(sample, fold(sample), strict=True) if a != b)
    return "zh-Hant" if changed / len(sample) > 0.05 else "zh-Hans"


def propose_recipe(text: str, encoding: str = "utf-8") -> Proposal:
    """What to drop from a raw text and why, whether to strip pinyin, which script it is in."""
    lines = _lines(text)
    why: dict[int, str] = {}
    for n, line in enumerate(lines, 1):
        simple = fold(line)
        for pattern, reason in _RULES:
            if line.strip() and pattern.search(simple):
                why[n] = reason
                break
    counts: dict[str, list[int]] = {}
    for n, line in enumerate(lines, 1):
        key = line.strip()
        if key and len(key) <= HEADER_MAX_CHARS:
            counts.setdefault(key, []).append(n)
    for key, at in counts.items():
        if len(at) >= HEADER_MIN_REPEATS:
            for n in at[1:]:  # the first is kept: it is most often the title itself
                why.setdefault(n, f"a running header repeated {len(at)} times («{key}»); its first occurrence is kept")
    drops: list[DropLines] = []
    for n in sorted(why):
        last = drops[-1] if drops else None
        if last and last.last == n - 1 and last.why == why[n]:
            drops[-1] = DropLines(last.first, n, last.why)
        else:
            drops.append(DropLines(n, n, why[n]))
    annotations = PINYIN_ANNOTATION.findall(text)
    pinyin = len(annotations)
    notes = []
    if pinyin:
        notes.append(f"{pinyin} pinyin annotation(s) after characters, e.g. «{annotations[0]}»: strip_pinyin")
    if encoding != "utf-8":
        notes.append(f"read as {encoding.upper()}; the cleaned text is written in UTF-8")
    return Proposal(tuple(drops), pinyin > 0, pinyin, guess_language(text), encoding, tuple(notes))


def slug(name: str) -> str:
    """A source id from a file name: lower-case letters, digits and '-'."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", name.lower())).strip("-")


def _q(value: str) -> str:
    """A YAML 1.2 double-quoted scalar (JSON's string syntax is a subset)."""
    return json.dumps(value, ensure_ascii=False)


def scaffold_record(sid: str, seed: str, sha256: str, proposal: Proposal, *, kind: str = "", title: str = "",
                    title_en: str = "", authors: tuple[str, ...] = (), container: str = "", issued: str = "",
                    work: str = "", relation: str = "") -> str:
    """The text of sources/<id>.yaml: the fields to fill (commented), and the proposed recipe with a reason per rule."""
    def opt(key: str, value: str, hint: str) -> str:
        return f"{key}: {_q(value)}" if value else f"# {key}: \"\"        # {hint}"

    out = [
        "# A new source: fill in what the document says of itself (nothing invented), read the proposed",
        "# recipe, then `kg sources clean` and `kg sources check`. Fields: claims/README.md, *Adding a source*.",
        f"id: {sid}",
        f"seed: {_q(seed)}",
        f"seed_sha256: {sha256}",
        f"kind: {kind or 'article'}" + ("" if kind else f"        # fill in: {' | '.join(SOURCE_KINDS)}"),
        f"title: {_q(title)}" + ("" if title else "        # fill in: the title as the document gives it"),
        opt("title_en", title_en, "an English rendering of the title"),
        f"authors: [{', '.join(_q(a) for a in authors)}]" if authors else "# authors: []        # the authors the document names",
        opt("container", container, "the periodical, site or book it appeared in"),
        opt("issued", issued, "YYYY-MM-DD, YYYY-MM or YYYY, as the document gives it"),
        f"language: {proposal.language}",
        opt("work", work, "the work in sources/works.yaml it excerpts or takes notes on"),
        opt("relation", relation, "excerpt | notes"),
    ]
    for note in proposal.notes:
        out.append(f"# intake: {note}")
    out.append("cleaning:")
    out.append(f"  strip_pinyin: {'true' if proposal.strip_pinyin else 'false'}")
    if proposal.drop:
        out.append("  drop:")
        for d in proposal.drop:
            lines = str(d.first) if d.first == d.last else f"{d.first}-{d.last}"
            out.append(f"    - {{lines: {_q(lines) if '-' in lines else lines}, why: {_q(d.why)}}}")
    else:
        out.append("  drop: []")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class AddedSource:
    id: str
    record: Path
    text: Path
    seed: Path
    proposal: Proposal
    lines_in: int
    lines_out: int
    incomplete: tuple[str, ...]  # fields still to fill in


def add_source(sources_dir: Path, seeds_dir: Path, file: Path, *, sid: str | None = None, force: bool = False,
               **record) -> AddedSource:
    """Take in a raw text: copy it to the seeds folder, write sources/<id>.yaml (record and proposed recipe) and sources/<id>.txt.

    Nothing is written when the file cannot be read or the id is taken (unless `force`); each file is
    written whole or not at all (kg.atomic).
    """
    from kg.atomic import write_bytes_atomic, write_files_atomic

    text, encoding, raw = read_raw(file)
    sid = sid or slug(file.stem)
    if not sid or not ID_PATTERN.match(sid):
        raise IntakeError(f"'{sid}' cannot be a source id (lower-case letters, digits and '-'): give --id")
    if sid == "works":
        raise IntakeError("'works' is the name of sources/works.yaml: give another --id")
    kind = record.get("kind") or ""
    if kind and kind not in SOURCE_KINDS:
        raise IntakeError(f"kind '{kind}' is not one of {', '.join(SOURCE_KINDS)}")
    if not sources_dir.is_dir():
        raise IntakeError(f"{sources_dir} is not a folder: is this a govkg project? (--root)")
    record_path, text_path = sources_dir / f"{sid}.yaml", sources_dir / f"{sid}.txt"
    if record_path.exists() and not force:
        raise IntakeError(f"{record_path} exists: choose another --id, or --force to replace it")
    seed_name = file.name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", file.name) else f"{sid}.txt"
    seed_path = seeds_dir / seed_name
    if seed_path.exists() and seed_path.read_bytes() != raw:
        raise IntakeError(f"{seed_path} exists with other content: rename {file.name}, or give --id")
    proposal = propose_recipe(text, encoding)
    cleaned = clean_text(text, proposal.recipe)
    sha = hashlib.sha256(raw).hexdigest()
    body = scaffold_record(sid, seed_name, sha, proposal, **{k: v for k, v in record.items() if v})
    copied = not seed_path.exists()
    try:
        if copied:
            seeds_dir.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(seed_path, raw)
        # The record and its text together, or neither (a record without its text would not load).
        write_files_atomic({text_path.name: cleaned.encode("utf-8"), record_path.name: body.encode("utf-8")}, sources_dir)
    except OSError as exc:
        if copied:
            seed_path.unlink(missing_ok=True)
        raise WriteError(f"could not write the new source: {exc.strerror or exc}; sources/ is unchanged") from None
    incomplete = tuple(k for k in ("kind", "title") if not record.get(k))
    return AddedSource(sid, record_path, text_path, seed_path, proposal, len(_lines(text)), len(_lines(cleaned)), incomplete)


def decode_seed(raw: bytes, name: str) -> str:
    """A seed's text, as `add_source` read it (UTF-8, else GB18030); ValueError when neither reads it."""
    try:
        return decode_raw(raw, name)[0]
    except IntakeError as exc:
        raise ValueError(str(exc)) from None
