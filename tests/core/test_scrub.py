"""Scrubbing of text before it is kept: secrets and personal details become placeholders."""

from __future__ import annotations

import pytest

from bot.core.scrub import scrub

DISCORD_TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"トークンは {DISCORD_TOKEN} です", "トークンは [token] です"),
        ("xoxb-123456789012-abcdefABCDEF", "[token]"),
        ("xapp-1-A0123-4567-abcdef", "[token]"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "Authorization: Bearer [token]"),
        ("https://hooks.slack.com/services/T000/B000/XXXX", "https://[token]"),
        (
            "https://discord.com/api/webhooks/123/abc-DEF_x",
            "https://discord.com/api/webhooks/123/[token]",
        ),
        ("連絡は taro.yamada+cw@example.co.jp まで", "連絡は [email] まで"),
        ("ｔａｒｏ＠example.com", "[email]"),
        ("電話は090-1234-5678です", "電話は[phone]です"),
        ("０８０－１２３４－５６７８", "[phone]"),
        ("09012345678", "[phone]"),
        ("03-1234-5678", "[phone]"),
        ("(03) 1234-5678", "[phone]"),
        ("0120-123-456", "[phone]"),
        ("+81 90-1234-5678", "[phone]"),
        ("+1 415 555 0123", "[phone]"),
        (
            "https://example.com/a?token=abc123&page=2",
            "https://example.com/a?token=[secret]&page=2",
        ),
        ("https://x.test/cb?api_key=k1&sig=s2", "https://x.test/cb?api_key=[secret]&sig=[secret]"),
        ("https://user:hunter2@example.com/path", "https://[secret]@example.com/path"),
    ],
)
def test_secrets_and_contact_details_become_placeholders(text: str, kept: str) -> None:
    assert scrub(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "チャットワークIDはいつ交換していい？",
        "報酬は10,000円で納期は2025-03-01です",
        "案件ID 12345678 の仮払い",
        "2026年1月15日 10:00に連絡します",
        "https://crowdworks.jp/public/jobs/123456?ref=search",
        "郵便番号は123-4567",
    ],
)
def test_ordinary_questions_are_kept_as_they_are(text: str) -> None:
    assert scrub(text) == text
