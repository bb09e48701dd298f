import hashlib
import logging
import marshal
import os
from dataclasses import astuple
from pathlib import Path

import pytest
import sudachipy
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import words
from bot.core.words import (
    KANA_ONLY,
    Analysis,
    KanaSpeller,
    Lexicon,
    StoredAnalyses,
    SwappedLetters,
    Word,
    default_analyzer,
    joined,
    prepare,
)

TEXTS = st.sampled_from(
    [
        "新しいクライアントから仮払い前に納品してと言われた",
        "のうひんはどこからするの",
        "how do i sign up for chatwork with google",
        "the client delivered the files, then asked for payments",
        "チャットワークIDを教えてdelivery前にpayment",
        "振込と振り込み、申込と申し込み",
    ]
)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_a_lexicon_finds_exactly_the_terms_find_finds(text, data):
    """Every piece of the reading as a term, hit or not: whole words, Latin suffixes, and
    pieces that start or end inside a word."""
    analysis = default_analyzer().analyze(prepare(text))
    reading = analysis.reading
    spans = st.tuples(st.integers(0, len(reading)), st.integers(1, 12))
    terms = {reading[start : start + size] for start, size in data.draw(st.lists(spans))}
    terms |= set(data.draw(st.lists(st.sampled_from(["deliver", "pay", "のう", "くら", "x"]))))
    expected = {term for term in terms if term and next(iter(analysis.find(term)), None)}
    assert Lexicon(terms).found(analysis) == expected


@given(st.lists(TEXTS, min_size=1, max_size=4), st.sampled_from(["。", "？", "! "]))
def test_sentences_read_apart_join_as_one_reading(sentences, end):
    """A long question's sentences are analysed one by one and joined (the matcher reads its
    asked sentences apart from its story): each sentence's words keep their readings, in
    order, at their place in the joined reading, and only there do words start and end."""
    analyzer = default_analyzer()
    parts = [analyzer.analyze(prepare(sentence + end)) for sentence in sentences]
    together = joined(parts)
    assert [word.surface for word in together.words] == [
        word.surface for part in parts for word in part.words
    ]
    assert together.reading == " ".join(part.reading for part in parts)
    for word in together.words:
        assert together.reading[word.start : word.end] == word.reading
    assert together.boundaries == {0} | {
        edge for word in together.words for edge in (word.start, word.end)
    }


def test_joined_sentences_read_as_the_whole_text_where_sudachi_splits_them_alike():
    analyzer = default_analyzer()
    text = "チャットワークに移ってと言われた。規約違反になりませんか？"
    first, second = text.split("。")
    together = joined([analyzer.analyze(first + "。"), analyzer.analyze(second)])
    assert together == Analysis(text, *astuple(analyzer.analyze(text))[1:])


def test_a_lexicon_finds_whole_words_only():
    analysis = default_analyzer().analyze(prepare("新しいクライアントの納品、delivered"))
    found = Lexicon(["いくら", "くらいあんと", "のうひん", "deliver", "deli"]).found(analysis)
    assert found == {"くらいあんと", "のうひん", "deliver"}


def test_a_term_is_not_spelled_by_particles_and_light_verbs():
    """指定 (してい) is not in 乾いたらしています (し・て・い), nor なんで in 理由なんです."""
    lexicon = Lexicon(["してい", "なんで"])
    assert lexicon.found(default_analyzer().analyze("土が乾いたらしています")) == set()
    assert lexicon.found(default_analyzer().analyze("それが理由なんです")) == set()
    assert lexicon.found(default_analyzer().analyze("日付を指定してください")) == {"してい"}
    assert lexicon.found(default_analyzer().analyze("なんで移るの")) == {"なんで"}


