"""What the bot learns: the safety check's model (training, verdicts, the checker's use of it,
file errors) and the answer engine's regression (training, its file in the cache directory)."""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import default_knowledge_dir, load_knowledge
from bot.core.learned import (
    MESSAGES_FILE,
    QUESTIONS_FILE,
    REGRESSION_PREFIX,
    VETO_REGRESSION_PREFIX,
    LabelledMessage,
    LearnedSettings,
    MessageModel,
    NaiveBayes,
    SoftmaxRegression,
    _identity,
    features,
    stored_regression,
)
from bot.core.safety import LEARNED, SafetyChecker
from bot.core.schema import KnowledgeError
from bot.core.service import Engines, Service

KNOWLEDGE = load_knowledge()

# A small corpus in which "研修" (training period) and unpaid work go together.
_CORPUS = [
    LabelledMessage(text=text, kind=kind)
    for text, kind in [
        ("最初の研修期間は報酬が出ませんのでご了承ください", "work_before_escrow"),
        ("研修中の作業は無給になります", "work_before_escrow"),
        ("研修として3本書いていただきますが報酬はありません", "work_before_escrow"),
        ("報酬は研修が終わってからのお支払いです", "work_before_escrow"),
        ("LINEのIDを教えてください", "off_platform_contact"),
        ("LINEで連絡しましょう", "off_platform_contact"),
        ("記事の構成を確認しました", "none"),
        ("納期は来週金曜日です", "none"),
        ("修正ありがとうございました", "none"),
        ("今後ともよろしくお願いいたします", "none"),
        ("見出しを一つ追加してください", "none"),
        ("本日もよろしくお願いします", "none"),
    ]
]
_UNPAID_TRAINING = "研修期間の作業には報酬が出ません"


def _model(**settings: float) -> MessageModel:
    return MessageModel(_CORPUS, LearnedSettings(**settings))


def test_features_are_words_and_neighbouring_pairs() -> None:
    assert features(["仮払い", "は", "後"]) == {"仮払い", "は", "後", "仮払い|は", "は|後"}


def test_evidence_weighed_as_fewer_features_tempers_the_posteriors() -> None:
    """A long text weighed as a shorter one: the same leader, less sure; a text no longer than
    `at_most` is weighed as it is."""
    bayes = NaiveBayes(
        [
            (features(["仮払い", "前", "作業"]), "escrow"),
            (features(["仮払い", "とは"]), "escrow"),
            (features(["出金", "手数料"]), "none"),
            (features(["確定申告", "収入"]), "none"),
        ],
        0.3,
    )
    present = bayes.known(features(["仮払い", "前", "作業", "収入"]))
    full, tempered = bayes.posteriors(present), bayes.posteriors(present, at_most=2)
    assert len(present) > 2
    assert bayes.posteriors(present, at_most=len(present)) == full
    assert max(full, key=full.get) == max(tempered, key=tempered.get) == "escrow"
    assert 0.5 < tempered["escrow"] < full["escrow"]


def test_a_message_like_the_risky_ones_gets_their_kind() -> None:
    verdict = _model().verdict(_UNPAID_TRAINING)
    assert verdict is not None
    assert verdict.kind == "work_before_escrow"
    assert verdict.probability > 0.9 > verdict.clean
    assert "報酬" in {word for word, _ in verdict.evidence}
    assert all(odds > 0 for _, odds in verdict.evidence)


def test_an_ordinary_message_is_judged_ordinary() -> None:
    verdict = _model().verdict("記事の見出しを確認しました。ありがとうございました")
    assert verdict is not None
    assert verdict.clean > 0.9 > verdict.probability


def test_no_risky_label_means_no_verdict() -> None:
    model = MessageModel(_CORPUS[-6:], LearnedSettings())
    assert model.verdict(_UNPAID_TRAINING) is None


def test_models_over_the_same_labels_share_one_training() -> None:
    first, second = _model(), _model()
    first.train()
    second.train()
    assert first._trained is second._trained


