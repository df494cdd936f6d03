"""Generated projects: a big one (seeded) to try layouts on, a hostile one whose texts hold script payloads."""

from __future__ import annotations

import random
from pathlib import Path

from .conftest import make_mini

CLASSES = ("Actor", "Incentive", "Mechanism", "Outcome", "Condition", "Intervention")
CHARS = "政府乡镇县级干部考核压力激励问责治理基层资源任务指标检查整改协调监督群众服务责任权力财政项目"
WORDS = ("duty", "audit", "target", "quota", "blame", "fund", "cadre", "village", "task", "rule", "office", "review")


def make_big(dest: Path, n_concepts: int = 150, n_claims: int = 220, n_sources: int = 4, seed: int = 1) -> Path:
    """The mini project plus `n_concepts` concepts and `n_claims` claims spread over `n_sources` sources.

    Links follow preferential attachment (a few hubs, many leaves), the shape curated causal maps have.
    """
    import networkx as nx

    rnd = random.Random(seed)
    root = make_mini(dest)
    g = nx.barabasi_albert_graph(n_concepts, 1, seed=seed)
    extra = nx.gnm_random_graph(n_concepts, max(0, n_claims - g.number_of_edges()), seed=seed)
    pairs = list(dict.fromkeys((min(a, b), max(a, b)) for a, b in [*g.edges, *extra.edges]))[:n_claims]
    ttl = ["@prefix gkv: <https://w3id.org/govkg/vocab#> .", "@prefix gkc: <https://w3id.org/govkg/concept/> .",
           "@prefix gks: <https://w3id.org/govkg/source/> .", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
           "@prefix dcterms: <http://purl.org/dc/terms/> .", ""]
    labels = set()
    for i in range(n_concepts):
        while True:
            zh = "".join(rnd.choice(CHARS) for _ in range(rnd.randint(2, 5)))
            if zh not in labels:
                labels.add(zh)
                break
        en = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i}"
        ttl.append(f'gkc:syn-{i} a skos:Concept , gkv:{CLASSES[i % len(CLASSES)]} ; skos:inScheme gkc: ;\n'
                   f'    skos:prefLabel "{zh}"@zh , "{en}"@en ;\n'
                   f'    skos:definition "合成概念{i}。"@zh , "Synthetic concept {i}."@en ;\n'
                   f'    dcterms:source gks:syn-0 .\n')
    (root / "ontology" / "synthetic.ttl").write_text("\n".join(ttl), encoding="utf-8")
    for s in range(n_sources):
        mine = [(k, p) for k, p in enumerate(pairs) if k % n_sources == s]
        lines, claims = [], [f"source: syn-{s}", "claims:"]
        for k, (a, b) in mine:
            quote = f"合成论断{k}说{a}影响{b}"
            lines.append(quote + "。")
            claims += [f"  - id: syn-{k}", f"    cause: syn-{a}", f"    effect: syn-{b}",
                       f"    polarity: {'negative' if k % 5 == 0 else 'positive'}", "    evidence: argument",
                       f"    quote: {quote}", f"    gloss: Synthetic claim {k}."]
        (root / "sources" / f"syn-{s}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (root / "sources" / f"syn-{s}.yaml").write_text(
            f"id: syn-{s}\nkind: article\ntitle: 合成文章{s}\nauthors: [作者{s}]\nissued: \"202{s}\"\n", encoding="utf-8")
        (root / "claims" / f"syn-{s}.yaml").write_text("\n".join(claims) + "\n", encoding="utf-8")
    return root


# Payloads that run script if any of them reaches a page as HTML: an element, an event handler, a
# link (whose "href" once switched pyvis's tooltips to innerHTML), an attribute break-out.
PAYLOADS = {
    "script": "<script>alert('script')</script>",
    "img": "<img src=x onerror=alert('img')>",
    "link": '<a href="javascript:alert(1)">href</a>',
    "attr": "\"'><svg onload=alert('attr')>",
}


def _ttl(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def make_hostile(dest: Path) -> Path:
    """The mini project with payloads in labels (an actor's too), definitions, a quote (and its source text), a gloss,
    a title and a conjecture."""
    root = make_mini(dest)
    p = PAYLOADS
    ttl = root / "ontology" / "concepts.ttl"
    text = ttl.read_text(encoding="utf-8")
    text = text.replace('skos:prefLabel "压力"@zh , "pressure"@en',
                        f'skos:prefLabel "压力{_ttl(p["script"])}"@zh , "pressure {_ttl(p["img"])}"@en')
    text = text.replace('"来自上级的压力。"@zh , "Pressure from superiors."@en',
                        f'"来自上级的压力{_ttl(p["link"])}"@zh , "Pressure {_ttl(p["attr"])}"@en')
    text = text.replace('"Pushing responsibility onto others."@en', f'"Pushing {_ttl(p["img"])} onto others."@en')
    ttl.write_text(text, encoding="utf-8")
    quote = f"压力{p['img']}会导致推诿"
    src = root / "sources" / "mini-b.txt"
    src.write_text(src.read_text(encoding="utf-8").replace("压力会导致推诿", quote), encoding="utf-8")
    claims = root / "claims" / "mini-b.yaml"
    text = claims.read_text(encoding="utf-8")
    text = text.replace("quote: 在激励强的时候,压力会导致推诿", f"quote: {_yaml('在激励强的时候,' + quote)}")
    text = text.replace("gloss: When incentives are strong, pressure leads to shirking.",
                        f"gloss: {_yaml(p['script'] + ' ' + p['attr'])}")
    claims.write_text(text, encoding="utf-8")
    rec = root / "sources" / "mini-b.yaml"
    rec.write_text(rec.read_text(encoding="utf-8").replace("title: 小文章", f"title: {_yaml('小文章' + p['script'])}"), encoding="utf-8")
    # Model v2 fields: an actor's label (the agent of a-discount-escalation) and a conjecture.
    ttl = root / "ontology" / "concepts.ttl"
    ttl.write_text(ttl.read_text(encoding="utf-8").replace('skos:prefLabel "上级"@zh , "superior"@en',
                                                           f'skos:prefLabel "上级{_ttl(p["img"])}"@zh , "superior {_ttl(p["script"])}"@en'),
                   encoding="utf-8")
    claims = root / "claims" / "mini-a.yaml"
    text = claims.read_text(encoding="utf-8")
    text = text.replace("    gloss: When subordinates discount, superiors escalate.\n",
                        f"    gloss: When subordinates discount, superiors escalate.\n    conjecture: {_yaml('读作加码' + p['link'] + p['attr'])}\n")
    claims.write_text(text, encoding="utf-8")
    return root
