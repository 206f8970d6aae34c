"""A managed stack's resolved configuration (the tool's `config` of its saved files),
kept per process until either file changes: `config` takes the tool most of a second."""

from __future__ import annotations

import threading

import yaml

from . import files
from .tool import check_config

_cache: dict[str, tuple[tuple, dict]] = {}
_lock = threading.Lock()


def _stamp(project: str) -> tuple:
    directory = files.stack_dir(project)
    return tuple(
        (path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None
        for path in (directory / files.COMPOSE_FILE, directory / files.ENV_FILE)
    )


def resolved_config(project: str) -> dict | None:
    """The configuration `config` resolves from the saved files; None if it refuses them."""
    stamp = _stamp(project)
    with _lock:
        cached = _cache.get(project)
    if cached and cached[0] == stamp:
        return cached[1]
    directory = files.stack_dir(project)
    checked = check_config(directory, project, directory)
    if checked.error:
        return None
    config = yaml.safe_load(checked.resolved)
    config = config if isinstance(config, dict) else {}
    with _lock:
        _cache[project] = (stamp, config)
    return config


def service_names(project: str) -> list[str]:
    config = resolved_config(project) or {}
    return sorted(str(name) for name in config.get("services") or {})
