"""`{% stats_panel_before_readings container engine %}`: a container's stats panel as the page
first shows it, with its charts' axes and limits drawn before the first reading arrives.

No engine call of its own: the page has inspected the container, and the header
has the engine's `docker info` (`engine`; None when the engine could not say).
"""

from __future__ import annotations

from django import template

from ..live.fragments import stats_panel
from ..live.stats_math import stats_limits

register = template.Library()


@register.simple_tag
def stats_panel_before_readings(container, engine=None) -> str:
    limits = stats_limits(
        container.limits, getattr(engine, "cpus", 0), getattr(engine, "memory", 0)
    )
    state = "waiting" if container.state.running else "not running"
    return stats_panel([], state, container.name, limits)  # rendered: safe as it is
