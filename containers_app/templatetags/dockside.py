"""Template filters that print values the way the docker CLI does."""

from __future__ import annotations

from django import template

from .. import cli
from ..masking import mask_value
from ..pages import formatting

register = template.Library()

register.filter("ago", formatting.ago)
register.filter("human_size", formatting.human_size)
register.filter("disk_size", formatting.disk_size)
register.filter("human_bytes", formatting.human_bytes)
register.filter("nano_cpus", formatting.nano_cpus)
register.filter("on_engine", cli.on_engine_text)  # `docker --context NAME ...` off `local`


@register.filter
def short_image_id(image_id: str) -> str:
    """ "sha256:0721323848e1…" as the CLI shows it: 0721323848e1."""
    return image_id.removeprefix("sha256:")[:12]


@register.filter
def masked_for(value: str, key: str) -> str:
    """A label's value as pages show it: hidden when its key looks secret."""
    return mask_value(key, value)[0]


@register.filter
def shell_join(argv) -> str:
    """An argv list as one shell-quoted line, as the user would type it."""
    return cli.join(list(argv or ()))
