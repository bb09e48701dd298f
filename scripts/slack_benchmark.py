"""Slack figures for `make bench`: how fast Socket Mode envelopes are acknowledged and answered.

The real app (`serve_platforms`, slack-bolt over Socket Mode) runs against the fake Slack of the
tests on loopback; Slack gives up on an envelope that is not acked within 3 s. Figures, not
assertions: the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
from pathlib import Path

import yaml

from bot.adapters.platforms import serve_platforms
from bot.settings import Settings
from tests.fakeslack import EnvelopeHandle, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
QUESTIONS = ROOT / "tests" / "fixtures" / "eval_questions.yaml"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """{kind: (ack delays, reply delays)} in milliseconds."""
    questions = [c["q"] for c in yaml.safe_load(QUESTIONS.read_text("utf-8"))["cases"]]
    results: dict[str, tuple[list[float], list[float]]] = {}

    async def record(kind: str, handle: EnvelopeHandle, replied_at: float) -> None:
        """The reply may reach the fake before the ack: both travel on their own sockets."""
        acks, replies = results.setdefault(kind, ([], []))
        acks.append((await handle.acked()).elapsed * 1000)
        replies.append((replied_at - handle.sent_at) * 1000)

    async with FakeSlack(manifest=MANIFEST) as fake:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(
                slack_bot_token=fake.bot_token,
                slack_app_token=fake.app_token,
                slack_api_base=fake.api_base,
                discord_token=None,
                data_dir=Path(data_dir),
                database_url=None,
                knowledge_dir=None,
                rate_limit_count=1_000_000,
            )
            serving = asyncio.create_task(serve_platforms(settings))
            await fake.wait_for_connection(timeout=30)
            loop = asyncio.get_running_loop()
            for index in range(rounds):
                after = fake.mark()
                dm = await fake.send_dm(fake.user, questions[index % len(questions)])
                await fake.wait_for_call("chat.postMessage", lambda c: c.ok, after=after)
                await record("DM → answer", dm, loop.time())

                faq = await fake.slash_command("/faq", questions[(index * 7) % len(questions)])
                (_answer,) = await faq.responses()
                await record("/faq", faq, loop.time())

                guide = await fake.slash_command("/chatwork-safe")
                (message,) = await guide.responses()
                await record("/chatwork-safe", guide, loop.time())
                action_id = next(
                    e["action_id"]
                    for b in message["blocks"]
                    if b["type"] == "actions"
                    for e in b["elements"]
                )
                click = await fake.click(message, action_id)
                await click.responses()
                await record("guide button", click, loop.time())
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
    return results


def main(rounds: int = 60) -> None:
    results = asyncio.run(measure(rounds))
    acks = [delay for kind_acks, _ in results.values() for delay in kind_acks]
    print(
        f"\n== Slack over Socket Mode (real slack-bolt app, fake Slack on loopback), {rounds} rounds"
    )
    print(
        f"{'envelope':<18}{'ack p50 ms':>12}{'ack p99 ms':>12}{'reply p50 ms':>14}{'reply p99 ms':>14}"
    )
    for kind, (kind_acks, replies) in results.items():
        print(
            f"{kind:<18}{statistics.median(kind_acks):>12.1f}{percentile(kind_acks, 0.99):>12.1f}"
            f"{statistics.median(replies):>14.1f}{percentile(replies, 0.99):>14.1f}"
        )
    print(
        f"all {len(acks)} envelopes: ack p99 {percentile(acks, 0.99):.1f} ms, "
        f"max {max(acks):.1f} ms (Slack's limit: 3000 ms)"
    )


if __name__ == "__main__":
    main()
