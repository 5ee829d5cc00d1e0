"""Turning catalogue text and user queries into search tokens (no database access here).

Chinese has no spaces, so both the index and the query go through the same jieba
search-mode segmentation (``cut_for_search``): 申领营业执照 becomes 申领 / 营业 / 执照 /
营业执照, which is why a search for 营业执照 finds it. Tokens are normalised (NFKC, lower
case) and reduced to runs of letters and digits, so what the database tokenizer sees is
always plain words separated by spaces — on SQLite FTS5 and PostgreSQL alike.

Item names also carry pinyin: full pinyin (``yingyezhizhao``) and initials (``yyzz``) of
the whole name and of each of its words.

Traditional characters are converted to simplified ones (OpenCC ``t2s``) in ``normalise``,
on both sides: 營業執照 finds 营业执照. Each indexed name also has *exact keys*
(``name_keys``): the name, the English name, the full pinyin and the initials, each squeezed
to one run of letters and digits; a query whose own key equals one ranks that entry first.

Everyday words reach the catalogue's words through synonyms (``Synonym``; the table is
edited in the admin, ``SearchSynonym``): a query word that is a synonym's term, or its
pinyin or initials, becomes a group of alternatives (驾照 OR 驾驶证).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

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
# An exact key longer than this is not stored (PostgreSQL's limit on a btree entry, and
# no one types a 200-character name to find it).
MAX_KEY_CHARS = 200
# Pinyin initials of a synonym's term match only from this length on: two letters (hz)
# are initials of too many words to expand safely.
MIN_SYNONYM_INITIALS = 3
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


@functools.cache
def _t2s() -> Any:
    """The OpenCC traditional-to-simplified converter, loaded once per process on first use.

    Its dictionaries cost memory and ~0.2 s to load: a process that never sees a Han
    character (an API worker answering English queries) never loads them.
    """
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Full-width forms to half-width, compatibility characters folded, lower case,
    traditional characters to simplified (營業執照 → 营业执照)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return str(_t2s().convert(folded)) if has_han(folded) else folded


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


def exact_key(text: str) -> str:
    """``text`` squeezed to one run of letters and digits (企业设立登记, ``businesslicence``);
    empty when nothing is left or the key would be longer than ``MAX_KEY_CHARS``."""
    key = "".join(_WORD_RE.findall(normalise(text or "")))
    return key if len(key) <= MAX_KEY_CHARS else ""


def _pinyin(text: str) -> tuple[str, str]:
    """Full pinyin and initials of ``text`` (normalised), letters and digits only."""
    from pypinyin import Style, lazy_pinyin

    full, initials = (
        "".join(_WORD_RE.findall("".join(lazy_pinyin(text, style=style)))).lower()
        for style in (Style.NORMAL, Style.FIRST_LETTER)
    )
    return full, initials


def name_keys(*names: str) -> list[str]:
    """The exact keys of an entry's names: each name squeezed (``exact_key``), and the full
    pinyin and the initials of each Chinese name, without repeats or empty keys."""
    keys: dict[str, None] = {}
    for name in names:
        key = exact_key(name)
        if not key:
            continue
        keys[key] = None
        if has_han(key):
            for spelling in _pinyin(normalise(name)):
                if 1 < len(spelling) <= MAX_KEY_CHARS:
                    keys[spelling] = None
    return list(keys)


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


# Terms that must all be found (one way of saying something: 开办 AND 企业).
Conjunction = tuple[Term, ...]
# Ways of saying the same thing, any of which will do (驾照 OR 驾驶 AND 驾驶证).
Group = tuple[Conjunction, ...]


@dataclass(frozen=True)
class Synonym:
    """An everyday word (``term``) and the catalogue's words it stands for, normalised.

    ``pinyin`` and ``initials`` are those of a Chinese term (kaigongsi, kgs), so that a
    query typed in pinyin reaches the expansions too.
    """

    term: str
    expansions: tuple[str, ...]
    pinyin: str = ""
    initials: str = ""


_EXPANSION_SEPARATORS = re.compile(r"[,，、;；|/\n]+")


def make_synonyms(pairs: Iterable[tuple[str, str]]) -> tuple[Synonym, ...]:
    """Synonyms from (term, expands_to) pairs; ``expands_to`` may list several words
    separated by commas or 、. Rows of one term are merged; empty ones are dropped.
    Longest terms first, so that the longest match wins when terms overlap."""
    merged: dict[str, dict[str, None]] = {}
    for term, expands_to in pairs:
        key = " ".join(normalise(term or "").split())
        if not key or not _WORD_RE.search(key):
            continue
        for word in _EXPANSION_SEPARATORS.split(expands_to or ""):
            word = " ".join(normalise(word).split())
            if word and word != key and _WORD_RE.search(word):
                merged.setdefault(key, {})[word] = None
    synonyms = []
    for term, words in merged.items():
        if not words:
            continue
        full, initials = _pinyin(term) if has_han(term) else ("", "")
        synonyms.append(
            Synonym(
                term=term,
                expansions=tuple(words),
                pinyin=full if len(full) > 1 else "",
                initials=initials if len(initials) >= MIN_SYNONYM_INITIALS else "",
            )
        )
    return tuple(sorted(synonyms, key=lambda syn: (-len(syn.term), syn.term)))


@dataclass(frozen=True)
class Query:
    """What a user's query searches for, independent of the database.

    ``terms`` are the query's own words (``tokens``), ANDed (or ORed in the fallback);
    ``joined`` is an alternative for pinyin typed with spaces (``ying ye zhi zhao`` →
    ``yingyezhizhao*``). ``groups`` is what the stores search for: one group per word or
    synonym found, groups ANDed (ORed in the fallback), the alternatives of a group ORed.
    ``keys``: exact keys (``name_keys``) of the query; an entry with one of them ranks
    first. ``highlights``: the words to mark in results (the query's and its synonyms').
    """

    tokens: tuple[str, ...]
    terms: tuple[Term, ...]
    joined: Term | None = None
    groups: tuple[Group, ...] = ()
    keys: tuple[str, ...] = ()
    highlights: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


def _is_ascii_letters(token: str) -> bool:
    return token.isascii() and token.isalpha()


def _term(token: str) -> Term:
    return Term(token, prefix=_is_ascii_letters(token) and len(token) >= MIN_PREFIX_CHARS)


def _conjunction(text: str) -> Conjunction:
    return tuple(_term(t) for t in dict.fromkeys(segment(text)))


def _split_on_synonyms(text: str, synonyms: Sequence[Synonym]) -> list[tuple[str, Synonym | None]]:
    """``text`` cut into pieces: the occurrences of synonym terms (longest first, never
    overlapping; a Latin term only as whole words) and the text between them."""
    found: list[tuple[int, int, Synonym]] = []
    taken = [False] * len(text)
    for syn in synonyms:
        start = text.find(syn.term)
        while start >= 0:
            end = start + len(syn.term)
            whole = (
                start == 0 or not text[start - 1].isascii() or not text[start - 1].isalnum()
            ) and (end == len(text) or not text[end].isascii() or not text[end].isalnum())
            if (whole or has_han(syn.term)) and not any(taken[start:end]):
                found.append((start, end, syn))
                taken[start:end] = [True] * (end - start)
            start = text.find(syn.term, start + 1)
    pieces: list[tuple[str, Synonym | None]] = []
    position = 0
    for start, end, syn in sorted(found, key=lambda hit: hit[0]):
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((text[start:end], syn))
        position = end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def _by_spelling(synonyms: Sequence[Synonym]) -> dict[str, Synonym]:
    spelled: dict[str, Synonym] = {}
    for syn in synonyms:
        for spelling in (syn.pinyin, syn.initials):
            if spelling:
                spelled.setdefault(spelling, syn)
    return spelled


def _expanded(literal: Conjunction, syn: Synonym, *, with_term: bool) -> Group:
    alternatives: list[Conjunction] = [literal]
    if with_term:
        alternatives.append(_conjunction(syn.term))
    alternatives.extend(_conjunction(word) for word in syn.expansions)
    return tuple(dict.fromkeys(alt for alt in alternatives if alt))


def parse_query(raw: str, synonyms: Sequence[Synonym] = ()) -> Query:
    """Tokens of a user's query; any text is accepted, syntax characters are just text.

    ``synonyms`` (``make_synonyms``) widen a word to the catalogue's words. Raises nothing.
    """
    raw = raw[:MAX_QUERY_CHARS]
    tokens = list(dict.fromkeys(segment(raw)))[:MAX_QUERY_TERMS]
    terms = tuple(_term(t) for t in tokens)
    joined = None
    if len(terms) > 1 and all(_is_ascii_letters(t) for t in tokens):
        together = "".join(tokens)
        if len(together) <= MAX_TOKEN_CHARS:
            joined = Term(together, prefix=True)
    if not terms:
        return Query(tokens=(), terms=())
    text = " ".join(normalise(raw).split())
    key = exact_key(text)
    keys: dict[str, None] = {key: None} if key else {}
    used: list[Synonym] = []
    groups: list[Group] = []
    spelled = _by_spelling(synonyms)
    whole = spelled.get(joined.text) if joined is not None else None
    if whole is not None:
        # Pinyin typed with spaces: kai gong si.
        groups.append(_expanded(terms, whole, with_term=True) + (((joined,),) if joined else ()))
        used.append(whole)
    else:
        for piece, syn in _split_on_synonyms(text, synonyms):
            if syn is not None:
                groups.append(_expanded(_conjunction(piece), syn, with_term=False))
                used.append(syn)
                continue
            for token in dict.fromkeys(segment(piece)):
                spelled_syn = spelled.get(token) if _is_ascii_letters(token) else None
                if spelled_syn is not None:
                    groups.append(_expanded((_term(token),), spelled_syn, with_term=True))
                    used.append(spelled_syn)
                else:
                    groups.append(((_term(token),),))
    groups = list(dict.fromkeys(g for g in groups if g))[:MAX_QUERY_TERMS]
    if len(used) == 1 and len(groups) == 1:
        # The whole query is one everyday word: the catalogue entry named by its
        # expansion is the exact answer (准生证 → 生育登记).
        for word in (used[0].term, *used[0].expansions):
            if word_key := exact_key(word):
                keys[word_key] = None
    highlights = dict.fromkeys(tokens)
    for syn in used:
        for word in (syn.term, *syn.expansions):
            highlights.update(dict.fromkeys(segment(word)))
    return Query(
        tokens=tuple(tokens),
        terms=terms,
        joined=joined,
        groups=tuple(groups),
        keys=tuple(keys),
        highlights=tuple(list(highlights)[: MAX_QUERY_TERMS * 2]),
    )
