"""A fake Slack (Web API + Socket Mode) on loopback, for end-to-end tests with the real slack-bolt.

The app under test is a real ``AsyncApp`` whose Web API client has ``base_url=fake.api_base``;
``apps.connections.open`` hands it a ``ws://127.0.0.1:…`` Socket Mode URL of the fake::

    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from tests.fakeslack import FakeSlack
    from tests.fakeslack.fixtures import fake_slack_fixture, running_app  # noqa: F401

    async def test_dm_answer(fake_slack: FakeSlack) -> None:
        app = AsyncApp(client=AsyncWebClient(token=fake_slack.bot_token,
                                             base_url=fake_slack.api_base))
        ...  # register listeners
        async with running_app(app, fake_slack):
            handle = await fake_slack.send_dm(fake_slack.user, "仮払いって何？")
            await handle.acked()                       # fails if later than Slack's 3 s
            post = await fake_slack.wait_for_call("chat.postMessage")
        assert post.ok and fake_slack.unhandled == []

Users act through ``send_dm``, ``mention``, ``slash_command``, ``click`` (a button of a message
as it is now) and ``message_shortcut``; each returns an ``EnvelopeHandle`` (``await
handle.acked()``, ``await handle.responses()`` for what came through its response_url).
Every Web API call, response_url post and slash-command ack payload is in ``fake.calls``;
``pings(message)`` says whom a posted message would notify. Pass ``manifest=`` (the parsed
app manifest) to refuse what that configuration does not allow.
"""

from .blocks import block_errors
from .models import FakeConversation, FakeUser, all_texts, pings
from .records import Ack, EnvelopeHandle, RecordedCall
from .server import FakeSlack

__all__ = [
    "Ack",
    "EnvelopeHandle",
    "FakeConversation",
    "FakeSlack",
    "FakeUser",
    "RecordedCall",
    "all_texts",
    "block_errors",
    "pings",
]
