"""Japanese typed in Latin letters (romaji), read back as hiragana.

Newcomers without a Japanese keyboard write 「chatwork no muryou puran de bideo tsuuwa wa nannin
made?」: every word is Japanese, but the analyser sees unknown Latin words. Read as hiragana, the
question takes the path of one typed in kana, whose words `KanaSpeller` spells as the knowledge
does. Hepburn, kunrei and IME spellings are all read (shi/si, chi/ti, tsu/tu, ja/zya, nn).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.core.text import JAPANESE_CHAR

_VOWELS = "aiueo"
_ROWS = {
    "": "あいうえお",
    "k": "かきくけこ",
    "s": "さしすせそ",
    "t": "たちつてと",
    "n": "なにぬねの",
    "h": "はひふへほ",
    "m": "まみむめも",
    "y": "や\0ゆ\0よ",
    "r": "らりるれろ",
    "w": "わ\0\0\0を",
    "g": "がぎぐげご",
    "z": "ざじずぜぞ",
    "d": "だぢづでど",
    "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
}
_CONTRACTED = {
    "ky": "き",
    "gy": "ぎ",
    "sy": "し",
    "sh": "し",
    "zy": "じ",
    "jy": "じ",
    "j": "じ",
    "ty": "ち",
    "cy": "ち",
    "ch": "ち",
    "dy": "ぢ",
    "ny": "に",
    "hy": "ひ",
    "by": "び",
    "py": "ぴ",
    "my": "み",
    "ry": "り",
}
_SMALL = {"a": "ゃ", "u": "ゅ", "o": "ょ", "e": "ぇ"}
_F_ROW = {"a": "ふぁ", "i": "ふぃ", "u": "ふ", "e": "ふぇ", "o": "ふぉ"}


def _syllables() -> dict[str, str]:
    table = {
        consonant + vowel: kana
        for consonant, row in _ROWS.items()
        for vowel, kana in zip(_VOWELS, row, strict=True)
        if kana != "\0"
    }
    for consonant, kana in _CONTRACTED.items():
        for vowel, small in _SMALL.items():
            table[consonant + vowel] = kana + small
    table.update({"shi": "し", "chi": "ち", "tsu": "つ", "ji": "じ", "fu": "ふ", "ye": "いぇ"})
    table.update(("f" + vowel, kana) for vowel, kana in _F_ROW.items())
    table.update({"wi": "うぃ", "we": "うぇ"})
    table.update(("v" + vowel, kana) for vowel, kana in zip(_VOWELS, _ROWS["b"], strict=True))
    return table


_SYLLABLES = _syllables()
_LONGEST = max(map(len, _SYLLABLES))
_SYLLABIC_N = re.compile(r"n'|nn(?![aiueoy])|n(?![aiueoy])|m(?=[bmp])")
_DOUBLED = re.compile(r"([b-df-hj-mp-tv-z])(?=\1)|t(?=ch)")
_PARTICLES = {"wa": "は", "wo": "を", "o": "を", "e": "へ"}
"""Particles written as said, standing alone: 「id wa」 is IDは."""
_JAPANESE_MARKERS = frozenset(
    {"wa", "wo", "ga", "ni", "de", "ka", "ne", "yo", "kedo", "desu", "masu", "tte", "dake", "kara"}
)
_JAPANESE_ENDINGS = re.compile(r"(?:masu|masen|mashita|desu|deshita|tai|nai|tara|reru)$")
"""A question is read as romaji only if some word is plainly Japanese: English has "no", "to",
"are" and "made" too, but no "desu", "wa" or "-masu"."""
_WORD = re.compile(r"[a-z']+")
_MACRONS = str.maketrans(
    {"ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "ou"}
    | {"â": "aa", "î": "ii", "û": "uu", "ê": "ee", "ô": "ou", "’": "'"}
)
_ROMAJI_SHARE = 0.75
"""Of the words not kept in Latin letters, the share that must read as romaji."""


def kana_of(word: str) -> str | None:
    """The hiragana of one romaji word, or None when it is not one: `n'`, `nn` and an `n`
    before a consonant are ん, a doubled consonant is っ, `m` before b, m or p is ん."""
    kana = []
    i = 0
    while i < len(word):
        if mark := _SYLLABIC_N.match(word, i):
            kana.append("ん")
        elif mark := _DOUBLED.match(word, i):
            kana.append("っ")
        else:
            rest = word[i : i + _LONGEST]
            length = next((n for n in range(len(rest), 0, -1) if rest[:n] in _SYLLABLES), 0)
            if not length:
                return None
            kana.append(_SYLLABLES[rest[:length]])
            i += length
            continue
        i = mark.end()
    return "".join(kana)


def read_romaji(
    text: str,
    latin_terms: frozenset[str] = frozenset(),
    long_vowels: Mapping[str, str] | None = None,
) -> str:
    """`text` with its romaji words in hiragana when it is Japanese written in Latin letters
    (no kana or kanji in it, most words romaji, one plainly Japanese); otherwise `text` as it
    is. `latin_terms` (chatwork, id, line) stay as they are; `long_vowels` spells a word whose
    long vowel romaji doubles as the knowledge does (めっせえじ, messeeji, is めっせーじ)."""
    latin = text.translate(_MACRONS)
    if JAPANESE_CHAR.search(latin):
        return text
    words = [w for w in _WORD.findall(latin) if w not in latin_terms]
    kana = {word: kana_of(word) for word in words}
    read = [word for word in words if kana[word] is not None]
    if (
        not words
        or len(read) < _ROMAJI_SHARE * len(words)
        or not any(w in _JAPANESE_MARKERS or _JAPANESE_ENDINGS.search(w) for w in read)
    ):
        return text
    long_vowels = long_vowels or {}

    def replace(found: re.Match[str]) -> str:
        word = found.group()
        if (hiragana := kana.get(word)) is None:
            return word
        return _PARTICLES.get(word) or long_vowels.get(hiragana, hiragana)

    return _WORD.sub(replace, latin)


_VOWEL_OF = {kana[-1]: romaji[-1] for romaji, kana in _SYLLABLES.items()} | {
    small: vowel for vowel, small in _SMALL.items()
}
_VOWEL_KANA = dict(zip(_VOWELS, _ROWS[""], strict=True))


def long_vowels_spelled_out(kana: str) -> str:
    """ー written as the vowel it lengthens (めーる → めえる), as romaji spells it: meeru."""
    out: list[str] = []
    for char in kana:
        if char == "ー" and out and (vowel := _VOWEL_OF.get(out[-1])):
            char = _VOWEL_KANA[vowel]
        out.append(char)
    return "".join(out)
