"""Search and sort for the list pages, driven by the query string (`?q=`, `?sort=-created`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class HeaderCell:
    label: str
    url: str | None
    aria_sort: str


@dataclass
class Listing:
    """The rows of a list page, sorted by `?sort=`, and the links of its column headers.

    Every row is kept, with whether it matches `?q=`: the page hides the others
    with the `hidden` attribute, so the live filter can widen a search without
    a round trip and the page still works without JavaScript.
    """

    rows: list[tuple[Any, bool]]
    shown: int
    query: str
    sort: str
    descending: bool
    headers: list[HeaderCell]


def build_listing(
    items: Sequence,
    params: QueryDict,
    columns: Sequence[Column],
    search_text: Callable[[Any], str],
    default_sort: str,
) -> Listing:
    sortable = {c.key: c for c in columns if c.sort_key}
    requested = params.get("sort", default_sort)
    descending = requested.startswith("-")
    sort = requested.lstrip("-")
    if sort not in sortable:
        sort, descending = default_sort.lstrip("-"), default_sort.startswith("-")
    query = params.get("q", "").strip()
    needle = query.lower()
    ordered = sorted(items, key=sortable[sort].sort_key, reverse=descending)
    rows = [(item, not needle or needle in search_text(item)) for item in ordered]

    headers = []
    for column in columns:
        if not column.sort_key:
            headers.append(HeaderCell(column.label, None, ""))
            continue
        active = column.key == sort
        link = params.copy()
        link["sort"] = f"-{column.key}" if active and not descending else column.key
        aria = ("descending" if descending else "ascending") if active else ""
        headers.append(HeaderCell(column.label, f"?{link.urlencode()}", aria))
    shown = sum(visible for _, visible in rows)
    return Listing(rows, shown, query, sort, descending, headers)
