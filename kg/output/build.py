"""Writing the built graph to dist/: Turtle, TriG (one named graph per input file), JSON-LD, release metadata, the sources as BibTeX and CSL-JSON."""

from __future__ import annotations

import json
from pathlib import Path

from kg.atomic import write_files_atomic
from kg.model.project import KG
from kg.output.citations import get_source_records, to_bibtex, to_csl_json
from kg.query.stats import get_stats
from kg.rdf.release import content_hash
from kg.version import __version__


def release_metadata(kg: KG, quads: list | None = None) -> dict:
    """What release.json says; `quads` are the emitter's when the caller has them (no second emission)."""
    return {
        "name": "govkg",
        "version": __version__,
        "content_sha256": content_hash(kg, quads),
        "stats": get_stats(kg),
    }


def render_outputs(kg: KG, release: dict | None = None, quads: list | None = None, pieces: Path | None = None) -> dict[str, bytes]:
    """Every file of a build, by name, in memory (so nothing is written until all of it succeeded).

    The RDF is written by kg.serialize (pyoxigraph), not rdflib, whose writers change typed literals.
    `quads`: the emitter's quads when the caller has them (validation emitted them already).
    `pieces`: a folder of each named graph's RDF by content (kg.output.pieces): the same bytes, and
    after one edit only that file's RDF is written again.
    """
    import gc

    from kg.output.pieces import render_rdf
    from kg.rdf.emit import iter_quads
    from kg.rdf.serialize import jsonld_context, ox_quads_and_triples, to_jsonld, to_trig, to_turtle

    if quads is None:
        quads = list(iter_quads(kg))
    gc.freeze()  # the model and its quads outlive the writing: the collector need not walk them for each batch of output objects
    try:
        release = release or release_metadata(kg, quads)
        # Every source's record, and govkg itself at this version and content hash, for a paper to cite.
        records = get_source_records(kg, release)
        rdf = render_rdf(quads, pieces) if pieces is not None else None
        if rdf is None:
            quads, triples = ox_quads_and_triples(kg, quads, triples=True)  # the union sorted once, for Turtle and JSON-LD
            rdf = to_turtle(quads, triples), to_trig(quads), to_jsonld(quads, triples)
        return {
            "govkg.ttl": rdf[0],
            "govkg.trig": rdf[1],
            "govkg.jsonld": rdf[2],
            "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
            "release.json": (json.dumps(release, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            "sources.bib": to_bibtex(records).encode("utf-8"),
            "sources.json": to_csl_json(records).encode("utf-8"),
        }
    finally:
        gc.unfreeze()


def write_outputs(outputs: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every file of a build into out_dir, all or none (see kg.atomic.write_files_atomic)."""

    return write_files_atomic(outputs, out_dir)


def build(kg: KG, out_dir: Path) -> list[Path]:
    return build_release(kg, out_dir)[0]


def build_release(kg: KG, out_dir: Path, quads: list | None = None) -> tuple[list[Path], dict]:
    """Write the build into out_dir; the files written and the release metadata (the graph emitted and hashed once).

    `quads`: the emitter's quads if the caller has them (`ValidationReport.quads`).
    """
    from kg.rdf.emit import iter_quads

    if quads is None:
        quads = list(iter_quads(kg))
    from kg.stores.cache import usable_cache

    release = release_metadata(kg, quads)
    folder = usable_cache(kg.layout.root)
    pieces = folder / "rdf-pieces" if folder is not None else None
    return write_outputs(render_outputs(kg, release, quads, pieces), out_dir), release
