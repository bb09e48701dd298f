"""Text typed or saved by people: UTF-8, or Shift_JIS (CP932) as Japanese Windows saves it.

The encoding is decided on the first line that is not plain ASCII and kept for the rest of the
input, so a line is read the same way whether it comes from a file, a pipe or a terminal.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

ENCODINGS = ("utf-8", "cp932")
ENCODING_NAMES = {"utf-8": "UTF-8", "cp932": "Shift_JIS (CP932)"}


class UnreadableInput(ValueError):
    """Input in neither accepted encoding; the message is the one line users see."""


class LineDecoder:
    def __init__(self, source: str):
        self.source = source
        self.encoding: str | None = None

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES[self.encoding or "utf-8"]

    def decode(self, raw: bytes, line_number: int) -> str:
        if b"\0" in raw or raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise self._unreadable(line_number, "it looks like UTF-16 or a binary file")
        candidates = (self.encoding,) if self.encoding else ENCODINGS
        for encoding in candidates:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if self.encoding is None and not raw.isascii():
                self.encoding = encoding
            return text.removeprefix("\ufeff") if line_number == 1 else text
        expected = self.encoding_name if self.encoding else "UTF-8 or Shift_JIS (CP932)"
        raise self._unreadable(line_number, f"it is not {expected} text")

    def _unreadable(self, line_number: int, why: str) -> UnreadableInput:
        return UnreadableInput(
            f"{self.source}: line {line_number} can't be read: {why}; save it as UTF-8"
        )


def decoded_lines(raw_lines: Iterable[bytes], decoder: LineDecoder) -> Iterator[str]:
    for number, raw in enumerate(raw_lines, 1):
        yield decoder.decode(raw, number)
