"""Synthetic govkg projects of any size, with the real project's shape: concept Turtle, source records and texts, claim YAML.

Every claim is a valid claim: its concepts exist, its quote stands verbatim in its source's text.
Concepts are 1 per 5 claims, sources 1 per 1,000 claims (so no file passes govkg's 10 MB limit),
a tenth of the statements are three-step chains, a twentieth carry a condition. Links mostly go
"forward" a short way along the concept numbering, some go back, so there are long paths and
feedback loops as in a real causal map. Planted for the benchmark's queries: k0 → k1 → k2.
Concepts' labels and definitions are composed from small vocabularies (labels from the
concept's number, definitions from a seeded random draw), so that two of them differ as real ones do:
one template for all would make nearly every pair "near-identical" to `kg validate`.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLAIMS_PER_SOURCE = 1000
CONCEPTS_PER_FILE = 20_000
CLASSES = ("Actor", "Incentive", "Mechanism", "Outcome", "Condition", "Intervention")
LEVELS = ("county", "township", "village")
HEDGES = ("会", "可能", "必然", "往往")
GENERATION = "3"  # bump when the output changes, so that bench/warm.py's kept projects are written again
# Words for English labels (a word per digit of the concept's number, in mixed radix)
LABEL_WORDS = (
    ("fiscal", "cadre", "village", "party", "land", "petition", "audit", "quota", "welfare", "township", "school", "credit",
     "water", "forest", "transport", "clinic", "market", "pension", "census", "housing", "youth", "elder", "border", "harvest"),
    ("pressure", "rotation", "inspection", "contract", "campaign", "ranking", "subsidy", "mediation", "transfer",
     "bargain", "evasion", "capture", "pledge", "veto", "drift", "overload", "patronage", "shortfall",
     "mandate", "appeal", "rumour", "brokerage", "quarrel", "outcry"),
)
# Two words after the number of a Chinese label, by i mod 23 and i // 23 mod 23: a number one digit away
# from another (10 and 102, 1000 and 4000) differs from it by no multiple of 23² = 529, so their words differ
LABEL_ZH = ("财政", "干部", "村务", "党建", "土地", "信访", "审计", "指标", "低保", "网格", "学校", "信贷", "水利", "林权",
            "道路", "卫生", "集市", "养老", "普查", "住房", "青年", "边境", "收成")
# Words of definitions, drawn with a seeded generator: pairs differ as real definitions do
DEF_EN = ("the", "of", "a", "local", "officials", "township", "county", "village", "cadres", "households", "pressure",
          "targets", "funds", "from", "above", "when", "which", "budget", "rules", "informal", "tasks", "blame",
          "shift", "evaluation", "inspections", "petitions", "land", "revenue", "committee", "party", "secretary",
          "reports", "meeting", "campaign", "quota", "resources", "residents", "migrants", "contract", "subsidy",
          "projects", "higher", "levels", "grassroots", "discretion", "incentive", "penalty", "promotion", "veto",
          "one-vote", "stability", "maintenance", "paperwork", "slogans", "collective", "enterprise", "loans", "debt")
DEF_ZH = ("基层", "干部", "乡镇", "县级", "村委会", "考核", "指标", "压力", "财政", "转移", "支付", "上访", "维稳", "任务",
          "层层", "加码", "问责", "避责", "激励", "晋升", "一票否决", "运动式", "治理", "项目", "资金", "土地", "征收",
          "村民", "自治", "党支部", "书记", "文件", "会议", "检查", "督查", "台账", "痕迹", "形式", "主义", "资源",
          "分配", "关系", "人情", "非正式", "规则", "变通", "执行", "政策", "目标", "责任", "下沉", "包村", "网格")


def parse_size(text: str) -> int:
    """'1k' → 1000, '1M' → 1000000, '250' → 250."""
    text = text.strip()
    mult = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def _zh(i: int) -> str:
    return "概念" + "".join("零一二三四五六七八九"[int(d)] for d in str(i))


def _label_en(i: int) -> str:
    """A distinct English label for concept i: a word per mixed-radix digit of i, from LABEL_WORDS's lists in turn (two at least)."""
    words = []
    while i or len(words) < 2:
        vocab = LABEL_WORDS[len(words) % len(LABEL_WORDS)]
        words.append(vocab[i % len(vocab)])
        i //= len(vocab)
    return " ".join(words)


