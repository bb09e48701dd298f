from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import detect_language, fold


def test_fold_unifies_widths_case_and_kana():
    assert fold("ﾁｬｯﾄﾜｰｸ") == fold("チャットワーク") == "ちゃっとわーく"
    assert fold("ＣＨＡＴＷＯＲＫ　ＩＤ") == "chatwork id"


def test_fold_removes_control_and_zero_width_characters():
    assert fold("料\x00金\u200bは\n\tいくら") == "料 金 は いくら"


def test_language_is_japanese_unless_clearly_english():
    assert detect_language("is chatwork free?") == "en"
    assert detect_language("チャットワーク is free?") == "ja"
    assert detect_language("Chatworkってなに") == "ja"
    assert detect_language("🎉🎉") == "ja"
    assert detect_language("!!!") == "ja"


@given(st.text())
def test_fold_never_raises_and_is_idempotent(text):
    folded = fold(text)
    assert fold(folded) == folded
