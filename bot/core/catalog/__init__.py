"""Every word a user or moderator sees, one catalog per language, shared by every adapter.

Adapters never own text: they look it up here by key, so the console, Discord and Slack say
the same thing, and a translation is one file to review. `ja.py` and `en.py` hold the same keys
(a test checks it); `{name}` fields are filled by `ui(key, lang, name=…)`.
"""

from __future__ import annotations

from bot.core.catalog import en, ja
from bot.core.schema import Lang, Localized

CATALOGS: dict[Lang, dict[str, str]] = {"ja": ja.TEXTS, "en": en.TEXTS}


def ui(key: str, lang: Lang, **fields: object) -> str:
    """The text for `key` in `lang`, with `{field}` placeholders filled when fields are given."""
    template = CATALOGS[lang][key]
    return template.format(**fields) if fields else template


def localized(key: str) -> Localized:
    """Both languages of `key`, for core objects that carry their own translations."""
    return Localized(ja=CATALOGS["ja"][key], en=CATALOGS["en"][key])
