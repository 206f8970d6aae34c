"""Secrets at rest: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from
SECRET_KEY by HKDF, so the database alone never holds a password in clear.

Changing SECRET_KEY makes stored secrets unreadable: they then read as "" and the
registry's page asks for the password again.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"dockside: registry and engine secrets"


@cache
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(plain.encode()).decode("ascii") if plain else ""


def unseal(sealed: str) -> str:
    """The secret, or "" when there is none or it was sealed under another SECRET_KEY."""
    if not sealed:
        return ""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return ""
