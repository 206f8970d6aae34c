"""The two-service stack the stack tests, the browser test and the stack benchmark run:
the run's base image, a network and a named volume, everything labelled with the run."""

from __future__ import annotations

from tests import support

TWO_SERVICES = """\
services:
  web:
    image: {image}
    command: {web_command}
    stop_signal: SIGKILL
    labels: {{{label}: "{run}"}}
    networks: [back]
    volumes: ["data:/data"]
  worker:
    image: {image}
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    labels: {{{label}: "{run}"}}
    networks: [back]
networks:
  back:
    labels: {{{label}: "{run}"}}
volumes:
  data:
    labels: {{{label}: "{run}"}}
"""


def two_services(web_command: str = '["sleep", "600"]') -> str:
    return TWO_SERVICES.format(
        image=support.BASE_IMAGE,
        label=support.TEST_LABEL,
        run=support.RUN_ID,
        web_command=web_command,
    )