def test_a_kana_word_the_analyser_splits_after_a_particle_is_still_found():
    """りまいんだー is read り・まい・ん・だー, as function words, but after で it is a word."""
    lexicon = Lexicon(["りまいんだー", "らんさーず", "つうわ"])
    analyse = default_analyzer().analyze
    assert lexicon.found(analyse("チャットワークでりまいんだーを設定したい")) == {"りまいんだー"}
    assert lexicon.found(analyse("チャットワークでらんさーずの案件を受けてもいい？")) == {
        "らんさーず"
    }
    assert lexicon.found(analyse("チャットワークのつうわについて知りたい")) == {"つうわ"}
    assert Lexicon(["してい"]).found(analyse("毎日水やりをしています")) == set()


@given(TEXTS, st.data())
def test_found_inside_is_every_long_term_in_the_reading(text, data):
    analysis = default_analyzer().analyze(prepare(text))
    reading = analysis.reading
    spans = st.tuples(st.integers(0, len(reading)), st.integers(1, 8))
    terms = {reading[start : start + size] for start, size in data.draw(st.lists(spans))} - {""}
    expected = {term for term in terms if len(term) >= 3}
    assert Lexicon(terms).found_inside(analysis, 3) == expected


def test_found_inside_reads_across_guessed_word_ends():
    analysis = default_analyzer().analyze(prepare("くらいあんとにけされたりする"))
    assert Lexicon(["けされた", "いくら"]).found(analysis) == set()
    assert Lexicon(["けされた", "いくら"]).found_inside(analysis, 4) == {"けされた"}


# -- stored analyses ----------------------------------------------------------------------------

STORED_TEXTS = [
    prepare(text)
    for text in (
        "新しいクライアントから仮払い前に納品してと言われた",
        "のうひんはどこからするの",
        "how do i sign up for chatwork with google",
        "チャットワークIDを教えてdelivery前にpayment",
    )
]


class CountingAnalyzer:
    """The real analyser, counting the texts it was asked to analyse."""

    def __init__(self) -> None:
        self.analysed: list[str] = []

    def analyze(self, text: str) -> Analysis:
        self.analysed.append(text)
        return default_analyzer().analyze(text)


def stored(directory: Path | None, texts: list[str] = STORED_TEXTS) -> CountingAnalyzer:
    """A build: `texts` analysed through a StoredAnalyses in `directory`, then saved."""
    analyzer = CountingAnalyzer()
    analyses = StoredAnalyses(analyzer, directory)  # type: ignore[arg-type]
    for text in texts:
        assert analyses.analyze(text) == default_analyzer().analyze(text)
    analyses.save()
    return analyzer


def stored_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("analyses-*"))


def test_words_carry_their_synonym_groups():
    """SudachiDict's groups: the learned ranker reads 消す as it learned 削除."""
    [delete] = default_analyzer().analyze("削除").words
    [erase] = default_analyzer().analyze("消す").words
    assert set(delete.synonyms) & set(erase.synonyms)
    [approval] = default_analyzer().analyze("承認").words
    assert not set(approval.synonyms) & set(delete.synonyms)


def test_stored_analyses_are_the_analysers_own(tmp_path):
    assert stored(tmp_path).analysed == STORED_TEXTS
    again = CountingAnalyzer()
    analyses = StoredAnalyses(again, tmp_path)  # type: ignore[arg-type]
    for text in STORED_TEXTS:
        analysis = analyses.analyze(text)
        assert analysis == default_analyzer().analyze(text)
        assert all(type(word) is Word for word in analysis.words)
        assert [word.end for word in analysis.words] == [
            word.end for word in default_analyzer().analyze(text).words
        ]
    assert again.analysed == []


def test_stored_analyses_keep_only_the_texts_of_the_last_build(tmp_path):
    stored(tmp_path)
    stored(tmp_path, STORED_TEXTS[:1])
    assert stored(tmp_path).analysed == STORED_TEXTS[1:]


def test_an_unchanged_build_does_not_write_again(tmp_path):
    stored(tmp_path)
    (written,) = stored_files(tmp_path)
    before = written.stat().st_mtime_ns
    written.touch()
    os.utime(written, ns=(before - 10**9, before - 10**9))
    assert stored(tmp_path).analysed == []
    assert written.stat().st_mtime_ns == before - 10**9


