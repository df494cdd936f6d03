"""Issue 18 point 3: `kg loops` on synthetic projects, as whole processes, against seconds (100k < 5 s, 1M < 60 s).

Two commands a user runs, warm (the cache and query index made by an untimed first run): every loop
of at most six links (`kg loops`, the default bound, which counts them all and lists the first 20 in
rank), and the loops through one concept (`kg loops k5`). The figure is the median wall time of
whole processes, interpreter start included. A third target is the cycle search alone
(kg.query.loops.find_cycles on the query index's links, CPU seconds in one process), so a reader
sees how much of the command is the search and how much the rest: at 100k the generator's graph has
some 72,000 loops of at most six links, whose text in full (`kg loops --all`) is ~140 MB.
Each row's figures give the load average when it was measured: the machine is shared.

`python -m bench.loops [--sizes 10k,100k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from .generate import parse_size
from .targets import Target, load_average, module_main
from .warm import KG, _env, size_label, synthetic, wall

LIMITS = {100_000: 5.0, 1_000_000: 60.0}  # seconds, from the issue; smaller sizes are held to the 100k limit
THROUGH = "k5"  # a concept of every synthetic project that lies on loops

_SEARCH = """
import json, sys, time
from pathlib import Path
from kg.query.index import open_index
from kg.query.loops import find_cycles
from kg.query.paths import LinkView
index = open_index(Path(sys.argv[1]))
start = time.process_time()
g = LinkView(index)
g.read_all()
built = time.process_time()
n = sum(1 for _ in find_cycles(g, 6))
searched = time.process_time()
m = sum(1 for _ in find_cycles(LinkView(index), 6, sys.argv[2]))
print(json.dumps({"graph": built - start, "all": searched - built, "through": time.process_time() - searched, "loops": n, "loops_through": m}))
"""


def search_alone(root) -> dict:
    """CPU seconds of reading every link from the query index and of the cycle searches alone, in one process."""
    out = subprocess.run([sys.executable, "-c", _SEARCH, str(root), THROUGH], env=_env(), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])



def measure(sizes: list[str], quick: bool) -> list[Target]:
    targets = []
    for size in sizes:
        if size == "real":
            continue  # the real graph holds no loop today: tests/test_loops.py compares it with networkx instead
        n = parse_size(size)
        root = synthetic(n)
        limit = LIMITS.get(n, LIMITS[100_000] if n < 100_000 else LIMITS[1_000_000])
        rounds = 1 if quick or n >= 1_000_000 else 3
        alone = search_alone(root)
        targets.append(Target("loop search alone (find_cycles, all, ≤ 6 links)", size_label(n), alone["all"], limit, unit=" s",
                              floor="seconds (issue 18)",
                              detail=f"{alone['loops']} loops, CPU seconds in one process, the links read; {load_average()}"))
        for name, args in (("warm `kg loops` (all, ≤ 6 links)", ["loops"]), (f"warm `kg loops {THROUGH}` (≤ 6 links)", ["loops", THROUGH])):
            cmd = [*KG, "--root", str(root), *args]
            wall(cmd)  # warm: the cache made, the files in the page cache
            seconds = statistics.median(wall(cmd) for _ in range(rounds))
            search = alone["all"] if len(args) == 1 else alone["through"]
            found = alone["loops"] if len(args) == 1 else alone["loops_through"]
            targets.append(Target(name, size_label(n), seconds, limit, unit=" s", floor="seconds (issue 18)",
                                  detail=f"{found} loops, {min(found, 20)} listed; cycle search alone {search:.2f} s CPU"
                                         + (f", reading every link {alone['graph']:.2f} s" if len(args) == 1 else "")
                                         + f"; median of {rounds}; {load_average()}"))
    return targets


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "10k,100k", argv)


if __name__ == "__main__":
    raise SystemExit(main())
