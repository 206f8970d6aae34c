"""The rows of the volume table, rendered in Python, like the container table's
(pages/container_rows.py): a host with many volumes made the template engine's
per-variable cost most of the page (52 volumes: 22 ms of a 24 ms page). Every value
from Docker is escaped here; nothing is marked safe that did not pass `escape`.
"""

from __future__ import annotations

from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from ..docker_service.volumes import VolumeSummary, VolumeUser
from .formatting import ago, human_size
from .row_links import link_to

ANONYMOUS_BADGE = (
    ' <span class="tag-badge" title="Docker named it: made by -v /path alone or an'
    " image's VOLUME\">anonymous</span>"
)
DANGLING_BADGE = (
    ' <span class="tag-badge" title="No container uses it, running or stopped:'
    ' docker volume prune removes it">dangling</span>'
)
NO_USER = '<span class="muted">no container</span>'


def _user(user: VolumeUser) -> str:
    url = escape(link_to("containers:detail", user.short_id))
    read_only = ", read-only" if user.read_only else ""
    return (
        f'<a href="{url}">{escape(user.name)}</a>'
        f' <span class="muted">({escape(user.state)}{read_only})</span>'
    )


def volume_row(volume: VolumeSummary, visible: bool, sizes: bool) -> str:
    name = escape(volume.name)
    search = escape(" ".join([volume.name, volume.driver, *(u.name for u in volume.users)]))
    title = f' title="{name}"' if volume.anonymous else ""
    badges = (ANONYMOUS_BADGE if volume.anonymous else "") + (
        DANGLING_BADGE if volume.dangling else ""
    )
    if device := volume.bind_device:
        badges += f' <span class="tag-badge" title="A host directory: {escape(device)}">bind</span>'
    if volume.created:
        created = (
            f'<time datetime="{timezone.localtime(volume.created).isoformat()}">'
            f"{ago(volume.created)}</time>"
        )
    else:
        created = '<span class="muted">unknown</span>'
    size = ""
    if sizes:
        if volume.size is None or volume.size < 0:
            shown = '<span class="muted" title="The driver does not tell">n/a</span>'
        else:
            shown = human_size(volume.size)
        size = f'<td class="num" data-label="Size">{shown}</td>'
    users = ", ".join(_user(user) for user in volume.users) or NO_USER
    url = escape(link_to("volumes:detail", volume.name))
    attributes = (' class="dangling"' if volume.dangling else "") + ("" if visible else " hidden")
    return (
        f'<tr data-search="{search}"{attributes}>'
        f'<td class="wrap title"><a class="mono" href="{url}"{title}>'
        f"{escape(volume.short_name)}</a>{badges}</td>"
        f'<td data-label="Driver">{escape(volume.driver)}</td>'
        f'<td class="mono breakall" data-label="Mountpoint">{escape(volume.mountpoint)}</td>'
        f'<td class="nowrap" data-label="Created">{created}</td>'
        f"{size}"
        f'<td data-label="Used by">{users}</td>'
        "</tr>"
    )


def volume_rows(rows: list[tuple[VolumeSummary, bool]], sizes: bool) -> SafeString:
    return mark_safe("\n".join(volume_row(v, visible, sizes) for v, visible in rows))  # noqa: S308
