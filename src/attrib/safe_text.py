"""Values from the data or the database, made safe to print: on a terminal, in rich, in JSON, in HTML.

A campaign, a referrer or a type name is whatever someone sent or created:
printed as it is, `ESC[2J` clears the user's screen and `ESC]0;...BEL` sets
their window title. Every value the CLI prints goes through this module,
which shows each control character as a visible escape (`\\x1b`), so a value
is one line, one cell, and never a command to the terminal.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text

# C0 (tab and newline too: a value is one line), DEL, C1 (U+009B is CSI on
# some terminals), and the line/paragraph separators and bidirectional
# overrides and isolates, which reorder or break what the reader sees.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same but for newline: messages that we put together over several lines.
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def text(value: object) -> str:
    """`value` as one printable line: every control character shown as `\\xNN` (or `\\uNNNN`)."""
    return _CONTROL.sub(_visible, str(value))


def lines(message: str) -> str:
    """A message of several lines (an error with its HINT) with every other control character escaped.

    The last guard before stderr: values inside should have gone through
    text() already, which escapes their newlines too.
    """
    return _CONTROL_BUT_NEWLINE.sub(_visible, message)


def cell(value: object) -> Text:
    """A rich Text of the escaped value: rich reads no markup (`[bold]`) or emoji code (`:x:`) in it."""
    from rich.text import Text  # lazy: `attrib deploy` prints through here and never loads rich

    return Text(text(value))


def markup(value: object) -> str:
    """The escaped value for a rich markup string: `[bold]` in the data stays text."""
    from rich.markup import escape

    return escape(text(value))


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON in printable ASCII: every control character (and all else past `~`) as JSON's \\uXXXX.

    A JSON reader gets the exact values back; a terminal gets no control character.
    """
    return json.dumps(value, default=str, ensure_ascii=True, indent=indent)


def html_text(value: object, *, quote: bool = True) -> str:
    """The escaped value for HTML; with quote=False, for Plotly's labels, which read `<b>` and
    `<a href=...>` as markup and decode `&lt;`, `&gt;` and `&amp;` back for display."""
    return html.escape(text(value), quote=quote)
