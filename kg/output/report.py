"""Query results (paths, loops, explanations, searches, contrasts) as JSON-ready dicts, plain text and Markdown.

The JSON shapes are documented in docs/json.md; a change to them is a change of `JSON_VERSION`.
"""

from __future__ import annotations

from kg.output.markup import to_markdown_inline

JSON_VERSION = 1
ARROW = {"positive": "→", "negative": "⊣", "mixed": "⇢"}
SIGN = {"positive": "+", "negative": "−", "mixed": "±"}


def dumps(data: dict) -> str:
    import json  # only a --format json answer needs it

    return json.dumps(data, ensure_ascii=False, indent=2)


# Pieces shared by every command ------------------------------------------------------------------


def label(kg, cid: str) -> str:
    c = kg.concepts.get(cid)
    return f"{c.label('zh')} ({cid})" if c else cid


def short_label(kg, cid: str) -> str:
    c = kg.concepts.get(cid)
    return c.label("zh") if c else cid


def concept_ref(kg, cid: str) -> dict:
    c = kg.concepts.get(cid)
    return {"id": cid, "zh": c.label("zh") if c else cid, "en": c.label("en") if c else cid}


# How a claim of each relation reads between its subject and object (causes: the polarity's arrow).
RELATION_WORD = {"form-of": "is a form of", "part-of": "is a part of", "aim": "aims at", "definition": "is defined"}


def link_words(kg, c, name=None) -> str:
    """A claim's link in words: 压力 → 推诿, 改革 ⊣ 推诿, 留痕 is a form of 推诿, 改革 aims at (reducing) 文牍, 推诿 is defined."""
    name = name or (lambda cid: short_label(kg, cid))
    if c.causal:
        return f"{name(c.cause)} {ARROW[c.polarity]} {name(c.effect)}"
    if c.relation == "definition":
        return f"{name(c.subject)} {RELATION_WORD['definition']}"
    lowering = " (reducing)" if c.relation == "aim" and c.polarity == "negative" else ""
    return f"{name(c.subject)} {RELATION_WORD[c.relation]}{lowering} {name(c.object)}"


def claim_to_dict(kg, c) -> dict:
    src = kg.sources.get(c.source)
    return {
        "id": c.id,
        "source": c.source,
        "source_title": src.title if src else "",
        "work": kg.work_of(c.source),
        "relation": c.relation,
        "cause": c.cause if c.causal else None,
        "effect": c.effect if c.causal else None,
        "subject": None if c.causal else c.subject,
        "object": None if c.causal or not c.object else c.object,
        "polarity": c.polarity or None,
        "agent": [concept_ref(kg, x) for x in c.agent],
        "target": [concept_ref(kg, x) for x in c.target],
        "certainty": c.certainty or None,
        "modality": c.modality or None,
        "conjecture": c.conjecture,
        "replaces": list(c.replaces),
        "conditions": [concept_ref(kg, x) for x in c.conditions],
        "condition_texts": list(c.condition_texts),
        "evidence": c.evidence,
        "hedge": c.hedge,
        "levels": list(c.levels),
        "quotes": list(c.quotes),
        "locator": c.locator,
        "gloss": c.gloss,
        "chain": c.chain,
        "position": c.position,
        "disputes": list(c.disputes),
    }


def step_to_dict(kg, s) -> dict:
    return {
        "cause": concept_ref(kg, s.cause),
        "effect": concept_ref(kg, s.effect),
        "relations": s.relations,
        "polarity": s.polarity,
        "conditions": [concept_ref(kg, x) for x in s.conditions],
        "sources": s.sources,
        "claims": [claim_to_dict(kg, c) for c in s.claims],
    }


def _claim_head(kg, c) -> str:
    bits = [c.id, f"{c.source} {c.locator}".strip(), c.evidence]
    if c.hedge:
        bits.append(f"hedge {c.hedge}")
    bits += [x for x in (c.certainty, c.modality) if x]
    for role in ("agent", "target"):
        if getattr(c, role):
            bits.append(f"{role} " + ", ".join(short_label(kg, a) for a in getattr(c, role)))
    if c.levels:
        bits.append(", ".join(c.levels))
    if c.replaces:
        bits.append("replaces " + ", ".join(c.replaces))
    return " · ".join(bits)


