"""The package as users install it: a wheel that carries the graph, no generic top-level module, one version everywhere."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kg

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("govkg-*.whl"))


def test_wheel_has_no_generic_top_level_module(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("govkg-")}
    assert top == {"kg"}
    assert "kg/cli.py" in names and "kg/__main__.py" in names
    # the graph itself travels inside the package
    assert {"kg/bundled/ontology/schema.ttl", "kg/bundled/claims/zuo-2023.yaml", "kg/bundled/sources/zuo-2023.txt"} <= set(names)
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "kg = kg.cli:main" in entry


def test_installed_wheel_answers_from_any_folder(wheel, tmp_path):
    """A fresh venv (reusing this interpreter's dependencies), the wheel alone, run far from the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = ("import kg; g = kg.load(); p = g.chain('責任主體', '卸责', via=['自保'])[0]; "
            "print(kg.__file__); print(len(g.claims), ' '.join(p.concepts))")
    out = subprocess.run([str(py), "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    where, answer = out.stdout.strip().splitlines()
    assert where.startswith(str(venv)), "the installed package, not the checkout, must answer"
    assert answer.endswith("individual-responsibility-subject self-protection blame-shifting")
    cli = subprocess.run([str(py), "-m", "kg", "chain", "責任主體", "卸责", "--via", "自保", "--format", "json"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert '"blame-shifting"' in cli.stdout
    # the bundled graph is cached in the user's cache folder, never inside site-packages
    assert not list(venv.rglob("bundled/.cache"))
    assert list((tmp_path / "cache" / "govkg").glob("bundled-*/kg-*.pickle"))


def test_version_is_written_once():
    version = kg.__version__
    assert re.search(rf'^version: "{re.escape(version)}"$', (REPO / "CITATION.cff").read_text(encoding="utf-8"), re.M)
    project_table = (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[project]")[1].split("\n[")[0]
    assert "version" not in re.findall(r"^(\w+)\s*=", project_table, re.M)
    # no hand-written version in the ontology: the build writes owl:versionInfo from kg.version
    assert not re.search(r'owl:versionInfo\s+"', (REPO / "ontology" / "schema.ttl").read_text(encoding="utf-8"))


def test_every_imported_package_is_declared():
    """Each third-party package kg/ imports is a dependency in pyproject.toml."""
    import ast

    declared = re.findall(r'^\s*"([A-Za-z0-9_.-]+)', (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[project.optional-dependencies]")[0], re.M)
    declared = {d.lower().replace("-", "_").replace(".", "_") for d in declared}
    module_of = {"yaml": "pyyaml", "ruamel": "ruamel_yaml"}
    stdlib = set(sys.stdlib_module_names)
    imported = set()
    for path in (REPO / "kg").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    # CPython's private accelerator modules of newer versions (_sha2 is 3.12's _sha256) are stdlib too
    third_party = {m for m in imported if m not in stdlib and m not in {"kg", "__future__"} and not m.startswith("_")}
    missing = {m for m in third_party if module_of.get(m, m).lower() not in declared}
    assert missing == set()
