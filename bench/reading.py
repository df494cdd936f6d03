"""Issue 15 points 3–5 in real Chromium: the latency of tracing paths, reading a source, searching quotes, filtering.

Each interaction runs from a call in the page to the next painted frame (as bench/page.py times its own),
`ROUNDS` times; the figure is the median, the target is met when the slowest one's median is within the
interaction limit of the issue (200 ms at 1,000 concepts, 5k synthetic claims). Every round does the
same work, from the state a reader would start it in, set up untimed (SETUP): tracing from the whole
map, the next path from the first, reading a claim with the source text closed, the works filter from
"any", reset from a traced path with a claim read (a repeat that changed nothing would put back the
map kept as a picture, kg/output/templates/draw.js, and time no drawing). The path traced is from
the best-linked concept to a concept 3 links downstream of it, at most 4 links: the tracer's worst case
is many paths, and a hub has the most. Sizes are synthetic claim counts (bench/generate.py) and "real".

`python -m bench.reading [--sizes real,5k,10k] [--quick]` prints the targets; `python -m bench.run` collects them.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from .page import CLICK_LIMIT, LARGEST, REPO, TARGET_SIZE, opened_in_chromium, render, size_label, synthetic
from .targets import Target, module_main

ROUNDS = 5

INTERACT = """async ([what, arg]) => {
  const g = window.govkg, frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await frame();
  const t0 = performance.now();
  if (what === 'trace') g.trace.set(arg[0], arg[1], 4);
  else if (what === 'next path') g.trace.choose(Math.min(1, g.trace.state.paths.length - 1));
  else if (what === 'read') g.source.openClaim(arg);
  else if (what === 'quote search') { const s = document.getElementById('search'); s.value = arg; s.dispatchEvent(new Event('input')); }
  else if (what === 'works') { const s = document.getElementById('works-filter'); s.value = arg; s.dispatchEvent(new Event('change')); }
  else if (what === 'reset') g.reset();
  // 'redraw': nothing but the frame itself, the floor every interaction stands on
  g.network.redraw();
  await frame();
  return performance.now() - t0;
}"""

# Untimed, before each round: the state the interaction starts from.
SETUP = """async ([what, arg]) => {
  const g = window.govkg;
  if (what === 'trace') g.reset();
  else if (what === 'next path') g.trace.choose(0);
  else if (what === 'read') { g.source.hide(); g.network.moveTo(arg); }
  else if (what === 'works') { const s = document.getElementById('works-filter'); s.value = '1'; s.dispatchEvent(new Event('change')); }
  else if (what === 'reset') { g.trace.set(arg[0], arg[1], 4); g.source.openClaim(arg[2]); }
  g.network.redraw();
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""

# The best-linked concept, a concept 3 links downstream of it, a claim, and a word of its quote.
PICK = """() => {
  const g = govkg, out = {}, deg = {};
  g.data.edges.forEach(e => { if (e.kg.kind === 'causal') { (out[e.from] = out[e.from] || []).push(e.to); deg[e.from] = (deg[e.from] || 0) + 1; } });
  const hub = Object.keys(deg).sort((a, b) => deg[b] - deg[a] || (a < b ? -1 : 1))[0];
  let ring = [hub], seen = {[hub]: true};
  for (let d = 0; d < 3; d++) {
    const next = [];
    ring.forEach(u => (out[u] || []).forEach(v => { if (!seen[v]) { seen[v] = true; next.push(v); } }));
    if (next.length) ring = next;
  }
  const claim = g.data.edges.find(e => e.kg.kind === 'causal').kg.claims[0];
  return {hub: hub, far: ring.sort()[0], claim: claim.id, word: claim.quotes[0].slice(2, 4)};
}"""


def in_chromium(page_path: Path, rounds: int) -> dict[str, float]:
    with opened_in_chromium(page_path) as page:
        pick = page.evaluate(PICK)
        ends = [pick["hub"], pick["far"]]
        steps = [("trace paths", ["trace", ends], ["trace", None]), ("next path", ["next path", None], ["next path", None]),
                 ("read a claim's paragraph", ["read", pick["claim"]], ["read", None]),
                 ("search a quote", ["quote search", pick["word"]], None),
                 ("at least 2 works", ["works", "2"], ["works", None]), ("reset", ["reset", None], ["reset", ends + [pick["claim"]]])]
        out: dict[str, float] = {"redraw": statistics.median(page.evaluate(INTERACT, ["redraw", None]) for _ in range(rounds))}
        for name, call, setup in steps:
            if setup and setup[0] == "read":  # the camera as it was before the text first opened
                setup = ["read", page.evaluate("({position: govkg.network.getViewPosition(), scale: govkg.network.getScale()})")]
            times = []
            for _ in range(rounds):
                if setup:
                    page.evaluate(SETUP, setup)
                times.append(page.evaluate(INTERACT, call))
            out[name] = statistics.median(times)
            if name == "trace paths":
                out["paths"] = page.evaluate("govkg.trace.state.paths.length")
            if name == "at least 2 works":
                page.evaluate(INTERACT, ["works", "1"])
        out["concepts"] = page.evaluate("govkg.data.nodes.length")
    return out


def measure(sizes: list[str], quick: bool) -> list[Target]:
    from .generate import parse_size

    wanted = [0 if s == "real" else parse_size(s) for s in sizes]
    if 5_000 not in wanted:
        wanted.append(5_000)
    out: list[Target] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(wanted)):
            if n > LARGEST:
                continue
            root = REPO if n == 0 else synthetic(n)
            page = Path(tmp) / f"reading-{size_label(n)}.html"
            render(root, page)
            got = in_chromium(page, 2 if quick else ROUNDS)
            clicks = {k: v for k, v in got.items() if k not in ("concepts", "paths", "redraw")}
            slowest = max(clicks, key=clicks.__getitem__)
            label = size_label(n)
            named = "" if label == TARGET_SIZE else " (the target names 5k; same limit)"
            out.append(Target("page: slowest reading/tracing interaction", label, clicks[slowest], CLICK_LIMIT, unit=" ms",
                              floor="call to next frame",
                              detail=f"{int(got['concepts'])} concepts, {int(got['paths'])} paths traced; {slowest}; "
                              f"a redraw alone {got['redraw']:.0f}; "
                              + ", ".join(f"{k} {v:.0f}" for k, v in clicks.items()) + f" ms, median of {2 if quick else ROUNDS}{named}"))
    return out


def main(argv: list[str] | None = None) -> int:
    return module_main(measure, __doc__ or "", "real,5k,10k", argv)


if __name__ == "__main__":
    raise SystemExit(main())
