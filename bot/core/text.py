"""Text normalisation shared by the matcher and the safety check.

rapidfuzz and regexes see code points, not meaning: half-width ｶﾀｶﾅ, full-width ＡＢＣ, katakana
versus hiragana and the many spellings of "Chatwork" must all fold to one form first.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.schema import Lang

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
JAPANESE_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN_WORD = re.compile(r"[a-z]{2,}", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def fold(text: str) -> str:
    """NFKC, casefold, katakana→hiragana, control characters and runs of spaces removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _CONTROL.sub(" ", text).translate(_KATAKANA_TO_HIRAGANA)
    return " ".join(text.split())


def detect_language(text: str) -> Lang:
    """Japanese unless the text is clearly English (Latin words and no Japanese at all)."""
    return explicit_language(text) or "ja"


def explicit_language(text: str) -> Lang | None:
    """The language the text itself shows, or None (emoji, digits, punctuation only)."""
    if JAPANESE_CHAR.search(text):
        return "ja"
    return "en" if _LATIN_WORD.search(unicodedata.normalize("NFKC", text)) else None
