import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.romaji import kana_of, long_vowels_spelled_out, read_romaji


@pytest.mark.parametrize(
    ("word", "kana"),
    [
        ("shinsei", "しんせい"),
        ("sinsei", "しんせい"),
        ("karibarai", "かりばらい"),
        ("nannin", "なんにん"),
        ("konna", "こんな"),
        ("kin'en", "きんえん"),
        ("kitte", "きって"),
        ("matcha", "まっちゃ"),
        ("shimbun", "しんぶん"),
        ("tsuuwa", "つうわ"),
        ("tuuwa", "つうわ"),
        ("jya", "じゃ"),
        ("zya", "じゃ"),
        ("kyohi", "きょひ"),
        ("fairu", "ふぁいる"),
        ("messeeji", "めっせえじ"),
    ],
)
def test_hepburn_kunrei_and_ime_spellings_read_as_the_same_kana(word, kana):
    assert kana_of(word) == kana


@pytest.mark.parametrize("word", ["what", "chatwork", "street", "approval", "don't"])
def test_an_english_word_is_no_romaji(word):
    assert kana_of(word) is None


def test_a_question_in_romaji_is_read_as_hiragana_with_its_particles():
    read = read_romaji("chatwork no id wa itsu oshiete ii desu ka?", frozenset({"chatwork", "id"}))
    assert read == "chatwork の id は いつ おしえて いい です か?"


@pytest.mark.parametrize(
    "text",
    [
        "can i move to chatwork before approval?",
        "no time to wait",
        "are you ok",
        "what is karibarai",
        "仮払い wa まだ",
        "matcha kin'en shimbun",
    ],
)
def test_english_japanese_and_romaji_without_a_plainly_japanese_word_stay_as_they_are(text):
    """English has no, to and are too; only a word such as desu, wa or -masu says romaji."""
    assert read_romaji(text) == text


@given(st.text())
def test_japanese_text_is_never_read_as_romaji(text):
    text += "です"
    assert read_romaji(text) == text


@given(st.lists(st.sampled_from(["desu", "wa", "shinsei", "the", "n", "ok", " ", "?", "'", "x"])))
def test_only_latin_words_are_read_and_nothing_else_moves(pieces):
    text = "".join(pieces)
    read = read_romaji(text)
    assert re.sub(r"[a-z'\u3041-\u309f]", "", read) == re.sub(r"[a-z']", "", text)


def test_a_long_vowel_doubled_in_romaji_is_spelled_as_the_knowledge_writes_it():
    long_vowels = {"めっせえじ": "めっせーじ"}
    assert read_romaji("messeeji desu", long_vowels=long_vowels) == "めっせーじ です"


def test_romaji_beside_an_emoji_or_a_typographic_apostrophe_is_read():
    assert read_romaji("karibarai wa ato 🙏") == "かりばらい は あと 🙏"
    assert read_romaji("kin’en desu") == "きんえん です"


def test_a_long_vowel_mark_is_spelled_out_as_its_vowel():
    assert long_vowels_spelled_out("めっせーじ ぐるーぷ ちゃーと") == "めっせえじ ぐるうぷ ちゃあと"
