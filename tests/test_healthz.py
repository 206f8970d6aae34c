"""`/healthz`: no login, no secrets, the state of the database and the engine."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_engine_without_login_and_no_versions(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body == {"status": "ok", "database": {"ok": True}, "engine": {"ok": True}}


def test_healthz_shows_the_engine_version_to_someone_signed_in(viewer_client, docker_api):
    body = viewer_client.get("/healthz").json()

    assert body["engine"]["ok"] is True
    assert body["engine"]["version"] == docker_api.version()["Version"]
    assert body["engine"]["api_version"] == docker_api.api_version


def test_healthz_reports_unreachable_engine_without_the_endpoint(client, settings, tmp_path):
    settings.DOCKER_HOST = f"unix://{tmp_path}/secret-path/docker.sock"

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["engine"]["ok"] is False
    assert "socket does not exist" in body["engine"]["error"]
    assert "secret-path" not in response.content.decode()
