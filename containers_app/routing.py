"""Websocket routes (served by Channels through dashboard.asgi)."""

from django.urls import path, re_path

from .consumers import (
    ContainerStatsConsumer,
    EventsConsumer,
    LogsConsumer,
    MergedLogsConsumer,
    NoSuchRoute,
    StatsTableConsumer,
    TerminalConsumer,
)

websocket_urlpatterns = [
    path("ws/containers/<str:ref>/logs/", LogsConsumer.as_asgi()),
    path("ws/containers/<str:ref>/exec/", TerminalConsumer.as_asgi()),
    path("ws/containers/<str:ref>/stats/", ContainerStatsConsumer.as_asgi()),
    path("ws/logs/", MergedLogsConsumer.as_asgi()),
    path("ws/stats/", StatsTableConsumer.as_asgi()),
    path("ws/events/", EventsConsumer.as_asgi()),
    re_path(r"", NoSuchRoute.as_asgi()),  # last: every other path, refused without a traceback
]
