"""The engine form: a name, an address, and for tcp:// with TLS the client's certificates."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django import forms

from containers_app.docker_service import LOCAL
from containers_app.forms.base import SpecForm
from containers_app.forms.fields import text
from containers_app.specs import ContextRemoveSpec, ContextSpec

from .models import Engine

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
PEM_MAX = 16_384
SCHEMES = ("unix", "tcp", "ssh")


def pem(label: str, help_text: str, secret: bool = False) -> forms.CharField:
    attrs = {"rows": 4, "spellcheck": "false", "placeholder": "-----BEGIN ..."}
    if secret:
        attrs["autocomplete"] = "off"
    return forms.CharField(
        label=label,
        required=False,
        max_length=PEM_MAX,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs=attrs),
    )


def check_url(url: str) -> str:
    """unix:///path, tcp://host:port or ssh://[user@]host[:port]; ValueError says what is off."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValueError("start it with unix://, tcp:// or ssh://")
    if parts.query or parts.fragment:
        raise ValueError("no ? or # in an engine's address")
    if parts.scheme == "unix":
        if parts.netloc or not parts.path.startswith("/"):
            raise ValueError(
                "a socket's full path after unix://, such as unix:///var/run/docker.sock"
            )
        return url
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("the port is a number from 1 to 65535") from exc
    if not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"a host after {parts.scheme}://, and no path")
    if parts.password is not None:
        raise ValueError("no password in the address: ssh uses the server account's keys")
    if parts.scheme == "tcp" and port is None:
        raise ValueError("the port too: 2376 is Docker's TLS port, 2375 the plain one")
    if parts.scheme == "tcp" and parts.username:
        raise ValueError("no user in a tcp:// address")
    return url.rstrip("/")


def certificate(text_: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(text_.encode())
    except ValueError as exc:
        raise forms.ValidationError("not a PEM certificate (-----BEGIN CERTIFICATE-----)") from exc


class EngineForm(SpecForm):
    name = text(
        "Name",
        required=True,
        autofocus=True,
        placeholder="build-box",
        help_text="Lower-case letters, digits, - and _; pages on it live under /e/NAME/.",
    )
    url = text(
        "Address",
        required=True,
        placeholder="unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://me@host",
    )
    tls_ca = pem("CA certificate", "The CA that signed the engine's certificate (ca.pem).")
    tls_cert = pem("Client certificate", "Dockside's certificate, signed by that CA (cert.pem).")
    tls_key = pem("Client key", "cert.pem's private key (key.pem).", secret=True)

    action = "add_engine"
    target_kind = "engine"
    error_fields = ((r"name", "name"), (r".", "url"))

    def __init__(self, *args, existing: Engine | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        if existing is not None:
            self.action = "change_engine"
            self.fields["name"].disabled = True
            self.fields["tls_key"].help_text = (
                "Stored encrypted; it is never shown. Leave empty to keep it."
                if existing.sealed_key
                else "None stored."
            )

    def placeholder(self) -> str:
        return "docker context create NAME --docker host=ADDRESS"

    def clean_name(self):
        if self.existing is not None:
            return self.existing.name
        name = self.cleaned_data["name"]
        if not NAME.match(name):
            raise forms.ValidationError("lower-case letters, digits, - and _ (up to 40)")
        if name == LOCAL or Engine.objects.filter(name=name).exists():
            raise forms.ValidationError(f"{name} is taken: choose another name")
        return name

    def clean_url(self):
        try:
            url = check_url(self.cleaned_data["url"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        taken = Engine.objects.filter(url=url)
        if self.existing is not None:
            taken = taken.exclude(pk=self.existing.pk)
        if taken.exists():
            raise forms.ValidationError(f"{taken.first().name} has this address already")
        return url

    def clean_tls_ca(self):
        if ca := self.cleaned_data["tls_ca"]:
            certificate(ca)
        return ca

    def clean_tls_cert(self):
        if cert := self.cleaned_data["tls_cert"]:
            certificate(cert)
        return cert

    def clean_tls_key(self):
        if key := self.cleaned_data["tls_key"]:
            try:
                serialization.load_pem_private_key(key.encode(), password=None)
            except (ValueError, TypeError) as exc:
                raise forms.ValidationError(
                    "not an unencrypted PEM private key (-----BEGIN ... PRIVATE KEY-----)"
                ) from exc
        return key

    def key_in_use(self, data: dict) -> str:
        """The key typed, or the stored one when editing and left empty."""
        if data.get("tls_key") or self.existing is None:
            return data.get("tls_key", "")
        return self.existing.key_text()

    def check(self, data: dict) -> None:
        if self.errors:
            return
        ca, cert, key = data.get("tls_ca"), data.get("tls_cert"), self.key_in_use(data)
        url = data.get("url", "")
        if not (ca or cert or data.get("tls_key")):
            return
        if not url.startswith("tcp://"):
            self.add_error("tls_ca", "certificates go with a tcp:// address only")
            return
        for field, value in (("tls_ca", ca), ("tls_cert", cert), ("tls_key", key)):
            if not value:
                self.add_error(field, "TLS takes all three: the CA, the certificate and its key")
        if ca and cert and key:
            private = serialization.load_pem_private_key(key.encode(), password=None)
            if certificate(cert).public_key() != private.public_key():
                self.add_error("tls_key", "this key is not the certificate's: paste its key.pem")

    def build_spec(self, data: dict) -> ContextSpec:
        tls = bool(data.get("tls_cert"))
        return ContextSpec(data["name"], data["url"], tls, update=self.existing is not None)


class RemoveEngineForm(SpecForm):
    """Nothing to fill in: the engine is named by the page."""

    action = "remove_engine"
    target_kind = "engine"

    def __init__(self, *args, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name

    def build_spec(self, data: dict) -> ContextRemoveSpec:
        return ContextRemoveSpec(self.name)
