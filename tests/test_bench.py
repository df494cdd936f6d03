"""A smoke test of the benchmark: the generator makes a valid project, the runner times it and prints its table."""

from __future__ import annotations


def test_generated_project_is_valid_and_holds_the_planted_chain(tmp_path):
    from bench.generate import generate
    from kg.model.project import load_kg

    kg, problems = load_kg(generate(tmp_path / "p", 300))
    assert problems == []
    assert len(kg.claims) == 300 and kg.chains  # some statements are chains
    assert {(c.cause, c.effect) for c in kg.claims.values()} >= {("k0", "k1"), ("k1", "k2")}


def test_runner_prints_a_table_with_floors_and_ratios(tmp_path, capsys):
    from bench.run import main

    steps = "read,python,load,build-oxigraph,sparql-chain2,chain"
    assert main(["--sizes", "200", "--repeat", "1", "--data", str(tmp_path), "--steps", steps]) == 0
    table = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ") and "---" not in line}
    assert "read the input bytes (floor)" in rows and "bare `python -c pass` (floor)" in rows
    assert "×" in rows["load: parse + resolve (load_kg, cold)"]
    assert "sparql-chain2 200: 1 (rdflib: the same)" in table  # the planted k0 → k1 → k2, found on both backends


def test_warm_targets_time_kg_beside_the_typer_floor(tmp_path, monkeypatch):
    import bench.warm
    from bench.targets import table

    monkeypatch.setattr(bench.warm, "DATA", tmp_path)
    targets = bench.warm.measure(["200"], quick=True)
    assert [(t.name, t.size, t.floor) for t in targets] == [("warm `kg chain k0 k2`", "200", "typer hello-world")]
    assert targets[0].measured > 0 and "s vs" in targets[0].detail
    assert "| warm `kg chain k0 k2` | 200 |" in table(targets)


def test_harness_prints_every_target_with_met_or_not(monkeypatch, capsys):
    import sys
    import types

    import bench.targets
    from bench.run import main
    from bench.targets import Target

    fake = types.ModuleType("bench.fake")
    fake.measure = lambda sizes, quick: [Target("fast thing", sizes[0], 1.2, 1.5, floor="floor"),  # type: ignore[attr-defined]
                                         Target("slow thing", sizes[0], 3.0, 2.0, floor="floor")]
    monkeypatch.setitem(sys.modules, "bench.fake", fake)
    monkeypatch.setattr(bench.targets, "MODULES", ("bench.fake", "bench.not_written"))
    assert main(["--sizes", "real", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "| fast thing | real | 1.2× | ≤ 1.5× | floor | met |" in out
    assert "| slow thing | real | 3× | ≤ 2× | floor | not met |" in out
    assert "1 of 2 targets met" in out and "bench.not_written" in out
