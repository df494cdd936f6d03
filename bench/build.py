"""Issue 18 point 4: `kg build` as whole processes, beside pyoxigraph bulk-loading the same N-Quads, and a rebuild after one edit.

Four targets per synthetic size:
- a cold `kg build` (no cache) within 5× a process that bulk-loads the build's N-Quads (its govkg.trig's quads) into an
  on-disk pyoxigraph store (the floor: parsing and indexing the same quads, nothing else);
- its peak memory (the build and its child processes, summed PSS, each process's share at the peak shown) under 4 GB;
- a rebuild after editing one claim file (a gloss of claims/s0.yaml) within 2× the rebuild of that
  file alone (wall time; the CPU time, the build's and its child processes', is given beside it): the same edit rebuilt in a project that holds only that claim file (same ontology and
  sources), each after a build of its own, so both reuse what did not change;
- the same rebuild with `kg build --split` (the RDF one file per group, dist/parts/), its floor split too.
Cold runs are slow from 10k on, so each runs once; the rebuilds run `rounds` times, in turn with their floor. Each
target is also printed to stderr as soon as it is measured.

`python -m bench.build [--sizes 1k,10k] [--quick]` prints the targets; `python -m bench.run` collects them.
With GOVKG_BENCH_KEEP=DIR each size's projects, outputs and caches are made under DIR/SIZE and kept
(to profile a rebuild on them afterwards; a 1M cold build takes more than half an hour here).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from .generate import parse_size
from .targets import Target, load_average, module_main
from .warm import KG, _env, size_label, synthetic

COLD_LIMIT, MEMORY_LIMIT_GB, REBUILD_LIMIT = 5.0, 4.0, 2.0
EDITED = Path("claims") / "s0.yaml"

_TO_NQUADS = """
import sys
import pyoxigraph as ox
with open(sys.argv[2], "wb") as f:
    ox.serialize(ox.parse(path=sys.argv[1], format=ox.RdfFormat.TRIG), f, format=ox.RdfFormat.N_QUADS)
"""
_LOAD = """
import sys
import pyoxigraph as ox
ox.Store(sys.argv[2]).bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
"""


def _tree_pss_kb(pid: int) -> list[int]:
    """The proportional set size (kB) of a process and each of its descendants, largest first: a forked pool's shared pages counted once in their sum."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    sizes, todo = [], [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        sizes.append(next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0))
    return sorted(sizes, reverse=True)


# The processes at the peak of the last timed_cpu (their PSS in kB, largest first): which of them holds the memory.
LAST_PEAK: list[int] = []


def timed(cmd: list[str], **env: str) -> tuple[float, float]:
    """(wall seconds, peak memory GB) of one whole process; a failure stops the benchmark."""
    seconds, peak, _ = timed_cpu(cmd, **env)
    return seconds, peak


def timed_cpu(cmd: list[str], **env: str) -> tuple[float, float, float]:
    """(wall seconds, peak memory GB, CPU seconds) of one whole process and the children it waited for; a failure stops the benchmark.

    The peak is the larger of /usr/bin/time's (the largest single process) and the sum over the process
    and its children (the build validates claim files in a pool of worker processes, and runs the quality
    checks in a process of their own), sampled every 0.2 s from /proc. CPU is user + system time, from the same /usr/bin/time.
    """
    tool = ["/usr/bin/time", "-f", "%U %S %M"] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:  # a file, not a pipe: a long stderr cannot stall the build
        proc = subprocess.Popen(tool + cmd, env={**_env(), **env}, stdout=subprocess.DEVNULL, stderr=err)
        sampled = 0
        tree = Path("/proc/self/smaps_rollup").exists()
        LAST_PEAK.clear()
        while proc.poll() is None:
            if tree:
                sizes = _tree_pss_kb(proc.pid)
                if sum(sizes) > sampled:
                    sampled, LAST_PEAK[:] = sum(sizes), sizes
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr[-1500:]}")
    user, system, peak_kb = (float(x) for x in stderr.strip().splitlines()[-1].split()) if tool else (0.0, 0.0, 0.0)
    return seconds, max(peak_kb, sampled) / 1024 / 1024, user + system


