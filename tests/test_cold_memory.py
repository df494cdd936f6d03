"""What a cold build holds (issue 18: a million claims under 4 GB): no claim file's claims past its summary and its graph's
record, the ontology's triples pickled; the same model, records and outputs as before."""

from __future__ import annotations

import pickle

from kg.inputs.parsecache import KeptTriples, ParseCache
from kg.model.claimfiles import ClaimFiles, ClaimsOnDemand
from kg.model.concepts import concepts_from_triples
from kg.model.project import load_kg
from kg.rdf.graphs import GraphCache, graph_records

from .conftest import invoke
from .test_lazy_claims import _same_model


def _cold(root, tmp_path):
    return load_kg(root, ParseCache(tmp_path / "parsed", "salt"))


def _refs(kg) -> list:
    assert isinstance(kg.claims, ClaimsOnDemand)
    return kg.claims._files.files


def test_a_cold_load_holds_no_claim_files_claims(mini, tmp_path):
    lazy, problems = _cold(mini, tmp_path)
    refs = _refs(lazy)
    assert refs and all(ref.resolution is None and ref.claims is None for ref in refs)  # each read back from its kept resolution
    eager, eager_problems = load_kg(mini)
    assert problems == eager_problems
    _same_model(lazy, eager)


def test_a_resolution_that_could_not_be_kept_stays_in_memory(mini, tmp_path, monkeypatch):
    monkeypatch.setattr(ParseCache, "keep_resolved", lambda self, key, value: None)  # a write that failed
    lazy, _ = _cold(mini, tmp_path)
    assert all(ref.resolution is not None for ref in _refs(lazy))
    _same_model(lazy, load_kg(mini)[0])


def test_the_records_read_each_files_claims_once_and_let_them_go(mini, tmp_path, monkeypatch):
    lazy, _ = _cold(mini, tmp_path)
    read: list = []
    real = ClaimFiles.read
    monkeypatch.setattr(ClaimFiles, "read", lambda self, ref: read.append(ref.path.name) or real(self, ref))
    records = graph_records(lazy, GraphCache(tmp_path / "graphs"))
    refs = _refs(lazy)
    assert sorted(read) == sorted(ref.path.name for ref in refs)  # each file once: its quads and its recipe from one read
    assert all(ref.claims is None and ref.resolution is None for ref in refs)  # none held once its record is made
    eager, _ = load_kg(mini)
    assert [(r.name, r.digest) for r in records] == [(r.name, r.digest) for r in graph_records(eager)]
    lazy.claims["b-reform-shirking"]  # noqa: B018  (asked for: read back, and kept, as before)
    assert any(ref.claims is not None for ref in refs)


def test_the_ontology_triples_are_held_pickled_and_read_the_same(mini, tmp_path):
    lazy, _ = _cold(mini, tmp_path)
    eager, _ = load_kg(mini)
    assert lazy.ontology_triples.keys() == eager.ontology_triples.keys()
    # the concepts made a file at a time, the files' triples packed between the two passes, as from every file's terms at once
    at_once = concepts_from_triples({p: list(t) for p, t in eager.ontology_triples.items()})
    assert lazy.concepts == eager.concepts == {cid: c for cid, c in at_once.items() if not c.deprecated}
    assert lazy.deprecated == eager.deprecated and lazy.deprecated and list(lazy.concepts) == list(eager.concepts)
    for path, kept in lazy.ontology_triples.items():
        assert isinstance(kept, KeptTriples) and kept._items is None  # packed once the cache's entry is written
        want = list(eager.ontology_triples[path])
        assert len(kept) == len(want)
        assert list(kept) == want and list(kept) == want  # each pass unpickles them again
        assert kept._items is None  # iterating kept nothing
        assert list(pickle.loads(pickle.dumps(kept))) == want
        assert kept[0] == want[0]


