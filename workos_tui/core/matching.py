"""Text normalisation and similarity: duplicate detection and candidate selection.

Shared by the offline engine (is this backlog item an open task already?), by `prepare`
(which tasks a model is shown for each item, so a prompt stays small with 10,000 tasks)
and by the aggregator (two items of one run that describe the same thing).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

# At or above: the same piece of work. At or above STRONG: merged by default.
DUPLICATE_THRESHOLD = 0.72
STRONG_DUPLICATE_THRESHOLD = 0.85

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "so",
        "to",
        "of",
        "for",
        "on",
        "in",
        "into",
        "onto",
        "at",
        "by",
        "from",
        "with",
        "without",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "done",
        "have",
        "has",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "me",
        "we",
        "you",
        "they",
        "i",
        "he",
        "she",
        "them",
        "us",
        "some",
        "any",
        "all",
        "more",
        "most",
        "very",
        "really",
        "just",
        "maybe",
        "perhaps",
        "please",
        "pls",
        "need",
        "needs",
        "should",
        "would",
        "could",
        "will",
        "shall",
        "can",
        "may",
        "might",
        "must",
        "also",
        "too",
        "up",
        "out",
        "off",
        "over",
        "again",
        "etc",
        "via",
        "per",
    ]
)

# Words people use interchangeably for the same action or thing (after lowercasing).
SYNONYMS: dict[str, str] = {
    "investigate": "research",
    "explore": "research",
    "look": "research",
    "examine": "research",
    "study": "research",
    "repair": "fix",
    "resolve": "fix",
    "solve": "fix",
    "draft": "write",
    "compose": "write",
    "e-mail": "email",
    "mail": "email",
    "emails": "email",
    "purchase": "buy",
    "order": "buy",
    "reserve": "book",
    "docs": "doc",
    "documentation": "doc",
    "document": "doc",
    "meeting": "meet",
    "meetings": "meet",
    "bug": "bug",
    "issue": "bug",
    "phone": "call",
    "ring": "call",
    "create": "make",
    "build": "make",
    "setup": "set",
}

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_VOWELS = frozenset("aeiouy")


def stem(word: str) -> str:
    """A deliberately small English stemmer: plurals, -ing, -ed, a trailing e."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            root = word[: -len(suffix)]
            if any(c in _VOWELS for c in root):
                word = root
                if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]  # running -> runn -> run
                break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    return word


@lru_cache(maxsize=65_536)
def tokens(text: str) -> tuple[str, ...]:
    """Content words of `text`: case-folded, accents kept, punctuation and stop words
    dropped, synonyms unified, stemmed. Order is kept."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for raw in _WORD.findall(text):
        word = raw.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.replace("'", "")
        if not word or word in STOP_WORDS:
            continue
        out.append(stem(SYNONYMS.get(word, word)))
    return tuple(out)


def normalize(text: str) -> str:
    """`tokens` joined by spaces: the form every score below compares."""
    return " ".join(tokens(text))


def _coverage(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of the longer text's words that the other has too (typos forgiven)."""
    sa, sb = set(a), set(b)
    common = len(sa & sb)
    for word in sa - sb:
        if len(word) >= 5 and any(fuzz.ratio(word, other) >= 85 for other in sb - sa):
            common += 1
    return common / max(len(sa), len(sb))


def similarity(a: str, b: str) -> float:
    """0..1: how likely two short texts describe the same piece of work.

    Token-set ratio catches reworded and re-ordered titles, token-sort ratio and word
    coverage keep a short title from matching every longer one that contains it.
    """
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    na, nb = " ".join(ta), " ".join(tb)
    if na == nb:
        return 1.0
    token_set = fuzz.token_set_ratio(na, nb) / 100.0
    token_sort = fuzz.token_sort_ratio(na, nb) / 100.0
    score = 0.45 * token_set + 0.30 * token_sort + 0.25 * _coverage(ta, tb)
    return round(min(1.0, score), 4)


def most_similar(
    query: str,
    choices: Sequence[tuple[str, str]],
    *,
    limit: int = 10,
    min_score: float = 0.0,
) -> list[tuple[str, float]]:
    """The `limit` choices (id, text) most similar to `query`, best first.

    A C-speed token-set prefilter over every choice, then the full `similarity` on the
    few that pass, so 10,000 choices cost milliseconds.
    """
    nq = normalize(query)
    if not nq or not choices or limit <= 0:
        return []
    normalized = [normalize(text) for _, text in choices]
    rough = process.extract(
        nq,
        normalized,
        scorer=fuzz.token_set_ratio,
        limit=max(limit * 4, 20),
        score_cutoff=30,
    )
    scored = [(choices[i][0], similarity(query, choices[i][1])) for _, _, i in rough]
    scored = [(cid, s) for cid, s in scored if s >= min_score]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def group_similar(
    texts: Sequence[tuple[str, str]], *, threshold: float = DUPLICATE_THRESHOLD
) -> list[list[str]]:
    """Group ids whose texts describe the same thing (single link), in input order."""
    parent = {cid: cid for cid, _ in texts}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, (id_a, text_a) in enumerate(texts):
        for id_b, text_b in texts[i + 1 :]:
            if similarity(text_a, text_b) >= threshold:
                parent[find(id_b)] = find(id_a)
    groups: dict[str, list[str]] = {}
    for cid, _ in texts:
        groups.setdefault(find(cid), []).append(cid)
    return list(groups.values())


def keywords(texts: Iterable[str]) -> set[str]:
    """The normalised content words of several texts together."""
    out: set[str] = set()
    for text in texts:
        out.update(tokens(text))
    return out
