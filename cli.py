"""The `kg` command: parses arguments, calls one function of the kg library, prints the result.

Heavy libraries (rdflib, pySHACL, networkx, pyvis) are imported inside the commands that use
them, so `kg --help` and the light commands start fast. No `from __future__ import annotations`
here: Typer would then evaluate every parameter's annotation from its text (a third of `kg --help`).
"""

import sys
from enum import Enum
from pathlib import Path

import typer

from kg.errors import EXIT_ERROR, EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, KGError

app = typer.Typer(
    name="kg",
    help="govkg: causal claims about Chinese grassroots governance, each traceable to its source's words.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Source documents: list them (no subcommand, or `list`); rebuild the cleaned texts from the seeds, or check they are reproducible.", invoke_without_command=True)
app.add_typer(sources_app, name="sources")


class Format(str, Enum):
    text = "text"
    json = "json"


class State:
    root: Path = Path(".")
    debug: bool = False


state = State()


@app.callback()
def _main(
    root: Path | None = typer.Option(None, "--root", show_default=False, help="The govkg project folder (default: $GOVKG_ROOT, the current folder, or this checkout)."),
    debug: bool = typer.Option(False, "--debug", help="On an internal error, show the traceback."),
) -> None:
    from kg.inputs.layout import default_root

    state.root = root if root is not None else default_root()
    state.debug = debug


def _echo_json(data) -> None:
    import json  # here, not at the top: the text answers of warm queries need no json

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def validate(
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
    seeds: bool | None = typer.Option(None, "--seeds/--no-seeds", show_default=False, help="Also check that the cleaned texts are reproducible from the seeds (default: when the seeds folder, $GOVKG_SEEDS or ../shared/seeds, exists)."),
) -> None:
    """Check the ontology, sources and claims; list every problem as file:line. Exit 0 when clean, 1 otherwise."""
    from kg.stores.cache import validate_cached

    report = validate_cached(state.root, check_seeds=seeds)
    if fmt is Format.json:
        _echo_json(report.to_dict())
    else:
        for p in report.problems:
            typer.echo(str(p))
        for w in report.warnings:  # reported, never failing: a curator decides
            typer.echo(_warning_line(w))
        counts = report.to_dict()["counts"]
        summary = f"{counts['concepts']} concepts, {counts['claims']} claims, {counts['sources']} sources; {len(report.checks_run)} quality checks"
        if report.conforms:
            typer.echo(f"OK: {summary}" + ("; sources reproducible from the seeds" if report.seeds_checked else ""))
        else:
            typer.echo(f"{len(report.problems)} problem(s) in {summary}", err=True)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_PROBLEMS)


@app.command()
def build(
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="Folder to write into (default: dist/ in the project)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
    split: bool | None = typer.Option(None, "--split/--whole", show_default=False,
                                      help="--split: the RDF as one Turtle, TriG and JSON-LD file per group of input files, in dist/parts/ with an "
                                           "index.json, instead of three whole files (for large graphs: a rebuild then writes only what changed). "
                                           "--whole: the three files. Default: the layout the output folder already has, else whole."),
) -> None:
    """Validate, then write the graph to dist/ (Turtle, TriG, JSON-LD, release.json, sources.bib, sources.json). A failed build leaves dist/ as it was."""
    from kg.output.build import WriteFailed, validate_and_write
    from kg.output.outfiles import WouldClobber

    out_dir = out if out is not None else state.root / "dist"
    try:
        report, written, release = validate_and_write(state.root, out_dir, split)
    except WouldClobber as exc:
        _fail(str(exc), exc.exit_code)
    except WriteFailed as exc:
        _fail(f"could not write {out_dir}: {exc.strerror or exc}; {out_dir.as_posix()}/ is unchanged", EXIT_ERROR)
    if not report.conforms:
        for p in report.problems:
            typer.echo(str(p), err=True)
        _fail(f"not built: {len(report.problems)} problem(s); dist/ is unchanged", EXIT_PROBLEMS)
    if fmt is Format.json:
        _echo_json({"written": [str(p) for p in written], **release})
    else:
        for p in written:
            typer.echo(f"wrote {p}{'/' if p.is_dir() else ''}")
        typer.echo(f"govkg {release['version']}, content sha256 {release['content_sha256'][:16]}…")


