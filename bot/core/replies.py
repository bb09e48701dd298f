"""Words a chat user sees, shared by every adapter so the console says what Discord says."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.knowledge import FaqEntry
from bot.core.matcher import Answer
from bot.core.safety import SafetyReport
from bot.core.schema import Lang

UI: dict[str, dict[Lang, str]] = {
    "did_you_mean": {"ja": "もしかして、こちらのことですか？", "en": "Did you mean one of these?"},
    "no_answer": {
        "ja": "すみません、その質問にはお答えできませんでした。次から選んでください。",
        "en": "Sorry, I couldn't find an answer to that. Please pick one of these topics.",
    },
    "source": {"ja": "出典", "en": "Source"},
    "as_of": {"ja": "時点", "en": "as of"},
    "related": {"ja": "関連", "en": "Related"},
    "topics": {"ja": "トピック一覧", "en": "Topics"},
    "risk_danger": {"ja": "⚠️ 危険なポイントがあります", "en": "⚠️ This message has serious risks"},
    "risk_caution": {"ja": "⚠️ 注意が必要なポイントがあります", "en": "⚠️ This message needs care"},
    "risk_none": {
        "ja": "✅ 既知の危険なパターンは見つかりませんでした。",
        "en": "✅ No known risky pattern found.",
    },
    "severity_danger": {"ja": "危険", "en": "Danger"},
    "severity_caution": {"ja": "注意", "en": "Caution"},
    "rule": {"ja": "ルール", "en": "Rule"},
    "advice": {"ja": "どうする？", "en": "What to do"},
    "reply_template": {"ja": "そのまま使える返信文", "en": "Reply you can send"},
    "alternative_template": {
        "ja": "別の返信文（断る場合）",
        "en": "Another reply (to decline)",
    },
    "remind_button": {"ja": "明日リマインドする", "en": "Remind me tomorrow"},
    "remind_scheduled": {
        "ja": "{when} にDMで申請状況の確認をお知らせします。",
        "en": "I'll send you a DM at {when} to check your application status.",
    },
    "remind_cancel": {"ja": "リマインドを取り消す", "en": "Cancel reminder"},
    "remind_cancelled": {"ja": "リマインドを取り消しました。", "en": "Reminder cancelled."},
    "remind_pending": {"ja": "⏰ リマインド予定", "en": "⏰ Pending reminder"},
    "remind_check_application": {
        "ja": "⏰ リマインドです。クラウドワークスでサービス外連絡申請の結果を確認しましょう"
        "（メッセージ入力欄の横に表示されます）。承認されるまではチャットワークIDを交換しないでください。"
        "続きは `/chatwork-safe` から。",
        "en": "⏰ Reminder: check the result of your off-platform contact application "
        "(サービス外連絡申請) on CrowdWorks — it is shown beside the message box. Don't exchange "
        "Chatwork IDs until it is approved. Continue with `/chatwork-safe`.",
    },
    "rate_limited": {
        "ja": "少し間を空けてからもう一度どうぞ（約{seconds}秒後）。",
        "en": "Please wait a moment and try again (about {seconds} s).",
    },
    "feedback_thanks": {
        "ja": "フィードバックありがとうございます！",
        "en": "Thanks for the feedback!",
    },
    "feedback_question": {
        "ja": "何が足りませんでしたか？（任意）",
        "en": "What was missing? (optional)",
    },
    "feedback_title": {"ja": "回答の改善にご協力ください", "en": "Help us improve this answer"},
    "no_text": {
        "ja": "このメッセージには確認できる本文がありません。",
        "en": "That message has no text to check.",
    },
    "error": {
        "ja": "すみません、処理中にエラーが発生しました。もう一度お試しください。",
        "en": "Sorry, something went wrong. Please try again.",
    },
    "unreadable_input": {
        "ja": "その入力は読み取れませんでした。UTF-8 か Shift_JIS（CP932）の文字で入力してください。",
        "en": "I couldn't read that input: please type UTF-8 or Shift_JIS (CP932) text.",
    },
    "progress_not_saved": {
        "ja": "⚠️ いま進み具合を保存できないため、次回は最初からになるかもしれません。"
        "ガイドはこのまま続けられます。",
        "en": "⚠️ Your progress may not be saved right now, so next time you may start over. "
        "You can go on with the guide.",
    },
    "store_unavailable": {
        "ja": "すみません、いま保存ができません。少し待ってからもう一度お試しください。",
        "en": "Sorry, I can't save that right now. Please try again in a moment.",
    },
    "check_usage": {
        "ja": "クライアントからのメッセージを貼り付けてください（例: check IDを教えてください）。",
        "en": "Paste the client's message (e.g. check please send me your chatwork id).",
    },
}


def ui(key: str, lang: Lang) -> str:
    return UI[key][lang]


def footer(entry: FaqEntry, lang: Lang) -> str:
    """Source and as-of date: users trust income advice only when they can check it."""
    sources = " / ".join(source.name for source in entry.sources)
    text = f"{ui('source', lang)}: {sources}"
    if entry.as_of:
        text += (
            f" ({ui('as_of', lang)} {entry.as_of})"
            if lang == "en"
            else f"（{entry.as_of}{ui('as_of', lang)}）"
        )
    return text


def numbered_titles(entries: Sequence[FaqEntry], lang: Lang) -> str:
    return "\n".join(f"{n}. {entry.title.get(lang)}" for n, entry in enumerate(entries, 1))


def render_answer_text(answer: Answer, topics: Sequence[FaqEntry]) -> str:
    """Plain-text rendering for the console and `ask` without --json."""
    lang = answer.lang
    if answer.entry is not None:
        entry = answer.entry
        return f"■ {entry.title.get(lang)}\n{entry.answer.get(lang)}\n\n{footer(entry, lang)}"
    if answer.suggestions:
        return f"{ui('did_you_mean', lang)}\n{numbered_titles(answer.suggestions, lang)}"
    return f"{ui('no_answer', lang)}\n{numbered_titles(topics, lang)}"


def safety_heading(report: SafetyReport) -> str:
    return ui(f"risk_{report.risk}", report.lang)


def finding_lines(report: SafetyReport) -> list[tuple[str, str]]:
    """(heading, body) per finding: severity and rule, then source and advice."""
    lang = report.lang
    return [
        (
            f"[{ui(f'severity_{finding.severity}', lang)}] {finding.rule}",
            f"{ui('source', lang)}: {finding.source}\n{ui('advice', lang)}: {finding.advice}",
        )
        for finding in report.findings
    ]


def render_safety_text(report: SafetyReport) -> str:
    """Plain-text rendering of a safety check for the console and `check` without --json."""
    parts = [safety_heading(report)]
    parts.extend(f"■ {heading}\n{body}" for heading, body in finding_lines(report))
    if report.reply_template:
        parts.append(f"{ui('reply_template', report.lang)}:\n-----\n{report.reply_template}\n-----")
    if report.alternative_template:
        title = ui("alternative_template", report.lang)
        parts.append(f"{title}:\n-----\n{report.alternative_template}\n-----")
    return "\n\n".join(parts)
