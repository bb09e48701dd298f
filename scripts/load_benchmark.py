"""`make bench`, second part: the bot under load, against a floor bot measured in the same run.

Both bots run as their own processes (the bot through `chatwork-safe-bot run`, exactly as
deployed) against the project's fake Discord (tests/fakediscord) on loopback, which plays the
users. 1x is 200 users sending 2,000 DMs and 500 walkthrough interactions (`/chatwork-safe`,
then clicks on its buttons) over 20 s; 2x and 4x scale users and events; "burst" is the 1x
arrivals squeezed into 1 s. The floor (scripts/floor_bot.py) answers the same events with a
constant, so its CPU is what discord.py itself costs per event.

Reported per run: events lost (no answer), duplicated (answered twice), interactions that missed
Discord's 3 s deadline, p50/p99 latency (DM to reply, interaction to callback), CPU per event
of the bot process and its ratio to the floor's, and the bot's resident memory (now / peak).
Figures, not assertions: the machine is shared. LOAD_SCALES=1x,4x picks runs.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.fakediscord import FakeChannel, FakeDiscord, FakeUser
from tests.fakediscord.records import InteractionHandle

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "fixtures" / "eval_questions.yaml"
BOT_COMMAND = [str(Path(sys.executable).with_name("chatwork-safe-bot")), "run"]
FLOOR_COMMAND = [sys.executable, str(ROOT / "scripts" / "floor_bot.py")]

USERS, DMS, INTERACTIONS, SECONDS = 200, 2_000, 500, 20.0
"""The 1x load."""
SCENARIOS: dict[str, tuple[int, float]] = {
    "1x": (1, SECONDS),
    "2x": (2, SECONDS),
    "4x": (4, SECONDS),
    "burst": (1, 1.0),
}
DEADLINE = 3.0
DRAIN_SECONDS = 10.0
"""How long after the last event answers may still arrive before they count as lost."""
STARTUP_SECONDS = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"
WALK_PREFIXES = ("cs:walk:", "floor:")


class LoadFake(FakeDiscord):
    """The fake, indexed for thousands of messages, timing every message the bot posts in DMs."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.by_id: dict[str, dict[str, Any]] = {}
        self.dm_channels: dict[str, FakeChannel] = {}
        self.replies: dict[str, list[float]] = defaultdict(list)

    def store_message(
        self, channel: FakeChannel, author: FakeUser, body: dict[str, Any], **kw: Any
    ) -> dict[str, Any]:
        message = super().store_message(channel, author, body, **kw)
        self.by_id[message["id"]] = message
        if author is self.bot_user and channel.is_dm:
            self.replies[channel.id].append(time.monotonic())
        return message

    def find_message(self, message_id: str) -> dict[str, Any] | None:
        return self.by_id.get(message_id)

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = self.dm_channels[user.id] = super().dm_channel(user)
        return channel


@dataclass
class Run:
    """What one bot did with one scenario."""

    dms_sent: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    interactions: list[InteractionHandle] = field(default_factory=list)
    clicks_not_sent: int = 0
    cpu_seconds: float = 0.0
    fake_cpu_seconds: float = 0.0
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def events(self) -> int:
        return sum(map(len, self.dms_sent.values())) + len(self.interactions) + self.clicks_not_sent


