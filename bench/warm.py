"""Issue 18 point 2: warm queries as whole processes, beside a hello-world Typer app run in turn with them.

Each round runs every command once, one right after the other (the floor among them), so the ratios
hold on a shared machine whose load drifts by the minute; the figure is the median over the rounds.
Before the rounds every command runs once untimed, so the caches are there (warm) and the files are
in the OS's page cache. The floor is `bench/hello.py A B`, a Typer app that prints its two arguments;
`kg --help` is compared with that app's `--help`. The figures also give each command's least CPU time
(user + system) over the rounds, whose ratio a loaded machine disturbs much less than the wall times'.

`python -m bench.warm [--sizes real,100k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .targets import Target, module_main

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
KG = [sys.executable, "-m", "kg"]
HELLO = [sys.executable, str(REPO / "bench" / "hello.py")]
# What a user asks of the real graph, one command per target.
REAL = {
    "chain": ["chain", "責任主體", "卸责"],
    "explain": ["explain", "卸责"],
    "search": ["search", "卸责"],
    "cite": ["cite", "col-weak-evaluation-leniency"],
    "stats": ["stats"],
}
QUERY_LIMIT, HELP_LIMIT = 1.5, 1.2
SYNTHETIC_LIMITS = {100_000: 2.0, 1_000_000: 3.0}  # warm `kg chain` at these sizes


def _env() -> dict[str, str]:
    """As an installed kg runs: its bytecode cached (a setting that turns the cache off would charge kg's ~90
    modules a compile on every call, and the one-file floor nothing)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def wall(cmd: list[str]) -> float:
    """Seconds one whole process takes, interpreter start included; a failure stops the benchmark."""
    return timed(cmd)[0]


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and the children it waited for) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-1500:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def interleaved(commands: dict[str, list[str]], rounds: int, cpu: dict[str, float] | None = None) -> dict[str, float]:
    """The median seconds of each command over `rounds` rounds, each round running every command in turn.

    `cpu`, if given, receives each command's least CPU time over the rounds: on a loaded machine the wall
    times wait for the other processes, their CPU times much less so (a second reading of the same ratio).
    """
    for cmd in commands.values():
        wall(cmd)  # warm: caches made, files in the page cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            seconds, used = timed(cmd)
            times[name].append(seconds)
            cpus[name].append(used)
    if cpu is not None:
        cpu.update({name: min(xs) for name, xs in cpus.items()})
    return {name: statistics.median(xs) for name, xs in times.items()}


def _figures(t: dict[str, float], cpu: dict[str, float], name: str, floor: str, rounds: int) -> str:
    return (f"{t[name]:.3f} s vs {t[floor]:.3f} s, median of {rounds}; CPU {cpu[name]:.3f} s vs {cpu[floor]:.3f} s "
            f"({cpu[name] / cpu[floor]:.2f}×, least of {rounds})")


def size_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def synthetic(n: int) -> Path:
    """The synthetic project of n claims in bench/data/ (bench/generate.py), generated once and kept."""
    from .generate import GENERATION, generate

    root = DATA / size_label(n)
    marker = root / ".complete"  # holds the generator's GENERATION: a project of an older generator is written again
    if not marker.exists() or marker.read_text() != GENERATION:
        start = time.perf_counter()
        generate(root, n)
        marker.write_text(GENERATION)
        print(f"generated {size_label(n)} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return root


def measure(sizes: list[str], quick: bool) -> list[Target]:
    from .generate import parse_size

    rounds = 5 if quick else 15
    out: list[Target] = []
    floor = "typer hello-world"
    if "real" in sizes:
        commands = {"hello": HELLO + ["责任主体", "卸责"], "hello --help": HELLO + ["--help"], "kg --help": KG + ["--help"]}
        commands.update({name: KG + args for name, args in REAL.items()})
        cpu: dict[str, float] = {}
        t = interleaved(commands, rounds, cpu)
        for name, args in REAL.items():
            out.append(Target(f"warm `kg {' '.join(args)}`", "real", t[name] / t["hello"], QUERY_LIMIT, floor=floor,
                              detail=_figures(t, cpu, name, "hello", rounds)))
        out.append(Target("`kg --help`", "real", t["kg --help"] / t["hello --help"], HELP_LIMIT, floor=floor + " --help",
                          detail=_figures(t, cpu, "kg --help", "hello --help", rounds)))
    for size in sizes:
        if size == "real":
            continue
        n = parse_size(size)
        root = synthetic(n)
        limit = SYNTHETIC_LIMITS.get(n, 2.0 if n <= 100_000 else 3.0)
        cpu = {}
        n_rounds = 3 if n >= 1_000_000 else rounds
        t = interleaved({"hello": HELLO + ["k0", "k2"], "chain": KG + ["--root", str(root), "chain", "k0", "k2"]}, n_rounds, cpu)
        named = "" if n in SYNTHETIC_LIMITS else " (no target at this size; the next one's limit)"
        out.append(Target("warm `kg chain k0 k2`", size_label(n), t["chain"] / t["hello"], limit, floor=floor,
                          detail=_figures(t, cpu, "chain", "hello", n_rounds) + named))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "real", argv)


if __name__ == "__main__":
    raise SystemExit(main())
