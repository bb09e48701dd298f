"""The Discord client: loads the features (the adapter's cogs), routes events, runs upkeep.

Each feature module owns its commands, persistent items and handlers; this module only wires
them together, so it is the one module that imports them all and none imports it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field

import discord
from discord import app_commands

from bot.adapters.background import stop_background_jobs
from bot.adapters.discord_bot.answers import Answers
from bot.adapters.discord_bot.command_sync import CommandSync
from bot.adapters.discord_bot.feedback import Feedback
from bot.adapters.discord_bot.guide import Guide
from bot.adapters.discord_bot.interactions import Feature, report_error
from bot.adapters.discord_bot.moderation import Moderation
from bot.adapters.discord_bot.reminders import Reminders
from bot.adapters.discord_bot.safety_check import SafetyCheck
from bot.core.assistant import Assistant

log = logging.getLogger(__name__)

PLATFORM = "discord"
HEARTBEAT_SECONDS = 30.0
REMINDER_POLL_SECONDS = 30.0
KNOWLEDGE_POLL_SECONDS = 2.0
PRUNE_SECONDS = 6 * 3600.0


@dataclass(frozen=True)
class BotOptions:
    """The settings the Discord client itself needs, taken from `Settings` in `create_bot`."""

    dev_guild_id: int | None = None
    faq_channel_ids: frozenset[int] = field(default_factory=frozenset)
    knowledge_watch: bool = False


INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channels where it is mentioned or answers
    send_messages=True,  # answer mentions and FAQ channels
    send_messages_in_threads=True,  # the same inside threads
    embed_links=True,  # answers are embeds (title, source, as-of date)
    read_message_history=True,  # reply to the message that asked
)
"""What the invite URL asks for: nothing to manage, moderate or mention anyone."""
INVITE_SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int) -> str:
    """The URL a server owner opens to add the bot with its slash commands."""
    return discord.utils.oauth_url(
        application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES
    )


def intents(read_faq_channels: bool = False) -> discord.Intents:
    """No privileged intents: DMs and mentions carry their content without Message Content.

    The one exception is opt-in: answering un-mentioned messages in FAQ_CHANNEL_IDS needs
    Message Content, which the bot's owner must then enable in the developer portal.
    """
    chosen = discord.Intents.default()
    chosen.members = False
    chosen.presences = False
    chosen.message_content = read_faq_channels
    return chosen


class ChatworkSafeBot(discord.Client):
    guild_ready_timeout: float = 2.0
    """Seconds discord.py waits for more GUILD_CREATEs before `on_ready` (tests shorten it)."""

    def __init__(self, assistant: Assistant, options: BotOptions | None = None):
        self.options = options or BotOptions()
        # The bot never joins voice: discord.py's warnings about the missing voice libraries
        # (PyNaCl, davey) would only worry whoever reads the log.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=intents(bool(self.options.faq_channel_ids)),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=self.guild_ready_timeout,
            max_messages=None,  # never read back: a message cache only costs memory
        )
        self.assistant = assistant
        self.tree = app_commands.CommandTree(self)
        self.tree.error(report_error)
        self.command_sync = CommandSync(self.tree, assistant, self.options.dev_guild_id)
        self.answers = Answers(self, assistant, self.options.faq_channel_ids)
        self.reminders = Reminders(self, assistant)
        self.features: dict[type[Feature], Feature] = {
            type(feature): feature
            for feature in (
                self.answers,
                Guide(self, assistant),
                self.reminders,
                Feedback(self, assistant),
                SafetyCheck(self, assistant),
                Moderation(self, assistant),
            )
        }
        self.serving = True
        """False for one-shot commands (`sync-commands`): no sync on start, no background work."""
        self.background: list[asyncio.Task] = []

    async def setup_hook(self) -> None:
        await self.tree.set_translator(self.command_sync.translator)
        for feature in self.features.values():
            self.add_dynamic_items(*feature.dynamic_items)
            feature.register(self.tree)
        if self.serving:
            self.log_identity()
            await self.command_sync.sync_if_changed()
            self.start_background_tasks()

    def log_identity(self) -> None:
        """Which bot the token belongs to, and how to add it to a server."""
        if self.user is not None:
            log.info("logged in as %s (id %s)", self.user, self.user.id)
        if self.application_id is not None:
            log.info("invite it to a server: %s", invite_url(self.application_id))

    async def on_message(self, message: discord.Message) -> None:
        await self.answers.on_message(message)

    async def on_error(self, event_method: str, /, *args, **kwargs) -> None:
        log.exception("error in event %s", event_method)

    def start_background_tasks(self) -> None:
        """Heartbeat, reminders, retention and (optionally) knowledge watching, as named tasks."""
        jobs: dict[str, Coroutine] = {
            "heartbeat": self._every(HEARTBEAT_SECONDS, self.assistant.heartbeat, "heartbeat"),
            "reminder delivery": self._every(
                REMINDER_POLL_SECONDS, self.reminders.deliver_due, "reminder delivery"
            ),
            "question pruning": self._every(
                PRUNE_SECONDS, self.assistant.prune_questions, "question pruning"
            ),
        }
        if self.options.knowledge_watch:
            jobs["knowledge watch"] = self.assistant.watch_knowledge(KNOWLEDGE_POLL_SECONDS)
        self.background = [asyncio.create_task(job, name=name) for name, job in jobs.items()]

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
        while True:
            try:
                await job()
            except Exception:
                log.exception("%s failed; retrying in %.0f s", name, seconds)
            await asyncio.sleep(seconds)

    async def close(self) -> None:
        jobs, self.background = self.background, []
        await stop_background_jobs(jobs)
        await super().close()
