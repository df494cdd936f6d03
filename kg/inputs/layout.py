"""Where a project's input folders and files are (no heavy imports: the cache reads it on every call)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        """Every file whose content the graph depends on, in a stable order."""
        files = sorted(self.ontology.glob("*.ttl")) + sorted(self.checks.glob("*.rq")) + sorted(self.sources.glob("*.yaml"))
        files += sorted(self.sources.glob("*.txt")) + sorted(self.claims.glob("*.yaml"))
        return files
