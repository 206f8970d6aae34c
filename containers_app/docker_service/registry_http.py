"""A registry's own HTTP API (distribution v2): `/v2/_catalog` and `/v2/<name>/tags/list`,
which the Engine API does not offer. Basic auth, or a bearer token from the realm the
registry names (as the engine does). Plain HTTP only for loopback addresses, the
registries the engine itself trusts without TLS by default."""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

import requests

from .client import DockerServiceError

TIMEOUT = 10
CATALOG_LIMIT = 1000  # the most one page may hold (the registry refuses more)
CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class RegistryError(DockerServiceError):
    """The registry's refusal or silence, in words; `status` for HTTP."""

    def __init__(self, message: str, status: int = 502):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Catalog:
    repositories: tuple[str, ...]
    more: bool  # the registry holds more than CATALOG_LIMIT


def _loopback(address: str) -> bool:
    host = urlsplit(f"//{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _message(response: requests.Response) -> str:
    """The registry's own words: the messages of its `errors` list, else nothing."""
    try:
        body = response.json()
    except ValueError:
        return ""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ""
    said = [str(e["message"])[:200] for e in errors if isinstance(e, dict) and e.get("message")]
    return "; ".join(said)


def _bearer(response: requests.Response, address: str, auth: tuple[str, str] | None) -> str | None:
    """A token from the realm a 401's `WWW-Authenticate: Bearer ...` names."""
    challenge = response.headers.get("WWW-Authenticate", "")
    if not challenge.lower().startswith("bearer"):
        return None
    fields = dict(CHALLENGE.findall(challenge))
    realm = fields.pop("realm", "")
    plain_ok = _loopback(address) and _loopback(urlsplit(realm).netloc)
    if not realm.startswith("https://") and not plain_ok:
        return None  # credentials go to a token service over TLS (or loopback to loopback)
    answer = requests.get(realm, params=fields, auth=auth, timeout=TIMEOUT)
    if answer.status_code != 200:
        return None
    try:
        body = answer.json()
    except ValueError:
        return None
    token = (body.get("token") or body.get("access_token")) if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


def registry_get(address: str, path: str, auth: tuple[str, str] | None) -> requests.Response:
    schemes = ("https", "http") if _loopback(address) else ("https",)
    last_error: Exception | None = None
    for scheme in schemes:
        url = f"{scheme}://{address}{path}"
        try:
            response = requests.get(url, auth=auth, timeout=TIMEOUT)
            if response.status_code == 401 and (token := _bearer(response, address, auth)):
                headers = {"Authorization": f"Bearer {token}"}
                response = requests.get(url, headers=headers, timeout=TIMEOUT)
        except requests.exceptions.SSLError as exc:
            last_error = exc
            continue
        except requests.exceptions.RequestException as exc:
            last_error = exc
            if scheme == "https" and len(schemes) > 1:
                continue
            break
        return _checked(response, address)
    raise RegistryError(f"the registry {address} cannot be reached: {_reason(last_error)}", 502)


def _reason(error: Exception | None) -> str:
    text = str(error) if error else "no answer"
    return "connection refused" if "refused" in text.lower() else text.splitlines()[0][:200]


def _checked(response: requests.Response, address: str) -> requests.Response:
    if response.status_code == 401:
        said = _message(response) or "authentication required"
        raise RegistryError(f"the registry {address} refused the credentials: {said}", 403)
    if response.status_code == 404:
        raise RegistryError(f"the registry {address} has no such list (it answered 404)", 404)
    if response.status_code >= 400:
        said = _message(response) or f"it answered {response.status_code}"
        raise RegistryError(f"the registry {address} refused: {said}", 502)
    return response


def _json(response: requests.Response, address: str) -> dict:
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistryError(f"the registry {address} did not answer in JSON", 502) from exc
    if not isinstance(body, dict):
        raise RegistryError(f"the registry {address} did not answer as a registry does", 502)
    return body


def catalog(address: str, auth: tuple[str, str] | None) -> Catalog:
    """The repositories a registry holds (`GET /v2/_catalog`)."""
    response = registry_get(address, f"/v2/_catalog?n={CATALOG_LIMIT}", auth)
    listed = _json(response, address).get("repositories")
    names = [str(name) for name in listed] if isinstance(listed, list) else []
    return Catalog(tuple(names), 'rel="next"' in response.headers.get("Link", ""))


def tags(address: str, repository: str, auth: tuple[str, str] | None) -> tuple[str, ...]:
    """A repository's tags (`GET /v2/<name>/tags/list`), sorted."""
    listed = _json(registry_get(address, f"/v2/{repository}/tags/list", auth), address).get("tags")
    return tuple(sorted(str(tag) for tag in listed)) if isinstance(listed, list) else ()