def _keep_used_concepts(dest: Path, used: set[str]) -> None:
    for ttl in (dest / "ontology").glob("concepts-*.ttl"):
        blocks = ttl.read_text(encoding="utf-8").split("\n\n")
        kept = [b for b in blocks if not b.startswith("gkc:k") or b.split(maxsplit=1)[0][4:] in used]
        ttl.write_text("\n\n".join(kept), encoding="utf-8")


def _used_concepts(claims: list[Path]) -> set[str]:
    return {k for path in claims for k in re.findall(r"\bk\d+\b", path.read_text(encoding="utf-8"))}


def buildable_project(root: Path, dest: Path) -> Path:
    """`root`, or a copy of it without the concepts no claim uses when there are any.

    bench/generate.py now and then turns a link into a chain's second step, and the concept that link
    was to use goes unused (at 100k claims, k9899): `kg build` refuses that graph (check:unused-concept),
    so the build is measured on a copy without them, the floor on the same copy.
    """
    used = _used_concepts(sorted((root / "claims").glob("*.yaml")))
    defined = {m for ttl in (root / "ontology").glob("concepts-*.ttl") for m in re.findall(r"^gkc:(k\d+) ", ttl.read_text(encoding="utf-8"), re.M)}
    if defined <= used:
        return root
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(".cache", "dist", ".complete"))
    _keep_used_concepts(dest, used)
    return dest


def one_file_project(root: Path, dest: Path) -> Path:
    """A copy of `root` whose claims are those of EDITED alone, and whose concepts are those they use.

    A concept no claim uses is an error to `kg build`, so the other concepts of bench/generate.py's
    Turtle (one block of lines per concept, blank-line separated) are left out.
    """
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns(".cache", "dist", ".complete", "claims"))
    (dest / "claims").mkdir()
    shutil.copy(root / EDITED, dest / EDITED)
    _keep_used_concepts(dest, _used_concepts([root / EDITED]))
    return dest


def edit_gloss(root: Path, n: int) -> None:
    """A new wording of the first gloss of EDITED (the file's claims and lines stay as they were)."""
    path = root / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"Synthetic claim (\d+)(?: \(edit \d+\))?:", rf"Synthetic claim \1 (edit {n}):", text, count=1), encoding="utf-8")


def build_cmd(root: Path, out: Path, *options: str) -> list[str]:
    return [*KG, "--root", str(root), "build", "--out", str(out), *options]


def _processes(sizes: list[int]) -> str:
    """The processes at the peak, their PSS largest first (the build's, the checks', the pools' workers)."""
    shown = [f"{kb / 1024:.0f}" for kb in sizes if kb >= 1024]
    return f" ({' + '.join(shown)} MB, each process's PSS at the peak)" if len(shown) > 1 else ""


def slope_detail(previous: tuple[int, float] | None, n: int, peak: float) -> str:
    """The peak's growth per claim from the previous size measured in this run, and where that slope puts 1M claims."""
    if previous is None or previous[0] >= n:
        return ""
    per_claim = (peak - previous[1]) / (n - previous[0])  # GB per claim
    return (f"; {per_claim * 1024 * 1024:.1f} kB per claim from {size_label(previous[0])} to {size_label(n)}, "
            f"{peak + per_claim * (1_000_000 - n):.1f} GB at 1M by that slope")


def _workdir(label: str) -> AbstractContextManager[str]:
    """A folder for one size's projects: removed afterwards, or kept under GOVKG_BENCH_KEEP."""
    keep = os.environ.get("GOVKG_BENCH_KEEP")
    if not keep:
        return tempfile.TemporaryDirectory(prefix="govkg-bench-build-")
    folder = Path(keep) / label
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return nullcontext(str(folder))


