"""A token written through every logging path never reaches the output.

Tokens are built at test time, so no token-shaped literal sits in the repository.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib.util
import io
import json
import logging
import secrets
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import discord
import pytest
from aiohttp import web

from bot.cli import main
from bot.logging_setup import REDACTED, RedactingStreamHandler, configure_logging, redact
from bot.settings import Settings

# ---------------------------------------------------------------- tokens


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def discord_token(id_digits: int = 19, hmac_bytes: int = 28) -> str:
    """base64(user id) . base64(timestamp) . HMAC, like a bot token from the developer portal."""
    user_id = str(10 ** (id_digits - 1) + secrets.randbelow(9 * 10 ** (id_digits - 1)))
    return (
        f"{b64(user_id.encode())}.{b64(secrets.token_bytes(4))}.{secrets.token_urlsafe(hmac_bytes)}"
    )


def digits(n: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(n))


def slack_bot_token() -> str:
    return "-".join(["xoxb", digits(12), digits(13), secrets.token_hex(12)])


def slack_app_token() -> str:
    return "-".join(["xapp", "1", "A" + digits(10), digits(13), secrets.token_hex(32)])


TOKENS = {
    "discord": discord_token,
    "discord-legacy": lambda: discord_token(id_digits=18, hmac_bytes=20),
    "slack-bot": slack_bot_token,
    "slack-app": slack_app_token,
}


@pytest.fixture(params=sorted(TOKENS))
def token(request) -> str:
    return TOKENS[request.param]()


@pytest.mark.parametrize("name", sorted(TOKENS))
def test_redact_recognises_each_token_shape(name):
    value = TOKENS[name]()
    for text in (value, f"x {value} y", f"a\n{value}", f'"{value}"', f"k={value}&"):
        redacted = redact(text)
        assert value not in redacted and REDACTED in redacted, text


def test_redact_keeps_ordinary_text():
    text = (
        "チャットワークは無料？ See https://go.chatwork.com/ja/ (v2.7.1, user 123456789012345678)"
    )
    assert redact(text) == text


def test_redact_authorization_header():
    secret = secrets.token_urlsafe(30)
    assert secret not in redact(f"{{'Authorization': 'Bot {secret}'}}")
    assert secret not in redact(f"Authorization: Bearer {secret}")


# ---------------------------------------------------------------- every logging path


@pytest.fixture
def restore_logging(monkeypatch) -> Iterator[None]:
    """configure_logging changes process-wide state; undo it after the test.

    Only the handlers it installed are removed: pytest manages its own per test phase.
    """
    root = logging.getLogger()
    level = root.level
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        yield
    logging.captureWarnings(False)
    for handler in list(root.handlers):
        if isinstance(handler, RedactingStreamHandler):
            root.removeHandler(handler)
    root.setLevel(level)


def leaky_module(tmp_path: Path, token: str):
    """A module whose source holds the token, so tracebacks and stacks quote it."""
    path = tmp_path / f"leaky_{secrets.token_hex(4)}.py"
    path.write_text(
        "import logging\n"
        "def fail():\n"
        f"    raise RuntimeError('rejected {token}')\n"
        "def log_with_stack(log):\n"
        f"    log.info('stack ahead', stack_info=True)  # {token}\n",
        encoding="utf-8",
    )
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def path_message(log, token, module):
    log.warning(f"token is {token}")
    log.info(f"token after a newline:\n{token}\tand a tab")


def path_percent_args(log, token, module):
    log.info("token %s (%r)", token, token)
    log.info("%(token)s", {"token": token})


def path_exception(log, token, module):
    try:
        module.fail()
    except RuntimeError:
        log.exception("login failed")


def path_exc_info(log, token, module):
    try:
        try:
            module.fail()
        except RuntimeError as cause:
            raise ValueError(f"while using {token}") from cause
    except ValueError as exc:
        log.error("request failed", exc_info=exc)


def path_stack_info(log, token, module):
    module.log_with_stack(log)


def path_warning(log, token, module):
    warnings.warn(f"deprecated token {token}", UserWarning, stacklevel=1)


def path_third_party(log, token, module):
    logging.getLogger("discord.http").debug(
        "GET /users/@me with headers %s", {"Authorization": f"Bot {token}"}
    )
    logging.getLogger("slack_bolt.App").info("token=%s", token)


PATHS: dict[str, Callable] = {
    "message": path_message,
    "percent-args": path_percent_args,
    "log.exception": path_exception,
    "exc_info": path_exc_info,
    "stack_info": path_stack_info,
    "warnings.warn": path_warning,
    "third-party logger": path_third_party,
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("path", sorted(PATHS))
def test_token_never_reaches_the_log(restore_logging, tmp_path, capsys, token, fmt, path):
    stream = io.StringIO()
    configure_logging("DEBUG", fmt, stream=stream)
    module = leaky_module(tmp_path, token)
    PATHS[path](logging.getLogger("bot.test"), token, module)
    output = stream.getvalue()
    captured = capsys.readouterr()
    assert output, "nothing was logged"
    assert token not in output
    assert token not in captured.out + captured.err
    assert REDACTED in output
    if fmt == "json":
        for line in output.splitlines():
            json.loads(line)
    if path in ("log.exception", "exc_info"):
        assert "RuntimeError" in output and "Traceback" in output
    if path == "stack_info":
        assert "Stack (most recent call last)" in output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_logging_error_report_is_redacted(restore_logging, capsys, token, fmt):
    """A record whose arguments don't fit its message makes logging print them to stderr."""
    configure_logging("DEBUG", fmt, stream=io.StringIO())
    logging.getLogger("bot.test").info("%d", token)
    err = capsys.readouterr().err
    assert "Logging error" in err
    assert token not in err and REDACTED in err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_uncaught_exception_is_logged_redacted(restore_logging, tmp_path, token, fmt):
    stream = io.StringIO()
    configure_logging("INFO", fmt, stream=stream)
    module = leaky_module(tmp_path, token)
    try:
        module.fail()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    output = stream.getvalue()
    assert "Uncaught exception" in output and "RuntimeError" in output
    assert token not in output and REDACTED in output