def _claim_conditions(kg, c) -> str:
    conds = [label(kg, x) for x in c.conditions] + list(c.condition_texts)
    return "; ".join(conds)


def _text_claim(kg, c, indent: str) -> list[str]:
    lines = [f"{indent}{_claim_head(kg, c)}"]
    if c.conditions or c.condition_texts:
        lines.append(f"{indent}  only when: {_claim_conditions(kg, c)}")
    lines += [f"{indent}  «{q}»" for q in c.quotes]
    if c.conjecture:
        lines.append(f"{indent}  conjecture (not in the text): {c.conjecture}")
    lines.append(f"{indent}  {c.gloss}")
    return lines


def _md_claim(kg, c, indent: str) -> list[str]:
    head = " · ".join(to_markdown_inline(b) for b in _claim_head(kg, c).split(" · ")[1:])
    lines = [f"{indent}- `{c.id}` — {head}"]
    if c.conditions or c.condition_texts:
        lines.append(f"{indent}  only when: {to_markdown_inline(_claim_conditions(kg, c))}")
    for q in c.quotes:
        lines += [f"{indent}  > {to_markdown_inline(q)}", f"{indent}  >"]
    lines[-1] = f"{indent}  > — {to_markdown_inline(c.gloss)}"
    if c.conjecture:
        lines.append(f"{indent}  conjecture (not in the text): {to_markdown_inline(c.conjecture)}")
    return lines


def _relations_note(s) -> str:
    """' [form-of]' for a step some claims of another relation than causes make (asked for with --include)."""
    others = [r for r in s.relations if r != "causes"]
    return f" [{', '.join(s.relations)}]" if others else ""


def _text_steps(kg, steps, indent: str = "   ") -> list[str]:
    lines = [f"{indent}{label(kg, steps[0].cause)}"]
    shown: dict[str, str] = {}  # chain id -> the link whose quotes were printed
    for s in steps:
        lines.append(f"{indent}  {SIGN[s.polarity]}{ARROW[s.polarity]} {label(kg, s.effect)}{_relations_note(s)}")
        for c in s.claims:
            if c.chain and c.chain in shown:
                lines.append(f"{indent}      {_claim_head(kg, c)}")
                lines.append(f"{indent}        (the same statement as {shown[c.chain]}: quotes above)")
                continue
            if c.chain:
                shown[c.chain] = c.id
            lines += _text_claim(kg, c, indent + "      ")
    return lines


def _md_steps(kg, steps) -> list[str]:
    lines = []
    shown: dict[str, str] = {}
    for i, s in enumerate(steps, 1):
        lines.append(
            f"{i}. **{to_markdown_inline(short_label(kg, s.cause))}** {ARROW[s.polarity]} **{to_markdown_inline(short_label(kg, s.effect))}** "
            f"({SIGN[s.polarity]}; `{s.cause}` {ARROW[s.polarity]} `{s.effect}`){to_markdown_inline(_relations_note(s))}"
        )
        for c in s.claims:
            if c.chain and c.chain in shown:
                head = " · ".join(to_markdown_inline(b) for b in _claim_head(kg, c).split(" · ")[1:])
                lines.append(f"   - `{c.id}` — {head} (the same statement as `{shown[c.chain]}`: quotes above)")
                continue
            if c.chain:
                shown[c.chain] = c.id
            lines += _md_claim(kg, c, "   ")
    return lines


def _line_of(kg, concepts: list[str], steps) -> str:
    out = short_label(kg, concepts[0])
    for s in steps:
        out += f" {ARROW[s.polarity]} {short_label(kg, s.effect)}"
    return out


# kg chain ----------------------------------------------------------------------------------------


def path_to_dict(kg, p) -> dict:
    return {
        "kind": p.kind,
        "stated_by": p.stated_by,
        "every_link_by": p.every_link_by,
        "sources": p.sources,
        "length": len(p.steps),
        "net_polarity": p.net_polarity,
        "concepts": [concept_ref(kg, x) for x in p.concepts],
        "steps": [step_to_dict(kg, s) for s in p.steps],
    }


