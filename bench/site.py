"""Issue 16 point 4: `kg site` — the whole static site of a graph built in seconds — as whole processes, beside `kg build`.

Each round runs `kg build -o …` (the floor: the graph loaded from the cache and written whole as Turtle,
TriG and JSON-LD) and `kg site -o …` one right after the other, so the ratio holds on a shared machine
whose load drifts; the figures are medians over the rounds. Before the rounds each runs once untimed
(caches made, files in the page cache). `--no-map` is timed too: the map (`kg render`) is the slowest page.

`python -m bench.site [--sizes real,1k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .targets import Target, table

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
SECONDS_LIMIT = 10.0  # "a site for the real graph built in seconds"
RATIO_LIMIT = 6.0  # the site (every resource's page, Turtle and JSON-LD, the map) against writing the graph once


def wall(cmd: list[str], root: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(root), *cmd], cwd=REPO, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"kg {' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-1500:]}")
    return seconds


def _project(size: str) -> Path:
    if size == "real":
        return REPO
    from .generate import generate, parse_size

    root = DATA / size
    if not (root / ".complete").exists():
        generate(root, parse_size(size))
        (root / ".complete").write_text("")
    return root


def measure(sizes: list[str], quick: bool) -> list[Target]:
    out: list[Target] = []
    rounds = 1 if quick else 3
    for size in sizes:
        if size not in ("real", "1k", "10k"):
            continue  # a site of 100k claims is 300k files: not what the target is about
        root = _project(size)
        with tempfile.TemporaryDirectory(prefix="govkg-bench-site-") as tmp:
            commands = {"build": ["build", "-o", f"{tmp}/dist"], "site": ["site", "-o", f"{tmp}/site"],
                        "site-no-map": ["site", "--no-map", "-o", f"{tmp}/site-no-map"]}
            for cmd in commands.values():
                wall(cmd, root)
            times: dict[str, list[float]] = {k: [] for k in commands}
            for _ in range(rounds):
                for name, cmd in commands.items():
                    times[name].append(wall(cmd, root))
            files = sum(1 for p in Path(tmp, "site").rglob("*") if p.is_file())
        med = {k: statistics.median(v) for k, v in times.items()}
        detail = (f"kg site {med['site']:.2f} s ({files} files), --no-map {med['site-no-map']:.2f} s, "
                  f"kg build {med['build']:.2f} s; median of {rounds}")
        if size == "real":
            out.append(Target("`kg site`, the whole site, wall time", size, med["site"], SECONDS_LIMIT, unit=" s",
                              floor="—", detail=detail))
        out.append(Target("`kg site` against `kg build`", size, med["site"] / med["build"], RATIO_LIMIT,
                          floor="`kg build -o DIR`", detail=detail))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="real")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    start = time.perf_counter()
    print(table(measure(args.sizes.split(","), args.quick)))
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
