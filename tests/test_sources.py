"""Cleaning the seeds: reproducible byte for byte, spam and pinyin gone, garbled stretches marked."""

from __future__ import annotations

import pytest

from kg.errors import Problem
from kg.inputs.cleaning import GARBLED_MARK, PINYIN_ANNOTATION, DropLines, Recipe, RecipeError, clean_text
from kg.inputs.sources import check_against_seeds, clean_from_seed, load_sources

from .conftest import REPO, SEEDS

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")


@pytest.fixture(scope="module")
def sources():
    problems: list[Problem] = []
    srcs, works = load_sources(REPO / "sources", problems)
    assert not problems
    return srcs, works


@needs_seeds
def test_cleaning_reproduces_committed_texts_byte_for_byte(sources):
    srcs, _ = sources
    assert len(srcs) == 5
    for src in srcs.values():
        assert clean_from_seed(src, SEEDS).encode("utf-8") == src.text_path.read_bytes(), src.id
    assert check_against_seeds(srcs, SEEDS) == []


@needs_seeds
def test_check_reports_an_edited_text(sources, tmp_path):
    srcs, _ = sources
    src = srcs["zuo-2023"]
    src_copy = type(src)(**{**src.__dict__, "text": src.text.replace("左瑋", "左玮")})
    problems = check_against_seeds({"zuo-2023": src_copy}, SEEDS)
    assert [p.code for p in problems] == ["not-reproducible"]
    assert problems[0].line == src.line_of_offset(src.text.index("左瑋"))


def test_no_pinyin_or_spam_left(sources):
    srcs, _ = sources
    for sid in ("zuo-2023", "zhou-2021"):
        text = srcs[sid].text
        assert not PINYIN_ANNOTATION.search(text)
        assert "(wǎng)" not in text and "網(" not in text
        assert "中文字幕" not in text and "<sub" not in text
    assert "發(fā)" not in srcs["zuo-2023"].text
    assert "猜你喜歡" not in srcs["zhou-2021"].text
    assert "打字猴" not in srcs["xxzg-collusion"].text and "上一页" not in srcs["xxzg-dingge"].text
    assert "发布评论" not in srcs["xxzg-notes"].text


def test_garbled_stretches_are_marked_not_guessed(sources):
    srcs, _ = sources
    zuo, zhou = srcs["zuo-2023"].text, srcs["zhou-2021"].text
    assert zuo.count(GARBLED_MARK) == 18 and zhou.count(GARBLED_MARK) == 7
    assert "??此聘咝" not in zuo and "?lián)" not in zhou
    assert "追求“號令即出、即刻反饋”" + GARBLED_MARK + "把上級發文" in zuo
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in zuo + zhou)  # no private-use mojibake survives


def test_article_text_is_otherwise_untouched(sources):
    srcs, _ = sources
    assert "【文/觀察者網專欄作者 左瑋】" in srcs["zuo-2023"].text
    assert "1703209261 个人成为责任主体,每个人首先是“自保”" in srcs["xxzg-collusion"].text


def test_documents_and_works(sources):
    srcs, works = sources
    assert {s.work for s in srcs.values()} == {"xxzg", "zuo-2023", "zhou-2021"}
    assert {s.id for s in srcs.values() if s.work == "xxzg"} == {"xxzg-notes", "xxzg-collusion", "xxzg-dingge"}
    assert srcs["xxzg-notes"].kind == "reading-notes" and srcs["xxzg-collusion"].kind == "book-excerpt"
    assert srcs["zuo-2023"].authors == ("左瑋",) and srcs["zuo-2023"].issued == "2023-01-20"
    assert srcs["zhou-2021"].container == "黨員文摘" and srcs["zhou-2021"].issue == "2021年10期"
    assert works["xxzg"].title == "县乡中国:县域治理现代化"


def test_recipe_errors_are_reported():
    with pytest.raises(RecipeError, match="outside"):
        clean_text("a\nb\n", Recipe(drop=(DropLines(3, 4, "x"),)))
    with pytest.raises(RecipeError, match="does not occur"):
        clean_text("abc", Recipe(garbled=("zzz",)))


def test_pinyin_rule_only_strips_annotations():
    raw = "網(wǎng)絡 (資料圖) (2020年12期) 發(fā)展 word(abc)"
    assert clean_text(raw, Recipe(strip_pinyin=True)) == "網絡 (資料圖) (2020年12期) 發展 word(abc)"
