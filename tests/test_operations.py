"""Operations: /readyz (database, channel layer, engine), /metrics (off, for admins, or
public), the request id in log lines, answer headers and audit entries, JSON logs."""

from __future__ import annotations

import json
import logging

import pytest

from audit.models import AuditEntry
from dashboard.log_format import JsonFormatter
from tests.posting import last_entry

pytestmark = pytest.mark.django_db


def test_readyz_is_ready_when_database_layer_and_engine_answer(client, docker_api):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["not_ready"] == []
    assert body["database"]["ok"] and body["channel_layer"]["ok"] and body["engine"]["ok"]


def test_readyz_names_what_is_not_ready_without_addresses(client, settings, tmp_path):
    settings.DOCKER_HOST = f"unix://{tmp_path}/hidden-place/docker.sock"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens on port 1
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/readyz")
    finally:
        channel_layers.backends.clear()

    assert response.status_code == 503
    body = response.json()
    assert body["not_ready"] == ["channel_layer", "engine"]
    assert body["database"] == {"ok": True}
    assert "hidden-place" not in response.content.decode()
    assert "127.0.0.1:1" not in response.content.decode()


def test_metrics_are_off_unless_turned_on(admin_client):
    assert admin_client.get("/metrics").status_code == 404


def test_metrics_for_admins_count_requests_and_engine_calls(
    admin_client, viewer_client, client, settings, docker_api
):
    settings.DOCKSIDE_METRICS = "login"
    admin_client.get("/containers/")

    answer = admin_client.get("/metrics")

    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'dockside_http_requests_total{method="GET",route="containers/",status="200"}' in text
    assert "dockside_engine_call_seconds_count{endpoint=" in text
    assert "dockside_websocket_sessions" in text and "dockside_log_lines_streamed_total" in text
    assert viewer_client.get("/metrics").status_code == 403
    assert client.get("/metrics").status_code == 302
    settings.DOCKSIDE_METRICS = "public"
    assert client.get("/metrics").status_code == 200


def test_an_action_carries_its_request_id_in_the_answer_and_the_audit_entry(
    admin_client, make_container
):
    container = make_container(hint="request-id", start=False)

    answer = admin_client.post(f"/containers/{container['Id'][:12]}/start/")

    request_id = answer["X-Request-ID"]
    assert len(request_id) == 16
    entry = last_entry("start")
    assert entry.request_id == request_id
    assert AuditEntry.objects.filter(request_id=request_id).count() == 1


def test_log_lines_carry_the_request_id_and_can_be_json(admin_client, caplog, docker_api):
    with caplog.at_level(logging.INFO, logger="dockside.requests"):
        answer = admin_client.get("/containers/")

    (record,) = [r for r in caplog.records if r.name == "dockside.requests"]
    assert record.request_id == answer["X-Request-ID"]
    assert "GET /containers/ 200" in record.getMessage()
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == answer["X-Request-ID"] and line["level"] == "INFO"
    assert line["logger"] == "dockside.requests"
