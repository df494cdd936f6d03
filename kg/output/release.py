"""Cutting a release: releases/<version>/ with the built graph, the citations, a release record (version, date, content hash, the previous release) and the site, written whole or not at all."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kg import version as versions
from kg.atomic import process_alive, refuse_link
from kg.errors import KGError
from kg.output.build import render_outputs
from kg.output.citations import dataset_record, get_claim_records, to_bibtex, to_csl_json
from kg.query.diff import claim_history
from kg.query.snapshot import find_releases, read_release_record, snapshot_of_kg, version_key
from kg.query.stats import get_stats
from kg.rdf.release import HASH_METHOD, LEGACY_METHOD, content_hash, legacy_hash_of_lines, release_iri

STAGE_PREFIX = ".release-"  # a release being written, beside the others: renamed into place when whole
CITATIONS = ("citations.bib", "citations.json")


class ReleaseExists(KGError):
    """This version is released already, with other content: the version number must go up first."""


@dataclass
class Release:
    """What `cut_release` did: the folder, its record, and whether it was there already (same content)."""

    folder: Path
    record: dict
    files: list[str]
    existed: bool = False
    site: bool = False


def release_date() -> str:
    """Today (UTC), or the day of $SOURCE_DATE_EPOCH, for a reproducible release."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return moment.date().isoformat()


def previous_release(releases_dir: Path, version: str) -> dict | None:
    """The newest release folder before `version` (version, content hash, IRI), else kg.version's prior version."""
    earlier = [p for p in find_releases(releases_dir) if version_key(read_release_record(p)["version"]) < version_key(version)]
    if earlier:
        record = read_release_record(earlier[-1])
        return {"version": record["version"], "content_sha256": record.get("content_sha256", ""),
                "content_sha256_method": record.get("content_sha256_method", LEGACY_METHOD),
                "iri": record.get("iri") or release_iri(record["version"])}
    prior = [v for v in versions.RELEASES if version_key(v) < version_key(version)]
    return {"version": prior[-1], "content_sha256": "", "iri": release_iri(prior[-1])} if prior else None


def release_record(kg, releases_dir: Path, date: str | None = None) -> dict:
    """The record of a release of this graph now: kg build's metadata plus date, IRI and the previous release."""
    version = versions.__version__
    return {
        "name": "govkg",
        "version": version,
        "iri": release_iri(version),
        "date": date or release_date(),
        "content_sha256": content_hash(kg),
        "content_sha256_method": HASH_METHOD,  # a record without it holds govkg 0.4.0's hash (kg.rdf.release.LEGACY_METHOD)
        "previous": previous_release(releases_dir, version),
        "stats": get_stats(kg),
    }


def _hash_as(kg, record: dict, method: str) -> str | None:
    """This graph's content hash by the definition a release record names (a release cut by 0.4.0 or earlier holds
    the hash of the sorted N-Quads), so that a hash is only ever compared with one of its own kind; None: unknown."""
    if method == record["content_sha256_method"]:
        return record["content_sha256"]
    if method == LEGACY_METHOD:
        from kg.rdf.nquads import iter_nquads

        return legacy_hash_of_lines(line.rstrip("\n") for line in iter_nquads(kg))
    return None


def citation_files(kg, record: dict) -> dict[str, bytes]:
    """Every statement (claim or chain) cited from this release, and the release itself, as BibTeX and CSL-JSON."""
    in_chains = {c.id for ch in kg.chains.values() for c in ch.links}
    ids = sorted(kg.chains) + sorted(c for c in kg.claims if c not in in_chains)
    records = get_claim_records(kg, ids, release=record) + [dataset_record(record["version"], record["content_sha256"])]
    return {"citations.bib": to_bibtex(records).encode("utf-8"), "citations.json": to_csl_json(records).encode("utf-8")}


