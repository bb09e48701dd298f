"""The text catalogs: the same keys and placeholders in both languages, and every key used exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import bot
from bot.core.catalog import CATALOGS, localized, ui

USED_KEY = re.compile(r"""\bui\(\s*["']([a-z_.-]+)["']""")


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(CATALOGS["ja"]) == set(CATALOGS["en"])


@pytest.mark.parametrize("key", sorted(CATALOGS["en"]))
def test_both_languages_fill_the_same_placeholders(key: str) -> None:
    assert CATALOGS["ja"][key].strip() and CATALOGS["en"][key].strip()
    assert placeholders(CATALOGS["ja"][key]) == placeholders(CATALOGS["en"][key])


def test_every_key_the_code_looks_up_exists() -> None:
    root = Path(bot.__file__).parent
    used = {
        key
        for path in root.rglob("*.py")
        for key in USED_KEY.findall(path.read_text(encoding="utf-8"))
    }
    assert "not_moderator" in used and "console_welcome" in used
    assert used - set(CATALOGS["en"]) == set()


def test_japanese_and_english_differ_where_people_read_them() -> None:
    assert ui("not_moderator", "ja") != ui("not_moderator", "en")
    assert "管理権限" in ui("not_moderator", "ja")


def test_fields_are_filled_and_both_languages_travel_together() -> None:
    assert ui("rate_limited", "ja", seconds=7) == "少し間を空けてからもう一度どうぞ（約7秒後）。"
    assert ui("reloaded", "en", faq=3, steps=2) == "Reloaded: 3 FAQ entries, 2 walkthrough steps."
    assert localized("walk_next").get("ja") == "次へ"
    assert localized("walk_next").get("en") == "Next"
