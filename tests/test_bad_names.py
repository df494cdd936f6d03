"""Ids and file names that would be pasted raw into IRIs: one pattern for all, checked on loading; every IRI checked before it is written.

Issue 13: an ontology file name with a space, or a work id with a space, '>' or a line break,
crashed the build of the Oxigraph store or injected a triple into it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .conftest import make_mini

INJECT = 'w> <https://w3id.org/govkg/vocab#injected> "yes" <https://w3id.org/govkg/graph/x> .\n<urn:a'


def _rename_ontology(root: Path, name: str) -> None:
    (root / "ontology" / "concepts.ttl").rename(root / "ontology" / name)


def _work(root: Path, wid: str) -> None:
    (root / "sources" / "works.yaml").write_text(f'- id: {json.dumps(wid)}\n  kind: book\n  title: 书\n', encoding="utf-8")


def _record_work(root: Path, wid: str) -> None:
    path = root / "sources" / "mini-b.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f'work: {json.dumps(wid)}\n', encoding="utf-8")


def _rename_claims(root: Path, name: str) -> None:
    (root / "claims" / "mini-b.yaml").rename(root / "claims" / name)


# name -> (change to the mini graph, the code of the problem)
CASES = {
    "ontology/my concepts.ttl (a space)": (lambda r: _rename_ontology(r, "my concepts.ttl"), "bad-name"),
    "ontology/a>b.ttl": (lambda r: _rename_ontology(r, "a>b.ttl"), "bad-name"),
    "claims/mini b.yaml (a space)": (lambda r: _rename_claims(r, "mini b.yaml"), "bad-name"),
    "works.yaml: id: \"w 1\"": (lambda r: _work(r, "w 1"), "bad-id"),
    "works.yaml: id with '>' and a line break (a triple to inject)": (lambda r: _work(r, INJECT), "bad-id"),
    "sources/mini-b.yaml: work: \"w>x\"": (lambda r: _record_work(r, "w>x"), "bad-id"),
}


def case_problems(name: str, tmp: Path):
    from kg.model.project import load_kg

    root = make_mini(tmp / "mini")
    CASES[name][0](root)
    _, problems = load_kg(root)
    return root, problems


@pytest.mark.parametrize("name", list(CASES))
def test_bad_names_are_problems_on_loading(tmp_path, name):
    _, problems = case_problems(name, tmp_path)
    assert CASES[name][1] in [p.code for p in problems], problems


@pytest.mark.parametrize("name", list(CASES))
def test_the_oxigraph_store_is_not_built_from_bad_names(tmp_path, name):
    """The issue's symptom: a crash or an injected triple when the store is built; now exit 1 with the problems."""
    from cli import app

    root = make_mini(tmp_path / "mini")
    CASES[name][0](root)
    result = CliRunner().invoke(app, ["--root", str(root), "sparql", "ASK { ?s <https://w3id.org/govkg/vocab#injected> ?o }",
                                      "--backend", "oxigraph"])
    assert result.exit_code == 1 and CASES[name][1] in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_iri_is_checked_before_it_is_written(real_kg):
    from kg.ids import check_iri
    from kg.rdf.nquads import iter_nquads

    assert sum(chunk.count("\n") for chunk in iter_nquads(real_kg)) > 1000  # the real graph passes
    for bad in ("a b", "a>b", "a\nb", "a<b", 'a"b'):
        with pytest.raises(ValueError):
            check_iri(bad)
