"""The registry form: an address and who to sign in as; the password never shown back."""

from __future__ import annotations

from django import forms

from containers_app.forms.base import SpecForm
from containers_app.forms.fields import text, validated
from containers_app.references import check_registry_address
from containers_app.specs import RegistryLoginSpec, RegistryLogoutSpec

from .models import Registry

SECRET_MAX = 4096


class RegistryForm(SpecForm):
    address = text(
        "Address",
        required=True,
        placeholder="127.0.0.1:5000, ghcr.io, docker.io",
        autofocus=True,
        help_text="As image names start with it: host[:port], no https://.",
    )
    username = text("Username", placeholder="empty: a registry that asks for no login")
    password = forms.CharField(
        label="Password or token",
        required=False,
        max_length=SECRET_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )

    action = "add_registry"
    target_kind = "registry"
    error_fields = ((r"address|host|port", "address"), (r".", "password"))

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        if existing is not None:
            self.action = "change_registry"
            self.fields["password"].help_text = (
                "Stored encrypted; it is never shown. Leave empty to keep it."
                if existing.has_secret
                else "None stored."
            )

    def placeholder(self) -> str:
        return "docker login -u USER --password-stdin ADDRESS < password.txt"

    def clean_address(self):
        address = validated(check_registry_address, self.cleaned_data["address"])
        taken = Registry.objects.filter(address=address)
        if self.existing is not None:
            taken = taken.exclude(pk=self.existing.pk)
        if taken.exists():
            raise forms.ValidationError(f"{address} is stored already: change that one")
        return address

    def check(self, data: dict) -> None:
        if data.get("password") and not data.get("username"):
            self.add_error("username", "a password goes with a username")
        moved = self.existing is not None and data.get("address") not in {
            None,
            self.existing.address,
        }
        if moved and self.existing.has_secret and data.get("username") and not data.get("password"):
            self.add_error(
                "password",
                "type the password again: the stored one is sent only to the address it was"
                " stored for",
            )

    def new_password(self) -> str | None:
        """The password typed, or None to keep the stored one (editing, left empty)."""
        typed = self.cleaned_data.get("password", "")
        if self.existing is not None and not typed and self.cleaned_data.get("username"):
            return None
        return typed

    def build_spec(self, data: dict) -> RegistryLoginSpec:
        return RegistryLoginSpec(data["address"], data.get("username", ""))


class RemoveRegistryForm(SpecForm):
    """Nothing to fill in: the registry is named by the page."""

    action = "remove_registry"
    target_kind = "registry"

    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.address = address

    def build_spec(self, data: dict) -> RegistryLogoutSpec:
        return RegistryLogoutSpec(self.address)
