"""Secrets and personal details taken out of text before it is kept.

Users paste whatever they have into a question: a bot token, their e-mail address, a phone
number, a link with a key in it. The store keeps question texts for moderators (`gaps`,
`report`), so they are scrubbed to placeholders first; the shapes of tokens are shared with
log redaction.
"""

from __future__ import annotations

import re

TOKEN_PATTERNS = (
    # Discord bot token: base64 user id . base64 timestamp . HMAC (27 chars, 38 in newer ones).
    re.compile(r"[MNO][A-Za-z\d_-]{22,27}\.[A-Za-z\d_-]{5,7}\.[A-Za-z\d_-]{25,}"),
    # Slack bot/user/app/config/refresh tokens; no word boundary, so `\nxoxb-` in JSON is caught.
    re.compile(r"xox[a-z]-[A-Za-z\d-]{8,}"),
    re.compile(r"xapp-[A-Za-z\d-]{8,}"),
    re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z\d/_-]+"),
    # Whatever follows an Authorization scheme.
    re.compile(r"(?i)(\b(?:Bot|Bearer)\s+)[A-Za-z\d._~+/=-]{20,}"),
)

TOKEN = "[token]"
EMAIL = "[email]"
PHONE = "[phone]"
SECRET = "[secret]"

_DISCORD_WEBHOOK = re.compile(
    r"(discord(?:app)?\.com/api/webhooks/\d+/)[A-Za-z\d_-]+", re.IGNORECASE
)
_URL_USERINFO = re.compile(r"(\b[a-z][a-z\d+.-]*://)[^/\s@]+@", re.IGNORECASE)
_URL_SECRET_PARAM = re.compile(
    r"([?&#][^=&#\s]*(?:token|key|secret|pass|pwd|sig|auth|code|session|credential)[^=&#\s]*=)"
    r"[^&#\s]+",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.%+-]+[@＠][A-Za-z\d-]+(?:[.．][A-Za-z\d-]+)*[.．][A-Za-z]{2,}")
_DIGIT = r"[0-9０-９]"
_SEPARATOR = r"[\s\-‐‑–—―−ー－.．()（）]"
_PHONE_CANDIDATE = re.compile(
    rf"(?<![0-9０-９])(?:[+＋]{_DIGIT}|[(（]?[0０]){_SEPARATOR}{{0,2}}(?:{_DIGIT}{_SEPARATOR}{{0,2}}){{8,13}}"
    rf"{_DIGIT}(?![0-9０-９])"
)
PHONE_DIGITS = range(10, 14)
"""Japanese numbers have 10 (landline) or 11 (mobile, 0120) digits; +81… has 11–12."""


def _phone(match: re.Match[str]) -> str:
    digits = sum(char.isdigit() for char in match.group())
    return PHONE if digits in PHONE_DIGITS else match.group()


def scrub(text: str) -> str:
    """The text with tokens, e-mail addresses, phone numbers and URL secrets as placeholders."""
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + TOKEN, text)
    text = _DISCORD_WEBHOOK.sub(rf"\g<1>{TOKEN}", text)
    text = _URL_USERINFO.sub(rf"\g<1>{SECRET}@", text)
    text = _URL_SECRET_PARAM.sub(rf"\g<1>{SECRET}", text)
    text = _EMAIL.sub(EMAIL, text)
    return _PHONE_CANDIDATE.sub(_phone, text)
