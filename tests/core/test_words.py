from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.words import Lexicon, default_analyzer, prepare

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


def test_a_lexicon_finds_whole_words_only():
    analysis = default_analyzer().analyze(prepare("新しいクライアントの納品、delivered"))
    found = Lexicon(["いくら", "くらいあんと", "のうひん", "deliver", "deli"]).found(analysis)
    assert found == {"くらいあんと", "のうひん", "deliver"}
