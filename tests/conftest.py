"""Shared fixtures: the real project, and copies of the mini graph that a test may break at will."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
SEEDS = REPO.parent / "shared" / "seeds"


def make_mini(dest: Path) -> Path:
    """A copy of the mini graph with the real schema, shapes and quality checks beside it."""
    shutil.copytree(MINI, dest, ignore=shutil.ignore_patterns(".cache"))
    for name in ("schema.ttl", "shapes.ttl"):
        shutil.copy(REPO / "ontology" / name, dest / "ontology" / name)
    shutil.copytree(REPO / "ontology" / "checks", dest / "ontology" / "checks")
    return dest


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return make_mini(tmp_path / "mini")


@pytest.fixture(scope="session")
def mini_ro(tmp_path_factory) -> Path:
    """A mini graph shared by the tests that only read it."""
    return make_mini(tmp_path_factory.mktemp("ro") / "mini")


@pytest.fixture(scope="session")
def real_kg():
    from kg.model.project import load_kg

    kg, problems = load_kg(REPO)
    assert not problems, "\n".join(map(str, problems))
    return kg


@pytest.fixture(scope="session")
def mini_kg(mini_ro):
    from kg.model.project import load_kg

    kg, problems = load_kg(mini_ro)
    assert not problems, "\n".join(map(str, problems))
    return kg


@contextmanager
def running(server) -> Iterator:
    """`kg serve`'s server (kg.stores.serve.make_server) answering from a thread; shut down and closed on leaving."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def serve_mini(tmp_path):
    """start(backend, **limits): a server on a fresh copy of the mini graph, running until the test ends."""
    from contextlib import ExitStack

    from kg.model.project import load_kg
    from kg.stores.serve import make_server
    from kg.stores.store import open_store

    kg, _ = load_kg(make_mini(tmp_path / "mini"))
    with ExitStack() as servers:
        yield lambda backend, **limits: servers.enter_context(running(make_server(open_store(kg, backend), **limits)))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, root: Path, *args: str):
    from kg.cli import app

    return runner.invoke(app, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def browser():
    """The system Chromium through Playwright, one per test module; the test skips, saying why, without it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    from .browser import launch

    with sync_playwright() as p:
        b, why = launch(p)
        if b is None:
            pytest.skip(why)
        yield b
        b.close()
