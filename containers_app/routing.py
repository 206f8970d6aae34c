"""Websocket routes (served by Channels through dashboard.asgi)."""

from django.urls import path

from .consumers import (
    ContainerStatsConsumer,
    EventsConsumer,
    LogsConsumer,
    MergedLogsConsumer,
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
]
