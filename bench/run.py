"""The benchmark, in one command: `python -m bench.run` prints every target of issue 18 with its ratio and met / not met.

Targets: each module of bench.targets.MODULES (bench/warm.py, loops.py, build.py, serve.py, page.py)
times what a user runs as whole processes beside its floor, in turn in the same run, and returns
its targets; this prints them as one table (`--readme` writes it into bench/README.md):

    python -m bench.run                        # every target at the sizes real,100k
    python -m bench.run --sizes real --quick   # a quick look
    python -m bench.run --only warm,loops      # some modules

The step table (issue 7), with `--steps` or `--table`: for each size a synthetic project
(bench/generate.py, kept in --data), every step in a fresh process, --repeat times, a Markdown table
of medians (wall time, interpreter start included) and peak memory, with ratios to the floors
measured in the same run: reading the input bytes (for load and build) and a bare `python -c pass`
(for warm steps). Steps that would take hours at a size are left out above a cap ("—").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .generate import generate, parse_size

REPO = Path(__file__).resolve().parent.parent
# (step, label, backends, largest size it runs at, kind): kind "cold" compares with reading the
# input bytes, "warm" with a bare interpreter start.
STEPS = [
    ("read", "read the input bytes (floor)", [None], 10**9, "floor"),
    ("python", "bare `python -c pass` (floor)", [None], 10**9, "floor"),
    ("load", "load: parse + resolve (load_kg, cold)", [None], 10**9, "cold"),
    ("validate", "validate (SHACL + checks, cold)", [None], 1_000, "cold"),
    ("build-rdflib", "build in rdflib (load + Dataset)", [None], 100_000, "cold"),
    ("rdflib-parse", "plain rdflib parsing of the built N-Quads", [None], 100_000, "cold"),
    ("build-oxigraph", "build on-disk store (load + N-Quads + bulk load)", [None], 10**9, "cold"),
    ("warm-load", "warm load_kg (cache hit)", [None], 100_000, "warm"),
    ("open", "warm open store + count", ["rdflib", "oxigraph"], 10**9, "warm"),
    ("sparql-chain2", "`kg sparql`: two-step chain A→?→B (warm)", ["rdflib", "oxigraph"], 10**9, "warm"),
    ("sparql-reach", "`kg sparql`: reachability from A (warm)", ["rdflib", "oxigraph"], 10**9, "warm"),
    ("chain", "`kg chain A B`, all paths ≤4 links (warm)", ["rdflib", "oxigraph"], 10**9, "warm"),
    ("loops-through", "`kg loops C`, ≤3 links (warm)", ["rdflib", "oxigraph"], 10**9, "warm"),
    ("loops", "`kg loops`, all, ≤3 links (warm)", ["rdflib", "oxigraph"], 10_000, "warm"),
]
# "real" in --sizes: this repository's own graph, with a chain and a loop it states.
REAL = ("individual-responsibility-subject", "blame-shifting", "self-protection")
RDFLIB_MAX = 10_000  # warm steps on the rdflib backend rebuild a Dataset of Python objects each call: minutes at 100k


def label(n: int) -> str:
    if n == 0:
        return "real"
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def run_step(step: str, root: Path, backend: str | None) -> tuple[float, float, object]:
    """(wall seconds, peak RSS in MB, answer) of one step in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "GOVKG_SEEDS": str(root / "no-seeds")}
    cmd = [sys.executable, "-c", "pass"] if step == "python" else \
        [sys.executable, "-m", "bench.steps", step, str(root), backend or "-", *(REAL if root == REPO else ())]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"step {step} failed on {root}: {proc.stderr.decode(errors='replace')[-2000:]}")
    if step == "python":
        return wall, 0.0, None
    data = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    return wall, data["rss_mb"], data["answer"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="real and/or claim counts, e.g. real,100k,1M (targets: real,100k; "
                                                    "step table: 1k,10k,100k)")
    ap.add_argument("--quick", action="store_true", help="targets: fewer rounds (medians of 5, not 15)")
    ap.add_argument("--only", default="", help="targets: only these modules of bench.targets.MODULES (warm,loops,…)")
    ap.add_argument("--table", action="store_true", help="the step table of issue 7 instead of the targets")
    ap.add_argument("--repeat", type=int, default=3, help="step table: runs of each step (the median is shown); 1 for sizes ≥ 1M")
    ap.add_argument("--data", type=Path, default=REPO / "bench" / "data", help="where the generated projects are kept")
    ap.add_argument("--steps", default="", help="step table: only these steps (comma-separated names)")
    ap.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    ap.add_argument("--from-log", type=Path, action="append", default=[],
                    help="render the step table from the progress lines of earlier runs (their stderr) instead of running")
    args = ap.parse_args(argv)
    if not (args.table or args.steps or args.from_log):
        return run_targets(args)
    if args.from_log:
        results, sizes = from_logs(args.from_log)
        table = render(results, sizes)
        print(table)
        if args.readme:
            write_readme(table)
        return 0
    args.sizes = args.sizes or "1k,10k,100k"
    sizes = [0 if s == "real" else parse_size(s) for s in args.sizes.split(",")]
    wanted = set(args.steps.split(",")) if args.steps else None
    results: dict = {}
    for n in sizes:
        root = REPO if n == 0 else args.data / label(n)
        if n and not (root / ".complete").exists():
            t = time.perf_counter()
            generate(root, n)
            (root / ".complete").write_text("")
            print(f"generated {label(n)} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        for step, _, backends, cap, kind in STEPS:
            if (wanted and step not in wanted) or n > cap or (n == 0 and step == "build-oxigraph"):
                continue  # never delete or rebuild the repository's own cache
            for backend in backends:
                if backend == "rdflib" and n > RDFLIB_MAX:
                    continue
                if kind == "warm":  # make sure the caches are there, untimed
                    run_step("warm-load" if backend != "oxigraph" else "open", root, backend or "oxigraph")
                repeat = 1 if (n >= 10_000 and kind == "cold") else args.repeat
                runs, floors = [], []
                for _ in range(repeat):
                    if kind == "warm":  # the floor right before each run: on a shared machine the load drifts
                        floors.append(run_step("python", root, None)[0])
                    runs.append(run_step(step, root, backend))
                wall = statistics.median(r[0] for r in runs)
                results[(step, backend, n)] = (wall, max(r[1] for r in runs), runs[0][2])
                if floors:
                    results[("floor", step + (backend or ""), n)] = (statistics.median(floors), 0.0, None)
                print(f"{label(n):>5} {step:<15} {backend or '-':<9} {wall:8.3f} s  answer={runs[0][2]}  peak={results[(step, backend, n)][1]:.0f} MB",
                      file=sys.stderr)
    table = render(results, sizes)
    print(table)
    if args.readme:
        write_readme(table)
    return 0


def from_logs(paths: list[Path]) -> tuple[dict, list[int]]:
    """Results from progress lines: `  10k load  -  25.659 s  answer=10000  peak=54 MB` (peak and '-' optional)."""
    import re

    line = re.compile(r"^\s*(\S+) (\S+)\s+(rdflib|oxigraph|-)?\s*([\d.]+) s  answer=(.*?)(?:  peak=(\d+) MB)?$")
    results, sizes = {}, []
    for path in paths:
        for text in path.read_text(encoding="utf-8").splitlines():
            m = line.match(text)
            if not m:
                continue
            n = 0 if m[1] == "real" else parse_size(m[1])
            backend = None if m[3] in (None, "-") else m[3]
            answer = m[5]
            try:
                answer = json.loads(answer)
            except ValueError:
                pass
            results[(m[2], backend, n)] = (float(m[4]), float(m[6] or 0), answer)
            if n not in sizes:
                sizes.append(n)
    return results, sizes


def render(results: dict, sizes: list[int]) -> str:
    head = f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
    head += "median wall seconds of fresh processes (interpreter start included), × = ratio to the floor of that size "
    head += "(cold steps: reading the input bytes; warm steps: a bare `python -c pass` run just before each run of the step), MB = peak RSS of the step's process; "
    head += "— = not run at that size."
    cols = " | ".join(f"{label(n)}" for n in sizes)
    lines = [head, "", f"| step | backend | {cols} |", "|---|---|" + "---|" * len(sizes)]
    for step, text, backends, _, kind in STEPS:
        for backend in backends:
            cells = []
            for n in sizes:
                r = results.get((step, backend, n))
                if r is None:
                    cells.append("—")
                    continue
                floor = results.get(("floor", step + (backend or ""), n)) or results.get(("read" if kind == "cold" else "python", None, n))
                ratio = f" ({r[0] / floor[0]:.1f}×)" if floor and kind != "floor" and floor[0] > 0 else ""
                cells.append(f"{r[0]:.3f}{ratio}" + (f", {r[1]:.0f} MB" if r[1] else ""))
            if any(c != "—" for c in cells):
                lines.append(f"| {text} | {backend or ''} | {' | '.join(cells)} |")
    answers = []
    for (step, backend, n), r in sorted(results.items(), key=lambda kv: (kv[0][2], kv[0][0])):
        if backend == "oxigraph" and step != "open":
            other = results.get((step, "rdflib", n))
            same = "" if other is None else (" (rdflib: the same)" if other[2] == r[2] else f" (rdflib: {other[2]}, DIFFERENT)")
            answers.append(f"{step} {label(n)}: {r[2]}{same}")
    lines += ["", "Answers: " + "; ".join(answers)]
    return "\n".join(lines)


def run_targets(args) -> int:
    """Every target of every benchmark module, printed as one table (and written into bench/README.md with --readme)."""
    import importlib.util

    from .targets import MODULES, measure_all, table

    sizes = (args.sizes or "real,100k").split(",")
    only = tuple(m.strip() for m in args.only.split(",") if m.strip())
    start = time.perf_counter()
    targets = measure_all(sizes, args.quick, only)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    when = (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, load average {load:.1f} at the end")
    head = (f"Measured {when}, sizes {','.join(sizes)}{', quick' if args.quick else ''}, in "
            f"{time.perf_counter() - start:.0f} s; each ratio is of medians of whole processes run in turn with their floor.")
    met = sum(t.met for t in targets)
    absent = [m for m in MODULES if (not only or m.rsplit(".", 1)[-1] in only) and m not in sys.modules and importlib.util.find_spec(m) is None]
    text = f"{head}\n\n{table(targets)}\n\n{met} of {len(targets)} targets met."
    if absent:
        text += f" Not measured (module not written yet): {', '.join(absent)}."
    print(text)
    if args.readme:
        if only:  # the other modules' rows stay as they were measured: only these rows are replaced
            text = merged_targets(readme_section("targets"), targets, f"The rows of {', '.join(only)}: measured {when}.")
        write_readme(text, "targets")
    return 0


def readme_section(section: str) -> str:
    """What bench/README.md holds between <!-- section --> and <!-- /section -->."""
    text = (REPO / "bench" / "README.md").read_text(encoding="utf-8")
    return text.partition(f"<!-- {section} -->")[2].partition(f"<!-- /{section} -->")[0].strip("\n")


def merged_targets(old: str, targets, note: str) -> str:
    """The README's targets table with the rows of `targets` replaced (or added), the others kept, and a note of when."""
    from .targets import HEADER

    fresh = {(t.name, t.size): t.row() for t in targets}
    lines, done, out = old.splitlines(), set(), []
    for line in lines:
        cells = [c.strip() for c in line.split("|")]
        key = (cells[1], cells[2]) if line.startswith("| ") and len(cells) > 3 else None
        if key in fresh:
            out.append(fresh[key])
            done.add(key)
        elif re.match(r"\d+ of \d+ targets met\.", line):
            continue  # the count (and a partial run's note): written again below
        else:
            out.append(line)
    if HEADER.splitlines()[0] not in out:
        out += ["", *HEADER.splitlines()]
    last_row = max(i for i, line in enumerate(out) if line.startswith("|"))
    out[last_row + 1:last_row + 1] = [fresh[k] for k in fresh if k not in done]
    rows = [line for line in out if line.startswith("| ") and not line.startswith("| target |")]
    met = sum(line.split("|")[6].strip() == "met" for line in rows)
    return "\n".join(out).rstrip("\n") + f"\n\n{met} of {len(rows)} targets met. {note}"


def write_readme(table: str, section: str = "table") -> None:
    path = REPO / "bench" / "README.md"
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    if start not in text:  # a section not there yet goes before the step table's
        text = text.replace("## Latest results", f"## Targets (issue 18)\n\n{start}\n{end}\n\n## Latest results", 1)
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(f"{before}{start}\n{table}\n{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
