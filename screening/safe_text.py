"""Text from outside (file names, feed values, typed input) made safe to show.

Whatever a user, a feed or a file name hands us ends up in a terminal, a log or a JSON
line. Three things must never come through unchanged:

- **control and format characters** (newlines, ESC, the C1 controls, bidirectional
  overrides): a file name with a newline forges a "CLEAR" line in the officer's
  terminal, an ANSI/OSC escape moves the cursor or retitles the window. They are shown as
  escapes (``\\n``, ``\\x1b``, ``\\u202e``), one line stays one line;
- **undecodable bytes** (a file name that is not UTF-8, binary piped in): Python carries
  them as lone surrogates, which cannot be written as UTF-8 at all. They are shown as
  ``\\xff``;
- **huge values** (a 10 MB "document number"): echoed as a short excerpt with the length.

Pure functions, no I/O; every layer may use them.
"""

from __future__ import annotations

import unicodedata

EXCERPT_CHARS = 60
# Categories shown as escapes: Cc (controls), Cf (format: bidi overrides, zero-width),
# Cs (lone surrogates: undecodable bytes), Co/Cn (private, unassigned), Zl/Zp (line and
# paragraph separators, which some terminals and log viewers break lines on).
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _escape(char: str) -> str:
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if char == "\t":
        return "\\t"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every control, format or undecodable character shown as an escape:
    safe to print on a terminal, as one line, and always encodable as UTF-8."""
    if text.isprintable():
        return text
    return "".join(
        _escape(ch) if ch != " " and unicodedata.category(ch) in _ESCAPED_CATEGORIES else ch
        for ch in text
    )


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """A quoted, printable excerpt of ``value`` for a message: at most ``limit``
    characters of it, and its length when it was cut."""
    shown = printable(value[:limit])
    if len(value) <= limit:
        return f"'{shown}'"
    return f"'{shown}...' ({len(value):,} characters)"


def valid_unicode(text: str) -> str:
    """Text read from outside with undecodable bytes (lone surrogates) replaced by
    U+FFFD, so that it can always be written as UTF-8 (JSON output, a database)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return text
