"""Command line: `chatwork-safe-bot [command]`. Settings are read here, in `main()`, only."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.core.assistant import Assistant
from bot.core.catalog import ui
from bot.core.knowledge import load_knowledge
from bot.core.ports import StoreError, utc_now
from bot.core.replies import render_answer_text, render_safety_text
from bot.core.reports import format_gaps, format_stats, group_questions
from bot.core.schema import KnowledgeError
from bot.core.service import Service
from bot.logging_setup import configure_logging
from bot.settings import ConfigurationError, Settings, describe_setting_error
from bot.store import open_store
from bot.text_input import LineDecoder, UnreadableInput, decoded_lines

log = logging.getLogger(__name__)

EXIT_USAGE = 2
MAX_REPORT_DAYS = 36_500
CONNECT_HINT = (
    "No platform token is set: starting the terminal console. To connect to Discord, set "
    "DISCORD_TOKEN; to Slack, SLACK_BOT_TOKEN and SLACK_APP_TOKEN (see README); then run "
    "`make run` again."
)


def _lines(source: str) -> Iterator[str]:
    """Non-blank lines of a batch file (`-`: stdin) in UTF-8 or CP932, saying which it was."""
    name = "standard input" if source == "-" else source
    decoder = LineDecoder(name)
    stream = sys.stdin.buffer if source == "-" else open(source, "rb")  # noqa: SIM115
    with stream:
        for line in decoded_lines(stream, decoder):
            if line.strip():
                yield line.rstrip("\r\n")
    print(f"{name}: read as {decoder.encoding_name}", file=sys.stderr)


JsonObject = dict[str, Any]


def _emit_json(obj: JsonObject) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _for_each_input(
    args: argparse.Namespace,
    single: str | None,
    name: str,
    respond: Callable[[str], tuple[JsonObject, str]],
) -> int:
    """`ask` and `check`: one text or `--batch FILE`; a JSON object per line, or text for people."""
    if args.batch is not None and single is None:
        texts: Iterable[str] = _lines(args.batch)
    elif single is not None and args.batch is None:
        texts = [single]
    else:
        print(f"{args.command}: give either a {name} or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    for text in texts:
        as_dict, for_people = respond(text)
        if args.json:
            _emit_json(as_dict)
        else:
            print(for_people, end="\n\n")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    matcher = Service(settings.knowledge_dir, settings.cache_dir).engines.matcher

    def respond(question: str) -> tuple[JsonObject, str]:
        answer = matcher.answer(question, lang=args.lang, explain=args.explain)
        text = render_answer_text(answer, matcher.entries)
        if answer.explanation is not None:
            text += "\n\n" + "\n".join(answer.explanation.lines())
        return answer.as_dict(), text

    return _for_each_input(args, args.question, "QUESTION", respond)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    checker = Service(settings.knowledge_dir, settings.cache_dir).engines.safety

    def respond(text: str) -> tuple[JsonObject, str]:
        report = checker.check(text, lang=args.lang, explain=args.explain)
        rendered = render_safety_text(report)
        if report.explanation is not None:
            lines = [f"read 「{word}」 as 「{as_}」" for word, as_ in report.respelled]
            lines += [trace.line() for trace in report.explanation] or ["no rule matched"]
            rendered += "\n\n" + "\n".join(lines)
        return report.as_dict(), rendered

    return _for_each_input(args, args.text, "TEXT", respond)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    async def read() -> str:
        knowledge = Service(settings.knowledge_dir, settings.cache_dir).engines.knowledge
        since = utc_now() - timedelta(days=args.days) if args.days else None
        async with await open_store(settings.store_url, read_only=True) as store:
            stats = await store.stats(since=since)
            gaps = group_questions(await store.questions(since=since))
        return f"{format_stats(stats, knowledge, 'en')}\n\n{ui('gaps_heading', 'en')}\n{format_gaps(gaps, 'en')}"

    print(asyncio.run(read()))
    return 0


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Docker HEALTHCHECK: healthy while the running bot's heartbeat is recent."""

    async def age() -> float | None:
        async with await open_store(settings.store_url, read_only=True) as store:
            beat = await store.last_beat()
        return None if beat is None else (utc_now() - beat).total_seconds()

    seconds = asyncio.run(age())
    if seconds is None or seconds > args.max_age:
        print(f"unhealthy: last heartbeat {'never' if seconds is None else f'{seconds:.0f}s ago'}")
        return 1
    print(f"healthy: last heartbeat {seconds:.0f}s ago")
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console import PLATFORM, Console

    # Undecodable bytes reach the console as surrogate escapes, for it to read as CP932.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")

    async def serve() -> int:
        service = Service(settings.knowledge_dir, settings.cache_dir)
        async with await open_store(settings.store_url) as store:
            assistant = Assistant(service, store, PLATFORM, records_usage=False)
            console = Console(assistant, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())
            return await console.run()

    return asyncio.run(serve())


