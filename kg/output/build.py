"""Writing the built graph to dist/: Turtle, TriG (one named graph per input file), JSON-LD, release metadata, the sources as BibTeX and CSL-JSON."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

from kg.atomic import StagedFiles
from kg.model.project import KG
from kg.output.citations import get_source_records, to_bibtex, to_csl_json
from kg.query.stats import get_stats
from kg.rdf.release import HASH_METHOD, content_hash
from kg.version import __version__

WHOLE_FILES = ("govkg.ttl", "govkg.trig", "govkg.jsonld")  # a build's RDF, unless split into parts (kg.output.parts)


def release_metadata(kg: KG, quads: list | None = None, records: list | None = None) -> dict:
    """What release.json says; `quads` or `records` (kg.rdf.graphs) when the caller has them (no second emission)."""
    return {
        "name": "govkg",
        "version": __version__,
        "content_sha256": content_hash(kg, quads, records),
        "content_sha256_method": HASH_METHOD,
        "stats": get_stats(kg),
    }


def render_outputs(kg: KG, release: dict | None = None, quads: list | None = None, pieces: Path | None = None,
                   records: list | None = None) -> dict[str, bytes]:
    """Every file of a build, by name, in memory (`kg release`): what write_build streams to its files, the same bytes."""
    files: dict[str, bytes] = {}

    def keep(name: str, write) -> None:
        buf = io.BytesIO()
        write(buf)
        files[name] = buf.getvalue()

    write_build(kg, keep, release, quads, pieces, records)
    return files


def write_build(kg: KG, write, release: dict | None = None, quads: list | None = None, pieces: Path | None = None,
                records: list | None = None, scratch: Path | None = None, write_rdf=None) -> dict:
    """Every file of a build, each given to `write(name, writer)`, where `writer(file)` writes it into a binary file; the release metadata.

    The RDF is written by kg.serialize (pyoxigraph), not rdflib, whose writers change typed literals,
    and assembled from each group of named graphs' piece (kg.output.pieces): kept in `pieces` (a
    folder of the cache: after one edit only that group's RDF is written anew, the rest copied), else
    written into `scratch` (a folder of the build's stage) or a temporary folder. Either way the same
    bytes, streamed a piece at a time, never held whole.
    `quads`: the emitter's quads when the caller has them; `records`: each named graph's record
    (kg.rdf.graphs), which validation made already. `write_rdf(pieces)`: writes the RDF instead of the three
    whole files (`kg build --split`, kg.output.parts).
    """
    import gc

    from kg.output.pieces import open_pieces
    from kg.rdf.graphs import graph_records, records_of_quads
    from kg.rdf.serialize import jsonld_context

    if records is None:
        records = graph_records(kg) if quads is None else records_of_quads(quads)
    gc.freeze()  # the model and its records outlive the writing: the collector need not walk them for each batch of output objects
    try:
        release = release or release_metadata(kg, quads, records)
        # Every source's record, and govkg itself at this version and content hash, for a paper to cite.
        sources = get_source_records(kg, release)
        rdf = open_pieces(records, pieces, scratch)
        if write_rdf is not None:
            write_rdf(rdf)
        else:
            write(WHOLE_FILES[0], rdf.write_turtle)
            write(WHOLE_FILES[1], rdf.write_trig)
            write(WHOLE_FILES[2], rdf.write_jsonld)
        del rdf  # its temporary folder, if any, goes with it
        small = {
            "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
            "release.json": (json.dumps(release, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            "sources.bib": to_bibtex(sources).encode("utf-8"),
            "sources.json": to_csl_json(sources).encode("utf-8"),
        }
        for name, data in small.items():
            write(name, lambda f, data=data: f.write(data))
        return release
    finally:
        gc.unfreeze()


def build(kg: KG, out_dir: Path) -> list[Path]:
    return build_release(kg, out_dir)[0]


def build_release(kg: KG, out_dir: Path, records: list | None = None, split: bool = False) -> tuple[list[Path], dict]:
    """Write the build into out_dir, all or none, each file streamed to its place; the files written and the release metadata.

    `records`: each named graph's record (kg.rdf.graphs) if the caller has them (`ValidationReport.records`).
    `split`: the RDF one file per group in out_dir/parts/ (kg.output.parts) instead of three whole files.
    """
    with StagedFiles(out_dir) as stage:
        release = stream_build(kg, stage, records, split)
        return stage.commit(), release


def stream_build(kg: KG, stage: StagedFiles, records: list | None = None, split: bool = False) -> dict:
    """Every output file written into the stage, and the release metadata, from each named graph's record: the caller's,
    else made, from the cache's kept records where the inputs did not change (and from its RDF pieces).

    The other layout's RDF in the output folder is taken away at the commit, so that the folder never holds two
    builds' graphs: a split build removes govkg.ttl, .trig and .jsonld, a whole one the parts folder govkg wrote."""
    from kg.output.parts import write_parts
    from kg.query.partsindex import PARTS_DIR, is_parts_folder
    from kg.rdf.graphs import GraphCache, graph_records
    from kg.stores.cache import usable_cache

    folder = usable_cache(kg.layout.root)
    if records is None:
        records = graph_records(kg, GraphCache(folder / "graphs") if folder is not None else None)
    release = release_metadata(kg, records=records)
    pieces = folder / "rdf-pieces" if folder is not None else None
    write_rdf = None
    if split:
        for name in WHOLE_FILES:
            if (stage.out_dir / name).exists():
                stage.remove(name)
        usable = pieces if pieces is not None and not pieces.is_symlink() else None
        write_rdf = functools.partial(write_parts, stage=stage, cache=usable)
    elif is_parts_folder(stage.out_dir / PARTS_DIR):
        stage.remove(PARTS_DIR)
    return write_build(kg, stage.write_with, release, pieces=pieces, records=records, scratch=stage.scratch(), write_rdf=write_rdf)


class WriteFailed(OSError):
    """The output folder could not be written (the previous outputs are left as they were)."""


def validate_and_write(root: Path, out_dir: Path, split: bool | None = False) -> tuple:
    """`kg build`: (validation report, the files written, release metadata), or (report, None, None) if it has problems.

    The quality checks run in a process of their own (kg.rdf.validate.BackgroundChecks) while the outputs
    are streamed into a stage beside out_dir (kg.atomic.StagedFiles); they are put in place only
    once the report is complete and has no problems, so a failed build leaves out_dir as it was.
    WriteFailed if out_dir cannot be written; WouldClobber if a split build would replace a parts/ folder govkg did
    not write. `split`: the RDF one file per group (kg.output.parts); None: as out_dir has it (parts govkg wrote
    there, else the whole files).
    """
    from kg.output.outfiles import WouldClobber
    from kg.query.partsindex import PARTS_DIR, is_parts_folder
    from kg.stores.cache import validate_cached

    parts = out_dir / PARTS_DIR
    ours = not parts.is_symlink() and is_parts_folder(parts)
    split = ours if split is None else split
    if split and not ours and (parts.exists() or parts.is_symlink()):
        raise WouldClobber(f"{parts} exists and is not a parts folder govkg wrote: move it away, or give another --out")

    report = validate_cached(root, warnings=False, defer_checks=True)  # a build shows problems only: no near-duplicate warnings
    try:
        if report.problems:
            return report.finish(), None, None
        try:  # making the stage, writing into it, putting it in place: any OSError is the output folder's
            with StagedFiles(out_dir) as stage:
                release = stream_build(report.kg, stage, report.records, split)
                report.finish()
                if report.problems:
                    return report, None, None  # the stage is removed on leaving: out_dir as it was
                written = stage.commit()
        except OSError as exc:
            raise WriteFailed(exc.errno, exc.strerror or str(exc)) from exc
    finally:
        report.finish()
    return report, written, release
