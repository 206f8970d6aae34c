"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets must come from Dockside's own pages (the exact origin, see
dashboard/origin.py) and carry the Django session, so consumers see
`scope["user"]`.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
django.setup(set_prefix=False)  # what get_asgi_application() does before its handler

from dashboard.request_threads import PooledThreadsASGIHandler  # noqa: E402

django_asgi_app = PooledThreadsASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from containers_app.routing import websocket_urlpatterns  # noqa: E402
from dashboard.origin import SameOriginOnly  # noqa: E402
from engines.paths import EngineScope  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginOnly(
            AuthMiddlewareStack(EngineScope(URLRouter(websocket_urlpatterns)))
        ),
    }
)