def cmd_check_knowledge(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(args.path) if args.path else settings.knowledge_dir
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"OK: {len(knowledge.faq)} FAQ entries, {len(knowledge.walkthrough.steps)} "
        f"walkthrough steps in {knowledge.directory}"
    )
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Every platform whose tokens are set (Discord, Slack, or both in one process)."""
    from bot.adapters.platforms import serve_platforms

    asyncio.run(serve_platforms(settings))
    return 0


def cmd_sync_commands(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.discord_bot.runner import sync_commands

    asyncio.run(sync_commands(settings))
    print("Application commands synced.")
    return 0


def cmd_default(args: argparse.Namespace, settings: Settings) -> int:
    """`make run`: the platforms whose tokens are configured, otherwise the console, at once."""
    if not settings.platforms:
        print(CONNECT_HINT, file=sys.stderr)
        return cmd_console(args, settings)
    return COMMANDS["run"](args, settings)


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage mistakes in one line that says where the help is, instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def report_days(text: str) -> float:
    """`report --days`: a real period, not a negative, infinite or nan one."""
    try:
        days: float | None = float(text)
    except ValueError:
        days = None
    if days is None or not 0 < days <= MAX_REPORT_DAYS:
        raise argparse.ArgumentTypeError(
            f"give a number of days above 0 and up to {MAX_REPORT_DAYS}, not {text!r}"
        )
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="chatwork-safe-bot",
        description="FAQ, walkthrough and safety check for moving from CrowdWorks to Chatwork.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {metadata.version('chatwork-safe-bot')}"
    )
    commands = parser.add_subparsers(dest="command")

    ask = commands.add_parser("ask", help="answer a question (or a batch) from the FAQ")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--batch", metavar="FILE", help="one question per line; - for stdin")
    ask.add_argument("--lang", choices=["ja", "en"], help="answer language (default: detect)")
    ask.add_argument(
        "--explain", action="store_true", help="show the words, scores and gates that decided"
    )

    commands.add_parser(
        "console",
        help="chat with the bot in this terminal",
        description=f"{ui('console_help', 'en')}\n\n{ui('console_help', 'ja')}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    check_knowledge = commands.add_parser("check-knowledge", help="validate knowledge files")
    check_knowledge.add_argument("path", nargs="?", help="knowledge directory (default: bundled)")
    check = commands.add_parser("check", help="safety check of a client's message")
    check.add_argument("text", nargs="?", help="the client's message")
    check.add_argument("--json", action="store_true", help="one JSON object per message")
    check.add_argument("--batch", metavar="FILE", help="one message per line; - for stdin")
    check.add_argument("--lang", choices=["ja", "en"], help="reply language (default: detect)")
    check.add_argument(
        "--explain",
        action="store_true",
        help="show which rules matched where, and what suppressed them",
    )

    report = commands.add_parser("report", help="usage figures and unanswered questions")
    report.add_argument("--days", type=report_days, help="only the last N days (default: all)")

    health = commands.add_parser("health", help="exit 0 when the running bot is alive")
    health.add_argument(
        "--max-age", type=float, default=120.0, help="seconds a heartbeat stays fresh"
    )

    commands.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    commands.add_parser("sync-commands", help="push slash commands to Discord now")
    return parser


COMMANDS = {
    None: cmd_default,
    "ask": cmd_ask,
    "console": cmd_console,
    "check-knowledge": cmd_check_knowledge,
    "check": cmd_check,
    "report": cmd_report,
    "health": cmd_health,
    "run": cmd_run,
    "sync-commands": cmd_sync_commands,
}


def _discard_further_output() -> None:
    """The reader went away (`| head -1`): what it did not read is not an error, and Python's
    final flush at exit must not raise again into the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


SERVICE_COMMANDS = frozenset({"run", "sync-commands"})
"""Long-running or networked commands log at INFO by default; terminal tools stay quiet."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"error: {describe_setting_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    quiet_default = "INFO" if args.command in SERVICE_COMMANDS else "WARNING"
    configure_logging(settings.log_level or quiet_default, settings.log_format)
    try:
        return COMMANDS[args.command](args, settings)
    except KnowledgeError as exc:
        print(f"The knowledge files are invalid:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigurationError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UnreadableInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _discard_further_output()
        return 0
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