def paths_to_dict(kg, paths, query: dict) -> dict:
    q = dict(query)
    for key in ("from", "to"):
        q[key] = concept_ref(kg, q[key])
    for key in ("via", "avoid"):
        q[key] = [concept_ref(kg, x) for x in q.get(key, [])]
    if q.get("actor"):
        q["actor"] = concept_ref(kg, q["actor"])
    out = {"command": "chain", "version": JSON_VERSION, "query": q, "paths": [path_to_dict(kg, p) for p in paths]}
    why = query.get("why_empty")
    if why is not None:
        q.pop("why_empty", None)
        out["why_empty"] = {"without": why["without"], "unfiltered": [path_to_dict(kg, p) for p in why["unfiltered"]],
                            "longer": {"max_len": why["longer"][0], "paths": why["longer"][1]} if why["longer"] else None}
    return out


def _why_empty_lines(kg, why: dict | None) -> list[str]:
    """What emptied the result: each option's share, then the nearest paths without any of them."""
    if why is None:
        return ["no path: try a larger --max-len, fewer --via/--avoid/--source, or `kg explain` on each end"]
    lines = ["no path with these options" + (":" if why["without"] else "")]
    for w in why["without"]:
        lines.append(f"  without {w['option']}: {w['paths']} path(s)")
    if why["unfiltered"]:
        lines.append("nearest paths without " + (", ".join(w["option"] for w in why["without"]) or "any option") + ":")
        for p in why["unfiltered"]:
            lines.append(f"  {_line_of(kg, p.concepts, p.steps)}  ({_path_status(p)})")
    elif why["longer"] and why["longer"][1]:
        n, count = why["longer"]
        lines.append(f"no path of this length even without options; with --max-len {n}: {count} path(s)")
    else:
        lines.append("no causal path at all between them: `kg explain` on each end shows their causes and effects")
    return lines


def _assembled(p) -> str:
    if p.every_link_by:
        return f": every link is claimed by {', '.join(p.every_link_by)}, but not as one argument (a hypothesis: the junctions are ours)"
    return f" from {', '.join(p.sources)} (a hypothesis: no one source states it whole)"


def _path_status(p) -> str:
    if p.stated_by:
        return f"STATED by {', '.join(p.stated_by)}"
    return f"ASSEMBLED{_assembled(p)}"


def render_paths(kg, paths, fmt: str, query: dict) -> str:
    if fmt == "json":
        return dumps(paths_to_dict(kg, paths, query))
    a, b = query["from"], query["to"]
    limits = f"at most {query['max_len']} links" + (", stated by one source" if query.get("same_source") else "")
    if fmt == "markdown":
        lines = [f"## {to_markdown_inline(short_label(kg, a))} → {to_markdown_inline(short_label(kg, b))}: {len(paths)} path(s) ({limits})", ""]
        for i, p in enumerate(paths, 1):
            lines += [f"### {i}. {to_markdown_inline(_line_of(kg, p.concepts, p.steps))}", ""]
            lines += [f"**{to_markdown_inline(_path_status(p))}** · {len(p)} link(s) · net **{p.net_polarity}**", ""]
            lines += _md_steps(kg, p.steps) + [""]
        if not paths:
            lines += [f"- {to_markdown_inline(x.strip())}" for x in _why_empty_lines(kg, query.get("why_empty"))]
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"{label(kg, a)} → {label(kg, b)}: {len(paths)} path(s), {limits}, shortest first"]
    for i, p in enumerate(paths, 1):
        lines += ["", f"{i}. {_line_of(kg, p.concepts, p.steps)}"]
        lines.append(f"   {_path_status(p)} · {len(p)} link(s) · net {p.net_polarity} ({SIGN[p.net_polarity]})")
        lines += _text_steps(kg, p.steps)
    if not paths:
        lines += _why_empty_lines(kg, query.get("why_empty"))
    return "\n".join(lines) + "\n"


# kg loops ----------------------------------------------------------------------------------------


def loop_to_dict(kg, lp) -> dict:
    return {
        "kind": lp.kind,
        "agents": [[concept_ref(kg, a) for a in step] for step in lp.agents],
        "one_agent": [concept_ref(kg, a) for a in lp.one_agent],
        "stated_by": lp.stated_by,
        "every_link_by": lp.every_link_by,
        "sources": lp.sources,
        "length": len(lp.steps),
        "concepts": [concept_ref(kg, x) for x in lp.concepts],
        "steps": [step_to_dict(kg, s) for s in lp.steps],
    }


