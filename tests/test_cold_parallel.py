"""A cold load parses, resolves and summarises its claim files across the cores: the same model, problems and outputs as one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kg.cores as cores
import kg.model.project as project
from kg.inputs.layout import Layout

from .conftest import REPO, invoke


def _copy(dest: Path) -> Path:
    for name in ("ontology", "claims", "sources"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


_SEEN: list[Path] = []  # the folder where the workers mark each file they summarised
_REAL = project._summary_kept


def _counted(i: int) -> None:
    """project._summary_kept, marking its file: runs in a forked worker, which finds this function by its module's name."""
    assert project._TODO is not None
    (_SEEN[0] / project._TODO[0][i][0].name).write_text("", encoding="utf-8")
    _REAL(i)


@pytest.fixture
def across_cores(monkeypatch, tmp_path):
    """Every cold load pooled (two workers, whatever the size); the folder where the workers mark the files they summarised."""
    monkeypatch.setattr(cores, "PARALLEL_BYTES", 0)
    monkeypatch.setenv("GOVKG_WORKERS", "2")
    seen = tmp_path / "seen"
    seen.mkdir()
    _SEEN[:] = [seen]
    monkeypatch.setattr(project, "_summary_kept", _counted)
    return seen


def test_a_cold_build_across_cores_writes_what_one_process_writes(runner, tmp_path, monkeypatch, across_cores):
    root = _copy(tmp_path / "p")
    result = invoke(runner, root, "build", "--out", str(tmp_path / "pooled"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in across_cores.iterdir()) == sorted(p.name for p in (root / "claims").glob("*.yaml"))
    monkeypatch.setenv("GOVKG_CACHE", "off")  # no cache: one process, nothing kept
    result = invoke(runner, root, "build", "--out", str(tmp_path / "alone"))
    assert result.exit_code == 0, result.output
    assert _tree(tmp_path / "pooled") == _tree(tmp_path / "alone")


def test_problems_found_across_cores_are_reported_as_one_process_reports_them(runner, tmp_path, monkeypatch, across_cores):
    root = _copy(tmp_path / "p")
    broken = sorted((root / "claims").glob("*.yaml"))[1]
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("cause: ", "cause: no-such-concept-", 1), encoding="utf-8")
    (root / "claims" / "unreadable.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    pooled = invoke(runner, root, "validate")
    assert pooled.exit_code != 0 and "no-such-concept-" in pooled.output and "unreadable.yaml" in pooled.output
    assert {p.name for p in across_cores.iterdir()} >= {broken.name, "unreadable.yaml"}
    monkeypatch.setenv("GOVKG_CACHE", "off")
    alone = invoke(runner, root, "validate")
    assert pooled.output == alone.output and pooled.exit_code == alone.exit_code


def test_a_small_project_is_loaded_in_one_process(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVKG_WORKERS", "2")
    seen = tmp_path / "seen"
    seen.mkdir()
    _SEEN[:] = [seen]
    monkeypatch.setattr(project, "_summary_kept", _counted)
    root = _copy(tmp_path / "p")
    assert invoke(runner, root, "build").exit_code == 0
    assert list(seen.iterdir()) == [] and sum(p.stat().st_size for p in (root / "claims").glob("*.yaml")) < cores.PARALLEL_BYTES


@pytest.fixture
def pools(monkeypatch):
    """Every pool of a cold build run (two workers, whatever the size): the ontology files' parse, the claim files' summaries,
    the graph records and the checks' projections (the checks sliced and kept as in a large graph); each pool's task name,
    size and answers noted."""
    import kg.rdf.validate as v

    monkeypatch.setattr(cores, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(v, "SLICE_MIN", 0)
    monkeypatch.setattr(v, "BACKGROUND_MIN", 0)
    monkeypatch.setenv("GOVKG_WORKERS", "2")
    ran: list[tuple[str, int, list | None]] = []
    real = cores.across_cores

    def noted(task, n, size):
        answers = real(task, n, size)
        ran.append((task.__qualname__.split(".")[0], n, answers))
        return answers

    monkeypatch.setattr(cores, "across_cores", noted)
    return ran


def _pooled(ran: list, name: str) -> list:
    return [answers for task, _, answers in ran if task == name]


def test_ontology_records_and_projections_made_across_cores_build_what_one_process_builds(runner, tmp_path, monkeypatch, pools):
    import kg.rdf.checkrows as checkrows
    import kg.rdf.graphs as graphs

    here: list[str] = []  # what the build's own process made (a worker's notes stay in its copy of this list)
    made, projected, parsed = graphs._made, checkrows.KeptRows._made_projections, project._ontology_file
    monkeypatch.setattr(project, "_ontology_file", lambda *a, **k: here.append("ontology") or parsed(*a, **k))
    monkeypatch.setattr(graphs, "_made", lambda *a: here.append("record") or made(*a))
    monkeypatch.setattr(checkrows.KeptRows, "_made_projections", lambda *a: here.append("projections") or projected(*a))
    root = _copy(tmp_path / "p")
    result = invoke(runner, root, "build", "--out", str(tmp_path / "pooled"))
    assert result.exit_code == 0, result.output
    assert here == []  # the workers' parses, records and projections taken as they made them
    records, projections = _pooled(pools, "_made_across_cores"), _pooled(pools, "KeptRows")
    ontology = _pooled(pools, "_ontology_files_across_cores")
    assert [len(a) for a in ontology] == [len(Layout(root).ontology_files())] and None not in ontology[0]
    files = len(list((root / "claims").glob("*.yaml"))) + len(Layout(root).ontology_files())
    assert [len(a) for a in records] == [files] and None not in records[0]  # every file's record made by a worker
    assert projections and len(projections[0]) > files and None not in projections[0]
    pools.clear()  # a rebuild: every record and projection the workers kept is read back, none made again
    assert invoke(runner, root, "build", "--out", str(tmp_path / "again")).exit_code == 0
    assert pools == [] and _tree(tmp_path / "again") == _tree(tmp_path / "pooled")
    monkeypatch.setenv("GOVKG_CACHE", "off")  # no cache: one process, nothing kept
    result = invoke(runner, root, "build", "--out", str(tmp_path / "alone"))
    assert result.exit_code == 0, result.output
    assert _tree(tmp_path / "pooled") == _tree(tmp_path / "alone")


def test_what_a_worker_fails_to_make_is_made_by_the_build_itself(runner, tmp_path, monkeypatch, pools):
    import os

    import kg.rdf.checkrows as checkrows
    import kg.rdf.graphs as graphs

    build = os.getpid()
    made, projected = graphs._made, checkrows.KeptRows._made_projections

    def fails_in_a_worker(real):
        def wrapped(*args, **kwargs):
            if os.getpid() != build:
                raise OSError("no space left on device")
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(project, "_ontology_file", fails_in_a_worker(project._ontology_file))
    monkeypatch.setattr(graphs, "_made", fails_in_a_worker(made))
    monkeypatch.setattr(checkrows.KeptRows, "_made_projections", fails_in_a_worker(projected))
    root = _copy(tmp_path / "p")
    result = invoke(runner, root, "build", "--out", str(tmp_path / "pooled"))
    assert result.exit_code == 0, result.output
    answers = _pooled(pools, "_ontology_files_across_cores") + _pooled(pools, "_made_across_cores") + _pooled(pools, "KeptRows")
    assert len(answers) == 3 and all(a and set(a) == {None} for a in answers)  # the three pools ran, and every task failed
    monkeypatch.setenv("GOVKG_CACHE", "off")
    assert invoke(runner, root, "build", "--out", str(tmp_path / "alone")).exit_code == 0
    assert _tree(tmp_path / "pooled") == _tree(tmp_path / "alone")
