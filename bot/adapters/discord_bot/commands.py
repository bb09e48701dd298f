"""Application commands and their Japanese/English names, via discord.py's Translator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str

if TYPE_CHECKING:
    from bot.adapters.discord_bot.client import ChatworkSafeBot

JAPANESE: dict[str, str] = {
    "faq": "よくある質問",
    "faq.description": "チャットワーク移行についての質問に答えます",
    "faq.question": "質問",
    "faq.question.description": "聞きたいこと（入力すると候補が出ます）",
    "faq.public": "公開",
    "faq.public.description": "チャンネルの全員に見える形で答える",
    "chatwork-safe": "チャットワーク安全ガイド",
    "chatwork-safe.description": "クラウドワークスからチャットワークへ安全に移る手順を案内します",
    "faq-admin": "faq管理",
    "faq-admin.description": "モデレーター向けのFAQボット管理ツール",
    "faq-admin.reload": "再読み込み",
    "faq-admin.reload.description": "ナレッジファイルを読み込み直す",
    "faq-admin.gaps": "未回答",
    "faq-admin.gaps.description": "答えられなかった質問を似たものごとにまとめて表示",
    "faq-admin.stats": "統計",
    "faq-admin.stats.description": "利用状況の数字",
    "safety-check": "安全チェック",
    "check-message": "メッセージ安全チェック",
    "check-message.description": "クライアントのメッセージに既知の危険がないか確認します",
    "check-message.text": "本文",
    "check-message.text.description": "クライアントから届いたメッセージ",
}


def _text(default: str, key: str) -> locale_str:
    return locale_str(default, key=key)


class BotTranslator(app_commands.Translator):
    """Discord shows the English defaults to every locale but Japanese."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.japanese:
            return None
        return JAPANESE.get(string.extras.get("key", ""))


def register(tree: app_commands.CommandTree, bot: ChatworkSafeBot) -> None:
    @tree.command(
        name=_text("faq", "faq"),
        description=_text(
            "Answers questions about moving from CrowdWorks to Chatwork", "faq.description"
        ),
    )
    @app_commands.describe(
        question=_text(
            "What you want to know (suggestions appear as you type)", "faq.question.description"
        ),
        public=_text("Answer visibly for everyone in the channel", "faq.public.description"),
    )
    @app_commands.rename(
        question=_text("question", "faq.question"), public=_text("public", "faq.public")
    )
    async def faq(interaction: discord.Interaction, question: str, public: bool = False) -> None:
        await bot.answer_question(interaction, question, public)

    @faq.autocomplete("question")
    async def faq_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await bot.autocomplete_entries(interaction, current)

    @tree.command(
        name=_text("chatwork-safe", "chatwork-safe"),
        description=_text(
            "Step-by-step guide to moving to Chatwork safely", "chatwork-safe.description"
        ),
    )
    async def chatwork_safe(interaction: discord.Interaction) -> None:
        await bot.start_walkthrough(interaction)