def _loop_counts(loops) -> tuple[int, int]:
    """(every loop found, those stated by a source): a ranked list (kg.query.loops.Loops) knows them beyond those listed."""
    return getattr(loops, "total", len(loops)), getattr(loops, "stated", sum(1 for lp in loops if lp.stated_by))


def loops_to_dict(kg, loops, query: dict) -> dict:
    q = dict(query)
    q["concept"] = concept_ref(kg, q["concept"]) if q.get("concept") else None
    total, stated = _loop_counts(loops)
    return {"command": "loops", "version": JSON_VERSION, "query": q, "total": total, "stated": stated,
            "loops": [loop_to_dict(kg, lp) for lp in loops]}


def _loops_heading(kg, loops, query: dict) -> tuple[str, str]:
    """The count of every loop found, and (when not all are listed) which are."""
    total, stated = _loop_counts(loops)
    through = f" through {label(kg, query['concept'])}" if query.get("concept") else ""
    head = f"feedback loops{through}: {total} (at most {query['max_len']} links), {stated} stated by a source"
    more = ""
    if len(loops) < total:
        more = f"listed: the first {len(loops)} in rank, stated ones first (--limit N or --all for more)"
    return head, more


def _loop_status(lp) -> str:
    if lp.stated_by:
        return f"stated by {', '.join(lp.stated_by)}"
    return f"assembled{_assembled(lp)}"


def _loop_line(kg, lp) -> str:
    return _line_of(kg, lp.concepts, lp.steps)


def _perspective(kg, lp) -> str:
    """Whether the loop's links keep one actor's perspective (the same agent acts on every link)."""
    if lp.one_agent:
        return f"one actor's perspective: {', '.join(short_label(kg, a) for a in lp.one_agent)} acts on every link"
    named = [step for step in lp.agents if step]
    if not named:
        return "no agent named on its links"
    seq = " / ".join(", ".join(short_label(kg, a) for a in step) or "?" for step in lp.agents)
    return f"the perspective shifts: the agents are {seq}"


def render_loops(kg, loops, fmt: str, query: dict) -> str:
    if fmt == "json":
        return dumps(loops_to_dict(kg, loops, query))
    head, more = _loops_heading(kg, loops, query)
    if fmt == "markdown":
        lines = [f"## {to_markdown_inline(head[0].upper() + head[1:])}", ""] + ([to_markdown_inline(more[0].upper() + more[1:]) + ".", ""] if more else [])
        for i, lp in enumerate(loops, 1):
            lines += [f"### {i}. {to_markdown_inline(_loop_line(kg, lp))}", ""]
            lines += [f"**{lp.kind}** — {to_markdown_inline(_loop_status(lp))}; {len(lp)} link(s); {to_markdown_inline(_perspective(kg, lp))}", ""]
            lines += _md_steps(kg, lp.steps) + [""]
        return "\n".join(lines).rstrip() + "\n"
    lines = [head] + ([more] if more else [])
    for i, lp in enumerate(loops, 1):
        lines += ["", f"{i}. {_loop_line(kg, lp)}", f"   {lp.kind.upper()} · {_loop_status(lp)} · {len(lp)} link(s)",
                  f"   {_perspective(kg, lp)}"]
        lines += _text_steps(kg, lp.steps)
    return "\n".join(lines) + "\n"


# kg explain --------------------------------------------------------------------------------------


def concept_to_dict(kg, c) -> dict:
    return {
        **concept_ref(kg, c.id),
        "iri": str(c.iri),
        "classes": list(c.classes),
        "labels": {lang: list(v) for lang, v in sorted(c.pref.items())},
        "alt_labels": [{"value": str(a), "lang": a.language or ""} for a in c.alt],
        "definitions": {lang: list(v) for lang, v in sorted(c.definition.items())},
        "broader": [concept_ref(kg, b) for b in c.broader],
        "sources": list(c.sources),
    }


