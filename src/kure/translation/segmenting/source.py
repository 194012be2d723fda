"""The article text as markdown-it sees it, and the way back to the exact original bytes.

markdown-it normalises ``\\r\\n`` and ``\\r`` to ``\\n`` and NUL to U+FFFD before parsing. All positions in this
package are offsets into that normalised text; :meth:`Source.original` turns a range of them back into the
original characters, so a document with CRLF line endings is reassembled with CRLF line endings.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_NEWLINES = re.compile(r"\r\n?")


class Unaligned(Exception):  # noqa: N818 - an outcome, not an error: the block is kept verbatim
    """Inline content that could not be located in the source. Its block is kept verbatim, without segments."""


class Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self.norm = _NEWLINES.sub("\n", text).replace("\0", "\ufffd")
        self._n2o: list[int] | None = None
        if len(self.norm) != len(text):
            # Only "\r\n" shortens the text; build the offset table for that case only.
            n2o, o = [], 0
            for _ in self.norm:
                n2o.append(o)
                o += 2 if text.startswith("\r\n", o) else 1
            n2o.append(o)
            self._n2o = n2o
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.norm)]

    def original(self, start: int, end: int) -> str:
        """The original text of the normalised range ``[start, end)``."""
        if self._n2o is None:
            return self.text[start:end]
        return self.text[self._n2o[start]:self._n2o[end]]

    def line(self, number: int) -> tuple[int, str]:
        """(offset, text without its newline) of a line, 0-based."""
        if not 0 <= number < len(self._line_starts):
            raise Unaligned(f"no line {number}")
        start = self._line_starts[number]
        end = self._line_starts[number + 1] - 1 if number + 1 < len(self._line_starts) else len(self.norm)
        return start, self.norm[start:end]

    def line_start(self, number: int) -> int:
        return self.line(number)[0]

    def line_of(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset) - 1