def test_another_key_is_a_miss_and_its_file_is_replaced(tmp_path, monkeypatch):
    stored(tmp_path)
    (old,) = stored_files(tmp_path)
    monkeypatch.setattr(words, "stored_analyses_key", lambda: "another-version")
    assert stored(tmp_path).analysed == STORED_TEXTS
    (new,) = stored_files(tmp_path)
    assert new != old and "another-version" in new.name


def test_the_key_follows_sudachi_and_the_source(monkeypatch, tmp_path):
    current = words.stored_analyses_key()
    monkeypatch.setattr(sudachipy, "__version__", "0.0.1")
    assert words.stored_analyses_key.__wrapped__() != current
    monkeypatch.undo()
    source = tmp_path / "words.py"
    source.write_bytes(Path(words.__file__).read_bytes() + b"\n# changed\n")
    monkeypatch.setattr(words, "__file__", str(source))
    assert words.stored_analyses_key.__wrapped__() != current


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],
        lambda data: b"",
        lambda data: hashlib.sha256(b"junk").digest() + b"junk",
        lambda data: hashlib.sha256(marshal.dumps(42)).digest() + marshal.dumps(42),
    ],
    ids=["truncated", "one-bit", "empty", "not-marshal", "not-analyses"],
)
def test_a_corrupt_file_is_ignored_with_one_warning_and_rewritten(tmp_path, caplog, damage):
    stored(tmp_path)
    (written,) = stored_files(tmp_path)
    written.write_bytes(damage(written.read_bytes()))
    with caplog.at_level(logging.WARNING, logger=words.__name__):
        assert stored(tmp_path).analysed == STORED_TEXTS
    assert len(caplog.records) == 1 and "afresh" in caplog.records[0].getMessage()
    assert stored(tmp_path).analysed == []