def test_the_checker_reports_what_only_the_model_caught() -> None:
    rules_only = SafetyChecker(KNOWLEDGE.safety)
    assert rules_only.check(_UNPAID_TRAINING).risk == "none"
    checker = SafetyChecker(KNOWLEDGE.safety, _model())
    report = checker.check(_UNPAID_TRAINING, explain=True)
    [finding] = report.findings
    assert (finding.kind, finding.severity, report.risk) == (
        "work_before_escrow",
        "caution",
        "caution",
    )
    first_rule = next(r for r in KNOWLEDGE.safety.rules if r.kind == "work_before_escrow")
    assert finding.advice == first_rule.advice.ja
    assert report.reply_template is not None
    assert report.explanation is not None
    [trace] = [t for t in report.explanation if t.rule == LEARNED]
    assert trace.fired and trace.probability is not None and trace.probability > 0.9
    assert "報酬" in trace.span
    assert trace.as_dict()["probability"] == round(trace.probability, 4)
    assert trace.line().startswith("learned (work_before_escrow) p=")


def test_the_model_may_not_report_a_kind_a_rule_found_denied() -> None:
    # the rule meets 仮払い前の作業 and reads it as denied; the model, counting words, is sure
    text = "仮払い前の作業はお願いしません。研修期間の作業にも報酬が出ます。"
    model = _model()
    verdict = model.verdict(text)
    assert verdict is not None and verdict.kind == "work_before_escrow"
    assert verdict.probability > KNOWLEDGE.safety.learned.threshold
    report = SafetyChecker(KNOWLEDGE.safety, model).check(text, explain=True)
    assert report.risk == "none"
    assert report.explanation is not None
    [rule_trace] = [t for t in report.explanation if t.rule == "work-before-escrow"]
    assert rule_trace.excused and not rule_trace.fired and rule_trace.reason.startswith("negated")
    [trace] = [t for t in report.explanation if t.rule == LEARNED]
    assert not trace.fired
    assert trace.reason.startswith("work-before-escrow matched 「仮払い前の作業」: negated")


def test_below_the_threshold_the_model_stays_silent() -> None:
    checker = SafetyChecker(
        KNOWLEDGE.safety.model_copy(update={"learned": LearnedSettings(threshold=0.999999999)}),
        _model(),
    )
    report = checker.check(_UNPAID_TRAINING, explain=True)
    assert report.risk == "none"
    assert report.explanation is not None
    [trace] = [t for t in report.explanation if t.rule == LEARNED]
    assert not trace.fired and trace.reason.startswith("below")


def test_a_rule_is_overruled_when_the_model_is_sure_the_sentence_is_ordinary() -> None:
    sentence = "LINEで連絡しましょう"
    rules_only = SafetyChecker(KNOWLEDGE.safety)
    assert rules_only.check(sentence).risk != "none"
    ordinary = [LabelledMessage(text=sentence, kind="none")] * 30
    settings = LearnedSettings(overrule=0.99, overrules=["off_platform_contact"])
    model = MessageModel(_CORPUS + ordinary, settings)
    checker = SafetyChecker(KNOWLEDGE.safety.model_copy(update={"learned": model.settings}), model)
    report = checker.check(sentence, explain=True)
    assert report.risk == "none"
    assert report.explanation is not None
    assert any("overruled by the learned stage" in t.reason for t in report.explanation)
    for never in (
        LearnedSettings(overrule=1.0, overrules=["off_platform_contact"]),
        LearnedSettings(overrule=0.99, overrules=["direct_contract"]),
    ):
        keeps = SafetyChecker(KNOWLEDGE.safety.model_copy(update={"learned": never}), model)
        assert keeps.check(sentence).risk != "none"


def test_the_shipped_model_catches_a_phrasing_no_rule_names() -> None:
    checker = Engines.build(KNOWLEDGE).safety
    text = "お代は記事の出来を見てから決めさせてください。まずは書いてみてください。"
    assert SafetyChecker(KNOWLEDGE.safety).check(text).risk == "none"
    report = checker.check(text)
    assert [f.kind for f in report.findings] == ["work_before_escrow"]


