"""The shipped knowledge files, and the error reports for broken copies of them."""

from __future__ import annotations

import shutil
from collections import deque
from itertools import pairwise
from pathlib import Path

import pytest

from bot.core.knowledge import FAQ_FILE, WALKTHROUGH_FILE, Knowledge, load_knowledge
from bot.core.matcher import Matcher
from bot.core.schema import KnowledgeError

CHECKOUT_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"

ANSWER_LIMIT = 1000
"""Discord embed budget for one answer (the content aims at 900)."""
STEP_BODY_LIMIT = 1200
CHOICE_LABEL_LIMIT = 40
"""Choices become Discord buttons (80 at most); 40 keeps them readable on a phone."""

REQUIRED_ENTRIES = {
    "what-is-chatwork": "what Chatwork is",
    "is-moving-a-violation": "is a request to move a violation",
    "chatwork-price": "price, free to register, paid plans on the official page",
    "free-plan-limits": "free-plan limits and how they changed",
    "why-clients-use-chatwork": "why clients want Chatwork, group chat",
    "when-to-exchange-ids": "exchange IDs only after escrow and approval",
    "off-platform-application": "how to file サービス外連絡申請",
    "application-approval-time": "how long approval takes",
    "edit-delete-screenshots": "edits/deletes on Chatwork, screenshots",
    "crowdworks-wont-mediate": "off-platform trouble is 管轄外",
    "deliver-on-both": "deliver through both CrowdWorks and Chatwork",
    "client-silent-after-delivery": "client silent after delivery, 連絡催促",
    "sign-up": "sign-up by e-mail, Google, Apple",
    "find-my-chatwork-id": "finding and setting your own ID",
    "add-client-by-id": "adding a client by ID",
    "decline-politely": "the guide's polite refusal template",
    "direct-contract-offer": "direct contracts are against the terms",
    "suspicious-requests": "prohibited jobs and suspicious requests",
    "sending-files": "sending files",
    "safest-option": "the safest option overall",
    "escrow-before-work": "no work before escrow",
    "privacy-settings": "findable by name, can be turned off",
    "contact-request-scams": "impersonation scams via contact requests",
}

MAIN_LINE = (
    "contract-escrow",
    "apply-and-wait",
    "chatwork-setup",
    "conduct",
    "delivery",
    "summary",
)
SUMMARY = "summary"

INVENTED_REASON = "最近チャットワーク上でトラブルが相次いで"
"""The guide's refusal gives this reason; a user would send it as fact, so no template does."""


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge(CHECKOUT_KNOWLEDGE)


def _successors(step) -> list[str]:
    return [choice.next for choice in step.choices] + ([step.next] if step.next else [])


def _reachable(knowledge: Knowledge, start: str) -> set[str]:
    steps = {step.id: step for step in knowledge.walkthrough.steps}
    seen = {start}
    queue = deque([start])
    while queue:
        for following in _successors(steps[queue.popleft()]):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


# ---------------------------------------------------------------- the shipped content


def test_shipped_knowledge_loads(knowledge: Knowledge) -> None:
    assert len(knowledge.faq) >= len(REQUIRED_ENTRIES)
    assert knowledge.walkthrough.steps


@pytest.mark.parametrize("entry_id", sorted(REQUIRED_ENTRIES))
def test_required_topic_is_covered(knowledge: Knowledge, entry_id: str) -> None:
    assert knowledge.entry(entry_id) is not None, REQUIRED_ENTRIES[entry_id]


def test_answers_fit_in_an_embed(knowledge: Knowledge) -> None:
    too_long = [
        (entry.id, lang, len(entry.answer.get(lang)))
        for entry in knowledge.faq
        for lang in ("ja", "en")
        if len(entry.answer.get(lang)) > ANSWER_LIMIT
    ]
    assert too_long == []


def test_entries_have_enough_phrasings_and_no_self_reference(knowledge: Knowledge) -> None:
    for entry in knowledge.faq:
        assert len(entry.questions.ja) >= 10, entry.id
        assert len(entry.questions.en) >= 7, entry.id
        assert entry.id not in entry.related, entry.id


def test_no_phrasing_is_shared_between_entries(knowledge: Knowledge) -> None:
    owner: dict[str, str] = {}
    shared = []
    for entry in knowledge.faq:
        for phrasing in (*entry.questions.ja, *entry.questions.en):
            key = phrasing.casefold()
            if key in owner and owner[key] != entry.id:
                shared.append((phrasing, owner[key], entry.id))
            owner[key] = entry.id
    assert shared == []


