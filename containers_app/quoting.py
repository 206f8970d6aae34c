"""Arguments quoted for a POSIX shell, the way a person would write them."""

from __future__ import annotations

import shlex

DOUBLE_QUOTE_SPECIAL = set('"$`\\!')


def shell_quote(arg: str) -> str:
    """Quote one argument for a POSIX shell, the way a person would write it.

    Like shlex.quote, but an argument holding single quotes (and nothing a
    double-quoted string would expand) gets double quotes:
    `sh -c "trap 'exit 0' TERM"` rather than `'trap '"'"'exit 0'"'"' TERM'`.
    """
    quoted = shlex.quote(arg)
    if "'" in arg and quoted != arg and not DOUBLE_QUOTE_SPECIAL & set(arg):
        return f'"{arg}"'
    return quoted


def join(args: list[str]) -> str:
    return " ".join(shell_quote(arg) for arg in args)
