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