@dataclass(frozen=True)
class Figures:
    lost: int
    duplicated: int
    missed_deadline: int
    dm_p50: float
    dm_p99: float
    interaction_p50: float
    interaction_p99: float
    cpu_ms_per_event: float
    fake_cpu_ms_per_event: float
    rss_mb: float
    peak_rss_mb: float


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def figures(fake: LoadFake, run: Run) -> Figures:
    lost, duplicated, missed = run.clicks_not_sent, 0, 0
    dm_latencies: list[float] = []
    for channel_id, sent in run.dms_sent.items():
        replies = fake.replies.get(channel_id, [])
        lost += max(0, len(sent) - len(replies))
        duplicated += max(0, len(replies) - len(sent))
        dm_latencies += [
            (reply - asked) * 1000 for asked, reply in zip(sent, replies, strict=False)
        ]
    interaction_latencies = []
    for handle in run.interactions:
        if handle.callback is not None:
            interaction_latencies.append(handle.callback.elapsed * 1000)
        elif handle.late_callback is not None:
            missed += 1
        else:
            lost += 1
    duplicated += sum(1 for r in fake.requests if r.path.endswith("/callback") and r.status == 400)
    return Figures(
        lost=lost,
        duplicated=duplicated,
        missed_deadline=missed,
        dm_p50=percentile(dm_latencies, 0.5),
        dm_p99=percentile(dm_latencies, 0.99),
        interaction_p50=percentile(interaction_latencies, 0.5),
        interaction_p99=percentile(interaction_latencies, 0.99),
        cpu_ms_per_event=run.cpu_seconds * 1000 / max(1, run.events),
        fake_cpu_ms_per_event=run.fake_cpu_seconds * 1000 / max(1, run.events),
        rss_mb=run.rss_mb,
        peak_rss_mb=run.peak_rss_mb,
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident set, in MB."""
    status = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


@dataclass(frozen=True)
class Plan:
    """Who sends what when: per user, DM times, `/chatwork-safe` time and click times."""

    dms: dict[int, list[float]]
    walks: dict[int, tuple[float, list[float]]]


def plan(users: int, dms: int, interactions: int, seconds: float, seed: int = 10) -> Plan:
    rng = random.Random(seed)
    dm_times: dict[int, list[float]] = defaultdict(list)
    for index in range(dms):
        dm_times[index % users].append(rng.uniform(0, seconds))
    clicks = interactions - users
    walks = {}
    for user in range(users):
        start = rng.uniform(0, seconds * 0.5)
        count = clicks // users + (1 if user < clicks % users else 0)
        walks[user] = (start, sorted(rng.uniform(start, seconds) for _ in range(count)))
    return Plan({u: sorted(t) for u, t in dm_times.items()}, walks)


async def drive(
    fake: LoadFake, users: list[FakeUser], load: Plan, questions: list[str], run: Run
) -> None:
    rng = random.Random(3)
    begin = time.monotonic()

    async def at(moment: float) -> None:
        await asyncio.sleep(max(0.0, begin + moment - time.monotonic()))

    async def messages(user: FakeUser, times: list[float]) -> None:
        channel = fake.dm_channel(user)
        for moment in times:
            await at(moment)
            run.dms_sent[channel.id].append(time.monotonic())
            await fake.send_dm(user, rng.choice(questions))

    async def walkthrough(user: FakeUser, start: float, clicks: list[float]) -> None:
        await at(start)
        handle = await fake.slash_command("chatwork-safe", user=user)
        run.interactions.append(handle)
        for moment in clicks:
            await at(moment)
            while handle.original is None and time.monotonic() - begin < moment + DEADLINE:
                await asyncio.sleep(0.02)
            message = fake.find_message(handle.original["id"]) if handle.original else None
            buttons = [
                c["custom_id"]
                for row in (message or {}).get("components", [])
                for c in row.get("components", [])
                if c.get("custom_id", "").startswith(WALK_PREFIXES)
            ]
            if not buttons:
                run.clicks_not_sent += 1
                continue
            click = await fake.click_button(message, buttons[0], user=user)
            run.interactions.append(click)

    await asyncio.gather(
        *(messages(users[u], times) for u, times in load.dms.items()),
        *(walkthrough(users[u], start, clicks) for u, (start, clicks) in load.walks.items()),
    )


async def wait_until_ready(fake: LoadFake, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not (fake.gateway.identifies and fake.commands):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{process.args} did not connect (exit {process.poll()})")
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.5)  # discord.py waits 2 s for more guilds before it is ready


async def measure(command: list[str], scale: int, seconds: float, questions: list[str]) -> Figures:
    async with LoadFake() as fake:
        users = [fake.add_user(f"user{n}") for n in range(USERS * scale)]
        for user in users:
            fake.add_member(fake.guild, user)
        with tempfile.TemporaryDirectory() as data_dir:
            environment = os.environ | {
                "DISCORD_TOKEN": fake.token,
                "DISCORD_API_BASE": fake.api_base,
                "DISCORD_GATEWAY_URL": fake.gateway_url,
                "DATA_DIR": data_dir,
                "RATE_LIMIT_COUNT": "100000",
                "LOG_LEVEL": "ERROR",
            }
            environment.pop("DATABASE_URL", None)
            process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL)
            try:
                await wait_until_ready(fake, process)
                run = Run()
                cpu_before, fake_cpu_before = cpu_seconds(process.pid), time.process_time()
                load = plan(USERS * scale, DMS * scale, INTERACTIONS * scale, seconds)
                await drive(fake, users, load, questions, run)
                await settle(fake, run)
                run.cpu_seconds = cpu_seconds(process.pid) - cpu_before
                run.fake_cpu_seconds = time.process_time() - fake_cpu_before
                run.rss_mb, run.peak_rss_mb = memory_mb(process.pid)
            finally:
                process.terminate()
                await asyncio.to_thread(process.wait, 10)
        return figures(fake, run)


async def settle(fake: LoadFake, run: Run) -> None:
    """Wait until every event is answered, or DRAIN_SECONDS pass without progress."""
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < DRAIN_SECONDS:
        answered = sum(map(len, fake.replies.values())) + sum(
            1 for h in run.interactions if h.callback or h.late_callback
        )
        if answered >= run.events - run.clicks_not_sent:
            return
        if answered != last:
            last, quiet_since = answered, time.monotonic()
        await asyncio.sleep(0.2)


def report(name: str, bot: Figures, floor: Figures) -> None:
    ratio = (
        bot.cpu_ms_per_event / floor.cpu_ms_per_event if floor.cpu_ms_per_event else float("nan")
    )
    for label, f in (("bot", bot), ("floor", floor)):
        print(
            f"{name:<6}{label:<7}{f.lost:>6}{f.duplicated:>6}{f.missed_deadline:>8}"
            f"{f.dm_p50:>9.1f}{f.dm_p99:>9.1f}{f.interaction_p50:>9.1f}{f.interaction_p99:>9.1f}"
            f"{f.cpu_ms_per_event:>9.2f}{(f'{ratio:.2f}x' if label == 'bot' else ''):>8}"
            f"{f.rss_mb:>8.0f}{f.peak_rss_mb:>8.0f}{f.fake_cpu_ms_per_event:>8.2f}"
        )


async def main() -> int:
    questions = [case["q"] for case in yaml.safe_load(QUESTIONS.read_text("utf-8"))["cases"]]
    chosen = os.environ.get("LOAD_SCALES", ",".join(SCENARIOS)).split(",")
    print(
        f"\n== load: 1x = {USERS} users, {DMS} DMs + {INTERACTIONS} walkthrough interactions "
        f"in {SECONDS:.0f} s; burst = the 1x arrivals in 1 s; deadline {DEADLINE:.0f} s"
    )
    print(
        f"{'run':<6}{'bot':<7}{'lost':>6}{'dup':>6}{'missed':>8}{'DM p50':>9}{'DM p99':>9}"
        f"{'int p50':>9}{'int p99':>9}{'CPU ms':>9}{'×floor':>8}{'RSS MB':>8}{'peak':>8}"
        f"{'fake':>8}"
    )
    for name in chosen:
        scale, seconds = SCENARIOS[name]
        floor = await measure(FLOOR_COMMAND, scale, seconds, questions)
        bot = await measure(BOT_COMMAND, scale, seconds, questions)
        report(name, bot, floor)
    print(
        "latencies in ms; CPU ms = CPU time of the bot process per event, ×floor = its ratio to "
        "the floor's; fake = CPU ms per event of the fake Discord playing the users"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
