"""What pages show of the commands that make a container again: secrets hidden unless asked."""

from __future__ import annotations

from .. import cli
from ..docker_service.run_recreate import Recreated
from ..masking import MASK, looks_secret, mask_text
from ..run_options.compose import ComposeFile, compose_file


def recreate_lines(recreated: Recreated, mask: bool = True) -> list[str]:
    """The `docker run`, then the commands the engine needs after it (one per line)."""
    lines = [cli.command(recreated.spec, mask=mask)]
    lines += [cli.command_line(argv, mask=mask) for argv in recreated.after]
    return lines


def _masked(value, key: str = ""):
    """A Compose document with secret-looking values hidden: by their key (environment,
    labels, log options) and inside any text (URL passwords, KEY=VALUE)."""
    if isinstance(value, dict):
        return {k: _masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str):
        return MASK if value and looks_secret(key) else mask_text(value)
    return value


def compose_text(recreated: Recreated, mask: bool = True) -> str:
    """The container as a Compose file, what Compose cannot say as comments at the top."""
    composed = compose_file(recreated.spec)
    if mask:
        composed = ComposeFile(_masked(composed.document), composed.notes)
    return composed.commented(recreated.notes)
