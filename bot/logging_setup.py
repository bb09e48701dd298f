"""Logging configured once, at start-up; every record passes through token redaction.

Redaction works on the final formatted line, so a token can't slip out through a message
argument, an exception's text or a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

TOKEN_PATTERNS = (
    re.compile(r"[MNO][A-Za-z\d_-]{22,27}\.[A-Za-z\d_-]{5,7}\.[A-Za-z\d_-]{25,40}"),
    re.compile(r"\bxox[abposr]-[A-Za-z\d-]{8,}"),
    re.compile(r"\bxapp-[A-Za-z\d-]{8,}"),
    re.compile(r"(?i)(\bBot\s+)[A-Za-z\d._-]{20,}"),
)
REDACTED = "[REDACTED]"


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
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(payload, ensure_ascii=False))


def configure_logging(level: str = "INFO", fmt: str = "text", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
