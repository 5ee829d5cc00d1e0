"""Turning catalogue text and user queries into search tokens (no database access here).

Chinese has no spaces, so both the index and the query go through the same jieba
search-mode segmentation (``cut_for_search``): 申领营业执照 becomes 申领 / 营业 / 执照 /
营业执照, which is why a search for 营业执照 finds it. Tokens are normalised (NFKC, lower
case) and reduced to runs of letters and digits, so what the database tokenizer sees is
always plain words separated by spaces — on SQLite FTS5 and PostgreSQL alike.

Item names also carry pinyin: full pinyin (``yingyezhizhao``) and initials (``yyzz``) of
the whole name and of each of its words.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

# Runs of letters or digits (Han characters count as letters); everything else separates.
_WORD_RE = re.compile(r"[^\W_]+")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# A token longer than this is noise (a pasted hash, a run of one letter) and PostgreSQL
# refuses words over 2,047 bytes anyway; both sides drop them so they stay consistent.
MAX_TOKEN_CHARS = 60
# A query is a few words typed into a box: the rest of a pasted essay is ignored.
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 16
# Pinyin and English words of at least this length also match as prefixes
# (``yingye`` finds 营业执照, ``licen`` finds "licence").
MIN_PREFIX_CHARS = 2
# Longer Han "words" (rare: jieba's HMM joining unknown characters) are not searched for
# inner dictionary words beyond what cut_for_search yields; that search is quadratic.
_MAX_EXTENDED_WORD = 16


@functools.cache
def _jieba() -> ModuleType:
    """jieba, with its dictionary loaded once per process and its chatter silenced.

    The state lives in jieba's own global tokenizer, which is read-only after loading.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def normalise(text: str) -> str:
    """Full-width forms to half-width, compatibility characters folded, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _words(token: str) -> Iterator[str]:
    for word in _WORD_RE.findall(token):
        if len(word) <= MAX_TOKEN_CHARS:
            yield word


def segment(text: str) -> list[str]:
    """Search-mode tokens of ``text``, in order, repeats kept (positions matter for ranking).

    jieba's ``cut_for_search`` yields the dictionary words of two and three characters
    inside each longer word, then the word; this also yields those of four characters
    and more (人民共和国 inside 中华人民共和国), so a long word never hides a shorter one.
    """
    text = normalise(text)
    if not text.strip():
        return []
    jieba = _jieba()
    freq = jieba.dt.FREQ
    tokens: list[str] = []
    for word in jieba.cut_for_search(text):
        if 4 < len(word) <= _MAX_EXTENDED_WORD and has_han(word):
            tokens.extend(
                sub
                for size in range(4, len(word))
                for start in range(len(word) - size + 1)
                if freq.get(sub := word[start : start + size])
            )
        tokens.extend(_words(word))
    return tokens


def has_han(text: str) -> bool:
    return _HAN_RE.search(text) is not None


def pinyin_tokens(name: str) -> list[str]:
    """Full pinyin and initials of a name and of each of its words, without repeats.

    申领营业执照 → shenlingyingyezhizhao, slyyzz, shenling, sl, yingye, yy, zhizhao, zz,
    yingyezhizhao, yyzz.
    """
    from pypinyin import Style, lazy_pinyin

    name = normalise(name)
    pieces = [name, *(w for w in segment(name) if has_han(w))]
    seen: dict[str, None] = {}
    for piece in pieces:
        if not has_han(piece):
            continue
        for style in (Style.NORMAL, Style.FIRST_LETTER):
            joined = "".join(_WORD_RE.findall("".join(lazy_pinyin(piece, style=style))))
            if 1 < len(joined) <= MAX_TOKEN_CHARS:
                seen[joined.lower()] = None
    return list(seen)


def join_tokens(texts: Iterable[str]) -> str:
    """Segment several texts into one space-separated token string."""
    return " ".join(token for text in texts if text for token in segment(text))


# --- Queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One token to look for; ``prefix`` also matches longer tokens starting with it."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """What a user's query searches for, independent of the database.

    ``terms`` are ANDed (or ORed in the fallback); ``joined`` is an alternative for
    pinyin typed with spaces (``ying ye zhi zhao`` → ``yingyezhizhao*``).
    """

    tokens: tuple[str, ...]
    terms: tuple[Term, ...]
    joined: Term | None = None

    def __bool__(self) -> bool:
        return bool(self.terms)


def _is_ascii_letters(token: str) -> bool:
    return token.isascii() and token.isalpha()


def parse_query(raw: str) -> Query:
    """Tokens of a user's query; any text is accepted, syntax characters are just text."""
    tokens = list(dict.fromkeys(segment(raw[:MAX_QUERY_CHARS])))[:MAX_QUERY_TERMS]
    terms = tuple(
        Term(t, prefix=_is_ascii_letters(t) and len(t) >= MIN_PREFIX_CHARS) for t in tokens
    )
    joined = None
    if len(terms) > 1 and all(_is_ascii_letters(t) for t in tokens):
        together = "".join(tokens)
        if len(together) <= MAX_TOKEN_CHARS:
            joined = Term(together, prefix=True)
    return Query(tokens=tuple(tokens), terms=terms, joined=joined)