def test_entries_citing_a_web_page_carry_a_date(knowledge: Knowledge) -> None:
    """A url source is an official page that can change; the answer says when it was true."""
    undated = [e.id for e in knowledge.faq if any(s.url for s in e.sources) and not e.as_of]
    assert undated == []


def test_guide_sources_are_named_by_section(knowledge: Knowledge) -> None:
    for entry in knowledge.faq:
        for source in entry.sources:
            if source.name.startswith("ガイド"):
                assert source.name.startswith("ガイド「") and source.name.endswith("」")
                assert source.url is None, entry.id


def test_no_advertising_in_any_text(knowledge: Knowledge) -> None:
    texts = [entry.answer.get(lang) for entry in knowledge.faq for lang in ("ja", "en")]
    for step in knowledge.walkthrough.steps:
        texts += [step.body.ja, step.body.en]
        if step.copy_text:
            texts += [step.copy_text.ja, step.copy_text.en]
    assert not [text for text in texts if "クラウディア" in text]


def _refusal(knowledge: Knowledge):
    return next(t.text for t in knowledge.safety.templates if t.id == "decline-chatwork")


def test_decline_answer_gives_the_same_refusal_as_the_safety_check(knowledge: Knowledge) -> None:
    entry = knowledge.entry("decline-politely")
    assert entry is not None
    refusal = _refusal(knowledge)
    assert refusal.ja in entry.answer.ja and refusal.en in entry.answer.en
    assert INVENTED_REASON not in refusal.ja


@pytest.mark.parametrize(
    ("entry_id", "facts"),
    [
        ("when-to-exchange-ids", ("仮払い", "サービス外連絡申請", "承認")),
        ("off-platform-application", ("やること", "契約ごと", "直接取引")),
        ("application-approval-time", ("2〜3日", "2営業日")),
        ("free-plan-limits", ("5GB", "40日", "5,000件", "2022年10月6日")),
        ("direct-contract-offer", ("3章8条11項", "5年")),
        ("deliver-on-both", ("両方", "納品")),
        ("crowdworks-wont-mediate", ("管轄外", "自己責任")),
    ],
)
def test_key_facts_are_stated(knowledge: Knowledge, entry_id: str, facts: tuple[str, ...]) -> None:
    entry = knowledge.entry(entry_id)
    assert entry is not None
    for fact in facts:
        assert fact in entry.answer.ja, fact


def test_price_answer_quotes_no_paid_price(knowledge: Knowledge) -> None:
    """Paid prices changed in July 2023 and differ by page: point to the pricing page instead."""
    entry = knowledge.entry("chatwork-price")
    assert entry is not None
    assert "円" not in entry.answer.ja and "¥" not in entry.answer.en
    assert any(s.url and "price" in s.url for s in entry.sources)


def test_every_step_is_reachable_from_start(knowledge: Knowledge) -> None:
    walk = knowledge.walkthrough
    assert walk.start == MAIN_LINE[0]
    assert _reachable(knowledge, walk.start) == {step.id for step in walk.steps}


def test_main_line_runs_in_order(knowledge: Knowledge) -> None:
    steps = {step.id: step for step in knowledge.walkthrough.steps}
    for current, following in pairwise(MAIN_LINE):
        assert following in _successors(steps[current]), (current, following)


def test_summary_is_the_only_terminal_step(knowledge: Knowledge) -> None:
    terminal = [step.id for step in knowledge.walkthrough.steps if not _successors(step)]
    assert terminal == [SUMMARY]


def test_every_branch_returns_to_the_main_line_or_ends(knowledge: Knowledge) -> None:
    for step in knowledge.walkthrough.steps:
        assert SUMMARY in _reachable(knowledge, step.id), step.id
        if step.id not in MAIN_LINE:
            assert any(s in MAIN_LINE for s in _reachable(knowledge, step.id) - {step.id})


def test_first_step_offers_the_branches(knowledge: Knowledge) -> None:
    first = {step.id: step for step in knowledge.walkthrough.steps}[MAIN_LINE[0]]
    targets = {choice.next for choice in first.choices}
    assert {"apply-and-wait", "escrow-not-done", "decline", "direct-contract"} <= targets


def test_branches_carry_text_to_copy(knowledge: Knowledge) -> None:
    steps = {step.id: step for step in knowledge.walkthrough.steps}
    decline = steps["decline"].copy_text
    assert decline is not None
    refusal = _refusal(knowledge)
    assert (decline.ja.strip(), decline.en.strip()) == (refusal.ja, refusal.en)
    assert steps["direct-contract"].copy_text is not None