def branch_to_dict(kg, br) -> dict:
    return {"concept": concept_ref(kg, br.concept), "step": step_to_dict(kg, br.step), "children": [branch_to_dict(kg, x) for x in br.children]}


def explanation_to_dict(kg, ex) -> dict:
    return {
        "command": "explain",
        "version": JSON_VERSION,
        "concept": concept_to_dict(kg, ex.concept),
        "narrower": [concept_ref(kg, x) for x in ex.narrower],
        "depth": ex.depth,
        "causes": [branch_to_dict(kg, b) for b in ex.causes],
        "effects": [branch_to_dict(kg, b) for b in ex.effects],
        "as_condition": [claim_to_dict(kg, c) for c in ex.as_condition],
        "relations": {k: [claim_to_dict(kg, c) for c in v] for k, v in ex.relations.items()},
        "as_agent": [claim_to_dict(kg, c) for c in ex.as_agent],
        "as_target": [claim_to_dict(kg, c) for c in ex.as_target],
        "narrower_causes": [{"concept": concept_ref(kg, k), "causes": [branch_to_dict(kg, b) for b in v]}
                            for k, v in ex.narrower_causes.items()],
        "asked_as": ex.asked_as,
    }


# Headings of the explanation's sections of claims, in the order they are printed.
_EXPLAIN_SECTIONS = {
    "definitions": "defined by the text", "form_of": "is a form of", "forms": "forms of it",
    "part_of": "is a part of", "parts": "parts of it", "aims": "its stated aims", "aimed_at_by": "aimed at by",
}


def _claim_sections(ex) -> list[tuple[str, list]]:
    """(heading, claims) for each non-empty section of claims that are not its causes or effects."""
    out = [(_EXPLAIN_SECTIONS[k], ex.relations[k]) for k in _EXPLAIN_SECTIONS if k in ex.relations]
    if ex.as_agent:
        out.append(("acts (agent) in", ex.as_agent))
    if ex.as_target:
        out.append(("is acted upon (target) in", ex.as_target))
    if ex.as_condition:
        out.append(("a condition of", ex.as_condition))
    return out


def _text_tree(kg, branches, upstream: bool, indent: str) -> list[str]:
    lines = []
    for br in branches:
        s = br.step
        arrow = f"{SIGN[s.polarity]}{'←' if upstream else ARROW[s.polarity]}"
        lines.append(f"{indent}{arrow} {label(kg, br.concept)}")
        for c in s.claims:
            lines += _text_claim(kg, c, indent + "     ")
        lines += _text_tree(kg, br.children, upstream, indent + "   ")
    return lines


def _md_tree(kg, branches, upstream: bool, indent: str) -> list[str]:
    lines = []
    for br in branches:
        s = br.step
        link = f"`{s.cause}` {ARROW[s.polarity]} `{s.effect}`"
        lines.append(f"{indent}- **{to_markdown_inline(short_label(kg, br.concept))}** ({SIGN[s.polarity]}; {link})")
        for c in s.claims:
            lines += _md_claim(kg, c, indent + "  ")
        lines += _md_tree(kg, br.children, upstream, indent + "  ")
    return lines


