"""The `kg` command: parses arguments, calls one function of the kg library, prints the result.

Heavy libraries (rdflib, pySHACL, networkx, pyvis) are imported inside the commands that use
them, so `kg --help` and the light commands start fast.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from kg.errors import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, KGError

app = typer.Typer(
    name="kg",
    help="govkg: causal claims about Chinese grassroots governance, each traceable to its source's words.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Cleaned source texts: rebuild them from the seeds, or check they are reproducible.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


class Format(str, Enum):
    text = "text"
    json = "json"


class State:
    root: Path = Path(".")


state = State()


@app.callback()
def _main(
    root: Path | None = typer.Option(None, "--root", help="The govkg project folder (default: $GOVKG_ROOT, the current folder, or this checkout)."),
) -> None:
    from kg.project import default_root

    state.root = root if root is not None else default_root()


def _echo_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def validate(
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
    seeds: bool | None = typer.Option(None, "--seeds/--no-seeds", help="Also check that the cleaned texts are reproducible from the seeds (default: when ../shared/seeds exists)."),
) -> None:
    """Check the ontology, sources and claims; list every problem as file:line. Exit 0 when clean, 1 otherwise."""
    from kg.validate import validate as run

    report = run(state.root, check_seeds=seeds)
    if fmt is Format.json:
        _echo_json(report.to_dict())
    else:
        for p in report.problems:
            typer.echo(str(p))
        counts = report.to_dict()["counts"]
        summary = f"{counts['concepts']} concepts, {counts['claims']} claims, {counts['sources']} sources; {len(report.checks_run)} quality checks"
        if report.conforms:
            typer.echo(f"OK: {summary}" + ("; sources reproducible from the seeds" if report.seeds_checked else ""))
        else:
            typer.echo(f"{len(report.problems)} problem(s) in {summary}", err=True)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_PROBLEMS)


@app.command()
def build(
    out: Path = typer.Option(Path("dist"), "--out", "-o", help="Folder to write into (relative to the project)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts."),
) -> None:
    """Validate, then write the graph to dist/ (Turtle, TriG, JSON-LD, release.json). A failed build leaves dist/ as it was."""
    from kg.build import build as run_build
    from kg.build import release_metadata
    from kg.validate import validate as run

    report = run(state.root)
    if not report.conforms:
        for p in report.problems:
            typer.echo(str(p), err=True)
        _fail(f"not built: {len(report.problems)} problem(s); dist/ is unchanged", EXIT_PROBLEMS)
    out_dir = out if out.is_absolute() else state.root / out
    try:
        written = run_build(report.kg, out_dir)
    except OSError as exc:
        _fail(f"could not write {out_dir}: {exc.strerror or exc}; {out.as_posix()}/ is unchanged", EXIT_ERROR)
    release = release_metadata(report.kg)
    if fmt is Format.json:
        _echo_json({"written": [str(p) for p in written], **release})
    else:
        for p in written:
            typer.echo(f"wrote {p}")
        typer.echo(f"govkg {release['version']}, content sha256 {release['content_sha256'][:16]}…")


@app.command()
def stats(fmt: Format = typer.Option(Format.text, "--format", "-f", help="text, or json for scripts.")) -> None:
    """Counts: sources, concepts by class, claims by source and polarity, links with several sources."""
    from kg.stats import get_stats

    kg = _load()
    data = get_stats(kg)
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


def _load():
    """The graph, or exit 1 with the problems when the input does not load cleanly."""
    from kg.project import load_kg

    kg, problems = load_kg(state.root)
    if problems:
        for p in problems:
            typer.echo(str(p), err=True)
        _fail(f"{len(problems)} problem(s) in the input: run `kg validate`", EXIT_PROBLEMS)
    return kg


@sources_app.command("clean")
def sources_clean(
    seeds: Path | None = typer.Option(None, "--seeds", help="Folder of raw seed texts (default: ../shared/seeds)."),
) -> None:
    """Rewrite sources/<id>.txt from each seed and the cleaning recipe in sources/<id>.yaml."""
    from kg.project import Layout
    from kg.sources import write_cleaned_texts

    layout = Layout(state.root)
    try:
        written, problems = write_cleaned_texts(layout.sources, seeds or layout.seeds)
    except OSError as exc:
        _fail(f"could not write the cleaned texts: {exc.strerror or exc}; sources/ is unchanged", EXIT_ERROR)
    for p in problems:
        typer.echo(str(p), err=True)
    for path in written:
        typer.echo(f"wrote {path}")
    raise typer.Exit(EXIT_PROBLEMS if problems else EXIT_OK)


@sources_app.command("check")
def sources_check(
    seeds: Path | None = typer.Option(None, "--seeds", help="Folder of raw seed texts (default: ../shared/seeds)."),
) -> None:
    """Check that every committed cleaned text is exactly what its recipe makes from its seed."""
    from kg.errors import Problem
    from kg.project import Layout
    from kg.sources import check_against_seeds, load_sources

    layout = Layout(state.root)
    problems: list[Problem] = []
    sources, _ = load_sources(layout.sources, problems)
    problems += check_against_seeds(sources, seeds or layout.seeds)
    for p in problems:
        typer.echo(str(p))
    if not problems:
        typer.echo(f"OK: {len(sources)} cleaned texts reproduce from {seeds or layout.seeds}")
    raise typer.Exit(EXIT_PROBLEMS if problems else EXIT_OK)


def main() -> None:
    """Entry point of the installed `kg` command: errors become messages and exit codes, never tracebacks."""
    try:
        app()
    except KGError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
