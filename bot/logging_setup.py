"""Logging configured once, at start-up; every record passes through token redaction.

Redaction works on the final formatted line, so a token can't slip out through a message
argument, an exception's text or a traceback. The JSON formatter also redacts each field
before encoding, because JSON escapes (`\\n` before a token) would hide a token's start.
The paths that bypass formatters are covered too: logging's own error report (a record whose
arguments don't fit its message) and uncaught exceptions (`sys.excepthook`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import TextIO

from bot.core.scrub import TOKEN_PATTERNS

REDACTED = "[REDACTED]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)


def redact(text: str) -> str:
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            payload["exception"] = redact(record.exc_text)
        if record.stack_info:
            payload["stack"] = redact(self.formatStack(record.stack_info))
        return redact(json.dumps(payload, ensure_ascii=False))


class RedactingStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler whose error report (bad %-arguments, a failing write) is redacted.

    The standard one prints the record's raw arguments to stderr, past every formatter.
    """

    def handleError(self, record: logging.LogRecord) -> None:
        if not logging.raiseExceptions or sys.stderr is None:
            return
        with contextlib.suppress(Exception):  # the error report must never raise in turn
            sys.stderr.write(
                redact(
                    f"--- Logging error in {record.name} "
                    f"({record.pathname}:{record.lineno}) ---\n{traceback.format_exc()}"
                    f"Message: {record.msg!r}\nArguments: {record.args!r}\n"
                )
            )


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """`sys.excepthook`: uncaught exceptions go through the redacting handler."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("Uncaught exception", exc_info=(exc_type, exc, tb))


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    handler = RedactingStreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Re-arm: captureWarnings(True) is a no-op once armed, even if something (a
    # warnings.catch_warnings block) has since put the original showwarning back.
    logging.captureWarnings(False)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
