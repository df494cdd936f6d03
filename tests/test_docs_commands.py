"""Every command shown in README.md and docs/*.md runs, on the graph it claims to run on, and shown output is checked.

A ```sh block's `kg …` lines must exit 0 (run in a copy of this project, from its folder). A ```console
block shows `$ kg …` lines with their output; the output must be exactly what kg prints now. When
the graph or the output changes on purpose, `GOVKG_UPDATE_DOCS=1 python -m pytest tests/test_docs_commands.py`
rewrites those blocks (cog-style) and `git diff` shows what changed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, SEEDS

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
UPDATE = os.environ.get("GOVKG_UPDATE_DOCS") == "1"
FENCE = re.compile(r"^```(sh|console)\n(.*?)^```\n", re.S | re.M)

# Commands the docs show that this test does not run, each with the reason and where it is tested.
NOT_RUN = {
    "kg diff v0.2.0 .": "reads the git tag v0.2.0, which the copy of the project a test runs in has not: tests/test_release.py diffs git revisions",
    "kg diff v0.2.0 . -f markdown": "reads the git tag v0.2.0: tests/test_release.py diffs git revisions",
    "kg serve": "runs until stopped: tests/test_serve.py starts it and queries it",
    "kg serve --backend oxigraph --timeout 5 --max-rows 50000": "runs until stopped: tests/test_serve.py",
    "kg push --endpoint URL": "a placeholder URL: tests/test_remote.py pushes to a real oxigraph serve",
    "kg push --endpoint http://127.0.0.1:7878": "needs a running `oxigraph serve`: tests/test_remote.py",
    "kg sparql queries/causes-of-outcomes.rq --endpoint http://127.0.0.1:7878": "needs a running `oxigraph serve`: tests/test_remote.py",
    "kg chain 責任主體 卸责 --endpoint http://127.0.0.1:7979/sparql": "needs a running `kg serve`: tests/test_serve_as_endpoint.py",
    "curl": "queries a running `kg serve`: tests/test_serve.py",
    "kg push --endpoint http://store.example:8890/sparql-graph-crud-auth --user alice": "needs a Virtuoso: tests/test_virtuoso.py starts one and pushes so",
    "kg sparql queries/causes-of-outcomes.rq --endpoint http://store.example:8890/sparql": "needs a Virtuoso: tests/test_virtuoso.py",
    "kg chain 责任主体从单位变成个人 卸责 --endpoint http://store.example:8890/sparql": "needs a Virtuoso: tests/test_virtuoso.py",
    "xelatex": "compiles what kg wrote: tests/test_citations.py and tests/test_export.py compile it (needs TeX)",
    "python3 -m venv": "the set-up commands: tests/test_setup.py runs them in a clean virtual environment",
    "python -m pytest": "the test suite itself",
    "python -m venv": "the set-up commands: tests/test_setup.py",
    ". .venv/bin/activate": "the set-up commands: tests/test_setup.py",
    "pip install": "the set-up commands: tests/test_setup.py",
    "python -m bench.run": "the benchmark: tests/test_bench.py runs it at a small size",
    "python docs/make_screenshots.py": "needs Chromium: remakes the pictures",
    "python -m http.server": "serves until stopped: tests/test_site_browser.py serves a built site the same way and opens it",
    # The curation walk-through adds a made-up source from a raw file the reader has, step by step:
    # tests/test_curate.py runs the same steps end to end in a temporary project.
    "kg source add FILE": "a placeholder file name: tests/test_curate.py adds a raw text",
    "kg source add ~/jiceng-2024.txt --title 减负之后 --kind article --issued 2024-03": "the reader's own raw file: tests/test_curate.py",
    "kg quote find jiceng 檢查太多導致基層幹部疲於應付": "needs the source added above: tests/test_curate.py",
    "kg uncovered jiceng-2024": "needs the source added above: tests/test_curate.py",
    "kg claim new SOURCE --id … --cause … --effect … --quote … --gloss …": "a template: tests/test_curate.py",
    "kg claim new jiceng-2024 --id jc-inspections-burden --cause inspection-and-evaluation \\": "needs the source added above: tests/test_curate.py",
    "--effect grassroots-burden --polarity positive --evidence interview --quote 检查太多导致基层干部疲于应付 \\": "the same command, continued",
    '--gloss "Too many inspections leave grassroots cadres scrambling to cope."': "the same command, continued",
}


def _strip_comment(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


def sh_commands(path: Path) -> list[str]:
    """Each command of the ```sh blocks, comments removed; `a && b` is two commands."""
    found = []
    for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
        if lang != "sh":
            continue
        for line in body.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            found += [part.strip() for part in _strip_comment(line).split("&&") if part.strip()]
    return found


def _not_run(command: str) -> str | None:
    return next((why for prefix, why in NOT_RUN.items() if command == prefix or (command.startswith(prefix + " ") and not prefix.startswith("kg "))), None)


ALL = [(path.relative_to(REPO).as_posix(), c) for path in DOCS for c in sh_commands(path)]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of this project (its real graph), so the documented commands may write where they say."""
    dest = tmp_path_factory.mktemp("docs") / "govkg"
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(".git", ".cache", "dist", ".venv", "__pycache__", "*.egg-info"))
    return dest


def run_kg(project: Path, command: str, monkeypatch) -> tuple[int, str]:
    from typer.testing import CliRunner

    from kg.cli import app

    monkeypatch.chdir(project)
    monkeypatch.delenv("GOVKG_ROOT", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    args = shlex.split(command)
    assert args[0] == "kg", command
    result = CliRunner().invoke(app, args[1:], catch_exceptions=False)
    return result.exit_code, result.output


def test_every_shown_command_is_run_or_says_why_not():
    unknown = [(doc, c) for doc, c in ALL if not c.startswith("kg ") and c != "kg" and _not_run(c) is None]
    assert not unknown, f"commands in the docs that no test runs (add them to NOT_RUN with a reason): {unknown}"
    shown = {c for _, c in ALL}
    stale = [k for k in NOT_RUN if k.startswith("kg ") and k not in shown]
    assert not stale, f"NOT_RUN names commands the docs no longer show: {stale}"


@pytest.mark.parametrize(("doc", "command"), [(d, c) for d, c in ALL if c.startswith("kg") and _not_run(c) is None])
def test_shown_command_runs(project, monkeypatch, doc, command):
    if (" figure" in command) and shutil.which("dot") is None:
        pytest.skip("Graphviz (dot) is not installed")
    if command.startswith("kg sources c"):
        if not SEEDS.is_dir():
            pytest.skip("needs the seed texts at ../shared/seeds (the README says so)")
        monkeypatch.setenv("GOVKG_SEEDS", str(SEEDS))
    code, output = run_kg(project, command, monkeypatch)
    assert code == 0, f"{doc}: `{command}` exited {code}:\n{output}"
    assert output.strip(), f"{doc}: `{command}` printed nothing"


def console_examples(path: Path) -> list[tuple[str, str]]:
    """(command, shown output) of each `$ kg …` line of the ```console blocks."""
    pairs = []
    for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
        if lang != "console":
            continue
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, _, shown = chunk.partition("\n")
            pairs.append((command, shown))
    return pairs


CONSOLE = [(p, c) for p in DOCS for c, _ in console_examples(p)]


@pytest.mark.parametrize(("path", "command"), CONSOLE, ids=[f"{p.name}: {c}" for p, c in CONSOLE])
def test_shown_output_is_what_kg_prints(project, monkeypatch, path, command):
    shown = dict(console_examples(path))[command]
    code, output = run_kg(project, command, monkeypatch)
    if output != shown and UPDATE:
        text = path.read_text(encoding="utf-8")
        text = text.replace(f"$ {command}\n{shown}", f"$ {command}\n{output}", 1)
        path.write_text(text, encoding="utf-8")
        return
    assert output == shown, (f"{path.name}: the output shown for `{command}` is not what kg prints now; "
                             "GOVKG_UPDATE_DOCS=1 python -m pytest tests/test_docs_commands.py rewrites it")


def _json(project: Path, command: str, monkeypatch) -> dict:
    import json

    code, output = run_kg(project, command + " -f json", monkeypatch)
    assert code == 0, f"`{command}` exited {code}:\n{output}"
    return json.loads(output)


def test_four_questions_say_what_the_graph_says(project, monkeypatch):
    """README's "Four questions a paper asks" describes each answer in prose: the prose holds on the graph."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Four questions a paper asks", 1)[1].split("\n## ", 1)[0]
    counts = _json(project, "kg stats", monkeypatch)
    said = f"({counts['concepts']} concepts, {counts['claims']} claims from {counts['sources']}\nsource documents of {counts['works']} works"
    assert said in section, f"the counts README gives are not kg stats': {said!r}"

    # A chain between two mechanisms: 4 paths, all assembled, three with every link by xxzg-collusion; none stated.
    paths = _json(project, "kg chain 部门业务政治任务化 卸责", monkeypatch)["paths"]
    assert len(paths) == 4 and "finds 4 paths, every one **assembled**" in section
    assert all(p["kind"] == "assembled" for p in paths)
    assert sum(p["every_link_by"] == ["xxzg-collusion"] for p in paths) == 3
    assert _json(project, "kg chain 部门业务政治任务化 卸责 --same-source", monkeypatch)["paths"] == []
    stated = _json(project, "kg chain 自保 形式主义 --same-source", monkeypatch)["paths"]
    assert [[c["id"] for c in p["concepts"]] for p in stated] == [["self-protection", "rigid-maximal-execution", "formalism"]]
    assert sorted(stated[0]["stated_by"]) == ["xxzg-collusion", "xxzg-notes"]
    assert {c["chain"] for s in stated[0]["steps"] for c in s["claims"]} == {"col-selfprotect-rigid-formalism", "notes-selfprotect-rigid-formalism"}

    # The causes of formalism: the five named, and the two kinds --narrower adds.
    explained = _json(project, "kg explain 形式主义 --narrower", monkeypatch)
    causes = {c["concept"]["id"] for c in explained["causes"]}
    assert causes == {"departmental-domination", "governance-system-iteration", "hundred-percent-target-management",
                      "one-vote-veto", "rigid-maximal-execution"}
    assert "Five concepts cause" in section and all(f"({c})" in section for c in causes)
    assert {k["concept"]["id"] for k in explained["narrower_causes"]} == {"paper-compliance", "paperwork-burden"}

    # The conditions that turn collusion into blame-shifting.
    contrasts = _json(project, "kg contrast 强激励", monkeypatch)["contrasts"]
    pairs = {(x["kind"], frozenset(c["id"] for c in x["a"] + x["b"])) for x in contrasts}
    assert ("opposite", frozenset({"col-strong-negative-no-collusion", "col-strong-positive-collusion"})) in pairs
    assert ("divergent", frozenset({"col-strong-negative-blame", "col-strong-positive-collusion"})) in pairs
    claims = {c["id"]: c for x in contrasts for c in x["a"] + x["b"]}
    assert [k["id"] for k in claims["col-strong-positive-collusion"]["conditions"]] == ["positive-incentive"]
    assert [k["id"] for k in claims["col-strong-negative-blame"]["conditions"]] == ["negative-incentive"]
    assert claims["col-strong-negative-blame"]["effect"] == "blame-shifting"
    causes = {c["concept"]["id"]: c["step"] for c in _json(project, "kg explain 卸责", monkeypatch)["causes"]}
    assert [k["id"] for k in causes["self-protection"]["conditions"]] == ["problem-exposure"]
    assert "col-selfprotect-blame" in {c["id"] for c in causes["self-protection"]["claims"]}

    # The reforms that cut a pathway.
    remedies = _json(project, "kg remedies 形式主义", monkeypatch)["remedies"]
    assert [(r["intervention"]["id"], r["route"], r["target"]["id"]) for r in remedies] == [
        ("two-way-evaluation", "counters-a-cause", "departmental-domination")]
    cut = _json(project, "kg chain 双向考核 形式主义", monkeypatch)["paths"][0]
    assert cut["net_polarity"] == "negative" and cut["kind"] == "assembled"
    assert [c["id"] for c in cut["concepts"]] == ["two-way-evaluation", "departmental-domination", "formalism"]
    assert _json(project, "kg remedies 卸责", monkeypatch)["remedies"] == []


def test_ambiguous_name_example_is_ambiguous(project, monkeypatch):
    """README's example of a name matching two concepts still matches exactly those two, and exits 1."""
    assert "`kg chain 权力上收 卸责` names two concepts, `power-up-responsibility-down` and\n`pressure-type-system`" in (REPO / "README.md").read_text(encoding="utf-8")
    code, output = run_kg(project, "kg chain 权力上收 卸责", monkeypatch)
    assert code == 1
    assert "matches 2 concepts" in output and "power-up-responsibility-down" in output and "pressure-type-system" in output


def test_claims_readme_validate_line_counts_the_graph(project, monkeypatch):
    """claims/README.md's worked example ends with the `kg validate` line of the real graph: its counts are today's."""
    shown = re.findall(r"^\$ kg validate\nOK: (\d+) concepts, (\d+) claims, (\d+) sources;", (REPO / "claims" / "README.md").read_text(encoding="utf-8"), re.M)
    assert shown, "claims/README.md no longer shows the real graph's `kg validate` line"
    counts = _json(project, "kg stats", monkeypatch)
    assert shown[-1] == (str(counts["concepts"]), str(counts["claims"]), str(counts["sources"]))