def test_a_cold_build_through_the_cache_writes_what_one_without_it_writes(runner, mini, tmp_path, monkeypatch):
    read: list = []
    real = ClaimFiles.read
    monkeypatch.setattr(ClaimFiles, "read", lambda self, ref: read.append(ref.path.name) or real(self, ref))
    cold = invoke(runner, mini, "build", "--out", str(tmp_path / "cold"))
    assert cold.exit_code == 0, cold.output
    # the claims were let go after each file's summary and read back, once, for its graph's record
    assert sorted(read) == sorted(p.name for p in (mini / "claims").glob("*.yaml"))
    monkeypatch.setenv("GOVKG_CACHE", "off")
    plain = invoke(runner, mini, "build", "--out", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.output
    names = sorted(p.name for p in (tmp_path / "plain").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cold").iterdir()) and "govkg.trig" in names
    for name in names:
        assert (tmp_path / "cold" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_records_sent_to_a_worker_read_the_same_graph(mini, tmp_path):
    from kg.rdf.workers import RecordTable, received

    lazy, _ = _cold(mini, tmp_path)
    records = graph_records(lazy, GraphCache(tmp_path / "graphs"))
    table = RecordTable()
    assert table.number(records + records[:2]) == list(range(len(records))) + [0, 1]  # each record once
    sent = pickle.loads(pickle.dumps(table.portable()))
    assert b"Reform can reduce shirking." not in pickle.dumps(sent)  # no lines, no quads: the worker reads its data files
    for r, back in zip(records, received(sent), strict=True):
        assert (back.name, back.digest, back.lines, back.subjects, back.types, back.pointed, back.subclass) == \
               (r.name, r.digest, r.lines, r.subjects, r.types, r.pointed, r.subclass)
        assert back.quads() == r.quads() and back.subject_ids == r.subject_ids  # read from the data file, not sent:
    assert all(state["_ids"] is None and state["_lines"] is None for state, _ in sent)
    assert RecordTable().portable() == []
    unkept = RecordTable()
    unkept.number(graph_records(lazy))  # no cache: no data files, so the workers are forked instead
    assert unkept.portable() is None


_SPAWNED = ("import sys, json; from pathlib import Path; import kg.rdf.workers as w; import kg.rdf.validate as v; import kg.output.pieces as p; "
            "from kg.model.project import load_kg; from kg.inputs.parsecache import ParseCache; from kg.rdf.graphs import GraphCache, graph_records; "
            "pools = []; real = w.spawned_pool; w.spawned_pool = lambda *a: pools.append(a[0]) or real(*a); "
            "root, tmp = Path(sys.argv[1]), Path(sys.argv[2]); v.default_workers = lambda: 2; "
            "kg, problems = load_kg(root, ParseCache(tmp / 'parsed', 'salt')); records = graph_records(kg, GraphCache(tmp / 'graphs')); "
            "found = lambda n, min: (setattr(v, 'PARALLEL_MIN', min), v.validate(root, False, loaded=(kg, problems), workers=n, graphs=GraphCache(tmp / 'graphs')).problems)[1]; "
            "pooled, alone = found(2, 0), found(1, 10**12); "
            "rdf = lambda min, d: (setattr(p, 'PARALLEL_MIN', min), p.render_records(records, tmp / d))[1]; "
            "print(json.dumps([pools, [str(x) for x in pooled] == [str(x) for x in alone], sum(x.code.startswith('shacl:') for x in pooled), rdf(0, 'a') == rdf(10**12, 'b')]))")


def test_units_and_pieces_made_by_spawned_workers_equal_those_made_here(mini_ro, tmp_path):
    import json
    import shutil
    import subprocess
    import sys

    from .conftest import REPO

    root = tmp_path / "edited"
    shutil.copytree(mini_ro, root, ignore=shutil.ignore_patterns(".cache", "dist"))
    path = root / "ontology" / "concepts.ttl"  # a concept without its source: a SHACL problem (tests/test_validate.py)
    text = path.read_text(encoding="utf-8")
    assert "    dcterms:source gks:mini-b .\n\ngkc:reform" in text
    path.write_text(text.replace("    dcterms:source gks:mini-b .\n\ngkc:reform", "    .\n\ngkc:reform", 1), encoding="utf-8")
    # In a fresh process, as users run it: spawned workers import govkg anew and are sent the records.
    out = subprocess.run([sys.executable, "-c", _SPAWNED, str(root), str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    pools, same_problems, n_problems, same_rdf = json.loads(out.stdout.splitlines()[-1])
    assert pools == [2, 2]  # SHACL's units, then the pieces: each through a pool of spawned workers
    assert same_problems and n_problems > 0 and same_rdf


def test_kg_build_with_spawned_workers_writes_what_one_process_writes(mini_ro, tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    from .conftest import REPO

    # `kg build` as a user runs it, its pools made to work even on this small graph (the thresholds set to 0).
    code = ("import sys, atexit; import kg.rdf.validate as v; import kg.output.pieces as p; v.PARALLEL_MIN = p.PARALLEL_MIN = 0; "
            "import kg.rdf.workers as w; pools = []; real = w.spawned_pool; w.spawned_pool = lambda *a: pools.append(a[0]) or real(*a); "
            "atexit.register(lambda: print('pools', len(pools), file=sys.stderr)); "
            "from kg.cli import main; sys.argv = ['kg', '--root', sys.argv[1], 'build', '--out', sys.argv[2]]; main()")
    outs = {}
    for workers in ("2", "1"):
        root = tmp_path / f"project-{workers}"
        shutil.copytree(mini_ro, root, ignore=shutil.ignore_patterns(".cache", "dist"))
        out = subprocess.run([sys.executable, "-c", code, str(root), str(tmp_path / f"dist-{workers}")], cwd=REPO, capture_output=True,
                             text=True, timeout=300, env={**os.environ, "GOVKG_WORKERS": workers})
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"pools {2 if workers == '2' else 0}" in out.stderr  # SHACL's units and the pieces, each by spawned workers
        outs[workers] = {p.name: p.read_bytes() for p in (tmp_path / f"dist-{workers}").iterdir()}
    assert "govkg.ttl" in outs["1"] and outs["2"] == outs["1"]