def render_explanation(kg, ex, fmt: str) -> str:
    if fmt == "json":
        return dumps(explanation_to_dict(kg, ex))
    c = ex.concept
    alts = ", ".join(f"{a} ({a.language})" if a.language else str(a) for a in c.alt)
    kinds = ", ".join(label(kg, b) for b in ex.broader)
    narrower = ", ".join(label(kg, n) for n in ex.narrower)
    facts = [
        ("class", ", ".join(c.classes)),
        ("zh", c.label("zh")),
        ("en", c.label("en")),
        ("also", alts),
        ("definition (zh)", c.definition_in("zh")),
        ("definition (en)", c.definition_in("en")),
        # among actors skos:broader also means "belongs to" (县委书记 under 县委): ontology/README.md
        ("under" if "Actor" in c.classes else "a kind of", kinds),
        ("under it" if "Actor" in c.classes else "kinds", narrower),
        ("sources", ", ".join(c.sources)),
    ]
    if ex.asked_as:
        facts.insert(0, ("replaces", f"{ex.asked_as} (deprecated; asked for by that id)"))
    facts = [(k, v) for k, v in facts if v]
    if fmt == "markdown":
        lines = [f"## {to_markdown_inline(c.label('zh'))} / {to_markdown_inline(c.label('en'))} (`{c.id}`)", ""]
        lines += [f"- **{k}**: {to_markdown_inline(v)}" for k, v in facts] + [""]
        lines += [f"### Causes (upstream, {ex.depth} link(s))", ""] + (_md_tree(kg, ex.causes, True, "") or ["none in the graph"]) + [""]
        lines += [f"### Effects (downstream, {ex.depth} link(s))", ""] + (_md_tree(kg, ex.effects, False, "") or ["none in the graph"]) + [""]
        for kind, branches in ex.narrower_causes.items():
            lines += [f"### Causes of its kind {to_markdown_inline(short_label(kg, kind))} (`{kind}`)", ""] + _md_tree(kg, branches, True, "") + [""]
        for heading, claims in _claim_sections(ex):
            lines += [f"### {heading[0].upper() + heading[1:]}", ""]
            for cl in claims:
                lines.append(link_words(kg, cl, lambda x: f"**{to_markdown_inline(short_label(kg, x))}**"))
                lines += _md_claim(kg, cl, "") + [""]
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"{c.label('zh')} / {c.label('en')} ({c.id})"]
    lines += [f"  {k + ':':<17}{v}" for k, v in facts]
    lines += ["", f"causes (upstream, {ex.depth} link(s)):"] + (_text_tree(kg, ex.causes, True, "  ") or ["  none in the graph"])
    lines += ["", f"effects (downstream, {ex.depth} link(s)):"] + (_text_tree(kg, ex.effects, False, "  ") or ["  none in the graph"])
    for kind, branches in ex.narrower_causes.items():
        lines += ["", f"causes of its kind {label(kg, kind)}:"] + _text_tree(kg, branches, True, "  ")
    for heading, claims in _claim_sections(ex):
        lines += ["", f"{heading}:"]
        for cl in claims:
            lines.append(f"  {link_words(kg, cl, lambda x: label(kg, x))}")
            lines += _text_claim(kg, cl, "     ")
    return "\n".join(lines) + "\n"


# kg search ---------------------------------------------------------------------------------------


def search_to_dict(kg, res) -> dict:
    return {
        "command": "search",
        "version": JSON_VERSION,
        "query": res.query,
        "concepts": [{"concept": concept_ref(kg, h.id), "matched": h.matched} for h in res.concepts],
        "claims": [{"claim": claim_to_dict(kg, kg.claims[h.id]), "matched": h.matched} for h in res.claims],
    }


