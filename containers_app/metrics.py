"""Prometheus metrics (prometheus_client), served at /metrics when a setting allows it.

Requests by route and status, websocket sessions by kind, log lines streamed, engine
API calls' latency and errors by endpoint. Several worker processes (`manage.py serve`)
write theirs to PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

REQUESTS = Counter(
    "dockside_http_requests_total", "HTTP requests answered", ["route", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "dockside_http_request_seconds", "Time to answer an HTTP request", ["route"]
)
WEBSOCKETS = Gauge(
    "dockside_websocket_sessions",
    "Websocket sessions open",
    ["kind"],
    multiprocess_mode="livesum",
)
LOG_LINES = Counter("dockside_log_lines_streamed_total", "Container log lines sent to browsers")
ENGINE_SECONDS = Histogram("dockside_engine_call_seconds", "Engine API call latency", ["endpoint"])
ENGINE_ERRORS = Counter(
    "dockside_engine_errors_total", "Engine API calls that failed", ["endpoint", "kind"]
)


def exposition() -> tuple[bytes, str]:
    """The metrics as Prometheus reads them (all worker processes' when there are several)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
