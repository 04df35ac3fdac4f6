"""Text from the outside world (file names, messages quoting a feed) made safe to print on a terminal.

A file name is chosen by whoever wrote the inbox: it may hold escape sequences that recolour or clear the
terminal, or ``[bold]``-style text that rich would read as markup. Both are shown literally.
"""

from __future__ import annotations

import re

from rich.markup import escape as escape_markup

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """``text`` with control characters as ``\\xNN`` and rich markup escaped."""
    visible = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return escape_markup(visible)
