"""Issue 16 point 4: `kg site` — the whole static site of a graph built in seconds — as whole processes, beside `kg build`.

Each round runs `kg build -o …` (the floor: the graph loaded from the cache and written whole as Turtle,
TriG and JSON-LD) and `kg site -o …` one right after the other; the figures are medians over the rounds.
The targets are in CPU seconds of the process (user + system): on a machine shared with other work the
wall time measures the others too (both are printed). Before the rounds each runs once untimed
(caches made, files in the page cache). `--no-map` is timed too: the map (`kg render`) is the slowest page.

`python -m bench.site [--sizes real,1k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .targets import Target, module_main

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
SECONDS_LIMIT = 10.0  # "a site for the real graph built in seconds"
RATIO_LIMIT = 6.0  # the site (every resource's page, Turtle and JSON-LD, the map) against writing the graph once


def wall(cmd: list[str], root: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole `kg` process; the CPU time is what a shared machine's load distorts least."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(root), *cmd], cwd=REPO, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"kg {' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-1500:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
            cpu: dict[str, list[float]] = {k: [] for k in commands}
            for _ in range(rounds):
                for name, cmd in commands.items():
                    w, c = wall(cmd, root)
                    times[name].append(w)
                    cpu[name].append(c)
            files = sum(1 for p in Path(tmp, "site").rglob("*") if p.is_file())
        med = {k: statistics.median(v) for k, v in times.items()}
        mcpu = {k: statistics.median(v) for k, v in cpu.items()}
        detail = (f"wall (CPU) s: kg site {med['site']:.2f} ({mcpu['site']:.2f}), {files} files; --no-map {med['site-no-map']:.2f} "
                  f"({mcpu['site-no-map']:.2f}); kg build {med['build']:.2f} ({mcpu['build']:.2f}); median of {rounds}; load average {os.getloadavg()[0]:.1f}")
        if size == "real":
            # Seconds of CPU, not of wall: on a machine shared with other work the wall time measures the others too.
            out.append(Target("`kg site`, the whole site, CPU time of the process", size, mcpu["site"], SECONDS_LIMIT, unit=" s",
                              floor="—", detail=detail))
        out.append(Target("`kg site` against `kg build`, CPU time", size, mcpu["site"] / mcpu["build"], RATIO_LIMIT,
                          floor="`kg build -o DIR`", detail=detail))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "real", argv)


if __name__ == "__main__":
    raise SystemExit(main())
