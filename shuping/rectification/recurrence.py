"""年年在: does a new problem say again what an earlier year's item said?

The text is rewritten every year, so exact words do not match. A problem becomes a
sparse vector of weighted terms — jieba words plus character bigrams, each weighted by
how rare it is in a background of official 党建 writing (the report samples and the
boilerplate below), so 落实、不到位、加强 count for little and 党费、流动党员、集体经济
for much — normalised to unit length. Two problems are alike when the cosine of their
vectors reaches THRESHOLD.

The vector is computed once when an item is saved and stored on it (`Item.vector`), so
comparing a new item with an organization's history is a dot product per earlier item.
The weights are fixed by the background, not by the ledger's contents, so a stored
vector never needs recomputing as the ledger grows.

Chosen by measurement on the 72 labelled pairs in tests/pairs.py (best threshold each,
F1 / precision / recall): jieba words alone 0.78 / 0.70 / 0.89; character bigrams alone
0.75 / 0.65 / 0.89; both, plainly weighted 0.77 / 0.66 / 0.92; both with words of judgement
down-weighted by part of speech and a small lexicon (this module) 0.87 / 0.81 / 0.94 at
0.30. Chosen on half the pairs, 0.30 held on the other half (0.76 / 0.89). Comparing clause
by clause (max over clause pairs) did not help and was dropped.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from shuping.reports.samples import load_sample

THRESHOLD = 0.30
ROUND = 4  # digits kept in stored vectors

# Boilerplate of problem statements: it makes these words common in the background.
BOILERPLATE = """
存在的问题主要表现在以下几个方面。
一是落实不到位，二是抓得不够紧，三是工作不够扎实。
工作不够深入，措施不够有力，效果不够明显。
思想认识不够到位，责任意识不强，工作标准不高。
制度落实不到位，执行不够严格，监督检查不够。
存在重业务轻党建的思想，抓党建工作的主动性不强。
工作创新不够，方法不多，办法不新。
推进力度不够，进展较慢，成效不明显。
对问题整改的跟踪问效不够，整改不到位。
加强管理，规范程序，健全制度，狠抓落实。
党组织作用发挥不够充分，党员作用发挥不明显。
原因分析：主观上思想认识有偏差，客观上人员力量不足。
下一步将进一步加强学习，压实责任，强化措施，确保取得实效。
个别党员意识淡薄，部分工作流于形式，有时存在应付现象。
工作开展不平衡，有的支部好，有的支部差。
"""

_TERM = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "等",
        "在",
        "是",
        "有",
        "中",
        "对",
        "为",
        "把",
        "被",
        "将",
        "从",
        "上",
        "下",
        "不",
        "没有",
        "存在",
        "问题",
        "情况",
        "个别",
        "部分",
        "一些",
        "仍",
        "还",
        "较",
        "比较",
        "主要",
        "方面",
        "工作",
        "进一步",
    ]
)
# Parts of speech that carry the judgement, not the subject (jieba's tags: adverbs,
# adjectives, conjunctions, prepositions, particles, pronouns, numerals, measure words …)
JUDGEMENT_POS = frozenset(
    ["d", "a", "ad", "an", "c", "p", "u", "uj", "ul", "r", "m", "q", "x", "f", "y", "zg"]
)
# Words of judgement whatever their tag: 不到位、滞后、偏低 … say how bad, not what.
JUDGEMENT = re.compile(
    r"^(不|未|没|缺|少|低|弱|慢|差|难|偏|较|过|欠)"
    r"|(不足|不够|不力|不严|不强|不高|不紧|不实|不明显|不及时|不到位|不充分|不规范|滞后|缓慢"
    r"|薄弱|单一|偏低|偏少|偏大|老化|形式|到位|及时|规范|有力|明显|充分|严格)$"
)
JUDGEMENT_WEIGHT = 0.1
SUBWORD_WEIGHT = 0.5  # bigrams inside a long word: 村集体经济 still meets 集体经济
BIGRAM_WEIGHT = 0.3  # bigrams across the text, except those with 不 (pure judgement)

jieba.setLogLevel(logging.WARNING)


def term_weights(text: str) -> dict[str, float]:
    """Weighted terms of one problem: content words count fully, words of judgement
    little, character bigrams (inside long words and across the text) in between."""
    out: defaultdict[str, float] = defaultdict(float)
    for token in pseg.cut(text):
        w, flag = token.word.strip(), token.flag
        if len(w) < 2 or w in STOPWORDS or not all(_TERM.match(ch) for ch in w):
            continue
        weight = JUDGEMENT_WEIGHT if flag in JUDGEMENT_POS or JUDGEMENT.search(w) else 1.0
        out["w:" + w] += weight
        if len(w) >= 3:
            for i in range(len(w) - 1):
                out["c:" + w[i : i + 2]] += weight * SUBWORD_WEIGHT
    for run in re.findall(r"[\u4e00-\u9fff0-9A-Za-z]+", text):
        for i in range(len(run) - 1):
            if "不" not in run[i : i + 2]:
                out["c:" + run[i : i + 2]] += BIGRAM_WEIGHT
    return out


def _sentences(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        out.extend(s for s in re.split(r"[。；;！？\n]", text) if len(s.strip()) >= 6)
    return out


@lru_cache(maxsize=1)
def _background() -> tuple[int, dict[str, int]]:
    """Document frequencies over the background sentences (computed once per process)."""
    texts = [BOILERPLATE]
    for name in ("000_good", "001_good", "003_good", "004_good"):
        texts.extend(load_sample(name).values())
    docs = _sentences(texts)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(term_weights(doc)))
    return len(docs), dict(df)


def idf(term: str) -> float:
    n, df = _background()
    return math.log((n + 1) / (df.get(term, 0) + 1)) + 1.0


def vectorize(text: str) -> dict[str, float]:
    vec = {t: w * idf(t) for t, w in term_weights(text).items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: round(v / norm, ROUND) for t, v in vec.items()}


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def similar(a: str, b: str) -> bool:
    return similarity(vectorize(a), vectorize(b)) >= THRESHOLD


# --- measurement (used by the tests and for choosing the method) ---------------------


def measure(
    positives: list[tuple[str, str]],
    negatives: list[tuple[str, str]],
    *,
    threshold: float = THRESHOLD,
) -> tuple[float, float]:
    """(precision, recall) of "similar" on labelled pairs."""

    def score(pair: tuple[str, str]) -> float:
        return similarity(vectorize(pair[0]), vectorize(pair[1]))

    tp = sum(score(p) >= threshold for p in positives)
    fp = sum(score(p) >= threshold for p in negatives)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / len(positives) if positives else 1.0
    return precision, recall