@app.command()
def release(
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="Folder of releases to write into (default: releases/ in the project); the release goes to <out>/<version>/."),
    date: str | None = typer.Option(None, "--date", show_default=False, help="The release date, YYYY-MM-DD (default: today in UTC, or the day of $SOURCE_DATE_EPOCH)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Cut release <version> (from kg/version.py): the built graph, citations.bib/.json, release.json (date, content hash, previous release) and the site, whole or not at all."""
    import re

    from kg.output.release import cut_release
    from kg.query.snapshot import RELEASES_DIR
    from kg.stores.cache import validate_cached

    if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        _fail(f"--date '{date}': give the day as YYYY-MM-DD", EXIT_ERROR)
    report = validate_cached(state.root)
    if not report.conforms:
        for p in report.problems:
            typer.echo(str(p), err=True)
        _fail(f"not released: {len(report.problems)} problem(s)", EXIT_PROBLEMS)
    folder = out if out is not None else state.root / RELEASES_DIR
    try:
        cut = _or_fail(cut_release, report.kg, folder, date=date)
    except OSError as exc:
        _fail(f"could not write the release into {folder}: {exc.strerror or exc}; nothing was released", EXIT_ERROR)
    rec = cut.record
    if fmt is Format.json:
        _echo_json({"folder": str(cut.folder), "existed": cut.existed, "site": cut.site, "files": cut.files, **rec})
        return
    if cut.existed:
        typer.echo(f"govkg {rec['version']} is released already with this content: {cut.folder}")
        return
    prev = rec.get("previous") or {}
    typer.echo(f"released govkg {rec['version']} ({rec['date']}) in {cut.folder}: {len(cut.files)} files"
               + (" and the site (site/)" if cut.site else ", no site"))
    typer.echo(f"{rec['iri']}, content sha256 {rec['content_sha256'][:16]}…"
               + (f"; previous release {prev['version']}" if prev else "; the first release"))


class DiffOutput(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def diff(
    old: str = typer.Argument(..., metavar="OLD", help="A release folder (releases/0.1.0, or just 0.1.0 for the project's own), a project folder, or a git revision of the project (tag, branch, commit)."),
    new: str = typer.Argument(..., metavar="NEW", help="The same kinds: e.g. 0.2.0, HEAD, or . for the files as they are now."),
    fmt: DiffOutput = typer.Option(DiffOutput.text, "--format", "-f", help="text, markdown, or json (the shape in docs/json.md)."),
) -> None:
    """Concepts and claims added, removed and changed from OLD to NEW (quote, polarity, conditions, gloss …), and the ids deprecated or replaced, with what replaces them.

    A git revision is unpacked into a temporary folder (your working tree is not touched) and read by this version of govkg.
    """
    from kg.output.changes import render_diff
    from kg.query.diff import diff as compare
    from kg.query.diff import load_state

    sides = [_or_fail(load_state, spec, state.root) for spec in (old, new)]
    typer.echo(render_diff(compare(*sides), fmt.value), nl=False)


@app.command()
def stats(fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts.")) -> None:
    """Counts: sources and works, concepts by class, claims by source and polarity, links with several documents or works, disputes, actors."""
    data = _graph(lazy=True).stats()
    if fmt is Format.json:
        _echo_json(data)
        return
    for key, value in data.items():
        if isinstance(value, dict):
            typer.echo(f"{key.replace('_', ' ')}:")
            for k, v in value.items():
                typer.echo(f"  {k:<28} {v}")
        else:
            typer.echo(f"{key.replace('_', ' '):<30} {value}")


def _graph(lazy: bool = False):
    """The graph (kg.load), or exit 1 with every problem when the input does not load cleanly.

    `lazy`: read the query index a record at a time (what chain, explain, loops, search, cite and stats
    need), not the whole model; their output is the same.
    """
    import kg

    try:
        return kg.load(state.root, lazy=lazy)
    except kg.LoadError as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        _fail(f"{len(exc.problems)} problem(s) in the input: run `kg validate`", EXIT_PROBLEMS)


def _load():
    """The graph's model, for the commands that hand it to a writer (render, figure, export, cite)."""
    return _graph().model


class SchemaRecord(str, Enum):
    claim_file = "claim-file"
    source_record = "source-record"


@app.command()
def schema(
    record: SchemaRecord = typer.Argument(SchemaRecord.claim_file, help="claim-file or source-record."),
    write: bool = typer.Option(False, "--write", help="Write claims/claim-file.schema.json and sources/source-record.schema.json into the project instead."),
) -> None:
    """The JSON Schema of a claim file or a source record, for an editor's YAML language server (see claims/README.md)."""
    from kg.atomic import write_text_atomic
    from kg.inputs.schema import SCHEMA_FILES, schema_texts

    texts = schema_texts()
    if not write:
        typer.echo(texts[SCHEMA_FILES[record.value]], nl=False)
        return
    for rel, text in texts.items():
        target = state.root / rel
        if not target.parent.is_dir():
            _fail(f"{target.parent} is not a folder: is {state.root} a govkg project? (--root)", EXIT_ERROR)
        try:
            write_text_atomic(target, text)
        except OSError as exc:
            _fail(f"cannot write {target}: {exc}", EXIT_ERROR)
        typer.echo(f"wrote {target}")


@sources_app.command("clean")
def sources_clean(
    seeds: Path | None = typer.Option(None, "--seeds", show_default=False, help="Folder of raw seed texts (default: $GOVKG_SEEDS or ../shared/seeds)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Rewrite sources/<id>.txt from each seed and the cleaning recipe in sources/<id>.yaml."""
    from kg.inputs.sources import write_cleaned_texts
    from kg.model.project import Layout

    layout = _or_fail(Layout(state.root).require, ("sources",))
    folder = _or_fail(layout.require_seeds, seeds)
    try:
        written, problems = write_cleaned_texts(layout.sources, folder)
    except OSError as exc:
        _fail(f"could not write the cleaned texts: {exc.strerror or exc}; sources/ is unchanged", EXIT_ERROR)
    if fmt is Format.json:
        _echo_json({"written": [str(p) for p in written], "seeds": str(folder), "problems": [str(p) for p in problems]})
    else:
        for p in problems:
            typer.echo(str(p), err=True)
        for path in written:
            typer.echo(f"wrote {path}")
    if not written and not problems:
        _fail(f"no source in {layout.sources} has a seed: nothing was written", EXIT_ERROR)
    raise typer.Exit(EXIT_PROBLEMS if problems else EXIT_OK)


@sources_app.command("check")
def sources_check(
    seeds: Path | None = typer.Option(None, "--seeds", show_default=False, help="Folder of raw seed texts (default: $GOVKG_SEEDS or ../shared/seeds)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Check that every committed cleaned text is exactly what its recipe makes from its seed."""
    from kg.errors import Problem
    from kg.inputs.sources import check_against_seeds, load_sources
    from kg.model.project import Layout

    layout = _or_fail(Layout(state.root).require, ("sources",))
    folder = _or_fail(layout.require_seeds, seeds)
    problems: list[Problem] = []
    sources, _ = load_sources(layout.sources, problems)
    problems += check_against_seeds(sources, folder)
    checked = sorted(sid for sid, src in sources.items() if src.seed)
    if fmt is Format.json:
        _echo_json({"checked": checked, "seeds": str(folder), "problems": [str(p) for p in problems]})
    else:
        for p in problems:
            typer.echo(str(p))
        if checked and not problems:
            typer.echo(f"OK: {len(checked)} cleaned texts reproduce from {folder}")
    if not checked and not problems:
        _fail(f"no source in {layout.sources} has a seed: nothing was checked", EXIT_ERROR)
    raise typer.Exit(EXIT_PROBLEMS if problems else EXIT_OK)


# ---- pictures: the interactive page (kg render) and figures for papers (kg figure) ----

class LabelLang(str, Enum):
    """Languages of node labels in pictures (cite's Lang has no 'both')."""

    zh = "zh"
    en = "en"
    both = "both"


_FOCUS_HELP = "Draw only this concept (its id or a label) and what lies within --depth links of it."
_DRAW_SOURCE_HELP = "Draw only the claims of this source document (repeatable)."
_CHAIN_HELP = "Draw the causal paths from the first concept to the second (at most --max-len links)."


def _selection(focus, depth, source, chain, max_len) -> dict:
    """The view options every picture command shares, as keyword arguments of kg.subgraph.select."""
    return {"focus": focus, "depth": depth, "sources": tuple(source or ()),
            "chain": tuple(chain) if chain and all(chain) else None, "max_len": max_len}


def _suffix(kg, selection: dict) -> str:
    from kg.output.outfiles import selection_suffix

    return selection_suffix(kg, focus=selection["focus"], depth=selection["depth"], sources=selection["sources"],
                            chain=selection["chain"])


def _open(path: Path, err: bool = False) -> None:
    from kg.output.outfiles import open_with_desktop

    if open_with_desktop(path):
        typer.echo(f"opened {path}", err=err)
    else:
        typer.echo(f"no desktop program to open it here; the file is {path.resolve()}", err=err)


def _printed_format(value: str) -> str:
    """--format is what kg prints (text or json); an image format there means --formats."""
    if value in ("svg", "png", "pdf"):
        raise typer.BadParameter(f"'{value}' is an image format: give --formats {value} (--format is what kg prints: text or json)")
    if value not in ("text", "json"):
        raise typer.BadParameter(f"'{value}': choose text or json")
    return value


# The selection options `kg render` and `kg figure` share (typer reads these defaults; it does not change them).
_FOCUS = typer.Option(None, "--focus", show_default=False, help=_FOCUS_HELP)
_DEPTH = typer.Option(1, "--depth", min=0, help="Links around --focus to draw.")
_SOURCES = typer.Option(None, "--source", "-s", show_default=False, help=_DRAW_SOURCE_HELP)
_CHAIN = typer.Option(None, "--chain", metavar="FROM TO", show_default=False, help=_CHAIN_HELP)
_MAX_LEN = typer.Option(4, "--max-len", "-n", min=1, help="Longest path --chain draws, in links.")
_CAUSAL_ONLY = typer.Option(False, "--causal-only", help="Draw causal links only, without the form-of, part-of and aim links.")


def _relations(causal_only: bool) -> dict:
    from kg.query.subgraph import DRAWN_RELATIONS

    return {"relations": ("causes",) if causal_only else DRAWN_RELATIONS}


@app.command()
def render(
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="The page to write (default: dist/graph.html in the project; a focused, chain or source view gets its own name, e.g. dist/graph-focus-self-protection.html)."),
    lang: LabelLang = typer.Option(LabelLang.zh, "--lang", help="Node labels in zh, en or both."),
    focus: str | None = _FOCUS,
    depth: int = _DEPTH,
    source: list[str] | None = _SOURCES,
    chain: tuple[str, str] | None = _CHAIN,
    max_len: int = _MAX_LEN,
    causal_only: bool = _CAUSAL_ONLY,
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file that govkg did not write."),
    open_: bool = typer.Option(False, "--open", help="Then open the page with the desktop's default program (or print its path)."),
) -> None:
    """Write the graph as one self-contained HTML page that opens offline: search, claims on click, filters, the view in its URL, SVG/PNG export, 中文/English; above 1,500 concepts it opens on groups of related concepts."""
    from kg.output.outfiles import check_page_target
    from kg.output.render import render as run

    kg = _load()
    selection = _selection(focus, depth, source, chain, max_len)
    target = out if out is not None else state.root / "dist" / f"graph{_or_fail(_suffix, kg, selection)}.html"
    _or_fail(check_page_target, target, force)
    page = _or_fail(run, kg, target, lang=lang.value, **selection, **_relations(causal_only))
    if fmt is Format.json:
        _echo_json({"written": str(page.path), "view": page.title, "concepts": page.concepts,
                    "links": page.links, "claims": page.claims, "layout": page.layout, "groups": page.groups})
    else:
        typer.echo(f"wrote {page.path}: {page.title} ({page.concepts} concepts, {page.links} links, {page.claims} claims)")
    if page.note:
        typer.echo(f"note: {page.note}", err=True)
    if open_:
        _open(page.path)


@app.command()
def figure(
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="File stem to write: <out>.svg, .png, .pdf and <out>.caption.md (default: dist/figure in the project; a focused, chain or source view gets its own name, e.g. dist/figure-focus-self-protection)."),
    lang: LabelLang = typer.Option(LabelLang.zh, "--lang", help="Node labels in zh, en or both."),
    formats: str = typer.Option("svg,png,pdf", "--formats", "-t", help="The image files to write, comma-separated: svg, png, pdf."),
    focus: str | None = _FOCUS,
    depth: int = _DEPTH,
    source: list[str] | None = _SOURCES,
    chain: tuple[str, str] | None = _CHAIN,
    max_len: int = _MAX_LEN,
    causal_only: bool = _CAUSAL_ONLY,
    width: str | None = typer.Option(None, "--width", show_default=False, help="Size for print: the most the figure may take across, e.g. 16cm (a column), 160mm, 6.3in, 450pt. Labels must stay at 7 pt or more, or nothing is written and kg says what to draw instead."),
    height: str | None = typer.Option(None, "--height", show_default=False, help="The most the figure may take down the page, e.g. 22cm (with --width: a page)."),
    dpi: int | None = typer.Option(None, "--dpi", min=10, max=2400, show_default=False, help="The PNG's resolution (default: 300 with --width or --height, else 144; lowered to stay within 16 megapixels)."),
    timeout: float = typer.Option(120, "--timeout", min=1, help="Seconds Graphviz may take to lay the figure out, and to draw each format."),
    fmt: str = typer.Option("text", "--format", "-f", metavar="[text|json]", callback=_printed_format,
                            help="What kg prints: text, or json for scripts (the image files are --formats)."),
    force: bool = typer.Option(False, "--force", help="Replace existing files that govkg did not write."),
    open_: bool = typer.Option(False, "--open", help="Then open the first image with the desktop's default program (or print its path)."),
) -> None:
    """Write a static figure for a paper (Graphviz: SVG, PNG, PDF) and a caption listing the claims behind every edge; --width 16cm sizes it for a column."""
    from kg.output.figure import figure as run
    from kg.output.figure import parse_length
    from kg.output.outfiles import check_figure_target

    size = {"width": _or_fail(parse_length, width) if width else None,
            "height": _or_fail(parse_length, height) if height else None, "dpi": dpi, "timeout": timeout}
    kg = _load()
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    selection = _selection(focus, depth, source, chain, max_len)
    stem = out if out is not None else state.root / "dist" / f"figure{_or_fail(_suffix, kg, selection)}"
    if stem.suffix.lstrip(".") in ("svg", "png", "pdf"):  # "figure.svg" means the stem "figure"
        stem = stem.with_suffix("")
    _or_fail(check_figure_target, stem, wanted, force)
    fig = _or_fail(run, kg, stem, lang=lang.value, formats=wanted, **selection, **_relations(causal_only), **size)
    if open_ and fig.paths:
        _open(fig.paths[0], err=fmt == "json")
    if fmt == "json":
        _echo_json({"written": [str(p) for p in fig.paths], "caption": str(fig.caption), "font": fig.font,
                    "edges": fig.edges, "missing_glyphs": fig.missing_glyphs, "skipped_formats": fig.skipped_formats,
                    "width_pt": round(fig.width_pt, 1), "height_pt": round(fig.height_pt, 1), "scale": round(fig.scale, 4),
                    "smallest_label_pt": round(fig.smallest_label_pt, 2), "png_dpi": fig.png_dpi})
        return
    for p in [*fig.paths, fig.caption]:
        typer.echo(f"wrote {p}")
    cm = 72 / 2.54
    typer.echo(f"font: {fig.font}; {fig.edges} numbered edges; {fig.width_pt / cm:.1f} × {fig.height_pt / cm:.1f} cm, "
               f"labels from {fig.smallest_label_pt:.1f} pt" + (f"; PNG at {fig.png_dpi} dpi" if fig.png_dpi else ""))
    if fig.skipped_formats:
        typer.echo(f"this Graphviz cannot write: {', '.join(fig.skipped_formats)}", err=True)
    if fig.missing_glyphs:
        typer.echo(f"warning: {fig.font} has no glyph for {' '.join(fig.missing_glyphs)}: they may print as boxes", err=True)


@app.command()
def site(
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="The folder to write the site into (default: dist/site in the project); replaced whole, and only if kg wrote it."),
    site_url: str = typer.Option("", "--site-url", help="Where the site will be hosted (https://…/), for the w3id.org redirect in conneg/w3id.htaccess (docs/publishing.md)."),
    no_map: bool = typer.Option(False, "--no-map", help="Leave out the interactive map (map.html), the slowest page to build."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Write a static site where every govkg IRI resolves: a page per concept, claim, chain, source, work and release, with its Turtle and JSON-LD, a search and the map; each claim page lists the releases (releases/) it appears in. A failed build leaves the previous site."""
    from kg.output.release import site_history
    from kg.output.site import build_site

    kg = _load()
    target = out if out is not None else state.root / "dist" / "site"
    history = _or_fail(site_history, kg, state.root)  # each claim page lists the releases/ it appears in
    built = _or_fail(build_site, kg, target, history=history, site_url=site_url, with_map=not no_map)
    if fmt is Format.json:
        _echo_json({"written": str(built.path), "pages": built.pages, "files": built.files,
                    "seconds": round(built.seconds, 2), "version": built.release["version"]})
    else:
        typer.echo(f"wrote {built.path}: {built.pages} pages, {built.files} files in {built.seconds:.1f} s "
                   f"(govkg {built.release['version']}); open {built.path / 'index.html'}")


# --- citations and exports (kg/citations.py, kg/export.py) ------------------------------------

export_app = typer.Typer(help="Tables for a paper's appendix: kg export claims --format csv|xlsx|latex|markdown.", no_args_is_help=True)
app.add_typer(export_app, name="export")


class CiteStyle(str, Enum):
    bibtex = "bibtex"
    csl_json = "csl-json"
    ris = "ris"
    markdown = "markdown"
    latex = "latex"


class TableFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    latex = "latex"
    markdown = "markdown"


class Lang(str, Enum):
    en = "en"
    zh = "zh"


def _or_fail(fn, *args, **kwargs):
    """Call one library function; a KGError becomes its message on stderr and its exit code."""
    try:
        return fn(*args, **kwargs)
    except KGError as exc:
        _fail(str(exc), exc.exit_code)


def _write_or_echo(data: bytes, out: Path | None, binary: bool = False) -> None:
    """Write atomically to `out`, or print to stdout; a binary format needs a file."""
    if out is None:
        if binary:
            _fail("this format is binary: give -o FILE", EXIT_ERROR)
        typer.echo(data.decode("utf-8-sig"), nl=False)
        return
    from kg.atomic import write_bytes_atomic  # only to write a file: a warm `kg cite` prints

    try:
        write_bytes_atomic(out, data)
    except OSError as exc:
        _fail(f"could not write {out}: {exc.strerror or exc}", EXIT_ERROR)
    typer.echo(f"wrote {out}", err=True)


@app.command()
def cite(
    names: list[str] = typer.Argument(..., help="Claim ids (a chain's id cites the chain as one statement); with --chain, FROM and TO; with --loop, concepts of the loop."),
    style: CiteStyle = typer.Option(CiteStyle.bibtex, "--style", "--format", "-f", help="bibtex, csl-json (JSON), ris, markdown or latex."),
    chain: bool = typer.Option(False, "--chain", help="Cite the path FROM → TO: a sentence, and a citation for each link."),
    loop: bool = typer.Option(False, "--loop", help="Cite the feedback loop through these concepts: a sentence, and a citation for each link."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of the sentence for --chain and --loop."),
    max_len: int | None = typer.Option(None, "--max-len", "-n", min=1, show_default=False, help="Longest path or loop to look for, in links (default: 4 for a path, 6 for a loop)."),
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="Write to this file (atomically) instead of printing."),
) -> None:
    """The source's record with the claim's pinpoint (¶marker or line) and verbatim quote, ready to paste.

    With --chain or --loop, also a sentence with an author-year citation per link; in markdown and latex it comes first, in bibtex, csl-json and ris (which have no place for it) it goes to stderr.
    """
    from kg.output import citations

    kg = _graph(lazy=True).model
    if chain and loop:
        _fail("give --chain or --loop, not both", EXIT_ERROR)
    sentence = ""
    if chain:
        if len(names) != 2:
            _fail("--chain takes two concepts: FROM TO", EXIT_ERROR)
        found = _or_fail(citations.cite_chain, kg, names[0], names[1], lang=lang.value, max_len=max_len or 4)
    elif loop:
        found = _or_fail(citations.cite_loop, kg, names, lang=lang.value, max_len=max_len or 6)
    if chain or loop:
        sentence, records = found.sentence, found.records
    else:
        records = _or_fail(citations.get_claim_records, kg, names)
    text = citations.WRITERS[style.value](records)
    if sentence and style in (CiteStyle.markdown, CiteStyle.latex):
        from kg.output import markup

        para = markup.to_markdown(sentence) if style is CiteStyle.markdown else markup.to_latex(sentence)
        text = f"{para}\n\n{text}"
    elif sentence:
        typer.echo(sentence, err=True)
    _write_or_echo(text.encode("utf-8"), out)


@export_app.command("claims")
def export_claims(
    fmt: TableFormat = typer.Option(TableFormat.csv, "--format", "-f", help="csv, xlsx, latex or markdown."),
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="Write to this file (atomically) instead of printing; needed for xlsx."),
    lang: Lang = typer.Option(Lang.en, "--lang", help="Language of the concept labels."),
    source: list[str] | None = typer.Option(None, "--source", "-s", show_default=False, help="Only the claims of this source (id or title; repeatable)."),
    standalone: bool = typer.Option(False, "--standalone", help="LaTeX: a whole document (xelatex) instead of a longtable to \\input."),
) -> None:
    """A table of claims: id, relation, cause and effect (ids and labels), polarity, conditions, agent, target, certainty, modality, source and its reference, locator, quote, English gloss."""
    from kg.model.names import resolve_sources
    from kg.output.export import export_claims as run

    kg = _load()
    wanted = _ask(lambda: resolve_sources(kg, source))
    data = _or_fail(run, kg, fmt.value, lang=lang.value, sources=sorted(wanted) if wanted else None, standalone=standalone)
    _write_or_echo(data, out, binary=fmt is TableFormat.xlsx)



class GraphFormat(str, Enum):
    graphml = "graphml"
    gexf = "gexf"
    json = "json"


@export_app.command("graph")
def export_graph(
    fmt: GraphFormat = typer.Option(GraphFormat.graphml, "--format", "-f", help="graphml (Cytoscape, yEd), gexf (Gephi) or json (networkx node-link)."),
    out: Path | None = typer.Option(None, "--out", "-o", show_default=False, help="Write to this file (atomically) instead of printing."),
    source: list[str] | None = typer.Option(None, "--source", "-s", show_default=False, help="Only the claims of this source (id or title; repeatable)."),
) -> None:
    """The claim graph for network tools: concepts with zh/en labels and class; one edge per causal link with polarity, claims, sources, works."""
    import networkx  # noqa: F401  (fail here, not half-way, if it is missing)

    from kg.output.network import dump_graph

    g = _graph()
    data = dump_graph(_ask(lambda: g.to_networkx(sources=source or None)), fmt.value)
    _write_or_echo(data, out)


# Asking the graph: chain, explain, loops, search, contrast, sparql ---------------------------------


class Output(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class SparqlOutput(str, Enum):
    table = "table"
    text = "text"
    csv = "csv"
    json = "json"
    markdown = "markdown"


_OUTPUT_HELP = "text, json (the shape in docs/json.md) or markdown."
_SOURCE_HELP = "Use only the claims of this source document (id or title; repeatable)."
_INCLUDE_HELP = "Also follow these relations besides causes: form-of, part-of, aim (comma-separated or repeated)."
_CERTAINTY_HELP = "Only claims at least this sure: possibly < likely < asserted < necessarily (a norm, 必须/只能, has no certainty)."


def _ask(run):
    """Run a query function: names that match nothing or too much, and refused queries, become messages and exit codes."""
    try:
        return run()
    except KGError as exc:
        _fail(str(exc), exc.exit_code)


@app.command()
def chain(
    start: str = typer.Argument(..., metavar="FROM", help="The cause: a concept id, zh or en label or altLabel (either script)."),
    end: str = typer.Argument(..., metavar="TO", help="The effect, named the same way."),
    max_len: int = typer.Option(4, "--max-len", "-n", help="At most this many links per path."),
    via: list[str] = typer.Option([], "--via", show_default=False, help="Only paths through this concept (repeatable: through all of them)."),
    avoid: list[str] = typer.Option([], "--avoid", show_default=False, help="Only paths that do not pass this concept (repeatable)."),
    source: list[str] = typer.Option([], "--source", "-s", show_default=False, help=_SOURCE_HELP),
    same_source: bool = typer.Option(False, "--same-source", help="Only STATED paths: one source claims every link and joins every two consecutive links itself, in one of its chains or one paragraph (see README)."),
    limit: int = typer.Option(20, "--limit", help="At most this many paths."),
    include: list[str] = typer.Option([], "--include", show_default=False, help=_INCLUDE_HELP),
    min_certainty: str | None = typer.Option(None, "--min-certainty", show_default=False, help=_CERTAINTY_HELP),
    actor: str | None = typer.Option(None, "--actor", show_default=False, help="Only paths every link of which has a claim with this actor (or an actor under it: a kind or a part of it) as agent or target."),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
    backend: str | None = typer.Option(None, "--backend", show_default=False, help="Search the paths by SPARQL in a store: rdflib or oxigraph (default: in memory, with networkx)."),
    endpoint: str | None = typer.Option(None, "--endpoint", show_default=False, help="Search the paths in a SPARQL 1.1 store where `kg push` put this graph."),
) -> None:
    """The causal paths FROM → TO, shortest first, each link with its polarity, conditions, claims and quotes.

    A path is STATED when one source states it whole: that source has a claim on every link, and joins every two consecutive links (A→B, B→C) itself, as consecutive links of one of its chains or in one paragraph of its text. Any other path is ASSEMBLED from claims made in different places: a hypothesis, not a finding. The net polarity is the product of the links' signs.
    """
    g = _graph(lazy=backend is None and endpoint is None)
    query = _ask(lambda: {
        "from": g.concept(start).id, "to": g.concept(end).id, "max_len": max_len,
        "via": [g.concept(v).id for v in via], "avoid": [g.concept(a).id for a in avoid],
        "sources": g.sources_named(source), "same_source": same_source, "limit": limit,
        "include": g.includable(include), "min_certainty": min_certainty,
        "actor": g.concept(actor).id if actor is not None else None,
    })
    paths = _ask(lambda: g.chain(query["from"], query["to"], max_len=max_len, via=query["via"], avoid=query["avoid"],
                                 sources=query["sources"], same_source=same_source, limit=limit, include=query["include"],
                                 min_certainty=min_certainty, actor=query["actor"], backend=backend, endpoint=endpoint))
    if not paths:
        query["why_empty"] = _ask(lambda: g.why_no_path(query["from"], query["to"], max_len=max_len, via=query["via"],
                                                        avoid=query["avoid"], sources=query["sources"], same_source=same_source,
                                                        include=query["include"], min_certainty=min_certainty, actor=query["actor"]))
    typer.echo(g.report("paths", paths, fmt.value, query), nl=False)


@app.command()
def explain(
    concept: str = typer.Argument(..., help="A concept id, zh or en label or altLabel (either script)."),
    depth: int = typer.Option(1, "--depth", "-d", help="How many links up- and downstream to follow."),
    source: list[str] = typer.Option([], "--source", "-s", show_default=False, help=_SOURCE_HELP),
    include: list[str] = typer.Option([], "--include", show_default=False, help=_INCLUDE_HELP),
    min_certainty: str | None = typer.Option(None, "--min-certainty", show_default=False, help=_CERTAINTY_HELP),
    narrower: bool = typer.Option(False, "--narrower", help="Also the causes of every narrower concept (each kind of it)."),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
) -> None:
    """A concept: labels, definition, kinds, its causes and effects to --depth, what the texts say it is (definitions, forms, parts, aims), and for an actor the claims where it acts (agent) or is acted upon (target); each claim cited."""
    g = _graph(lazy=True)
    ex = _ask(lambda: g.explain(concept, depth=depth, sources=source, include=include, min_certainty=min_certainty, narrower=narrower))
    typer.echo(g.report("explanation", ex, fmt.value), nl=False)


@app.command()
def loops(
    concept: str | None = typer.Argument(None, show_default=False, help="Only the loops through this concept (any name)."),
    max_len: int = typer.Option(6, "--max-len", "-n", help="At most this many links per loop."),
    source: list[str] = typer.Option([], "--source", "-s", show_default=False, help=_SOURCE_HELP),
    include: list[str] = typer.Option([], "--include", show_default=False, help=_INCLUDE_HELP),
    min_certainty: str | None = typer.Option(None, "--min-certainty", show_default=False, help=_CERTAINTY_HELP),
    limit: int = typer.Option(20, "--limit", min=1, help="List at most this many loops, the first in rank (the count of all is printed)."),
    show_all: bool = typer.Option(False, "--all", help="List every loop (a large graph has tens of thousands)."),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
) -> None:
    """Feedback loops, each REINFORCING (an even number of negative links) or BALANCING (an odd number), with the claims behind each link.

    A loop is stated by a source that states it whole, by the rule for paths (see kg chain --help), its last link joined to its first too. Each loop says whether one actor acts on every link (one actor's perspective) or the acting actor changes along it.

    Ranked: the loops stated by more sources first, then those more sources claim every link of, then those whose least-supported link more sources claim, then shorter ones; the first --limit are listed, after the count of all.
    """
    g = _graph(lazy=True)
    cid = _ask(lambda: g.concept(concept).id) if concept is not None else None
    query = _ask(lambda: {"concept": cid, "max_len": max_len, "sources": g.sources_named(source),
                          "include": g.includable(include), "min_certainty": min_certainty, "limit": None if show_all else limit})
    found = _ask(lambda: g.loops(cid, max_len=max_len, sources=query["sources"], include=include, min_certainty=min_certainty,
                                 limit=query["limit"]))
    typer.echo(g.report("loops", found, fmt.value, query), nl=False)


@app.command()
def agree(
    concept: str | None = typer.Argument(None, show_default=False, help="Only agreements on links with this concept (any name)."),
    exact: bool = typer.Option(False, "--exact", help="Only exact agreements (same cause, effect and polarity), not those through broader concepts."),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
) -> None:
    """What several independent works say alike: the same link exactly, or through broader concepts, quotes side by side.

    Works, not documents, count: the notes and the excerpts of one book are one voice.
    """
    g = _graph()
    cid = _ask(lambda: g.concept(concept).id) if concept is not None else None
    found = _ask(lambda: g.agree(cid, exact=exact))
    typer.echo(g.report("agreements", found, fmt.value, {"concept": cid, "exact": exact}), nl=False)


@app.command()
def remedies(
    concept: str = typer.Argument(..., help="The concept to counter (any name)."),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
) -> None:
    """Interventions the texts say counter a concept, or one of its causes, or aim to reduce them, each claim cited."""
    g = _graph()
    cid = _ask(lambda: g.concept(concept).id)
    found = _ask(lambda: g.remedies(cid))
    typer.echo(g.report("remedies", found, fmt.value, {"concept": cid}), nl=False)


@app.command()
def search(
    text: str = typer.Argument(..., help="Words to find (all of them), in Chinese (either script) or English."),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
) -> None:
    """Concepts (ids, labels, definitions) and claims (quotes, glosses, conditions) that hold the words, in either language and script."""
    g = _graph(lazy=True)
    typer.echo(g.report("search", _ask(lambda: g.search(text)), fmt.value), nl=False)


@app.command()
def contrast(
    concept: str | None = typer.Argument(None, show_default=False, help="Only the contrasts that involve this concept (any name)."),
    kind: list[str] = typer.Option([], "--kind", "-k", show_default=False, help="dispute, opposite or divergent (repeatable; default: all)."),
    source: list[str] = typer.Option([], "--source", "-s", show_default=False, help=_SOURCE_HELP),
    fmt: Output = typer.Option(Output.text, "--format", "-f", help=_OUTPUT_HELP),
) -> None:
    """Claims in tension: explicit DISPUTES; OPPOSITE claims on one link; one cause DIVERGENT toward different effects, each claim under conditions of its own.

    Each pair is marked within-source, within-work (two documents of one work) or between-works.
    """
    g = _graph()
    cid = _ask(lambda: g.concept(concept).id) if concept is not None else None
    from kg.api import CONTRAST_KINDS

    kinds = list(kind or CONTRAST_KINDS)
    query = _ask(lambda: {"concept": cid, "kinds": kinds, "sources": g.sources_named(source)})
    found = _ask(lambda: g.contrast(cid, sources=query["sources"], kinds=kinds))
    typer.echo(g.report("contrasts", found, fmt.value, query), nl=False)


@app.command()
def sparql(
    query: str = typer.Argument(..., help="A SPARQL query, or a .rq file (e.g. queries/causes-of-outcomes.rq)."),
    fmt: SparqlOutput = typer.Option(SparqlOutput.table, "--format", "-f", help="table (text is the same), csv, json (W3C SPARQL results JSON; JSON-LD for CONSTRUCT/DESCRIBE) or markdown."),
    backend: str = typer.Option("auto", "--backend", help="rdflib (in memory), oxigraph (on-disk store in .cache/, fast at any size), or auto (oxigraph above 2 MB of input)."),
    endpoint: str | None = typer.Option(None, "--endpoint", show_default=False, help="Query a SPARQL 1.1 store instead (where `kg push` put the graph); http://host:7878 means Oxigraph's /query."),
    graph: str | None = typer.Option(None, "--graph", show_default=False, help="With --endpoint: the named graph to query (default: this release's, as `kg push` names it)."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.001, help="Seconds the query may run; then it is stopped (exit 3)."),
) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the graph; the govkg prefixes are predeclared.

    Refused, with a message: updates and LOAD, SERVICE, FROM / FROM NAMED (nothing is fetched from the network or the disk). The default graph is the union of all files' named graphs.
    """
    from kg.output.sparqlformat import format_result
    from kg.query.sparql import read_query
    from kg.stores.connect import run_sparql
    from kg.timelimit import call_with_time_limit

    text = _ask(lambda: read_query(query, state.root))
    if backend not in ("auto", "rdflib", "oxigraph"):
        _fail(f"unknown backend '{backend}': use auto, rdflib or oxigraph", EXIT_ERROR)
    out_format = "table" if fmt is SparqlOutput.text else fmt.value
    # One pipeline whatever answers: every store gives a neutral Result, printed by one formatter;
    # checked, run and formatted within the time limit (a parse can be slow too).
    job = lambda: format_result(run_sparql(state.root, text, backend, endpoint, graph), out_format)  # noqa: E731
    typer.echo(_ask(lambda: call_with_time_limit(job, timeout)))


# --- Scale: the SPARQL endpoint and external stores (issue 7) ---------------------------------------


class Backend(str, Enum):
    auto = "auto"
    rdflib = "rdflib"
    oxigraph = "oxigraph"


BACKEND_HELP = "rdflib (in memory), oxigraph (on-disk store in .cache/, fast at any size), or auto (oxigraph above 2 MB of input)."


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; keep 127.0.0.1 unless others must reach it."),
    port: int = typer.Option(7979, "--port", "-p", min=0, max=65535, help="Port (0: any free port)."),
    backend: Backend = typer.Option(Backend.auto, "--backend", help=BACKEND_HELP),
    timeout: float = typer.Option(10.0, "--timeout", min=0.001, help="Seconds a query may run before it is stopped (answer 503)."),
    max_rows: int = typer.Option(10_000, "--max-rows", min=1, help="Largest answer in rows or triples; a larger one is refused (answer 500), never cut short."),
    workers: int | None = typer.Option(None, "--workers", min=1, max=64, show_default=False,
                                       help="Worker processes, each answering one query at a time (default: one per core, 2 to 8)."),
    cache_mb: int = typer.Option(32, "--cache-mb", min=0, help="Megabytes of answers each worker keeps for repeated queries (0: none)."),
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql (GET and POST; JSON, XML, CSV, TSV, Turtle, N-Triples)."""
    from kg.rdf.release import release_graph
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    try:
        store = open_store(state.root, backend.value)
        # A client of a pushed release (`kg sparql --endpoint`) names it as the default graph: here, this graph.
        served = frozenset({release_graph(_graph(lazy=True).model)})
        server = make_server(store, host, port, timeout=timeout, max_rows=max_rows, max_concurrent=workers,
                             cache_bytes=cache_mb * 1024 * 1024, graph_names=served)
    except KGError as exc:
        _fail(str(exc), exc.exit_code)
    except (OSError, OverflowError) as exc:
        _fail(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}")
    typer.echo(f"govkg SPARQL endpoint ({store.backend}, {store.triples_count():,} quads, {server.max_concurrent} workers) "
               f"at {server.url}  (Ctrl-C stops)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command()
def push(
    endpoint: str = typer.Option(..., "--endpoint", help="Graph Store Protocol URL of the store (http://host:7878 means Oxigraph's /store)."),
    graph: str | None = typer.Option(None, "--graph", show_default=False, help="Named graph to replace (default: https://w3id.org/govkg/release/<version>/<hash12>)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
    user: str | None = typer.Option(None, "--user", show_default=False, help="Log in to the store as this user (the password: GOVKG_PASSWORD, else asked for); without it, ~/.netrc is read for the host."),
    password: str | None = typer.Option(None, "--password", envvar="GOVKG_PASSWORD", show_default=False, hidden=True),
) -> None:
    """Load the graph into a SPARQL 1.1 store: one HTTP PUT replaces the release's named graph in one step."""
    from kg.stores.remote import push as run_push

    if user is not None and password is None:
        password = typer.prompt(f"password of {user}", hide_input=True) if sys.stdin.isatty() else ""
    try:
        result = run_push(_load(), endpoint, graph, user, password)
    except KGError as exc:
        _fail(str(exc), exc.exit_code)
    if fmt is Format.json:
        _echo_json(result)
    else:
        typer.echo(f"pushed {result['triples_sent']:,} triples ({result['bytes']:,} bytes) into <{result['graph']}> at {result['store']} (HTTP {result['status']})")


# --- curating a new source (issue 17): kg source add, kg sources [list], kg quote find, kg uncovered,
# kg suggest-concepts, kg claim new ----------------------------------------------------------------------

source_app = typer.Typer(help="Take a new source in: kg source add FILE.", no_args_is_help=True)
app.add_typer(source_app, name="source")
quote_app = typer.Typer(help="Find a passage in a source's cleaned text: kg quote find SOURCE TEXT.", no_args_is_help=True)
app.add_typer(quote_app, name="quote")
claim_app = typer.Typer(help="Add a claim to a source's claim file: kg claim new.", no_args_is_help=True)
app.add_typer(claim_app, name="claim")


def _warning_line(w) -> str:
    """A warning as file:line: warning: message [code], the form compilers use."""
    where = w.path + (f":{w.line}" if w.line is not None else "")
    return f"{where}: warning: {w.message} [{w.code}]"


def _list_sources(fmt: Format) -> None:
    g = _graph()
    rows = []
    for sid, src in sorted(g.sources.items()):
        work = g.works.get(src.work)
        rows.append({"id": sid, "authors": list(src.authors or (work.authors if work else ())), "title": src.title,
                     "work": src.work if src.work != sid else "", "year": src.issued[:4], "language": src.language})
    if fmt is Format.json:
        _echo_json(rows)
        return
    for r in rows:
        work = f"  [work: {r['work']}]" if r["work"] else ""
        typer.echo(f"{r['id']:<16} {r['year'] or '—':<5} {'、'.join(r['authors']) or '—'}  {r['title']}{work}")


@sources_app.callback()
def _sources(ctx: typer.Context, fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts.")) -> None:
    """Source documents: with no subcommand, list every one with author, year, title and work."""
    if ctx.invoked_subcommand is None:
        _list_sources(fmt)


@sources_app.command("list")
def sources_list(fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts.")) -> None:
    """Every source document: id, year, authors, title and the work it reports on."""
    _list_sources(fmt)


@source_app.command("add")
def source_add(
    file: Path = typer.Argument(..., help="The raw text: UTF-8 or GB18030, simplified or traditional."),
    sid: str | None = typer.Option(None, "--id", help="The source id (default: from the file name)."),
    kind: str | None = typer.Option(None, "--kind", help="book, book-excerpt, reading-notes or article."),
    title: str | None = typer.Option(None, "--title", help="The title as the document gives it."),
    title_en: str | None = typer.Option(None, "--title-en", help="An English rendering of the title."),
    author: list[str] = typer.Option([], "--author", help="An author the document names (repeatable)."),
    container: str | None = typer.Option(None, "--container", help="The periodical, site or book it appeared in."),
    issued: str | None = typer.Option(None, "--issued", help="Its date: YYYY-MM-DD, YYYY-MM or YYYY."),
    seeds: Path | None = typer.Option(None, "--seeds", help="The seeds folder the raw text is copied into (default: $GOVKG_SEEDS or ../shared/seeds)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing sources/<id>.yaml."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Scaffold sources/<id>.yaml (the record's fields to fill, a proposed cleaning recipe with a reason per rule) and sources/<id>.txt from a raw text."""
    import kg

    added = _or_fail(kg.add_source, file, state.root, id=sid, seeds=seeds, force=force, kind=kind, title=title,
                     title_en=title_en, authors=tuple(author), container=container, issued=issued)
    p = added.proposal
    if fmt is Format.json:
        _echo_json({"id": added.id, "record": str(added.record), "text": str(added.text), "seed": str(added.seed),
                    "encoding": p.encoding, "language": p.language, "strip_pinyin": p.strip_pinyin,
                    "drop": [{"lines": [d.first, d.last], "why": d.why} for d in p.drop],
                    "lines_in": added.lines_in, "lines_out": added.lines_out, "fill_in": list(added.incomplete)})
        return
    typer.echo(f"wrote {added.record}\nwrote {added.text}  ({added.lines_out} of {added.lines_in} lines kept; read as {p.encoding}, {p.language})")
    typer.echo(f"seed {added.seed}")
    for d in p.drop:
        typer.echo(f"  drop line{'s' if d.last > d.first else ''} {d.first}{'-' + str(d.last) if d.last > d.first else ''}: {d.why}")
    if p.strip_pinyin:
        typer.echo(f"  strip {p.pinyin} pinyin annotation(s)")
    if added.incomplete:
        typer.echo(f"fill in {', '.join(added.incomplete)} in {added.record.name}, check the recipe, then `kg sources clean` and `kg validate`")


@quote_app.command("find")
def quote_find(
    source: str = typer.Argument(..., help="The source: id (or a unique part of it) or title."),
    text: str = typer.Argument(..., help="The passage as remembered or retyped (either script, any punctuation)."),
    limit: int = typer.Option(4, "--limit", min=1, help="At most this many spans (the best, then alternatives)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """The verbatim span of a source's cleaned text that reads like TEXT, its locator, and the nearest alternatives, ready to paste.

    Script (simplified/traditional), punctuation (full-/half-width), spacing and case do not count; a passage found more than once is listed at each place (a claim quoting it needs `locator`).
    """
    g = _graph()
    found = _or_fail(g.find_quote, source, text, limit=limit)
    if fmt is Format.json:
        _echo_json([m.to_dict() for m in found])
        return
    exact = [m for m in found if m.score == 1.0]
    for i, m in enumerate(found):
        if i == 0 or (m.score < 1.0 and found[i - 1].score == 1.0):
            typer.echo("alternatives:" if i else ("found:" if exact else "nearest:"))
        mark = "  (crosses 〔乱码〕: quote only the readable part)" if m.garbled else ""
        alike = "same" if m.score == 1.0 else f"{m.score:.0%} alike"
        typer.echo(f"  {m.locator} ({alike}){mark}\n    {m.exact}")
    if len(exact) > 1:
        typer.echo(f"the passage occurs {len(exact)} times: a claim quoting it needs locator: (one of {', '.join(m.locator for m in exact)})", err=True)


@app.command()
def uncovered(
    source: str = typer.Argument(..., help="The source: id (or a unique part of it) or title."),
    cue: list[str] = typer.Option([], "--cue", help="Another cue word for this run (repeatable); the table is in kg/query/coverage.py."),
    show_all: bool = typer.Option(False, "--all", help="Also list the cue sentences claims already quote."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """The sentences with causal, conditional, purposive or remedial cue words (导致, 从而, 只有…才, 为了, 应当 …) that no claim quotes, by paragraph, with the share of each paragraph the quotes cover."""
    g = _graph()
    cov = _or_fail(g.uncovered, source, cues=cue)
    if fmt is Format.json:
        data = cov.to_dict()
        if show_all:
            data["paragraphs"] = [p.to_dict(all_sentences=True) for p in cov.paragraphs if p.sentences]
        _echo_json(data)
        return
    typer.echo(f"{cov.source}: {len(cov.cue_sentences)} sentences with cue words, {len(cov.uncovered)} that no claim quotes ({cov.claims} claims)")
    for p in cov.paragraphs:
        shown = p.sentences if show_all else p.uncovered
        if not shown:
            continue
        where = p.locator if p.locator.startswith("line") else f"{p.locator} (line {p.line})"
        typer.echo(f"\n{where}: {p.share_covered:.0%} of the paragraph quoted")
        for sent in shown:
            typer.echo(f"  {'✓' if sent.covered else '·'} [{', '.join(sent.cues)}] {sent.text}")


@app.command("suggest-concepts")
def suggest_concepts(
    text: str = typer.Argument(..., help="A would-be concept's label or definition, in Chinese (either script) or English."),
    limit: int = typer.Option(8, "--limit", min=1, help="At most this many concepts."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """The existing concepts whose labels, altLabels or definitions are closest to TEXT: reuse one (or add TEXT as its altLabel) before adding a concept."""
    g = _graph()
    found = g.similar_concepts(text, limit=limit)
    if fmt is Format.json:
        _echo_json([{**s.to_dict(), "label_zh": g.concepts[s.id].label("zh"), "label_en": g.concepts[s.id].label("en")} for s in found])
        return
    if not found:
        typer.echo(f"no concept is like '{text}': a new one may be needed (see claims/README.md, Concepts)")
        return
    for s in found:
        c = g.concepts[s.id]
        typer.echo(f"{s.score:4.0%}  {s.id} ({c.label('zh')} / {c.label('en')})  {s.field}: {s.matched}")


def _prompt_list(label: str, values: list[str]) -> list[str]:
    if values:
        return values
    answer = typer.prompt(f"{label} (comma-separated, empty for none)", default="", show_default=False)
    return [v.strip() for v in answer.replace("，", ",").split(",") if v.strip()]


@claim_app.command("new")
def claim_new(
    source: str = typer.Argument(..., help="The source: id (or a unique part of it) or title."),
    cid: str | None = typer.Option(None, "--id", help="The claim's id: a source prefix and a slug (zuo-…)."),
    cause: str | None = typer.Option(None, "--cause", help="The cause: a concept's id or any label, either script."),
    effect: str | None = typer.Option(None, "--effect", help="The effect, named the same way."),
    chain: list[str] = typer.Option([], "--chain", help="Instead of cause/effect: the concepts of a chain, in order (repeatable)."),
    relation: str = typer.Option("causes", "--relation", help="causes, form-of, part-of, aim or definition."),
    subject: str | None = typer.Option(None, "--subject", help="For form-of, part-of, aim, definition: the subject concept."),
    obj: str | None = typer.Option(None, "--object", help="For form-of, part-of, aim: the object concept."),
    polarity: str | None = typer.Option(None, "--polarity", help="positive or negative."),
    condition: list[str] = typer.Option([], "--condition", help="A condition concept (repeatable)."),
    agent: list[str] = typer.Option([], "--agent", help="An actor who acts (repeatable)."),
    target: list[str] = typer.Option([], "--target", help="An actor acted upon (repeatable)."),
    evidence: str | None = typer.Option(None, "--evidence", help="argument, case, interview, observation, example or citation."),
    hedge: str = typer.Option("", "--hedge", help="The text's own hedge word (会, 可能, 要 …)."),
    level: list[str] = typer.Option([], "--level", help="A level the claim is about (repeatable)."),
    quote: list[str] = typer.Option([], "--quote", help="The passage, as `kg quote find` finds it (repeatable); written verbatim."),
    locator: str | None = typer.Option(None, "--locator", help="¶marker or 'line N': needed when the passage occurs more than once."),
    gloss: str | None = typer.Option(None, "--gloss", help="A precise English rendering of the claim."),
    note: str = typer.Option("", "--note", help="Anything a reader should know."),
    interactive: bool = typer.Option(False, "--interactive", "-i", help="Ask for every field not given (concepts are checked, with the closest, as you go)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Build a claim from a quote and concept names, append it to claims/<source>.yaml keeping its comments and layout, and check it.

    Non-interactive: give --id, the concepts, --evidence, --quote and --gloss. With --interactive, every missing field is asked for. If the project then has a problem in the claim file, the file is put back as it was and the problems are listed (exit 1).
    """
    g = _graph()
    src = _or_fail(g.source, source)
    if interactive:
        cid = cid or typer.prompt("id")
        if relation == "causes" and not chain:
            cause = cause or _ask_concept(g, "cause")
            effect = effect or _ask_concept(g, "effect")
            polarity = polarity or typer.prompt("polarity (positive/negative)", default="positive")
        elif relation != "causes":
            subject = subject or _ask_concept(g, "subject")
            if relation != "definition":
                obj = obj or _ask_concept(g, "object")
        evidence = evidence or typer.prompt("evidence (argument, case, interview, observation, example, citation)", default="argument")
        if not quote:
            passage = typer.prompt("quote (as remembered; it is looked up)")
            found = _or_fail(g.find_quote, src.id, passage)
            typer.echo(f"  {found[0].locator}: {found[0].exact}")
            quote = [found[0].exact]
        hedge = hedge or typer.prompt("hedge (the text's word, empty for none)", default="", show_default=False)
        gloss = gloss or typer.prompt("gloss (English)")
    missing = [name for name, value in (("--id", cid), ("--evidence", evidence), ("--quote", quote), ("--gloss", gloss)) if not value]
    if relation == "causes" and not chain and not (cause and effect):
        missing.append("--cause and --effect (or --chain)")
    if missing:
        _fail(f"missing {', '.join(missing)} (or use --interactive)", EXIT_ERROR)
    entry = _or_fail(g.add_claim, src.id, id=cid, evidence=evidence, quote=quote, gloss=gloss, cause=cause, effect=effect,
                     chain=chain, relation=relation, subject=subject, object=obj, polarity=polarity, conditions=condition,
                     agent=agent, target=target, hedge=hedge, level=level, locator=locator, note=note)
    if fmt is Format.json:
        _echo_json(entry)
        return
    typer.echo(f"added {entry['id']} to claims/{src.id}.yaml; the project loads cleanly (`kg validate` runs the SHACL and SPARQL checks too)")


def _ask_concept(g, what: str) -> str:
    """Ask for a concept until the name resolves; show the closest concepts when it does not."""
    while True:
        name = typer.prompt(what)
        try:
            return g.concept(name).id
        except KGError as exc:
            typer.echo(str(exc))
            for s in g.similar_concepts(name, limit=5):
                typer.echo(f"  {s.id} ({g.concepts[s.id].label('zh')} / {g.concepts[s.id].label('en')})")


def _command_asked(argv: list[str]) -> str | None:
    """The name of the command argv runs (after kg's own --root and --debug), or None."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--root":
            i += 2
        elif arg.startswith("--root=") or arg == "--debug":
            i += 1
        else:
            return None if arg.startswith("-") else arg
    return None


def _keep_only(name: str | None) -> None:
    """Leave in the app only the command asked for, when it is one of the top level: Typer makes click objects of every
    command it holds before it parses (35 here, a third of a warm query's time over the floor); one command answers the same."""
    kept = [c for c in app.registered_commands
            if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == name]
    if len(kept) == 1:
        app.registered_commands, app.registered_groups = kept, []


def _listing_only() -> None:
    """With no command named (`kg --help`, `kg` alone), the commands as Typer lists them, by name and help, without their
    parameters: Typer would make click objects of every command's options only to print the names (a tenth of `kg --help`)."""
    import copy

    listed = []
    for command in app.registered_commands:
        def stub() -> None:  # never called: no command was named
            raise AssertionError("a command's listing was run")

        stub.__name__, stub.__doc__ = command.callback.__name__, command.callback.__doc__  # type: ignore[union-attr]
        listed.append(copy.copy(command))
        listed[-1].callback = stub
    app.registered_commands = listed


_AT_EXIT: list = []  # what main() registered with atexit, once per process


def main() -> None:
    """Entry point of the installed `kg` command: errors become messages and exit codes, never tracebacks."""
    import gc

    from kg.errors import internal_error_message

    # What is loaded by now (Typer, this module) lives as long as the process: frozen, the collector no longer
    # walks it, neither in the collections a command's imports set off nor in the full one at exit (a warm
    # query spent about a sixth of its time there). At exit, what the command made is frozen too, so the last
    # collection walks nothing: only garbage in reference cycles then goes unfinalized (the process's memory
    # goes back whole), and kg closes what it writes itself (kg.atomic), never leaving it to a finalizer.
    gc.freeze()
    if gc.freeze not in _AT_EXIT:
        import atexit

        atexit.register(gc.freeze)
        _AT_EXIT.append(gc.freeze)
    everything = app.registered_commands, app.registered_groups
    try:
        asked = _command_asked(sys.argv[1:])
        if asked is None:
            _listing_only()
        else:
            _keep_only(asked)
        app()
    except KGError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug in govkg, not a problem in the input: its own exit code
        if state.debug or "--debug" in sys.argv:
            raise
        typer.echo(internal_error_message(exc), err=True)
        sys.exit(EXIT_INTERNAL)
    finally:  # main() may be called again in one process (tests do): the app is whole again
        app.registered_commands, app.registered_groups = everything


if __name__ == "__main__":
    main()