def _rebuilds(root: Path, alone: Path, t: Path, label: str, rounds: int, split: bool) -> Target:
    """The rebuild after a gloss edit of claims/s0.yaml beside the same edit rebuilt in the one-file project, `rounds` times in turn."""
    options = ("--split",) if split else ()
    suffix = "-split" if split else ""
    for project, out in ((root, t / f"dist{suffix}"), (alone, t / f"dist-alone{suffix}")):
        timed(build_cmd(project, out, *options))  # its first build in this layout, so that its rebuild reuses what it can
    times: dict[str, list[float]] = {"all": [], "alone": []}
    cpu: dict[str, list[float]] = {"all": [], "alone": []}
    original = (root / EDITED).read_bytes()
    try:
        for r in range(rounds):
            for name, project, out in (("all", root, t / f"dist{suffix}"), ("alone", alone, t / f"dist-alone{suffix}")):
                edit_gloss(project, r + 1 + (100 if split else 0))
                seconds, _, used = timed_cpu(build_cmd(project, out, *options))
                times[name].append(seconds)
                cpu[name].append(used)
    finally:
        (root / EDITED).write_bytes(original)  # the kept project is the generator's again
    whole, single = statistics.median(times["all"]), statistics.median(times["alone"])
    whole_cpu, single_cpu = statistics.median(cpu["all"]), statistics.median(cpu["alone"])
    name = "`kg build --split` after editing one claim file" if split else "`kg build` after editing one claim file"
    return Target(name, label, whole / single, REBUILD_LIMIT, floor="rebuilding that file alone" + (", also split" if split else ""),
                  detail=f"{whole:.1f} s vs {single:.1f} s, median of {rounds}; CPU {whole_cpu:.1f} s vs {single_cpu:.1f} s "
                         f"({whole_cpu / max(single_cpu, 1e-9):.2f}×, with its child processes); {load_average()}")


def _shown(target: Target) -> Target:
    """Each target on stderr as soon as it is measured: a run at 1M takes an hour and more."""
    print(target.row(), file=sys.stderr, flush=True)
    return target


def measure(sizes: list[str], quick: bool) -> list[Target]:
    targets = []
    previous: tuple[int, float] | None = None
    for size in sizes:
        if size == "real":
            continue
        n = parse_size(size)
        label = size_label(n)
        rounds = 1 if quick else 3
        with _workdir(label) as tmp:
            t = Path(tmp)
            root = buildable_project(synthetic(n), t / "project")
            shutil.rmtree(root / ".cache", ignore_errors=True)
            cold, peak, cold_cpu = timed_cpu(build_cmd(root, t / "dist"))
            peak_at = list(LAST_PEAK)
            # The floor's N-Quads: the quads of the graph the cold build wrote (its TriG, every named graph), untimed.
            subprocess.run([sys.executable, "-c", _TO_NQUADS, str(t / "dist" / "govkg.trig"), str(t / "g.nq")], env=_env(), check=True)
            floor, _, floor_cpu = timed_cpu([sys.executable, "-c", _LOAD, str(t / "g.nq"), str(t / "store")])
            nq_mb = (t / "g.nq").stat().st_size / 1e6
            (t / "g.nq").unlink()
            shutil.rmtree(t / "store", ignore_errors=True)
            targets.append(_shown(Target("cold `kg build`", label, cold / floor, COLD_LIMIT, floor="pyoxigraph bulk load of its N-Quads",
                                         detail=f"{cold:.1f} s vs {floor:.1f} s ({nq_mb:.0f} MB of N-Quads); CPU {cold_cpu:.1f} s vs "
                                                f"{floor_cpu:.1f} s ({cold_cpu / max(floor_cpu, 1e-9):.2f}×); {load_average()}")))
            targets.append(_shown(Target("cold `kg build` peak memory", label, peak, MEMORY_LIMIT_GB, unit=" GB", floor="limit at 1M",
                                         detail=f"{peak * 1024:.0f} MB resident, the build and its child processes{_processes(peak_at)}"
                                                f"{slope_detail(previous, n, peak)}")))
            previous = (n, peak)
            alone = one_file_project(root, t / "alone")
            targets.append(_shown(_rebuilds(root, alone, t, label, rounds, split=False)))
            shutil.rmtree(t / "dist", ignore_errors=True)  # the whole files' gigabytes at 1M, no longer needed
            targets.append(_shown(_rebuilds(root, alone, t, label, rounds, split=True)))
    return targets


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "1k,10k", argv)


if __name__ == "__main__":
    raise SystemExit(main())
