"""The engine's common refusals become sentences that say what to do (pure)."""

from __future__ import annotations

import pytest

from containers_app.actions import StartFailed
from containers_app.docker_service import Conflict, DockerServiceError, NotFound
from containers_app.pages.engine_errors import explain

LONG_ID = "3f" * 32


@pytest.mark.parametrize(
    ("message", "sentence"),
    [
        (
            f'Conflict. The container name "/web" is already in use by container "{LONG_ID}".'
            " You have to remove (or rename) that container to be able to reuse that name.",
            f"The name web is taken: container {LONG_ID[:12]} already has it.",
        ),
        (
            'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on'
            " 10.255.255.53:53: no such host",
            "Docker could not reach the registry registry-1.docker.io: its name does not resolve",
        ),
        (
            "pull access denied for nosuch/app, repository does not exist or may require"
            " 'docker login': denied: requested access to the resource is denied",
            "The registry refused to give nosuch/app: the repository does not exist there",
        ),
        (
            "driver failed programming external connectivity on endpoint x: Bind for"
            " 127.0.0.1:18080 failed: port is already allocated",
            "Host port 18080 on 127.0.0.1 is already published by another container.",
        ),
        (
            "OCI runtime create failed: runc create failed: unable to start container process:"
            ' exec: "nginx": executable file not found in $PATH: unknown',
            "There is no program nginx in the container: it is not on its PATH.",
        ),
        (
            "You cannot remove a running container abc. Stop the container before attempting"
            " removal or force remove",
            "The container is running, so Docker will not remove it. Stop it first, or choose",
        ),
        (
            f"Container {LONG_ID} is not running",
            "The container is not running: start it first.",
        ),
        ("network backend not found", "There is no network backend on this engine."),
    ],
)
def test_common_refusals_become_sentences(message, sentence):
    explained = explain(Conflict(message))

    assert explained.sentence.startswith(sentence)
    assert explained.engine_message == message, "the engine's words stay available"


def test_an_unknown_message_is_shown_as_it_is():
    explained = explain(DockerServiceError("something new"))

    assert (explained.sentence, explained.engine_message) == ("something new", ""), "not twice"


def test_a_not_found_image_is_said_once():
    error = NotFound("image", "x:1", "no such image: x:1: No such image: x:1")

    explained = explain(error)

    assert str(error) == "No such image: x:1"
    assert explained.engine_message == "No such image: x:1"
    assert explained.sentence.startswith("The image x:1 is not on this engine.")


def test_a_failed_start_keeps_what_became_of_the_container():
    cause = DockerServiceError("Bind for 0.0.0.0:80 failed: port is already allocated")

    explained = explain(StartFailed(cause, "web", left_behind=False))

    assert explained.sentence == (
        "Host port 80 on 0.0.0.0 is already published by another container. Choose another host"
        " port, or stop the container that has it. The container Docker had created was removed"
        " again."
    )