def test_the_service_trains_the_model_before_the_first_check() -> None:
    service = Service()
    model = service.engines.safety.model
    assert model is not None
    model.train()
    assert model._trained is not None


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    shutil.copytree(default_knowledge_dir(), tmp_path, dirs_exist_ok=True)
    path = tmp_path / MESSAGES_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_unknown_kind_names_file_entry_and_field(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "{kind: direct_contract,", "{kind: direct_contracts,")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.entry is not None and problem.entry.startswith("#")
    assert problem.field == "kind" and "direct_contracts" in problem.message
    line = path.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert "direct_contracts" in line


def test_an_empty_message_is_refused(tmp_path: Path) -> None:
    _broken_copy(tmp_path, 'kind: none, text: "', 'kind: none, text: "  ", old: "')
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    fields = {problem.field for problem in caught.value.problems}
    assert fields == {"text", "old"}


def test_no_held_out_message_is_learned() -> None:
    """The held-out set scores the model honestly only if the model never saw it."""
    held_out = Path(__file__).resolve().parents[1] / "heldout" / "client_messages.yaml"
    texts = {case["text"].strip() for case in yaml.safe_load(held_out.read_text("utf-8"))["cases"]}
    assert texts and not texts & {message.text for message in KNOWLEDGE.messages}


