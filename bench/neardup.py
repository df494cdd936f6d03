"""Issue 18 point 5, last line: `kg validate`'s near-duplicate warnings never quadratic in labels.

For each synthetic size N, the same at N/10 beside it, in one run:
- the warnings alone (kg.model.similar.near_duplicate_concepts, CPU seconds in one process, the
  model loaded first and not counted): CPU per concept at N within 2× that at N/10 (near-linear
  growth; all pairs would be 10×), with the pairs compared (candidates) beside all pairs;
- their share of a cold `kg validate` (whole process, no cache, warnings on) at N: at most a quarter
  (before the index, 15.7 of a 35.7 s cold `kg validate` at 10k, and 1,339 s of CPU alone at 100k).
The synthetic concepts' labels and definitions come from small vocabularies (bench/generate.py), so
many pairs are alike in part: the index has to tell them apart, not only skip strangers.

`python -m bench.neardup [--sizes 10k,100k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

from .generate import parse_size
from .targets import Target, load_average, module_main
from .warm import KG, _env, size_label, synthetic

GROWTH_LIMIT, SHARE_LIMIT = 2.0, 0.25

_STEP = """
import json, sys, time
from collections import Counter
from pathlib import Path
from kg.model.project import load_kg
from kg.model.similar import near_duplicate_concepts
kg, _ = load_kg(Path(sys.argv[1]))
counts = Counter()
wall, cpu = time.perf_counter(), time.process_time()
warnings = near_duplicate_concepts(kg, counts=counts)
print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "concepts": len(kg.concepts),
                  "warnings": len(warnings), **counts}))
"""


def warnings_alone(root) -> dict:
    """CPU and wall seconds of the near-duplicate warnings alone, and the index's counts, in one process."""
    out = subprocess.run([sys.executable, "-c", _STEP, str(root)], env=_env(), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_validate(root) -> float:
    """Wall seconds of `kg validate` as a user runs it on a project without its cache (warnings included)."""
    shutil.rmtree(root / ".cache", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([*KG, "--root", str(root), "validate"], env=_env(), capture_output=True, check=False)  # warnings: exit 0
    return time.perf_counter() - start


def measure(sizes: list[str], quick: bool) -> list[Target]:
    targets = []
    for size in sizes:
        if size == "real":
            continue  # 218 concepts: tests/test_near_duplicates_filter.py compares the real graph's warnings with all pairs
        n = parse_size(size)
        big, small = synthetic(n), synthetic(max(1, n // 10))
        a, b = warnings_alone(small), warnings_alone(big)
        growth = (b["cpu"] / b["concepts"]) / (a["cpu"] / a["concepts"])
        targets.append(Target(
            "near-duplicate warnings alone, CPU per concept", size_label(n), growth, GROWTH_LIMIT,
            floor=f"the same at {size_label(n // 10)} (all pairs: 10×)",
            detail=f"{b['cpu']:.2f} s for {b['concepts']} concepts vs {a['cpu']:.2f} s for {a['concepts']}; pairs compared "
                   f"{b['candidates']:,} of {b['pairs']:,} ({a['candidates']:,} at {size_label(n // 10)}), index keys "
                   f"{b['keys']:,}, warnings {b['warnings']}; {load_average()}"))
        whole = cold_validate(big)
        targets.append(Target(
            "near-duplicate warnings' share of a cold `kg validate`", size_label(n), b["wall"] / whole, SHARE_LIMIT, unit="",
            floor="the whole process", detail=f"{b['wall']:.1f} s of {whole:.1f} s (no cache); {load_average()}"))
    return targets


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "10k,100k", argv)


if __name__ == "__main__":
    raise SystemExit(main())
