"""The form every action form is: valid data becomes a spec."""

from __future__ import annotations

import re

from django import forms


class SpecForm(forms.Form):
    """A form whose valid data is a spec; `action` names the audit action.

    `error_fields` sends an engine error to the field it concerns, by words in
    its message; anything else is shown above the form.
    """

    action = ""
    target_kind = "container"
    error_fields: tuple[tuple[str, str], ...] = ()

    def field_for(self, error: Exception) -> str | None:
        message = str(error).lower()
        for words, name in self.error_fields:
            if re.search(words, message) and name in self.fields:
                return name
        return None

    def build_spec(self, data: dict):
        raise NotImplementedError

    def check(self, data: dict) -> None:
        """Checks across fields, reported with `add_error` (none by default)."""

    def placeholder(self) -> str:
        """The command's shape, shown until the form holds enough to build the real one."""
        return ""

    def clean(self):
        data = super().clean()
        self.check(data)
        if not self.errors:
            try:
                self.spec = self.build_spec(data)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data

    def audit_data(self):
        """What a refused form held, for its failed audit entry (a form with values that
        must not be kept, such as a .env, hides them here)."""
        return self.data

    def error_summary(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
            for name, errors in self.errors.items()
        )


class ContainerForm(SpecForm):
    """A form about one container, named by `container` (as the command will name it)."""

    def __init__(self, *args, container: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container
