"""Where a project's input folders and files are (no heavy imports: the cache reads it on every call)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError


class NotAProject(KGError):
    """The folder is not a govkg project: the message says where it looked and how to point at one."""


@dataclass
class Layout:
    """Where a project's input folders are; by default the folders of this repository."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def claims(self) -> Path:
        return self.root / "claims"

    @property
    def shapes(self) -> Path:
        return self.ontology / "shapes.ttl"

    @property
    def checks(self) -> Path:
        return self.ontology / "checks"

    @property
    def seeds(self) -> Path:
        """The raw seed texts, beside the repository (../shared/seeds) unless GOVKG_SEEDS says otherwise."""
        import os

        return Path(os.environ.get("GOVKG_SEEDS") or self.root.resolve().parent / "shared" / "seeds")

    def ontology_files(self) -> list[Path]:
        """The Turtle files whose triples are the graph (the SHACL shapes are not part of it)."""
        return [p for p in sorted(self.ontology.glob("*.ttl")) if p != self.shapes]

    def input_files(self) -> list[Path]:
        """Every file whose content the graph depends on, in a stable order (what glob("*.ttl") … finds, sorted)."""
        files = _named(self.ontology, ".ttl") + _named(self.checks, ".rq") + _named(self.sources, ".yaml")
        files += _named(self.sources, ".txt") + _named(self.claims, ".yaml")
        return files

    def input_paths(self) -> list[str]:
        """input_files() as text (str of each path), made without a Path per file: the cache lists them on every call,
        thousands at a million claims."""
        files = _named_text(self.ontology, ".ttl") + _named_text(self.checks, ".rq") + _named_text(self.sources, ".yaml")
        files += _named_text(self.sources, ".txt") + _named_text(self.claims, ".yaml")
        return files

    def require(self, folders: tuple[str, ...] = ("ontology", "sources", "claims")) -> Layout:
        """This layout, or NotAProject when its root lacks these folders of a project (said with where it looked)."""
        missing = [f"{name}/" for name in folders if not (self.root / name).is_dir()]
        if missing:
            raise NotAProject(f"{self.root.resolve()} is not a govkg project (no {', '.join(missing)} there): run kg in one, "
                              "or point at one with --root PATH or GOVKG_ROOT=PATH")
        return self

    def require_seeds(self, seeds: Path | None = None) -> Path:
        """The seeds folder to use, or NotAProject saying where it looked and what works without it."""
        folder = seeds or self.seeds
        if not folder.is_dir():
            raise NotAProject(f"no seed texts at {folder}: give --seeds PATH or GOVKG_SEEDS=PATH (the seeds are the raw texts "
                              "the cleaned sources/*.txt are made from; everything else in kg works without them)")
        return folder


def _named(folder: Path, suffix: str) -> list[Path]:
    """sorted(folder.glob("*" + suffix)) without compiling a pattern: every warm query lists the inputs."""
    import os

    try:
        names = os.listdir(folder)
    except OSError:  # no such folder (or not a folder): nothing, as glob finds
        return []
    return [folder / n for n in sorted(names) if n.endswith(suffix)]


def _named_text(folder: Path, suffix: str) -> list[str]:
    """[str(p) for p in _named(folder, suffix)], joining text: str(folder / name) is the folder's text, a separator, the name."""
    import os

    try:
        names = os.listdir(folder)
    except OSError:
        return []
    prefix = os.path.join(str(folder), "")  # the folder's text and a separator (str of a Path never ends with one)
    return [prefix + n for n in sorted(names) if n.endswith(suffix)]


def default_root() -> Path:
    """The project to work on: $GOVKG_ROOT, else the current folder if it holds one, else this checkout."""
    import os

    if os.environ.get("GOVKG_ROOT"):
        return Path(os.environ["GOVKG_ROOT"])
    here = Path.cwd()
    if (here / "ontology").is_dir() and (here / "claims").is_dir():
        return Path(".")
    return bundled_root()


def bundled_root() -> Path:
    """The graph that ships with govkg: the checkout in a development install, kg/bundled/ in a wheel."""
    package = Path(__file__).resolve().parent.parent  # kg/
    checkout = package.parent
    if (checkout / "ontology").is_dir() and (checkout / "claims").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return package / "bundled"