def test_an_unusable_directory_costs_one_warning_and_nothing_else(tmp_path, caplog):
    """Under a file (nothing can be read or written there), or where the file's name is taken
    by a directory (os.replace fails): the build goes on and leaves no temporary file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    taken = tmp_path / "cache"
    (taken / f"analyses-{words.stored_analyses_key()}.marshal" / "inside").mkdir(parents=True)
    for directory in (blocker / "cache", taken):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=words.__name__):
            assert stored(directory).analysed == STORED_TEXTS
        assert len(caplog.records) == 1 and "afresh" in caplog.records[0].getMessage()
    assert blocker.read_text() == "not a directory"
    assert [path.name for path in taken.iterdir()] == [
        f"analyses-{words.stored_analyses_key()}.marshal"
    ]


def test_without_a_directory_nothing_is_kept(tmp_path):
    stored(None)
    assert stored(None).analysed == STORED_TEXTS
    assert list(tmp_path.iterdir()) == []


def test_a_latin_term_takes_an_inflection_but_not_any_ending():
    """A Latin term is found with an inflection ("delivered", "delivery"), but "bot" is not in
    "both"."""
    analysis = default_analyzer().analyze(prepare("no fee for both, delivery and bots"))
    assert Lexicon(["bot", "deliver", "fee"]).found(analysis) == {"bot", "deliver", "fee"}
    assert Lexicon(["bot"]).found(default_analyzer().analyze(prepare("no fee for both"))) == set()


def _speller(*texts: str) -> KanaSpeller:
    return KanaSpeller(default_analyzer().analyze(prepare(text)) for text in texts)


def test_the_speller_spells_kana_as_the_texts_write_their_words():
    speller = _speller("無料プランの容量", "無料で使える", "納品はどこから", "納品ボタン")
    assert speller.spell("むりょうで のうひん") == "無料で 納品"


def test_the_speller_spells_a_word_and_its_suffix_together():
    """The analyser cuts 受注者 into 受注・者, and a one-kanji suffix alone is never spelled:
    じゅちゅうしゃ was read as 受注・しゃ."""
    speller = _speller("受注者との連絡", "受注者が断った")
    assert speller.spell("じゅちゅうしゃと") == "受注者と"


def test_the_speller_keeps_words_the_texts_write_in_kana():
    """かかる is written in kana more often than 書か・る: its kana is no misspelling."""
    speller = _speller(*["お金はかかる？"] * 3, "記事を書かないで", "書かれた記事")
    assert speller.spell("おかねかかる") == "お金かかる"


def test_the_speller_never_spells_short_readings_of_one_kanji_or_a_word_seen_once():
    """した is not 下 and いま is not 今: a one-kanji word needs a reading of three kana."""
    speller = _speller("下の欄", "下の欄", "今すぐ", "今すぐ", "検収とは")
    assert speller.spell("したいま") == "したいま"
    assert speller.spell("けんしゅう") == "けんしゅう"


def test_the_speller_reads_a_long_vowel_spelled_out_as_the_word_with_it():
    """ぐうぐる is typed for グーグル (as romaji writes guuguru); from four kana up only, since a
    shorter key such as めえる would be found inside ordinary words."""
    speller = _speller(*["グーグルのアカウント"] * 2, *["メールで送る"] * 2)
    assert speller.spell("ぐうぐるの") == "グーグルの"
    assert speller.spell("ぐーぐるの") == "グーグルの"
    assert speller.spell("ためえるの") == "ためえるの"


def test_the_speller_does_not_take_a_spelled_out_vowel_that_begins_the_next_word():
    """きどくするうえで is する・上で: 既読スルー would take the う of うえ."""
    speller = _speller(*["既読スルーされた"] * 2)
    assert speller.spell("きどくするうされた") == "既読スルーされた"
    assert speller.spell("きどくするうえで") == "きどくするうえで"


def test_a_spelled_out_vowel_is_taken_when_a_known_word_follows():
    """わあかあいがい is ワーカー・以外: only a vowel no known word starts with stays with the next word."""
    speller = _speller(*["ワーカーの依頼"] * 2, *["以外の方法"] * 2)
    assert speller.spell("わあかあいがい") == "ワーカー以外"


def test_the_speller_prefers_the_longest_known_words():
    """でしょうにん is で・承認 (one long spelled word), not でしょう・に・ん."""
    speller = _speller(*["承認されますか"] * 2, *["そうでしょう"] * 3)
    assert speller.spell("でしょうにんされますか").startswith("で承認")


@pytest.mark.parametrize(
    ("text", "kana_only"),
    [
        ("かりばらい まだ", True),
        ("しんせい まえに idおしえちゃった", True),
        ("line こうかん しても いい?", True),
        ("what is かりばらい?", False),
        ("かりばらい what is it", False),
        ("申請まえ", False),
    ],
)
def test_kana_typed_with_a_latin_word_is_still_kana_only(text: str, kana_only: bool) -> None:
    """A phone user types ID or LINE in letters and the rest in kana: the rest is still guessed
    at, so it is spelled; English with one kana word is not."""
    assert bool(KANA_ONLY.fullmatch(text)) is kana_only


def test_a_latin_word_with_two_neighbouring_letters_swapped_is_mended_to_the_known_term():
    swapped = SwappedLetters(["chatwork", "escrow", "take"])
    assert swapped.mend("chatwrok id, escorw first") == "chatwork id, escrow first"


@pytest.mark.parametrize(
    "text",
    [
        "what is ecsorw",  # two swaps away
        "tkae",  # shorter than five letters
        "escrow",  # known already
        "ちゃとわーく",  # not Latin
    ],
)
def test_only_a_long_unknown_word_one_swap_from_a_known_term_is_mended(text):
    assert SwappedLetters(["escrow", "take"]).mend(text) == text


def test_a_swap_that_could_mend_into_two_known_words_is_left_alone():
    assert SwappedLetters(["abcdfe", "bacdef"]).mend("bacdfe") == "bacdfe"
