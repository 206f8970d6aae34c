"""Links to an object's page from rows written in Python (pages/container_rows.py,
volume_rows.py): `reverse()` once per view and script prefix (an engine's `/e/NAME/`),
then each row's reference put in, where reversing per row cost more than the row."""

from __future__ import annotations

from functools import cache

from django.urls import get_script_prefix, reverse

PLACEHOLDER = "__ref__"


@cache
def _template(view: str, prefix: str) -> str:
    """(`reverse()` reads the prefix from the thread: `prefix` keys the cache.)"""
    return reverse(view, args=[PLACEHOLDER])


def link_to(view: str, ref: str) -> str:
    """The URL of `view` for `ref` under the current script prefix; not yet escaped."""
    return _template(view, get_script_prefix()).replace(PLACEHOLDER, ref)