def test_an_unknown_faq_entry_in_the_labelled_questions_is_named(tmp_path: Path) -> None:
    shutil.copytree(default_knowledge_dir(), tmp_path, dirs_exist_ok=True)
    path = tmp_path / QUESTIONS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{entry: sign-up,", "{entry: sign-upp,", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    [problem] = caught.value.problems
    assert problem.file == str(path) and problem.field == "entry"
    assert problem.entry is not None and problem.entry.startswith("#")
    assert "sign-upp" in path.read_text(encoding="utf-8").splitlines()[problem.line - 1]


# Questions whose words decide the entry: 料金 (price) against 納品 (delivery), and off-topic ones.
_QUESTIONS = [
    (frozenset(words), label)
    for words, label in [
        ({"料金", "いくら"}, "chatwork-price"),
        ({"料金", "無料"}, "chatwork-price"),
        ({"料金", "月額"}, "chatwork-price"),
        ({"納品", "ボタン"}, "deliver-on-both"),
        ({"納品", "両方"}, "deliver-on-both"),
        ({"納品", "どこ"}, "deliver-on-both"),
        ({"天気", "明日"}, "none"),
        ({"ランチ", "おすすめ"}, "none"),
        ({"天気", "いくら"}, "none"),
    ]
]


def test_the_regression_learns_which_words_decide() -> None:
    model = SoftmaxRegression.trained(_QUESTIONS)
    for question, expected in [
        (["料金", "どこ"], "chatwork-price"),
        (["納品", "いくら"], "deliver-on-both"),
        (["天気"], "none"),
    ]:
        posteriors = model.posteriors(model.known(question))
        assert max(posteriors, key=posteriors.__getitem__) == expected
    assert model.known(["料金", "未知の語"]) == ["料金"]


def test_the_same_examples_train_the_same_regression() -> None:
    first, second = (SoftmaxRegression.trained(_QUESTIONS) for _ in range(2))
    question = ["料金", "ボタン", "いくら"]
    assert first.posteriors(question) == second.posteriors(question)


def _many_examples() -> list[tuple[frozenset[str], str]]:
    """Enough examples for many batches: with one batch, order never matters."""
    draw = random.Random(3)
    return [
        (frozenset(f"word{draw.randrange(120)}" for _ in range(5)), f"entry{n % 8}")
        for n in range(900)
    ]


_PROBES = [[f"word{n}", f"word{n + 1}", f"word{n + 5}"] for n in range(10, 100, 7)]


def _largest_shift(before: SoftmaxRegression, after: SoftmaxRegression) -> float:
    return max(
        abs(after.posteriors(question)[label] - probability)
        for question in _PROBES
        for label, probability in before.posteriors(question).items()
    )


def test_the_order_of_the_examples_does_not_change_the_regression() -> None:
    """Seeded shuffles of the examples' positions moved these answers by up to 0.05."""
    examples = _many_examples()
    forwards = SoftmaxRegression.trained(examples)
    assert _largest_shift(forwards, SoftmaxRegression.trained(examples[::-1])) < 1e-9


def test_copies_of_one_example_are_ordered_apart_and_in_any_order() -> None:
    """A question labelled twice, or a phrasing that is also a labelled question: each copy has
    its own place in a pass (one hash for all put them in one batch), wherever the copies sit."""
    example = (frozenset({"word1", "word2"}), "entry1")
    assert len({_identity(*example, copy) for copy in range(3)}) == 3
    assert _identity(*example, 0) == _identity(*example)
    examples = [example, *_many_examples(), example, example]
    forwards = SoftmaxRegression.trained(examples)
    assert _largest_shift(forwards, SoftmaxRegression.trained(examples[::-1])) < 1e-9


def test_one_more_example_moves_little_of_what_the_others_taught() -> None:
    """An edit to one entry must not reorder the training of every other entry: with seeded
    shuffles of the examples' positions, this example moved the answers by up to 0.08."""
    examples = _many_examples()
    before = SoftmaxRegression.trained(examples)
    after = SoftmaxRegression.trained([(frozenset({"word1", "newword"}), "entry1"), *examples])
    assert _largest_shift(before, after) < 0.02


def test_a_stored_regression_is_read_back_instead_of_trained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained = stored_regression(_QUESTIONS, "key1", tmp_path)
    assert len(list(tmp_path.glob(f"{REGRESSION_PREFIX}*"))) == 1

    def no_training(cls: type, labelled: object) -> None:
        raise AssertionError("trained again")

    monkeypatch.setattr(SoftmaxRegression, "trained", classmethod(no_training))
    read = stored_regression(_QUESTIONS, "key1", tmp_path)
    question = ["納品", "料金"]
    assert read.posteriors(question) == trained.posteriors(question)
    assert read.labels == trained.labels


def test_other_examples_replace_the_stored_regression(tmp_path: Path) -> None:
    stored_regression(_QUESTIONS, "key1", tmp_path)
    stored_regression(_QUESTIONS[:6], "key2", tmp_path)
    (path,) = tmp_path.glob(f"{REGRESSION_PREFIX}*")
    assert "key2" in path.name
    assert "none" not in SoftmaxRegression.load(path).labels


def test_the_veto_regression_is_stored_beside_the_ranker_not_over_it(tmp_path: Path) -> None:
    stored_regression(_QUESTIONS, "key1", tmp_path)
    stored_regression(_QUESTIONS[:6], "key1", tmp_path, VETO_REGRESSION_PREFIX)
    (ranker,) = tmp_path.glob(f"{REGRESSION_PREFIX}*")
    (veto,) = tmp_path.glob(f"{VETO_REGRESSION_PREFIX}*")
    assert "none" in SoftmaxRegression.load(ranker).labels
    assert "none" not in SoftmaxRegression.load(veto).labels


def test_a_corrupt_stored_regression_is_trained_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = stored_regression(_QUESTIONS, "key1", tmp_path)
    (path,) = tmp_path.glob(f"{REGRESSION_PREFIX}*")
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        again = stored_regression(_QUESTIONS, "key1", tmp_path)
    assert "ignoring the stored ranker" in caplog.text
    assert again.posteriors(["料金"]) == expected.posteriors(["料金"])
    SoftmaxRegression.load(path)  # written again, whole


def test_an_unwritable_cache_directory_costs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        model = stored_regression(_QUESTIONS, "key1", blocked / "cache")
    assert "cannot store the ranker" in caplog.text
    assert "chatwork-price" in model.labels