def test_warnings_are_captured_after_reconfiguring(restore_logging):
    """captureWarnings stays armed when configure_logging runs again after a catch_warnings."""
    with warnings.catch_warnings():
        configure_logging("INFO", "text", stream=io.StringIO())
    stream = io.StringIO()
    configure_logging("INFO", "text", stream=stream)
    warnings.warn("still captured", UserWarning, stacklevel=1)
    assert "still captured" in stream.getvalue()


# ---------------------------------------------------------------- settings and the CLI


def test_settings_never_show_the_token(monkeypatch):
    value = discord_token()
    monkeypatch.setenv("DISCORD_TOKEN", value)
    settings = Settings()
    assert settings.discord_token.get_secret_value() == value
    for shown in (
        repr(settings),
        str(settings),
        f"{settings}",
        str(settings.model_dump()),
        settings.model_dump_json(),
        repr(settings.discord_token),
        str(settings.discord_token),
    ):
        assert value not in shown


@pytest.fixture
def rejecting_discord() -> Iterator[tuple[str, list[str]]]:
    """A Discord REST API that answers 401 to GET /users/@me, echoing the credential back
    (as a careless proxy might), in a thread so the CLI can run its own event loop."""
    seen: list[str] = []

    async def users_me(request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        seen.append(auth)
        return web.json_response({"message": f"401: Unauthorized ({auth})", "code": 0}, status=401)

    app = web.Application()
    app.router.add_get("/api/v10/users/@me", users_me)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/api/v10", seen
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_run_with_a_rejected_token_prints_no_token(
    restore_logging, rejecting_discord, monkeypatch, tmp_path, fmt
):
    api_base, seen = rejecting_discord
    value = discord_token()
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    for name, setting in {
        "DISCORD_TOKEN": value,
        "DISCORD_API_BASE": api_base,
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": fmt,
    }.items():
        monkeypatch.setenv(name, setting)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    # Our own buffers rather than capsys: the store's worker threads may still log (DEBUG) after
    # main() returns, and must not find a closed capture stream.
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["run"]) == 2

    assert seen == [f"Bot {value}"], "the login reached the fake Discord"
    output = out.getvalue() + err.getvalue()
    assert "logging in using static token" in output, "the bot's DEBUG/INFO logs were captured"
    assert "DISCORD_TOKEN was rejected" in output
    assert value not in output