def _snippet(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_search(kg, res, fmt: str) -> str:
    if fmt == "json":
        return dumps(search_to_dict(kg, res))
    if fmt == "markdown":
        lines = [f"## Search: {to_markdown_inline(res.query)}", "", f"### Concepts ({len(res.concepts)})", ""]
        for h in res.concepts:
            c = kg.concepts[h.id]
            where = "; ".join(f"{k}: {to_markdown_inline(_snippet(v))}" for k, v in h.matched.items())
            lines.append(f"- `{h.id}` **{to_markdown_inline(c.label('zh'))}** / {to_markdown_inline(c.label('en'))} — {where}")
        lines += ["", f"### Claims ({len(res.claims)})", ""]
        for h in res.claims:
            cl = kg.claims[h.id]
            where = "; ".join(f"{k}: {to_markdown_inline(_snippet(v))}" for k, v in h.matched.items())
            link = link_words(kg, cl, lambda x: to_markdown_inline(short_label(kg, x)))
            lines.append(f"- `{h.id}` ({to_markdown_inline(cl.source)}) {link} — {where}")
        return "\n".join(lines) + "\n"
    lines = [f"concepts ({len(res.concepts)}):"]
    for h in res.concepts:
        c = kg.concepts[h.id]
        lines.append(f"  {h.id}  {c.label('zh')} / {c.label('en')}")
        lines += [f"      {k}: {_snippet(v)}" for k, v in h.matched.items()]
    lines.append(f"claims ({len(res.claims)}):")
    for h in res.claims:
        cl = kg.claims[h.id]
        lines.append(f"  {h.id}  {link_words(kg, cl)}  ({cl.source} {cl.locator})")
        lines += [f"      {k}: {_snippet(v)}" for k, v in h.matched.items()]
    return "\n".join(lines) + "\n"


# kg contrast -------------------------------------------------------------------------------------

_CONTRAST_WHAT = {
    "dispute": "the first says it contradicts the second",
    "opposite": "the same link, pulled in opposite directions",
    "divergent": "the same cause, toward different effects under different conditions",
}


def contrast_to_dict(kg, x) -> dict:
    return {
        "kind": x.kind,
        "scope": x.scope,
        "a": [claim_to_dict(kg, c) for c in x.a],
        "b": [claim_to_dict(kg, c) for c in x.b],
    }


def contrasts_to_dict(kg, contrasts, query: dict) -> dict:
    q = dict(query)
    q["concept"] = concept_ref(kg, q["concept"]) if q.get("concept") else None
    return {"command": "contrast", "version": JSON_VERSION, "query": q, "contrasts": [contrast_to_dict(kg, x) for x in contrasts]}


def _statement_line(kg, claims) -> str:
    if claims[0].causal:
        out = short_label(kg, claims[0].cause)
        for c in claims:
            out += f" {ARROW[c.polarity]} {short_label(kg, c.effect)}"
    else:  # a disputed form, part, aim or definition: one claim, in words
        out = link_words(kg, claims[0])
    conds = _claim_conditions(kg, claims[0])
    return out + (f"  [only when: {conds}]" if conds else "")


def render_contrasts(kg, contrasts, fmt: str, query: dict) -> str:
    if fmt == "json":
        return dumps(contrasts_to_dict(kg, contrasts, query))
    if fmt == "markdown":
        lines = [f"## Contrasts: {len(contrasts)}", ""]
        for i, x in enumerate(contrasts, 1):
            lines += [f"### {i}. {x.kind} ({x.scope}): {to_markdown_inline(_CONTRAST_WHAT[x.kind])}", ""]
            for side, claims in (("A", x.a), ("B", x.b)):
                lines.append(f"**{side}** — {to_markdown_inline(_statement_line(kg, claims))}")
                lines += _md_claim(kg, claims[0], "") + [""]
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"contrasts: {len(contrasts)}"]
    for i, x in enumerate(contrasts, 1):
        lines += ["", f"{i}. {x.kind.upper()} · {x.scope} · {_CONTRAST_WHAT[x.kind]}"]
        for side, claims in (("A", x.a), ("B", x.b)):
            lines.append(f"   {side}  {_statement_line(kg, claims)}")
            lines += _text_claim(kg, claims[0], "      ")
    return "\n".join(lines) + "\n"


# kg agree ----------------------------------------------------------------------------------------

_AGREE_WHAT = {"exact": "the same link, the same polarity",
               "broader": "links that meet at this more general one: their concepts are kinds of its concepts"}


def agreement_to_dict(kg, a) -> dict:
    return {
        "kind": a.kind,
        "relation": a.relation,
        "cause": concept_ref(kg, a.cause),
        "effect": concept_ref(kg, a.effect),
        "polarity": a.polarity or None,
        "works": a.works,
        "by_work": [{"work": w, "claims": [claim_to_dict(kg, c) for c in cs]} for w, cs in a.by_work.items()],
    }


def agreements_to_dict(kg, agreements, query: dict) -> dict:
    q = dict(query)
    q["concept"] = concept_ref(kg, q["concept"]) if q.get("concept") else None
    return {"command": "agree", "version": JSON_VERSION, "query": q, "agreements": [agreement_to_dict(kg, a) for a in agreements]}


def _agreement_line(kg, a, name=None) -> str:
    from dataclasses import replace

    claims = [c for cs in a.by_work.values() for c in cs]
    on_link = next((c for c in claims if (c.cause, c.effect) == (a.cause, a.effect)), None)
    # the general link may be one no work states in those words: write it in the words of its concepts
    return link_words(kg, on_link or replace(claims[0], cause=a.cause, effect=a.effect), name)


