"""Helpers that add facts to a writable copy of the mini graph, for tests that need one more source, claim or concept."""

from __future__ import annotations

from pathlib import Path


def add_source(root: Path, sid: str, text: str, claims_yaml: str, work: str | None = None) -> None:
    """A new source document `sid` (an article unless it reports on `work`) with its text and claims."""
    record = f"id: {sid}\nkind: article\ntitle: 文章{sid}\ntitle_en: Article {sid}\nauthors: [丁]\nissued: \"2022\"\n"
    if work:
        record = record.replace("kind: article", "kind: reading-notes") + f"work: {work}\nrelation: notes\n"
    (root / "sources" / f"{sid}.yaml").write_text(record, encoding="utf-8")
    (root / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8")
    (root / "claims" / f"{sid}.yaml").write_text(f"source: {sid}\nclaims:\n{claims_yaml}", encoding="utf-8")


def append_claims(root: Path, source: str, text_line: str, claims_yaml: str) -> None:
    """Append a line to a source's cleaned text and claims (quoting it) to its claim file."""
    path = root / "sources" / f"{source}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + text_line + "\n", encoding="utf-8")
    with (root / "claims" / f"{source}.yaml").open("a", encoding="utf-8") as f:
        f.write(claims_yaml)


def add_turtle(root: Path, turtle: str) -> None:
    """Append Turtle (using the prefixes the mini concepts file declares) to the mini concepts file."""
    with (root / "ontology" / "concepts.ttl").open("a", encoding="utf-8") as f:
        f.write("\n" + turtle + "\n")


def load(root: Path):
    from kg.model.project import load_kg

    kg, problems = load_kg(root)
    assert not problems, "\n".join(map(str, problems))
    return kg