def test_walkthrough_texts_fit_their_widgets(knowledge: Knowledge) -> None:
    for step in knowledge.walkthrough.steps:
        for lang in ("ja", "en"):
            assert len(step.body.get(lang)) <= STEP_BODY_LIMIT, (step.id, lang)
            for choice in step.choices:
                assert len(choice.label.get(lang)) <= CHOICE_LABEL_LIMIT, (step.id, lang)


# ---------------------------------------------------------------- error reports on bad copies


@pytest.fixture
def bad_copy(tmp_path: Path) -> Path:
    """Every shipped knowledge file, so only the one a test breaks is wrong."""
    for path in CHECKOUT_KNOWLEDGE.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _break(directory: Path, name: str, old: str, new: str) -> int:
    """Replace the first `old` with `new`; return the 1-based line where `new` starts."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {name}: {old!r}"
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old) :], encoding="utf-8")
    return text.count("\n", 0, index) + 1


def _problems(directory: Path) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return caught.value


def test_yaml_syntax_error_names_file_and_line(bad_copy: Path) -> None:
    line = _break(bad_copy, FAQ_FILE, "    as_of: 2024-02\n", "    as_of: 2024-02\n   oops: x\n")
    error = _problems(bad_copy)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.file.endswith(FAQ_FILE)
    assert problem.line == line + 1
    assert f"{FAQ_FILE}:{line + 1}: YAML syntax error" in str(error)


def test_missing_field_names_file_line_entry_and_field(bad_copy: Path) -> None:
    old = "  - id: basic-usage\n    title:\n      ja: チャットワークの基本の使い方（画面と送信）\n"
    old += '      en: "Using Chatwork: the screen and sending messages"\n'
    line = _break(bad_copy, FAQ_FILE, old, "  - id: basic-usage\n")
    error = _problems(bad_copy)
    assert [(p.entry, p.field, p.line) for p in error.problems] == [("basic-usage", "title", line)]
    message = str(error)
    assert f"{FAQ_FILE}:{line}" in message
    assert "entry 'basic-usage'" in message
    assert "field 'title'" in message
    assert "required field is missing" in message


def test_duplicate_id_is_reported_where_it_repeats(bad_copy: Path) -> None:
    line = _break(bad_copy, FAQ_FILE, "  - id: basic-usage\n", "  - id: what-is-chatwork\n")
    error = _problems(bad_copy)
    duplicates = [p for p in error.problems if "duplicate id" in p.message]
    assert [(p.line, p.entry, p.field) for p in duplicates] == [(line, "what-is-chatwork", "id")]
    assert f"{FAQ_FILE}:{line}, entry 'what-is-chatwork', field 'id': duplicate id" in str(error)
    # The renamed entry's old id is now unknown where other entries still point at it.
    assert "unknown related id 'basic-usage'" in str(error)


def test_unknown_related_id(bad_copy: Path) -> None:
    old = "    related:\n      - why-clients-use-chatwork\n"
    line = _break(bad_copy, FAQ_FILE, old, "    related:\n      - no-such-entry\n")
    error = _problems(bad_copy)
    [problem] = error.problems
    assert (problem.line, problem.entry, problem.field) == (
        line + 1,
        "what-is-chatwork",
        "related.0",
    )
    assert "unknown related id 'no-such-entry'" in str(error)


def test_empty_phrasing_is_rejected(bad_copy: Path) -> None:
    phrasing = "チャトワって何のアプリ？"
    position = load_knowledge(bad_copy).entry("what-is-chatwork").questions.ja.index(phrasing)
    line = _break(bad_copy, FAQ_FILE, f"        - {phrasing}\n", '        - ""\n')
    error = _problems(bad_copy)
    [problem] = error.problems
    assert problem.file.endswith(FAQ_FILE)
    assert (problem.line, problem.entry, problem.field) == (
        line,
        "what-is-chatwork",
        f"questions.ja.{position}",
    )
    assert "must not be empty" in str(error)


def test_unknown_field_is_rejected(bad_copy: Path) -> None:
    line = _break(
        bad_copy, FAQ_FILE, "    as_of: 2024-02\n", "    as_of: 2024-02\n    colour: red\n"
    )
    error = _problems(bad_copy)
    [problem] = error.problems
    assert (problem.line, problem.entry, problem.field) == (line + 1, "what-is-chatwork", "colour")
    assert "unknown field" in str(error)


def test_wrong_kind_of_value_is_explained_without_internal_class_names(bad_copy: Path) -> None:
    old = "    related:\n      - why-clients-use-chatwork\n"
    line = _break(bad_copy, FAQ_FILE, old, "    related: 7\n")
    [problem] = _problems(bad_copy).problems
    assert (problem.line, problem.entry, problem.field) == (line, "what-is-chatwork", "related")
    assert problem.message.startswith("must be a list") and "not '7" in problem.message
    for internal in ("Input should", "instance of", "Localized", "FaqEntry"):
        assert internal not in problem.message


def test_full_date_in_as_of_is_accepted_unquoted(bad_copy: Path) -> None:
    """YAML turns `2026-01-15` into a date object; the documented YYYY-MM-DD form must load."""
    _break(bad_copy, FAQ_FILE, "    as_of: 2024-02\n", "    as_of: 2024-02-29\n")
    entry = load_knowledge(bad_copy).entry("what-is-chatwork")
    assert entry is not None and entry.as_of == "2024-02-29"


def test_malformed_as_of_is_reported(bad_copy: Path) -> None:
    line = _break(bad_copy, FAQ_FILE, "    as_of: 2024-02\n", "    as_of: February 2024\n")
    [problem] = _problems(bad_copy).problems
    assert (problem.line, problem.entry, problem.field) == (line, "what-is-chatwork", "as_of")


def test_walkthrough_step_pointing_nowhere(bad_copy: Path) -> None:
    line = _break(bad_copy, WALKTHROUGH_FILE, "    next: conduct\n", "    next: nowhere\n")
    error = _problems(bad_copy)
    [problem] = error.problems
    assert problem.file.endswith(WALKTHROUGH_FILE)
    assert (problem.line, problem.entry, problem.field) == (line, "chatwork-setup", "next")
    assert f"{WALKTHROUGH_FILE}:{line}" in str(error)
    assert "unknown step 'nowhere'" in str(error)


def test_walkthrough_choice_pointing_nowhere(bad_copy: Path) -> None:
    line = _break(
        bad_copy, WALKTHROUGH_FILE, "        next: escrow-not-done\n", "        next: x\n"
    )
    [problem] = _problems(bad_copy).problems
    assert (problem.line, problem.entry, problem.field) == (
        line,
        "contract-escrow",
        "choices.1.next",
    )


def test_problems_in_both_files_are_reported_together(bad_copy: Path) -> None:
    _break(bad_copy, FAQ_FILE, "        - チャトワって何のアプリ？\n", '        - ""\n')
    _break(bad_copy, WALKTHROUGH_FILE, "    next: conduct\n", "    next: nowhere\n")
    files = sorted(Path(p.file).name for p in _problems(bad_copy).problems)
    assert files == [FAQ_FILE, WALKTHROUGH_FILE]


def test_walkthrough_step_without_sources_is_reported(bad_copy: Path) -> None:
    old = "        next: decline\n    sources:\n"
    line = _break(bad_copy, WALKTHROUGH_FILE, old, "        next: decline\n    srcs:\n")
    error = _problems(bad_copy)
    found = {(p.entry, p.field) for p in error.problems}
    assert found == {("escrow-not-done", "sources"), ("escrow-not-done", "srcs")}
    assert "entry 'escrow-not-done', field 'sources': required field is missing" in str(error)
    # the misspelt field is reported where its value (the list of sources) starts
    assert [p.line for p in error.problems if p.field == "srcs"] == [line + 2]
    assert all(p.file.endswith(WALKTHROUGH_FILE) for p in error.problems)


def test_walkthrough_step_with_a_malformed_as_of_is_reported(bad_copy: Path) -> None:
    old = "      - name: ガイド「チャットワークに登録する方法」\n"
    line = _break(bad_copy, WALKTHROUGH_FILE, old, old.replace("name:", "nam:"))
    line_of_date = _break(
        bad_copy,
        WALKTHROUGH_FILE,
        "    as_of: 2026-01\n\n  - id: conduct",
        "    as_of: Jan\n\n  - id: conduct",
    )
    error = _problems(bad_copy)
    found = sorted((p.line, p.entry, p.field) for p in error.problems)
    assert found == [
        (line, "chatwork-setup", "sources.0.nam"),
        (line, "chatwork-setup", "sources.0.name"),
        (line_of_date, "chatwork-setup", "as_of"),
    ]


# ---------------------------------------------------------------- corrections (issue 9), via ask


@pytest.fixture(scope="module")
def matcher(knowledge: Knowledge) -> Matcher:
    return Matcher.from_knowledge(knowledge)


def test_every_walkthrough_step_names_its_sources(knowledge: Knowledge) -> None:
    steps = {step.id: step for step in knowledge.walkthrough.steps}
    assert all(step.sources for step in steps.values())
    dated = ("apply-and-wait", "not-approved", "chatwork-setup", "conduct", "contract-escrow")
    assert all(steps[step_id].as_of for step_id in dated)


def test_waiting_step_offers_a_not_approved_path(knowledge: Knowledge) -> None:
    steps = {step.id: step for step in knowledge.walkthrough.steps}
    assert "not-approved" in _successors(steps["apply-and-wait"])
    not_approved = steps["not-approved"]
    assert "事務局に問い合わせ" in not_approved.body.ja and "2営業日" in not_approved.body.ja
    assert "contact the CrowdWorks office" in not_approved.body.en
    assert not_approved.copy_text is not None
    assert not_approved.copy_text.ja.strip().endswith("どうぞよろしくお願いいたします。")


@pytest.mark.parametrize(
    "question",
    [
        "サービス外連絡申請が承認されない",
        "申請して3日経った",
        "サービス外連絡申請が却下されたら？",
        "申請が通らなかったらどうする",
        "what if my off-platform contact application is rejected",
    ],
)
def test_not_approved_questions_say_what_to_do(matcher: Matcher, question: str) -> None:
    answer = matcher.answer(question)
    assert answer.entry is not None and answer.entry.id == "application-approval-time"
    text = answer.text
    assert ("必ずされるわけではありません" in text and "事務局に問い合わせ" in text) or (
        "not guaranteed" in text and "contact the CrowdWorks office" in text
    )


@pytest.mark.parametrize(
    "question",
    ["LINE交換してもいい？", "ライン交換してもいいですか", "can I exchange LINE with the client"],
)
def test_line_exchange_is_answered(matcher: Matcher, question: str) -> None:
    answer = matcher.answer(question)
    assert answer.entry is not None and answer.entry.id == "when-to-exchange-ids"


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("チャットワークに移行してと言われたけど違反？", "ja"),
        ("IDはいつ交換していい？", "ja"),
        ("is it against the rules if a client asks to move to chatwork", "en"),
    ],
)
def test_rule_and_safer_practice_are_told_apart(matcher: Matcher, question: str, lang: str) -> None:
    answer = matcher.answer(question)
    assert answer.entry is not None
    assert answer.entry.id in {"is-moving-a-violation", "when-to-exchange-ids"}
    if lang == "ja":
        assert "【公式ルール】" in answer.text and "【より安全な進め方" in answer.text
        assert "承認" in answer.text
    else:
        assert "official rule" in answer.text and "safer practice" in answer.text


def test_moving_answer_agrees_with_the_interview_answer(knowledge: Knowledge) -> None:
    """Both say the application may be filed before the contract; escrow first is practice."""
    moving = knowledge.entry("is-moving-a-violation")
    interview = knowledge.entry("pre-contract-interview")
    assert "契約の前でも後でも出せます" in moving.answer.ja
    assert "契約前でもサービス外連絡申請を出せる" in interview.answer.ja
    assert "1. 契約して仮払い" not in moving.answer.ja


def test_downgrade_answer_states_only_what_its_source_says(matcher: Matcher) -> None:
    answer = matcher.answer("有料プランから無料プランに戻せる？")
    assert answer.entry is not None and answer.entry.id == "downgrade-to-free"
    for unsourced in ("登録し直", "引き継がれ", "register anew", "carried over"):
        assert unsourced not in answer.entry.answer.ja + answer.entry.answer.en


def test_style_corrections(knowledge: Knowledge) -> None:
    texts = {entry.id: entry.answer for entry in knowledge.faq}
    assert "herself" not in texts["why-clients-use-chatwork"].en
    assert "料金は改定されることがある" in texts["chatwork-price"].ja
    assert "筆者の記憶" not in texts["free-plan-limits"].ja
    assert "1日〜2〜3日" not in texts["off-platform-application"].ja
    assert "名前" in texts["basic-usage"].ja and "e-mail" in texts["basic-usage"].en
    assert "管轄外" in texts["edit-delete-screenshots"].en
    steps = {step.id: step for step in knowledge.walkthrough.steps}
    assert "成果物が完成したら" in steps["delivery"].body.ja
    assert "誰も助けてくれません" not in steps["direct-contract"].body.ja
    reminder = "仮払いとサービス外連絡申請の承認"
    assert sum(reminder in answer.ja for answer in texts.values()) <= 1
