"""Issue 15 points 1–2: the page in real Chromium — first draw and the latency of each interaction, by size.

For each size, `kg render` writes the page (timed, a whole process), then the system Chromium (headless,
through Playwright, as tests/browser.py opens it) loads it at 1440×900. First draw: from the start of
navigation to the first frame painted after the page says it is ready. Each interaction (select a
concept, filter by class, search, zoom, open a group when the page opens on groups) runs from a call
in the page to the next frame painted, `ROUNDS` times; the figure is the median, the target is met
when the slowest interaction's median is within the limit. Every round does the same work: a round
that would find nothing to do after the one before (a reset of a page already reset) is set up first,
untimed (SETUP); the page keeps the map as a picture and puts it back when nothing on it changed
(kg/output/templates/draw.js), so a repeat that changed nothing would time a frame and no drawing. Sizes are synthetic claim counts
(bench/generate.py; concepts are a fifth) and "real", this repository's graph.

`python -m bench.page [--sizes real,1k,5k,10k,25k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .targets import Target, load_average, module_main

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "bench" / "data"
DRAW_LIMIT = 2.0  # seconds, first draw at 1,000 concepts (5k claims)
CLICK_LIMIT = 200.0  # ms, every interaction at 1,000 concepts
TARGET_SIZE = "5k"
LARGEST = 50_000  # claims; above, the page is many megabytes of JSON and not what a reader opens
ROUNDS = 5

# One interaction, from a call in the page to the next painted frame: milliseconds.
INTERACT = """async ([what, arg]) => {
  const g = window.govkg, frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await frame();
  const t0 = performance.now();
  if (what === 'select') g.select(arg, {move: false});
  else if (what === 'reset') g.reset();
  else if (what === 'filter') document.querySelector(`input.class-filter[value=${arg}]`).click();
  else if (what === 'search') { const s = document.getElementById('search'); s.value = arg; s.dispatchEvent(new Event('input')); }
  else if (what === 'zoom') g.network.moveTo({scale: g.network.getScale() * arg});
  else if (what === 'group') g.openGroup(arg);
  else if (what === 'nothing') {}  // the floor: two frames of the page as it is
  g.network.redraw();
  await frame();
  return performance.now() - t0;
}"""
# Untimed, before each round of an interaction: the state it starts from, as a reader would find it.
SETUP = """async ([what, arg]) => {
  const g = window.govkg;
  if (what === 'select') g.select(arg, {move: false});
  g.network.redraw();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""
FIRST_DRAW = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now();
}"""


def size_label(n: int) -> str:
    return "real" if n == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def synthetic(n: int) -> Path:
    """The synthetic project of n claims in bench/data/ (bench/generate.py), generated once and kept."""
    from .generate import generate

    root = DATA / size_label(n)
    if not (root / ".complete").exists():
        generate(root, n)
        (root / ".complete").write_text("")
    return root


def render(root: Path, out: Path) -> tuple[float, str]:
    """Seconds `kg render` takes as a whole process, and what it said on stderr."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", "--root", str(root), "render", "-o", str(out), "--force"],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"kg render failed on {root}: {done.stderr[-1500:]}")
    return time.perf_counter() - start, done.stderr.strip()


@contextmanager
def opened_in_chromium(page_path: Path) -> Iterator:
    """The page opened in the system Chromium at 1440×900, once it says it is ready (bench/reading.py opens it so too)."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))
    from tests.browser import launch

    with sync_playwright() as p:
        browser, why = launch(p)
        if browser is None:
            raise RuntimeError(why)
        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
        page = ctx.new_page()
        page.goto(page_path.resolve().as_uri(), timeout=600_000)
        page.wait_for_selector("body[data-ready=true]", state="attached", timeout=600_000)
        try:
            yield page
        finally:
            ctx.close()
            browser.close()


def in_chromium(page_path: Path, rounds: int) -> dict[str, float]:
    """First draw (s) and the median ms of each interaction, in the system Chromium."""
    with opened_in_chromium(page_path) as page:
        out = {"first draw": page.evaluate(FIRST_DRAW) / 1000}
        hub = page.evaluate("() => { const g = govkg, d = {}; g.data.edges.forEach(e => { d[e.from] = (d[e.from] || 0) + 1; });"
                            " return Object.keys(d).sort((a, b) => d[b] - d[a] || (a < b ? -1 : 1))[0]; }")
        other = page.evaluate("() => govkg.data.nodes[Math.floor(govkg.data.nodes.length / 2)].id")
        groups = page.evaluate("() => govkg.groups.length")
        steps: list[tuple[str, list, list | None]] = [("nothing (floor)", ["nothing", None], None)]
        if groups:
            steps.append(("open a group", ["group", "group:0"], None))
        # Selecting under the veil and searching change nothing on the map but the veil: the same work each round.
        # Reset starts from a selected concept; filter by class hides the class, then shows it; zoom goes in, then out.
        steps += [("select a concept", ["select", hub], None), ("select another", ["select", other], None),
                  ("reset", ["reset", None], ["select", hub]), ("filter by class", ["filter", "Mechanism"], None),
                  ("search", ["search", "概念一"], None), ("zoom", ["zoom", 1.25], None)]
        for name, call, setup in steps:
            times = []
            for i in range(1 if name == "open a group" else rounds):
                if setup:
                    page.evaluate(SETUP, setup)
                times.append(page.evaluate(INTERACT, ["zoom", 0.8] if name == "zoom" and i % 2 else call))
            out[name] = statistics.median(times)
            if name == "filter by class":  # the class shown again for what follows
                page.evaluate("() => { const b = document.querySelector('input.class-filter[value=Mechanism]'); if (!b.checked) b.click(); }")
        out["concepts"] = page.evaluate("() => govkg.data.nodes.length")
        out["groups"] = groups
    return out


def measure(sizes: list[str], quick: bool) -> list[Target]:
    from .generate import parse_size

    wanted = [0 if s == "real" else parse_size(s) for s in sizes]
    if 5_000 not in wanted:
        wanted.append(5_000)  # the size the targets name
    out: list[Target] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(wanted)):
            if n > LARGEST:
                continue
            root = REPO if n == 0 else synthetic(n)
            page = Path(tmp) / f"page-{size_label(n)}.html"
            seconds, said = render(root, page)
            got = in_chromium(page, 2 if quick else ROUNDS)
            clicks = {k: v for k, v in got.items() if k not in ("first draw", "concepts", "groups", "nothing (floor)")}
            slowest = max(clicks, key=clicks.__getitem__)
            label = size_label(n)
            note = f"{int(got['concepts'])} concepts" + (f", opens on {int(got['groups'])} groups" if got["groups"] else "")
            named = "" if label == TARGET_SIZE else " (the target names 5k; same limit)"
            out.append(Target("page: first draw in Chromium", label, got["first draw"], DRAW_LIMIT, unit=" s",
                              floor="navigation start", detail=f"{note}; `kg render` {seconds:.1f} s{named}"
                              + ("; said: " + said.replace("|", "/")[:160] if said else "")))
            out.append(Target("page: slowest interaction", label, clicks[slowest], CLICK_LIMIT, unit=" ms",
                              floor="call to next frame", detail=f"{slowest}; " + ", ".join(f"{k} {v:.0f}" for k, v in clicks.items())
                              + f" ms, median of {2 if quick else ROUNDS}; a call doing nothing {got['nothing (floor)']:.0f} ms;"
                              + " " + load_average()))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "real,1k,5k,10k", argv)


if __name__ == "__main__":
    raise SystemExit(main())
