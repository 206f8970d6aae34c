"""What a container page shows of the commands that make the container again."""

from __future__ import annotations

import dataclasses

from .. import cli
from ..docker_service.run_recreate import Recreated
from ..masking import mask_text, mask_value
from ..run_options.spec import RunSpec


def _hidden(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((key, mask_value(key, value)[0]) for key, value in pairs)


def masked(spec: RunSpec) -> RunSpec:
    """The spec with secret-looking values hidden, as pages show them."""
    env_file = spec.env_file
    if env_file is not None:
        env_file = dataclasses.replace(env_file, pairs=_hidden(env_file.pairs))
    return dataclasses.replace(
        spec,
        env=_hidden(spec.env),
        env_file=env_file,
        command=tuple(mask_text(arg) for arg in spec.command),
        health_cmd=mask_text(spec.health_cmd),
    )


def recreate_lines(recreated: Recreated, mask: bool = True) -> list[str]:
    """The `docker run`, then the commands the engine needs after it (one per line)."""
    spec = masked(recreated.spec) if mask else recreated.spec
    return [cli.command(spec, mask=mask), *(cli.join(argv) for argv in recreated.after)]
