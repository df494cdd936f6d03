"""How sure a claim is (certainty) and whether it states a norm (modality), read from the text's hedge word.

The table is the v2 claim format's (claims/README.md): a hedge word gives a certainty on the
ordinal scale possibly < likely < asserted < necessarily, or, for a normative word, a modality
(obligation: must / should; necessity: only if / can only) and no certainty. A claim's explicit
`certainty:` or `modality:` overrides the table.
"""

from __future__ import annotations

from kg.inputs.vocabulary import CERTAINTIES

RANK = {c: i for i, c in enumerate(CERTAINTIES, 1)}

_TABLE = {
    "necessarily": "必然 必定 一定 势必 勢必 必 注定 免不了 自然",
    "likely": "会 會 就会 就會 只会 只會 往往 容易 更可能 很可能 一般 通常 可能性增加",
    "possibly": "可能 或许 或許 也许 也許 有时候 有時候 一定程度上 一定的 尚可 可以 不容易",
}
_NORMS = {
    "obligation": "必须 必須 就要 就得 应当 應當 应该 應該 要",
    "necessity": "只能 才能 只有 只有…才 只有……才",
}
HEDGE_CERTAINTY = {w: c for c, words in _TABLE.items() for w in words.split()}
HEDGE_MODALITY = {w: m for m, words in _NORMS.items() for w in words.split()}


def from_hedge(hedge: str) -> tuple[str | None, str] | None:
    """(certainty, modality) the table gives a hedge word: certainty None for a norm, modality "" for none.

    An empty hedge is an assertion. None when the word is not in the table.
    """
    hedge = hedge.strip()
    if not hedge:
        return "asserted", ""
    if hedge in HEDGE_MODALITY:
        return None, HEDGE_MODALITY[hedge]
    if hedge in HEDGE_CERTAINTY:
        return HEDGE_CERTAINTY[hedge], ""
    return None


def at_least(certainty: str, minimum: str | None) -> bool:
    """Whether a claim's certainty reaches `minimum` (None: no minimum). A norm (no certainty) reaches none."""
    if minimum is None:
        return True
    return bool(certainty) and RANK[certainty] >= RANK[minimum]
