"""Hide secret-looking values (environment variables, URL passwords) before display or storage."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

MASK = "••••••"

SECRET_KEY_PATTERN = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api_?key|private_?key|access_?key|credential"
    r"|auth|cookie|session|salt|signature|(^|_)key$|^pw$|_pw$|dsn",
    re.IGNORECASE,
)
# Bounded repetitions and a look-behind instead of \b: linear time on any input (a
# 64 KB field of letters made the unbounded versions take minutes).
URL_PASSWORD = re.compile(
    r"(?P<prefix>(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]{0,31}://[^:/@\s]{0,256}:)"
    r"[^@/\s]{1,1024}(?=@)"
)
# A KEY= at the start of a word, after dashes (--password=) or inside a value (a=b,token=c).
ASSIGNMENT = re.compile(r"(?<![A-Za-z0-9_.])-{0,2}(?P<key>[A-Za-z_][A-Za-z0-9_.-]{0,127})=")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
RUN_END = re.compile(r"[\s;&|]|$")  # a secret's value runs to the end of its word


@dataclass(frozen=True)
class EnvVar:
    key: str
    value: str
    masked: bool


def looks_secret(key: str) -> bool:
    return bool(SECRET_KEY_PATTERN.search(key.replace("-", "_")))


def mask_value(key: str, value: str) -> tuple[str, bool]:
    """The value to show for `key`, and whether anything was hidden."""
    if looks_secret(key) and value:
        return MASK, True
    hidden = URL_PASSWORD.sub(lambda m: m.group("prefix") + MASK, value)
    return hidden, hidden != value


def mask_text(text: str) -> str:
    """Hide `KEY=VALUE` values of secret-looking keys (and URL passwords) inside free text.

    Build history records `ENV API_TOKEN=...` and `--build-arg` values verbatim; a
    `--mount` or `--log-opt` value holds assignments of its own (`...,password=x`), and
    programs take `--password=x`: each is found, and a secret's value is hidden to the
    end of its word (quotes included), commas and all.
    """
    out = []
    position = 0
    while match := ASSIGNMENT.search(text, position):
        value_start = match.end()
        if not looks_secret(match["key"]):
            out.append(text[position:value_start])
            position = value_start  # its value may hold assignments of its own
            continue
        quoted = QUOTED.match(text, value_start)
        end = RUN_END.search(text, quoted.end() if quoted else value_start).start()
        out.append(text[position:value_start] + MASK)
        position = end
    out.append(text[position:])
    return URL_PASSWORD.sub(lambda m: m.group("prefix") + MASK, "".join(out))


def mask_env(env: list[str] | None) -> list[EnvVar]:
    """`KEY=VALUE` strings (as in Config.Env) split and masked."""
    result = []
    for item in env or []:
        key, sep, value = item.partition("=")
        shown, masked = mask_value(key, value) if sep else (value, False)
        result.append(EnvVar(key, shown, masked))
    return result


def masked_env_strings(env: list[str] | None) -> list[str]:
    env = env or []
    return [
        f"{var.key}={var.value}" if "=" in item else item
        for var, item in zip(mask_env(env), env, strict=True)
    ]


def mask_inspect(data: dict) -> dict:
    """A copy of `docker inspect` output with secret environment and label values hidden."""
    masked = copy.deepcopy(data)
    config = masked.get("Config") or {}
    if config.get("Env"):
        config["Env"] = masked_env_strings(config["Env"])
    if config.get("Labels"):
        config["Labels"] = {k: mask_value(k, v)[0] for k, v in config["Labels"].items()}
    container_config = masked.get("ContainerConfig") or {}
    if container_config.get("Env"):
        container_config["Env"] = masked_env_strings(container_config["Env"])
    if container_config.get("Cmd"):
        container_config["Cmd"] = [mask_text(part) for part in container_config["Cmd"]]
    return masked
