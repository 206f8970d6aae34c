"""The log viewer's controls, as `docker logs` options: the command its page shows."""

from __future__ import annotations

from django import forms

from ..live.log_lines import cli_since, parse_since
from ..live.log_query import DEFAULT_TAIL, tail_value
from ..specs import LogsSpec
from .base import SpecForm
from .fields import text, validated


class LogsForm(SpecForm):
    tail = text("Last lines", placeholder=DEFAULT_TAIL)
    since = text("Since", placeholder="10m, 1h, 2d or a time")
    stdout = forms.BooleanField(label="stdout", required=False, initial=True)
    stderr = forms.BooleanField(label="stderr", required=False, initial=True)
    timestamps = forms.BooleanField(label="timestamps", required=False)

    action = "logs"
    DEFAULTS = {"tail": DEFAULT_TAIL, "stdout": "on", "stderr": "on"}

    def __init__(self, *args, containers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.containers = tuple(containers)

    def placeholder(self) -> str:
        return "docker logs -f --tail 100 CONTAINER"

    def clean_tail(self):
        return validated(tail_value, self.cleaned_data["tail"])

    def clean_since(self):
        since = self.cleaned_data["since"]
        validated(parse_since, since)
        return cli_since(since)

    def check(self, data: dict) -> None:
        if not (data.get("stdout") or data.get("stderr")):
            self.add_error(None, "choose stdout, stderr or both")

    def build_spec(self, data: dict) -> LogsSpec:
        return LogsSpec(
            containers=self.containers,
            tail=data["tail"],
            since=data["since"],
            timestamps=data["timestamps"],
            stdout=data["stdout"],
            stderr=data["stderr"],
        )
