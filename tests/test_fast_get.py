"""The fast GET path answers exactly as docker-py's own, errors included."""

from __future__ import annotations

import socket
import threading
import uuid

import docker
import pytest
import requests

from containers_app.docker_service.client import describe_connection_error
from containers_app.docker_service.fast_get import FastGetAPIClient
from tests import support


class Counted(FastGetAPIClient):
    """Ours, counting what goes through requests' session (its `send`)."""

    sent = 0

    def send(self, *args, **kwargs):
        self.sent += 1
        return super().send(*args, **kwargs)


def both() -> tuple[docker.APIClient, Counted]:
    plain = docker.APIClient(version="auto")
    fast = Counted(version="auto")
    plain.trust_env = fast.trust_env = False
    fast.sent = 0  # the version it asked for on creation went the fast way too
    return plain, fast


def without_status(containers: list[dict]) -> list[dict]:
    """`Status` is "Up 2 seconds": it may tick between two calls."""
    return [{k: v for k, v in container.items() if k != "Status"} for container in containers]


def test_lists_and_objects_are_the_same_through_both_paths(make_container):
    case = {"dockside.test.case": uuid.uuid4().hex}  # only this test's: others' change state
    running = make_container(hint="fast-a", labels=case)
    make_container(hint="fast-b", start=False, labels=case)
    plain, fast = both()
    mine = {"label": [support.RUN_LABEL, "dockside.test.case=" + case["dockside.test.case"]]}
    listed = without_status(fast.containers(all=True, filters=mine))
    assert listed == without_status(plain.containers(all=True, filters=mine))
    assert len(listed) == 2
    assert fast.containers(filters={**mine, "status": "exited"}) == []
    assert fast.inspect_container(running["Id"]) == plain.inspect_container(running["Id"])
    assert fast.inspect_image(support.BASE_IMAGE) == plain.inspect_image(support.BASE_IMAGE)
    assert fast.history(support.BASE_IMAGE) == plain.history(support.BASE_IMAGE)
    assert fast.sent == 0


def test_a_refusal_is_the_same_api_error():
    plain, fast = both()
    caught = []
    for api in (plain, fast):
        with pytest.raises(docker.errors.ImageNotFound) as error:
            api.inspect_image("dockside-test/no-such-image:never")
        caught.append(error.value)
    assert fast.sent == 0
    assert caught[1].status_code == caught[0].status_code == 404
    assert caught[1].explanation == caught[0].explanation
    assert str(caught[1]) == str(caught[0])


def test_streams_keep_docker_pys_path(make_container):
    container = make_container(["echo", "streamed"], hint="fast-logs", wait=True)
    _, fast = both()
    assert b"streamed" in b"".join(fast.logs(container["Id"], stream=True))
    assert fast.sent == 1


def test_a_missing_socket_is_a_connection_error_that_says_so(tmp_path):
    api = FastGetAPIClient(base_url=f"unix://{tmp_path}/gone.sock", version="1.41")
    with pytest.raises(requests.exceptions.ConnectionError) as error:
        api.containers()
    assert describe_connection_error(error.value).startswith("the socket does not exist")


def test_an_engine_that_never_answers_times_out(tmp_path):
    path = tmp_path / "silent.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    api = FastGetAPIClient(base_url=f"unix://{path}", version="1.41", timeout=1)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout) as error:
            api.containers()
        assert describe_connection_error(error.value).startswith("no answer within")
    finally:
        listener.close()
        for connection, _ in accepted:
            connection.close()
