"""Writing the built graph to dist/: Turtle, TriG (one named graph per input file), JSON-LD, release metadata, the sources as BibTeX and CSL-JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import __version__
from .project import KG


def content_hash(kg: KG) -> str:
    """sha256 of the graph's sorted N-Quads: the same graph always gives the same hash."""
    lines = sorted(line for line in kg.dataset.serialize(format="nquads").splitlines() if line.strip())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def release_metadata(kg: KG) -> dict:
    from .stats import get_stats

    return {
        "name": "govkg",
        "version": __version__,
        "content_sha256": content_hash(kg),
        "stats": get_stats(kg),
    }


def render_outputs(kg: KG) -> dict[str, bytes]:
    """Every file of a build, by name, in memory (so nothing is written until all of it succeeded).

    The RDF is written by kg.serialize (pyoxigraph), not rdflib, whose writers change typed literals.
    """
    from .citations import get_source_records, to_bibtex, to_csl_json
    from .serialize import to_jsonld, to_trig, to_turtle

    release = release_metadata(kg)
    # Every source's record, and govkg itself at this version and content hash, for a paper to cite.
    records = get_source_records(kg, release)
    return {
        "govkg.ttl": to_turtle(kg.dataset),
        "govkg.trig": to_trig(kg.dataset),
        "govkg.jsonld": to_jsonld(kg.dataset),
        "release.json": (json.dumps(release, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        "sources.bib": to_bibtex(records).encode("utf-8"),
        "sources.json": to_csl_json(records).encode("utf-8"),
    }


def write_outputs(outputs: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every file of a build into out_dir, all or none (see kg.atomic.write_files_atomic)."""
    from .atomic import write_files_atomic

    return write_files_atomic(outputs, out_dir)


def build(kg: KG, out_dir: Path) -> list[Path]:
    return write_outputs(render_outputs(kg), out_dir)