def render_agreements(kg, agreements, fmt: str, query: dict) -> str:
    if fmt == "json":
        return dumps(agreements_to_dict(kg, agreements, query))
    about = f" on {label(kg, query['concept'])}" if query.get("concept") else ""
    if fmt == "markdown":
        lines = [f"## What independent works say alike{to_markdown_inline(about)}: {len(agreements)}", ""]
        for i, a in enumerate(agreements, 1):
            lines += [f"### {i}. {to_markdown_inline(_agreement_line(kg, a))} ({a.kind}: {len(a.works)} works)", ""]
            # The quotes side by side: one column per work.
            lines.append("| " + " | ".join(to_markdown_inline(w) for w in a.works) + " |")
            lines.append("|" + "---|" * len(a.works))
            cells = []
            for w in a.works:
                parts = [f"`{c.id}` {to_markdown_inline(link_words(kg, c))}: «{to_markdown_inline(' … '.join(c.quotes))}» ({to_markdown_inline(c.source)} {to_markdown_inline(c.locator)})"
                         for c in a.by_work[w]]
                cells.append("<br>".join(parts))
            lines += ["| " + " | ".join(cells) + " |", ""]
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"what independent works say alike{about}: {len(agreements)}"]
    for i, a in enumerate(agreements, 1):
        lines += ["", f"{i}. {_agreement_line(kg, a)}", f"   {a.kind.upper()} ({_AGREE_WHAT[a.kind]}) · {len(a.works)} works: {', '.join(a.works)}"]
        for w in a.works:
            lines.append(f"   [{w}]")
            for c in a.by_work[w]:
                lines.append(f"      {link_words(kg, c)}")
                lines += _text_claim(kg, c, "        ")
    if not agreements:
        lines.append("no two works say the same here")
    return "\n".join(lines) + "\n"


# kg remedies -------------------------------------------------------------------------------------

_ROUTE_WORDS = {
    "counters": "counters it", "counters-a-cause": "counters a cause of it",
    "aims-to-reduce": "aims to reduce it (a stated goal, not an observed effect)",
    "aims-to-reduce-a-cause": "aims to reduce a cause of it (a stated goal, not an observed effect)",
}


def remedy_to_dict(kg, r) -> dict:
    return {
        "intervention": concept_ref(kg, r.intervention),
        "route": r.route,
        "target": concept_ref(kg, r.target),
        "claims": [claim_to_dict(kg, c) for c in r.claims],
        "via": [claim_to_dict(kg, c) for c in r.via],
    }


def remedies_to_dict(kg, remedies, query: dict) -> dict:
    q = dict(query)
    q["concept"] = concept_ref(kg, q["concept"])
    return {"command": "remedies", "version": JSON_VERSION, "query": q, "remedies": [remedy_to_dict(kg, r) for r in remedies]}


def render_remedies(kg, remedies, fmt: str, query: dict) -> str:
    if fmt == "json":
        return dumps(remedies_to_dict(kg, remedies, query))
    x = query["concept"]
    if fmt == "markdown":
        lines = [f"## Remedies for {to_markdown_inline(short_label(kg, x))} (`{x}`): {len(remedies)}", ""]
        for i, r in enumerate(remedies, 1):
            through = f" (through `{r.target}`)" if r.target != x else ""
            lines += [f"### {i}. {to_markdown_inline(short_label(kg, r.intervention))} — {to_markdown_inline(_ROUTE_WORDS[r.route])}{through}", ""]
            for c in r.claims + r.via:
                lines.append(link_words(kg, c, lambda y: f"**{to_markdown_inline(short_label(kg, y))}**"))
                lines += _md_claim(kg, c, "") + [""]
        return "\n".join(lines).rstrip() + "\n"
    lines = [f"remedies for {label(kg, x)}: {len(remedies)}"]
    for i, r in enumerate(remedies, 1):
        through = f", through {label(kg, r.target)}" if r.target != x else ""
        lines += ["", f"{i}. {label(kg, r.intervention)} {_ROUTE_WORDS[r.route]}{through}"]
        for c in r.claims + r.via:
            lines.append(f"   {link_words(kg, c, lambda y: label(kg, y))}")
            lines += _text_claim(kg, c, "      ")
    if not remedies:
        lines.append("no intervention in the graph is said to counter it or its causes")
    return "\n".join(lines) + "\n"