def _label_zh(i: int) -> str:
    n = len(LABEL_ZH)
    return _zh(i) + LABEL_ZH[i % n] + LABEL_ZH[i // n % n]


def _definitions(rng: random.Random) -> tuple[str, str]:
    """(Chinese, English) definitions of a concept, words drawn from DEF_ZH and DEF_EN."""
    zh = "".join(rng.choice(DEF_ZH) for _ in range(rng.randint(6, 11)))
    en = " ".join(rng.choice(DEF_EN) for _ in range(rng.randint(8, 16)))
    return zh + "。", en[0].upper() + en[1:] + "."


def _concepts(out: Path, n: int, seed: int) -> None:
    rng = random.Random(seed + 1)  # its own generator: the links' draws stay what they were
    for start in range(0, n, CONCEPTS_PER_FILE):
        lines = ["@prefix gkv: <https://w3id.org/govkg/vocab#> .", "@prefix gkc: <https://w3id.org/govkg/concept/> .",
                 "@prefix gks: <https://w3id.org/govkg/source/> .", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
                 "@prefix dcterms: <http://purl.org/dc/terms/> .", ""]
        for i in range(start, min(n, start + CONCEPTS_PER_FILE)):
            zh, en = _definitions(rng)
            lines += [
                f"gkc:k{i} a skos:Concept , gkv:{CLASSES[i % len(CLASSES)]} ;",
                "    skos:inScheme gkc: ;",
                f'    skos:prefLabel "{_label_zh(i)}"@zh , "{_label_en(i)}"@en ;',
                f'    skos:definition "{zh}"@zh , "{en}"@en ;',
                f"    dcterms:source gks:s{i * 5 // CLAIMS_PER_SOURCE % max(1, n * 5 // CLAIMS_PER_SOURCE)} .",
                "",
            ]
        (out / f"concepts-{start // CONCEPTS_PER_FILE:03d}.ttl").write_text("\n".join(lines), encoding="utf-8")


def _links(n_claims: int, n_concepts: int, rng: random.Random):
    """(cause, effect) for every claim: each concept is a cause once, then random short hops."""
    planted = [(0, 1), (1, 2)]
    for i in range(n_claims - len(planted)):
        cause = i + 3 if i + 3 < n_concepts else rng.randrange(n_concepts)
        hop = rng.randint(1, 12) if rng.random() < 0.9 else -rng.randint(1, 12)
        effect = (cause + hop) % n_concepts
        planted.append((cause, effect if effect != cause else (cause + 1) % n_concepts))
    return planted


def generate(root: Path, n_claims: int, seed: int = 7) -> Path:
    """Write a project of n_claims claims (links) under root; returns root."""
    rng = random.Random(seed)
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    (root / "ontology").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "claims").mkdir()
    for name in ("schema.ttl", "shapes.ttl"):
        shutil.copy(REPO / "ontology" / name, root / "ontology" / name)
    shutil.copytree(REPO / "ontology" / "checks", root / "ontology" / "checks")
    n_concepts = max(12, n_claims // 5)
    _concepts(root / "ontology", n_concepts, seed)
    (root / "sources" / "works.yaml").write_text("[]\n", encoding="utf-8")
    links = _links(n_claims, n_concepts, rng)
    n_sources = max(1, n_claims // CLAIMS_PER_SOURCE)
    for s in range(n_sources):
        sid = f"s{s}"
        (root / "sources" / f"{sid}.yaml").write_text(
            f"id: {sid}\nkind: article\ntitle: 合成文献{s}\ntitle_en: \"Synthetic source {s}\"\nauthors: [作者{s % 97}]\n"
            f"container: 基准期刊\nissued: \"20{10 + s % 15}-0{1 + s % 9}\"\nlanguage: zh-Hans\n"
            f"note: A synthetic source written by bench/generate.py.\n", encoding="utf-8")
        text, claims = [f"合成文献{s}的正文。", ""], [f"source: {sid}", "claims:"]
        lo, hi = s * n_claims // n_sources, (s + 1) * n_claims // n_sources
        i = lo
        while i < hi:
            chain = i + 1 < hi and rng.random() < 0.1 and links[i][1] == links[i + 1][0] and links[i][0] != links[i + 1][1]
            if not chain and rng.random() < 0.1 and i + 1 < hi and links[i][0] != (links[i][1] + 1) % n_concepts:
                # make the next link continue this one, so that it can be stated as one chain
                links[i + 1] = (links[i][1], (links[i][1] + rng.randint(1, 12)) % n_concepts)
                chain = links[i][0] != links[i + 1][1] and links[i + 1][0] != links[i + 1][1]
            a, b = links[i]
            quote = f"{_zh(a)}使{_zh(b)}增强(第{i}条)" if not chain else f"{_zh(a)}导致{_zh(b)},进而导致{_zh(links[i + 1][1])}(第{i}条)"
            text += [f"据调查,{quote},这一点很明显。", "其他的句子。" if i % 3 == 0 else ""]
            claims.append(f"  - id: c{i}")
            if chain:
                claims.append(f"    chain: [k{a}, k{b}, k{links[i + 1][1]}]")
            else:
                claims += [f"    cause: k{a}", f"    effect: k{b}"]
            claims.append(f"    polarity: {'negative' if rng.random() < 0.2 else 'positive'}")
            if rng.random() < 0.05:
                claims.append(f"    conditions: [k{(a + 7) % n_concepts}]")
            claims += ["    evidence: " + ("argument" if i % 2 else "case"), f"    hedge: {HEDGES[i % 4]}"]
            if i % 4 == 0:
                claims += ["    scope:", f"      level: [{LEVELS[i % 3]}]"]
            claims += [f"    quote: {quote}", "    gloss: >-", f"      Synthetic claim {i}: concept {a} raises concept {b}"
                       + (f", which raises concept {links[i + 1][1]}." if chain else ".")]
            i += 2 if chain else 1
        (root / "sources" / f"{sid}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
        (root / "claims" / f"{sid}.yaml").write_text("\n".join(claims) + "\n", encoding="utf-8")
    return root


if __name__ == "__main__":
    out = generate(Path(sys.argv[1]), parse_size(sys.argv[2]))
    print(f"wrote {out}")
