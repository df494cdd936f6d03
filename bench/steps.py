"""The steps the benchmark times, each run in a fresh process: `python -m bench.steps STEP ROOT BACKEND`.

A fresh process per step makes warm timings honest (interpreter start and imports included, as a
user's `kg` call pays them) and gives each step its own peak memory.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from kg.rdf.dataset import dataset_of

P = """PREFIX gkv: <https://w3id.org/govkg/vocab#>
PREFIX gkc: <https://w3id.org/govkg/concept/>
"""
CHAIN2 = P + "SELECT ?c1 ?mid ?c2 WHERE {{ ?c1 gkv:cause gkc:{a} ; gkv:effect ?mid . ?c2 gkv:cause ?mid ; gkv:effect gkc:{b} }}"
REACH = P + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ gkc:{a} (^gkv:cause/gkv:effect)+ ?x }}"
# The concepts the queries start from: the planted k0 → k1 → k2 of a synthetic project; others by argument.
ENDS = ("k0", "k2", "k5")


def _nquads_file(root: Path) -> Path:
    """The compiled graph as N-Quads beside the project (made once, for the rdflib parsing baseline)."""
    path = root / ".cache" / "bench-graph.nq"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        from kg.rdf.nquads import dump_nquads
        from kg.stores.cache import load_kg_cached

        kg, _ = load_kg_cached(root)
        with open(path, "wb") as f:
            dump_nquads(kg, f)
    return path


def step(name: str, root: Path, backend: str, ends=ENDS):
    """Run one step; returns a small JSON-able answer (so the step is not optimised away)."""
    if name == "python":
        return None
    if name == "read":
        from kg.inputs.layout import Layout

        return sum(len(p.read_bytes()) for p in Layout(root).input_files())
    if name == "load":
        from kg.model.project import load_kg

        kg, problems = load_kg(root)
        assert not problems, problems[:3]
        return len(kg.claims)
    if name == "validate":
        from kg.rdf.validate import validate

        report = validate(root, check_seeds=False)
        assert report.conforms, [str(p) for p in report.problems[:3]]
        return len(report.checks_run)
    if name == "build-rdflib":
        from kg.model.project import load_kg

        kg, _ = load_kg(root)
        return len(dataset_of(kg))
    if name == "build-oxigraph":
        from kg.stores.cache import cache_dir, oxigraph_store

        for p in cache_dir(root).glob("*oxigraph-*"):
            shutil.rmtree(p)
        for p in cache_dir(root).glob("kg-*"):
            p.unlink()
        return str(oxigraph_store(root).name)
    if name == "rdflib-parse":
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(str(_nquads_file(root)), format="nquads")
        return sum(1 for _ in ds.quads())
    if name == "nquads":
        return _nquads_file(root).stat().st_size
    if name == "warm-load":
        from kg.stores.cache import load_kg_cached

        return len(load_kg_cached(root)[0].claims)
    from kg.stores.store import open_store

    a, b, via = ends

    if name == "open":
        return open_store(root, backend).triples_count()
    if name == "sparql-chain2":
        return len(open_store(root, backend).query(CHAIN2.format(a=a, b=b)))
    if name == "sparql-reach":
        return open_store(root, backend).query(REACH.format(a=a)).rows[0][0].value
    if name in ("chain", "loops-through", "loops"):
        import cli  # noqa: F401  - what `kg chain` imports before it runs (typer and the command table)
        from kg.query.storepaths import find_loops_in_store, find_paths_in_store

        store = open_store(root, backend)
        if name == "chain":
            return len(find_paths_in_store(store, a, b, max_len=4))
        if name == "loops-through":
            return len(find_loops_in_store(store, 3, through=via))
        return len(find_loops_in_store(store, 3))
    raise SystemExit(f"unknown step {name}")


def main() -> None:
    name, root, backend = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    ends = tuple(sys.argv[4:7]) if len(sys.argv) >= 7 else ENDS
    start = time.perf_counter()
    answer = step(name, root, backend, ends)
    seconds = time.perf_counter() - start
    import resource

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"seconds": seconds, "answer": answer, "rss_mb": round(rss_mb)}))


if __name__ == "__main__":
    main()
