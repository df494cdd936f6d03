"""End-to-end wall time of `kg chain` on the real graph, Python start-up included, against a bare `python -c pass`.

    python bench/chain_wall.py [--repeat 15] [FROM TO]

Each round runs the bare interpreter, then `kg --help`, then `kg chain FROM TO`, one right after the
other, so the ratios hold on a shared machine whose load drifts by the minute. Prints the median
of each and its ratio to the bare start. Pass GOVKG_CACHE=off in the environment to time a cold
load where the compiled-graph cache exists.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("start", nargs="?", default="責任主體")
    parser.add_argument("end", nargs="?", default="卸责")
    args = parser.parse_args()
    kg = [sys.executable, str(REPO / "cli.py")]
    steps = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "kg --help": kg + ["--help"],
        f"kg chain {args.start} {args.end}": kg + ["chain", args.start, args.end],
    }
    _wall(steps[f"kg chain {args.start} {args.end}"])  # warm the OS file cache (and govkg's, where there is one)
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.repeat):
        for name, cmd in steps.items():
            times[name].append(_wall(cmd))
    floor = statistics.median(times["python -c pass"])
    print(f"{'step':<32} {'median s':>9} {'× bare python':>14}")
    for name, xs in times.items():
        print(f"{name:<32} {statistics.median(xs):>9.3f} {statistics.median(xs) / floor:>14.1f}")


if __name__ == "__main__":
    main()
