"""Websocket routes (served by Channels through dashboard.asgi)."""

from django.urls import path

from .consumers import LogsConsumer, MergedLogsConsumer

websocket_urlpatterns = [
    path("ws/containers/<str:ref>/logs/", LogsConsumer.as_asgi()),
    path("ws/logs/", MergedLogsConsumer.as_asgi()),
]
