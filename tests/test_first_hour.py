"""Issue 14: outputs that never clobber, honest exit codes, -o relative to the current folder, one hash per build."""

from __future__ import annotations

import os
import shutil

import pytest

from .conftest import invoke


def test_a_warm_build_hashes_the_graph_once(runner, mini, monkeypatch):
    import kg.output.build as build_module

    assert invoke(runner, mini, "build").exit_code == 0
    calls = []
    real = build_module.content_hash
    monkeypatch.setattr(build_module, "content_hash", lambda kg, *args, **kw: calls.append(1) or real(kg, *args, **kw))
    result = invoke(runner, mini, "build")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1


def test_a_focused_page_gets_its_own_name_and_leaves_the_whole_graph_alone(runner, mini):
    assert invoke(runner, mini, "render").exit_code == 0
    whole = (mini / "dist" / "graph.html").read_bytes()
    result = invoke(runner, mini, "render", "--focus", "谨慎")
    assert result.exit_code == 0, result.output
    assert (mini / "dist" / "graph-focus-caution.html").is_file()
    assert (mini / "dist" / "graph.html").read_bytes() == whole
    chain = invoke(runner, mini, "render", "--chain", "压力", "推诿", "--source", "mini-a")
    assert chain.exit_code == 0 and (mini / "dist" / "graph-chain-pressure-to-shirking-source-mini-a.html").is_file()


def test_a_page_does_not_replace_a_file_govkg_did_not_write(runner, mini, tmp_path):
    theirs = tmp_path / "notes.html"
    theirs.write_text("<p>my notes</p>", encoding="utf-8")
    refused = invoke(runner, mini, "render", "-o", str(theirs))
    assert refused.exit_code == 2 and "--force" in refused.output
    assert theirs.read_text(encoding="utf-8") == "<p>my notes</p>"
    assert invoke(runner, mini, "render", "-o", str(theirs)).exit_code == 2
    assert invoke(runner, mini, "render", "-o", str(theirs), "--force").exit_code == 0
    assert invoke(runner, mini, "render", "-o", str(theirs)).exit_code == 0  # now it is govkg's page


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_a_focused_figure_gets_its_own_name_and_refuses_others_files(runner, mini, tmp_path):
    result = invoke(runner, mini, "figure", "--focus", "谨慎", "--formats", "svg")
    assert result.exit_code == 0, result.output
    assert (mini / "dist" / "figure-focus-caution.svg").is_file() and not (mini / "dist" / "figure.svg").exists()
    (tmp_path / "fig.svg").write_text("<svg/>", encoding="utf-8")
    refused = invoke(runner, mini, "figure", "-o", str(tmp_path / "fig"), "--formats", "svg")
    assert refused.exit_code == 2 and "--force" in refused.output
    assert invoke(runner, mini, "figure", "-o", str(tmp_path / "fig"), "--formats", "svg", "--force").exit_code == 0


def test_figure_format_svg_says_where_image_formats_go(runner, mini):
    result = invoke(runner, mini, "figure", "-f", "svg")
    assert result.exit_code == 2 and "--formats svg" in result.output


def test_open_prints_the_path_without_a_desktop(runner, mini, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = invoke(runner, mini, "render", "--open")
    assert result.exit_code == 0 and f"the file is {(mini / 'dist' / 'graph.html').resolve()}" in result.output


def test_out_is_relative_to_the_current_folder(runner, mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, mini, "render", "-o", "page.html").exit_code == 0
    assert (tmp_path / "page.html").is_file() and not (mini / "page.html").exists()
    assert invoke(runner, mini, "build", "-o", "built").exit_code == 0
    assert (tmp_path / "built" / "release.json").is_file()


@pytest.mark.parametrize("command", [["sources", "check"], ["sources", "clean"], ["sources", "check", "-f", "json"]])
def test_sources_commands_outside_a_project_say_where_they_looked(runner, tmp_path, command):
    result = invoke(runner, tmp_path, *command)
    assert result.exit_code == 2 and "OK" not in result.output
    assert f"{tmp_path.resolve()} is not a govkg project (no sources/" in result.output and "--root" in result.output


def test_sources_check_without_seeds_says_what_works_without_them(runner, mini, tmp_path):
    result = invoke(runner, mini, "sources", "check", "--seeds", str(tmp_path / "none"))
    assert result.exit_code == 2 and "everything else in kg works without them" in result.output


def test_sources_check_with_nothing_to_check_is_not_a_success(runner, mini, tmp_path):
    for record in (mini / "sources").glob("*.yaml"):
        text = record.read_text(encoding="utf-8")
        record.write_text("\n".join(line for line in text.splitlines() if not line.startswith("seed:")) + "\n", encoding="utf-8")
    os.makedirs(tmp_path / "seeds")
    result = invoke(runner, mini, "sources", "check", "--seeds", str(tmp_path / "seeds"))
    assert result.exit_code != 0 and "OK" not in result.output
