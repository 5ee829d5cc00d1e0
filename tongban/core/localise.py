"""Which language a catalogue text is shown in: the one way to pick it.

Records that citizens read keep their Chinese text in ``<field>`` and an optional English
translation in ``<field>_en``. In English mode the English text is shown when there is one;
otherwise the Chinese original is shown, and pages mark it (``lang="zh-Hans"``) and say once
that the original is shown, instead of mixing languages silently.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

ORIGINAL_LANGUAGE = "zh-Hans"


def english_mode(language: str | None = None) -> bool:
    """True when ``language`` (default: the active language) is English."""
    return (language or get_language() or "").lower().startswith("en")


def english_name(field: str) -> str:
    """The name of the English twin of ``field`` (``summary`` -> ``summary_en``)."""
    return f"{field}_en"


def localised(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.<field>`` in the active language: the English twin in English mode when it is
    filled in, else the original. Raises ``AttributeError`` if ``obj`` has no ``field``."""
    original = getattr(obj, field)
    if english_mode(language):
        english = getattr(obj, english_name(field), "")
        if english:
            return str(english)
    return "" if original is None else str(original)


def shows_original(obj: Any, field: str, language: str | None = None) -> bool:
    """True when English is wanted, ``obj.<field>`` has text and its English twin has none:
    the page then shows the Chinese original and must mark it as such."""
    if not english_mode(language):
        return False
    return lacks_english(getattr(obj, field, ""), getattr(obj, english_name(field), ""))


def lacks_english(original: Any, english: Any) -> bool:
    """Whether a text needs an English twin it does not have: ``original`` holds words (a
    bare link needs no translation) and ``english`` is empty. The one rule behind the
    "original shown" notice, the English checks and the quality rule."""
    text = original.strip() if isinstance(original, str) else ""
    if not text or text.startswith(("http://", "https://", "/")):
        return False
    return not (english.strip() if isinstance(english, str) else "")
