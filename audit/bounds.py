"""How much of an action an entry keeps: long values are cut, saying how much was left out.

The sizes are documented in README.md ("Audit log"): each string in the parameters
at 2,000 characters and the parameters whole at 20,000 (as JSON), the command at
8,000, the error at 4,000.
"""

from __future__ import annotations

import json

PARAMETER_LIMIT = 2000
PARAMETERS_LIMIT = 20000
COMMAND_LIMIT = 8000
ERROR_LIMIT = 4000


def cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def _each_cut(value):
    if isinstance(value, str):
        return cut(value, PARAMETER_LIMIT)
    if isinstance(value, dict):
        return {str(key)[:PARAMETER_LIMIT]: _each_cut(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_each_cut(item) for item in value]
    return value


def bounded_parameters(parameters: dict) -> dict:
    """Each string cut; if the whole is still too long, it is kept as cut JSON text."""
    parameters = _each_cut(parameters)
    text = json.dumps(parameters, ensure_ascii=False, sort_keys=True)
    if len(text) <= PARAMETERS_LIMIT:
        return parameters
    return {"cut": cut(text, PARAMETERS_LIMIT)}


def bounded(fields: dict) -> dict:
    """An entry's fields with parameters, command and error within their sizes."""
    fields = dict(fields)
    if "parameters" in fields:
        fields["parameters"] = bounded_parameters(fields["parameters"] or {})
    if "command" in fields:
        fields["command"] = cut(fields["command"], COMMAND_LIMIT)
    if "error" in fields:
        fields["error"] = cut(fields["error"], ERROR_LIMIT)
    return fields