def release_history(kg, releases_dir: Path, record: dict | None = None) -> dict[str, list[dict]]:
    """Each claim's history over the releases in releases_dir and this state of the graph (kg.query.diff.claim_history),
    as the dicts the site's claim pages read (ClaimRelease.to_dict). `record`: this state's release record (default:
    release_record, dated today): `kg site` can pass build_site(…, history=release_history(kg, root / "releases"))."""
    record = record or release_record(kg, releases_dir)
    now = snapshot_of_kg(kg, record["version"], version=record["version"], content_sha256=record["content_sha256"],
                         content_sha256_method=record.get("content_sha256_method", HASH_METHOD),
                         released=record["date"], iri=record["iri"])
    earlier = [p for p in find_releases(releases_dir) if version_key(read_release_record(p)["version"]) < version_key(record["version"])]
    return {cid: [entry.to_dict() for entry in entries] for cid, entries in claim_history([*earlier, now]).items()}


def site_history(kg, root: Path) -> dict[str, list[dict]] | None:
    """The claims' history for `kg site`: over the project's releases/ and this state; None before the first release."""
    releases_dir = Path(root) / "releases"
    return release_history(kg, releases_dir) if find_releases(releases_dir) else None


def write_site(kg, folder: Path, release: dict, history: dict) -> None:
    """The static site of this release (kg.output.site.build_site), with each claim's history on its page."""
    from kg.output.site import build_site

    build_site(kg, folder, release=release, history=history)


SiteBuilder = Callable[[object, Path, dict, dict], None]


def cut_release(kg, releases_dir: Path, *, date: str | None = None, site: SiteBuilder | None = write_site) -> Release:
    """Write releases_dir/<version>/ from the graph: the outputs of `kg build`, citations.bib and citations.json,
    release.json (the record, with each file's SHA-256) and the site in site/, with each claim's releases on its
    page (`site(kg, folder, record, history)` writes it; None: no site).

    Everything is written into a hidden folder beside the others and renamed into place only when whole, so a
    failure or a kill leaves no half-written release. A version already released with the same content is
    left as it is (existed=True); with other content it raises ReleaseExists: raise the version first.
    """
    refuse_link(releases_dir)  # never write, nor sweep stale stages, through a link
    record = release_record(kg, releases_dir, date)
    version = record["version"]
    target = releases_dir / version
    if target.is_symlink():
        raise ReleaseExists(f"{target} is a symbolic link, not a release govkg wrote: remove it, or release into another folder (--out)")
    if target.exists():
        old = read_release_record(target)
        if old.get("content_sha256") == _hash_as(kg, record, old.get("content_sha256_method", LEGACY_METHOD)):
            return Release(target, old, sorted(p.name for p in target.iterdir()), existed=True, site=(target / "site").is_dir())
        raise ReleaseExists(f"release {version} exists already at {target} with other content "
                            f"(sha256 {str(old.get('content_sha256', ''))[:16]}…, this graph {record['content_sha256'][:16]}…): "
                            "a release never changes; raise the version in kg/version.py (RELEASES) and release again")
    files = render_outputs(kg, record)
    files.update(citation_files(kg, record))
    record["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items()) if name != "release.json"}
    files["release.json"] = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    releases_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_stages(releases_dir)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=releases_dir))
    try:
        for name, data in files.items():
            (stage / name).write_bytes(data)
        if site is not None:
            site(kg, stage / "site", record, release_history(kg, releases_dir, record))
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp made it private; a release is for reading
        os.rename(stage, target)  # fails if the folder appeared meanwhile: never merged into another
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return Release(target, record, sorted(files), site=site is not None)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale_stages(releases_dir: Path) -> None:
    """Delete the hidden folders of releases whose process was killed half-way (its id no longer runs)."""
    for p in releases_dir.iterdir():
        if not p.name.startswith(STAGE_PREFIX) or p.is_symlink() or not p.is_dir():
            continue
        pid = p.name[len(STAGE_PREFIX):].split("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
