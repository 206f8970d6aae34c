"""Websocket routes (served by Channels through dashboard.asgi)."""

websocket_urlpatterns: list = []
