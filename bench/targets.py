"""The issue targets as ratios measured in one run, and the one way `python -m bench.run` reports them.

Each benchmark module (bench/warm.py, bench/loops.py, bench/build.py, bench/serve.py, bench/page.py, bench/reading.py, bench/site.py,
bench/neardup.py)
has `measure(sizes: list[str], quick: bool) -> list[Target]`: it times what a user runs as whole
processes beside the floor the target names, in turn in the same run, and says whether the target
is met. `bench.run` calls every module of MODULES and prints the targets; bench/README.md has the table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

MODULES = ("bench.warm", "bench.loops", "bench.build", "bench.serve", "bench.page", "bench.reading", "bench.site",
           "bench.neardup")


@dataclass(frozen=True)
class Target:
    name: str  # what is timed, as a user would say it: "warm `kg chain` on the real graph"
    size: str  # "real", "1k", "100k" …
    measured: float  # the ratio (or the figure the target names)
    limit: float  # met when measured <= limit (or >= limit when higher_is_better)
    unit: str = "×"  # "×" for ratios, "s", "ms", "GB" …
    floor: str = ""  # what the ratio is to: "typer hello-world", "oxigraph load" …
    detail: str = ""  # the raw figures behind the ratio
    higher_is_better: bool = False

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.higher_is_better else self.measured <= self.limit

    def row(self) -> str:
        op = "≥" if self.higher_is_better else "≤"
        return (f"| {self.name} | {self.size} | {self.measured:.3g}{self.unit} | {op} {self.limit:g}{self.unit} "
                f"| {self.floor} | {'met' if self.met else 'not met'} | {self.detail} |")


HEADER = "| target | size | measured | limit | floor | | figures |\n|---|---|---|---|---|---|---|"


def table(targets: list[Target]) -> str:
    return "\n".join([HEADER, *(t.row() for t in targets)])


def measure_all(sizes: list[str], quick: bool, only: tuple[str, ...] = ()) -> list[Target]:
    out: list[Target] = []
    for name in MODULES:
        if only and name.rsplit(".", 1)[-1] not in only:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue  # that benchmark is not written yet
        out.extend(module.measure(sizes, quick))
    return out


def load_average() -> str:
    """What the machine was doing while a figure was measured (the figures beside the ratios move with it)."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def module_main(measure: Callable[[list[str], bool], list[Target]], doc: str, sizes: str,
                argv: list[str] | None = None) -> int:
    """The command line of every benchmark module: `python -m bench.NAME [--sizes real,10k] [--quick]`."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--sizes", default=sizes, help=f"real and/or synthetic claim counts (default {sizes})")
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    print(table(measure([s for s in re.split(r"[, ]+", args.sizes) if s], args.quick)))
    print(f"({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return 0
