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


def release_metadata(kg: KG, quads: list | None = None, records: list | None = None) -> dict:
    """What release.json says; `quads` or `records` (kg.rdf.graphs) when the caller has them (no second emission)."""
    return {
        "name": "govkg",
        "version": __version__,
        "content_sha256": content_hash(kg, quads, records),
        "stats": get_stats(kg),
    }


def render_outputs(kg: KG, release: dict | None = None, quads: list | None = None, pieces: Path | None = None,
                   records: list | None = None) -> dict[str, bytes]:
    """Every file of a build, by name, in memory (so nothing is written until all of it succeeded).

    The RDF is written by kg.serialize (pyoxigraph), not rdflib, whose writers change typed literals.
    `quads`: the emitter's quads when the caller has them; `records`: each named graph's record
    (kg.rdf.graphs), which validation made already.
    `pieces`: a folder of each named graph's RDF by content (kg.output.pieces): the same bytes, and
    after one edit only that file's RDF is written again.
    """
    import gc

    from kg.output.pieces import render_records
    from kg.rdf.emit import iter_quads
    from kg.rdf.graphs import graph_records, records_of_quads
    from kg.rdf.serialize import jsonld_context, ox_quads_and_triples, to_jsonld, to_trig, to_turtle

    if records is None and pieces is not None:
        records = graph_records(kg) if quads is None else records_of_quads(quads)
    if records is None and quads is None:
        quads = list(iter_quads(kg))
    gc.freeze()  # the model and its records outlive the writing: the collector need not walk them for each batch of output objects
    try:
        release = release or release_metadata(kg, quads, records)
        # Every source's record, and govkg itself at this version and content hash, for a paper to cite.
        sources = get_source_records(kg, release)
        rdf = render_records(records, pieces) if pieces is not None and records is not None else None
        if rdf is None:
            if quads is None:
                quads = [q for r in records or () for q in r.quads()]
            oq, triples = ox_quads_and_triples(kg, quads, triples=True)  # the union sorted once, for Turtle and JSON-LD
            rdf = to_turtle(oq, triples), to_trig(oq), to_jsonld(oq, triples)
        return {
            "govkg.ttl": rdf[0],
            "govkg.trig": rdf[1],
            "govkg.jsonld": rdf[2],
            "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
            "release.json": (json.dumps(release, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            "sources.bib": to_bibtex(sources).encode("utf-8"),
            "sources.json": to_csl_json(sources).encode("utf-8"),
        }
    finally:
        gc.unfreeze()


def write_outputs(outputs: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write every file of a build into out_dir, all or none (see kg.atomic.write_files_atomic)."""

    return write_files_atomic(outputs, out_dir)


def build(kg: KG, out_dir: Path) -> list[Path]:
    return build_release(kg, out_dir)[0]


def build_release(kg: KG, out_dir: Path, records: list | None = None) -> tuple[list[Path], dict]:
    """Write the build into out_dir; the files written and the release metadata (the graph emitted and hashed once).

    `records`: each named graph's record (kg.rdf.graphs) if the caller has them (`ValidationReport.records`).
    """
    outputs, release = render_build(kg, records)
    return write_outputs(outputs, out_dir), release


def render_build(kg: KG, records: list | None = None) -> tuple[dict[str, bytes], dict]:
    """Every output file in memory and the release metadata, from each named graph's record: the caller's,
    else made, from the cache's kept records where the inputs did not change (and from its RDF pieces)."""
    from kg.rdf.graphs import GraphCache, graph_records
    from kg.stores.cache import usable_cache

    folder = usable_cache(kg.layout.root)
    if records is None:
        records = graph_records(kg, GraphCache(folder / "graphs") if folder is not None else None)
    release = release_metadata(kg, records=records)
    pieces = folder / "rdf-pieces" if folder is not None else None
    return render_outputs(kg, release, pieces=pieces, records=records), release


def validate_and_render(root: Path) -> tuple:
    """`kg build`'s work before writing: (validation report, every output file in memory, release metadata), or (report, None, None) if it has problems.

    The quality checks run in a forked process (kg.rdf.validate.BackgroundChecks) while the outputs
    are made. Nothing is written here; the report is complete on return.
    """
    from kg.stores.cache import validate_cached

    report = validate_cached(root, warnings=False, defer_checks=True)  # a build shows problems only: no near-duplicate warnings
    try:
        if report.problems:
            return report.finish(), None, None
        outputs, release = render_build(report.kg, report.records)
    finally:
        report.finish()
    if report.problems:
        return report, None, None
    return report, outputs, release
