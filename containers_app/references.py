"""Validation of the names Docker accepts, with messages a learner can act on.

Image references follow the distribution grammar
(`[host[:port]/]path[:tag][@digest]`), container names Docker's
`[a-zA-Z0-9][a-zA-Z0-9_.-]+`. Each check raises ValueError with the reason.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
DOMAIN_COMPONENT = re.compile(r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])")
TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", re.ASCII)
VOLUME_NAME = CONTAINER_NAME
HOSTNAME_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
HOSTNAME = re.compile(rf"{HOSTNAME_LABEL}(?:\.{HOSTNAME_LABEL})*", re.ASCII)
NAME_MAX = 255
DEFAULT_REGISTRY = "docker.io"


@dataclass(frozen=True)
class ImageReference:
    domain: str
    path: str
    tag: str
    digest: str

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def registry(self) -> str:
        """The registry a pull would contact (Docker Hub when no host is given)."""
        return self.domain or DEFAULT_REGISTRY

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def _is_domain(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def _check_domain(domain: str) -> None:
    match = re.fullmatch(r"(?P<host>\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::(?P<port>[0-9]+))?", domain)
    if not match:
        raise ValueError(f"invalid registry address {domain!r}")
    host, port = match["host"], match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"invalid registry port in {domain!r}")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError as exc:
            raise ValueError(f"invalid registry address {host!r}") from exc
    elif not all(DOMAIN_COMPONENT.fullmatch(part) for part in host.split(".")):
        raise ValueError(f"invalid registry host {host!r}")


def check_registry_address(address: str) -> str:
    """A registry's address as images name it: `host[:port]`, no scheme, no path."""
    address = address.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not address:
        raise ValueError("enter the registry's address, such as 127.0.0.1:5000 or ghcr.io")
    if len(address) > 255 or not address.isascii() or "/" in address:
        raise ValueError("write host[:port] only, such as registry.example.com:5000")
    _check_domain(address)
    return address.lower()


def parse_image_reference(text: str) -> ImageReference:
    """Split and check `[host[:port]/]path[:tag][@digest]`; ValueError says what is wrong."""
    ref = text.strip()
    if not ref:
        raise ValueError("enter an image reference, e.g. nginx or nginx:1.27")
    if len(ref) > NAME_MAX + 200:
        raise ValueError(f"an image reference is at most {NAME_MAX} characters before its tag")
    if not ref.isascii() or any(c.isspace() for c in ref):
        raise ValueError("an image reference has no spaces or non-ASCII characters")
    name, _, digest = ref.partition("@")
    if "@" in ref and not DIGEST.fullmatch(digest):
        raise ValueError("invalid digest: expected e.g. @sha256:<64 hex digits>")
    tag = ""
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not TAG.fullmatch(tag):
            raise ValueError(
                f"invalid tag {tag!r}: letters, digits, _ . - only, up to 128 characters,"
                " not starting with . or -"
            )
    components = name.split("/")
    domain = ""
    if len(components) > 1 and _is_domain(components[0]):
        domain = components.pop(0)
        _check_domain(domain)
    path = "/".join(components)
    if not path:
        raise ValueError("invalid reference format: the repository name is missing")
    for component in components:
        if not PATH_COMPONENT.fullmatch(component):
            if PATH_COMPONENT.fullmatch(component.lower()):
                raise ValueError("repository name must be lowercase")
            raise ValueError(
                f"invalid reference format: {component!r} is not a valid name"
                " (lowercase letters, digits, and . _ - between them)"
            )
    if len(name) > NAME_MAX:
        raise ValueError(f"repository name must not be longer than {NAME_MAX} characters")
    return ImageReference(domain, path, tag, digest)


def check_container_name(name: str) -> str:
    if not CONTAINER_NAME.fullmatch(name):
        raise ValueError(
            f"invalid container name {name!r}: at least 2 characters, letters, digits and _ . -,"
            " starting with a letter or digit"
        )
    return name


def check_hostname(name: str) -> str:
    if len(name) > 255 or not HOSTNAME.fullmatch(name):
        raise ValueError(f"invalid hostname {name!r}: letters, digits, - and dots")
    return name


def split_reference(ref: str) -> tuple[str, str]:
    """`registry:5000/name:tag` -> (`registry:5000/name`, `tag`); digests stay in the tag part."""
    if "@" in ref:
        repository, _, digest = ref.partition("@")
        return repository, digest
    repository, sep, tag = ref.rpartition(":")
    if not sep or "/" in tag:
        return ref, "latest"
    return repository, tag
