"""Text from the outside world (file names, messages quoting a feed) made safe to print on a terminal.

A file name is chosen by whoever wrote the inbox: it may hold escape sequences that recolour or clear the
terminal, or ``[bold]``-style text that rich would read as markup. Both are shown literally.
"""

from __future__ import annotations

import os
import re

from rich.console import Console
from rich.markup import escape as escape_markup

# rich lays tables out for 80 columns when the output is not a terminal (a pipe, a log file, CI), which
# cuts station names and wraps durations; a log is read on a wide screen.
UNATTENDED_WIDTH = 160

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """``text`` with control characters as ``\\xNN`` and rich markup escaped."""
    visible = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return escape_markup(visible)


def make_console(**options: object) -> Console:
    """A rich console for the command line: the terminal's width, or UNATTENDED_WIDTH when the output is
    not a terminal and COLUMNS does not say otherwise."""
    console = Console(**options)  # type: ignore[arg-type]
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = UNATTENDED_WIDTH
    return console
