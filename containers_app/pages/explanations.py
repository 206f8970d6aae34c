"""The "why" beside the "what": exit codes and published ports in words.

Each helper returns `Words`: plain text with `docker …` commands between backticks.
`str()` gives the plain text; a template shows `.html`, the commands as <code>.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..docker_service.containers import ContainerState, PublishedPort
from ..specs import DEFAULT_STOP_TIMEOUT

_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Words:
    """A sentence or two; `commands` in backticks become <code> on a page."""

    source: str

    def __str__(self) -> str:
        return _CODE.sub(r"\1", self.source)

    @property
    def html(self) -> SafeString:
        return mark_safe(_CODE.sub(r"<code>\1</code>", escape(self.source)))  # noqa: S308 - escaped


# --- exit codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitMeaning:
    code: int
    kind: str  # names the explanation: one closed stays closed for every container
    meaning: Words
    stop_wait: Words | None = None  # why `docker stop` took its time, when that is the story

    @property
    def key(self) -> str:
        return f"exit-{self.kind}"

    @property
    def question(self) -> str:
        return f"What does exit code {self.code} mean?"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def stop_wait(stop_signal: str = "", stop_timeout: int | None = None) -> Words:
    """What `docker stop` does, with this container's own stop signal and timeout."""
    sent = "SIGTERM"
    if stop_signal and stop_signal.upper().removeprefix("SIG") not in {"TERM", "15"}:
        sent = f"its STOPSIGNAL ({stop_signal}) instead of SIGTERM"
    if stop_timeout is None:
        waits = f"waits {DEFAULT_STOP_TIMEOUT} s (the default stop timeout)"
    else:
        waits = f"waits {stop_timeout} s (its `--stop-timeout`)"
    return Words(
        f"`docker stop` sends {sent}, {waits}, then kills with SIGKILL. So 137 after"
        " `docker stop` usually means the process ignored SIGTERM, as a program running as"
        " PID 1 does unless it handles the signal itself (a shell does not). The container's"
        " state does not say whether it was stopped or killed; the audit log does, for what"
        " was done through Dockside."
    )


def _meaning(code: int) -> tuple[str, str]:
    """The kind and the words for an exit code, the OOMKilled flag aside."""
    if code == 0:
        return "success", (
            "0: the main process ended by itself and reported success. A container lives"
            " as long as its main process: when that ends, the container exits."
        )
    if code == 137:
        return "sigkill", (
            "137 = 128 + 9: the process was killed with SIGKILL, which it cannot catch or"
            " ignore: by `docker kill`, by `docker stop` once its timeout ran out, or by the"
            " out-of-memory killer."
        )
    if code == 143:
        return "sigterm", (
            "143 = 128 + 15: the process ended on SIGTERM, the signal `docker stop` sends"
            " first (`docker kill --signal TERM` too): it was asked to stop, and did."
        )
    if code == 126:
        return "not-executable", (
            "126: the command was found but could not be executed: it is not an executable"
            " file, or permission is denied."
        )
    if code == 127:
        return "not-found", (
            "127: the command was not found: no such file in the image, or not on its PATH."
            " Check the image's Cmd and Entrypoint, or the command you gave."
        )
    if code > 128:
        number = code - 128
        return "signal", (
            f"{code} = 128 + {number}: the process was ended by signal {number}"
            f" ({_signal_name(number)})."
        )
    return "error", (
        f"{code}: the program's own exit code; anything but 0 means it reports a failure."
        " Its logs (`docker logs`) usually say why."
    )


def exit_meaning(
    state: ContainerState,
    stop_signal: str = "",
    stop_timeout: int | None = None,
) -> ExitMeaning | None:
    """What the exit code of a container that is not running says; None if it has none."""
    if state.running or state.restarting:
        return None
    code = state.exit_code
    if code == 0 and not state.finished_at:
        return None  # created, never ran
    kind, words = _meaning(code)
    if state.oom_killed and code == 137:
        return ExitMeaning(
            code,
            "oom",
            Words(
                "137 = 128 + 9: killed with SIGKILL, and its OOMKilled flag is true: the"
                " kernel's out-of-memory killer ended it, for using more memory than its"
                " limit (`--memory`) allows, or more than the host had left."
            ),
        )
    if state.oom_killed:
        words += (
            " Its OOMKilled flag is true: the out-of-memory killer ended a process in it,"
            " which may be why."
        )
    elif code == 137:
        words += " Its OOMKilled flag is false, so not that."
    wait = stop_wait(stop_signal, stop_timeout) if kind == "sigkill" else None
    return ExitMeaning(code, kind, Words(words), wait)


# --- ports ------------------------------------------------------------------------------

ALL_IPV4 = "0.0.0.0"  # noqa: S104 - a name for what the engine reports, nothing binds here
ANY_IPV4 = {"", ALL_IPV4}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class PortsInWords:
    sentences: tuple[Words, ...]
    problem: Words | None = None  # bindings configured that cannot work


def _where(ips: list[str]) -> str:
    ips = sorted(set(ips), key=lambda ip: (ip not in ANY_IPV4, ip))
    if set(ips) <= ANY_IPV4 | {"::"}:
        shown = " and ".join(ALL_IPV4 if ip in ANY_IPV4 else ip for ip in ips)
        family = "IPv6 " if ips == ["::"] else ""
        return f"any of the host's {family}addresses ({shown})"
    if len(ips) == 1 and ips[0] in LOOPBACK:
        return f"the host's loopback address {ips[0]}"
    return f"the host's address{'es' if len(ips) > 1 else ''} {' and '.join(ips)}"


def _flag(port: PublishedPort) -> str:
    """The `-p` that makes this binding."""
    parts = [port.host_ip] if port.host_ip else []
    if port.host_ip or port.host_port:
        parts.append(port.host_port)
    suffix = "" if port.protocol == "tcp" else f"/{port.protocol}"
    return f"`-p {':'.join([*parts, port.container_port])}{suffix}`"


def port_sentences(
    ports: tuple[PublishedPort, ...],
    *,
    running: bool,
    network_mode: str = "",
    bindings: tuple[PublishedPort, ...] = (),
) -> PortsInWords:
    """Each published port in words: where on the host, to which port of the container.

    `bindings` are the container's `-p` as configured; with the network `none` (or `host`)
    they cannot do what they say, and that is the one thing worth saying.
    """
    published = [p for p in bindings if p.host_port or p.any_free_port]
    if published and network_mode in {"none", "host"}:
        flags = ", ".join(dict.fromkeys(_flag(p) for p in published))
        if network_mode == "none":
            words = (
                f"Published ports are configured ({flags}) but cannot work: with the network"
                " none, the container has only its own loopback interface, so nothing from"
                " the host can reach it."
            )
        else:
            words = (
                f"Published ports are configured ({flags}) but ignored: with the network"
                " host, the container shares the host's network, so its programs listen on"
                " the host's own ports."
            )
        return PortsInWords((), Words(words))
    verb = "are forwarded" if running else "will be forwarded"
    grouped: dict[tuple, list[str]] = {}
    for port in ports:
        target = f"{port.container_port}/{port.protocol}"
        if port.host_port:
            grouped.setdefault(("port", port.host_port, target), []).append(port.host_ip)
        elif port.any_free_port:
            grouped.setdefault(("free", "", target), []).append(port.host_ip)
        else:
            grouped.setdefault(("exposed", "", target), [])
    sentences = []
    for (kind, host_port, target), ips in grouped.items():
        if kind == "exposed":
            sentences.append(
                Words(
                    f"{target} is exposed but not published: it is declared (EXPOSE in the"
                    " image, or `--expose`), but the host forwards nothing to it. Containers"
                    " on the same network can connect to it all the same."
                )
            )
            continue
        where = f"port {host_port}" if kind == "port" else "a free port the engine picks"
        who = (
            "only programs on the host itself can connect"
            if set(ips) <= LOOPBACK
            else "other machines that reach the host can connect too"
        )
        which = "" if kind == "port" else " `docker port` tells which, once it runs."
        sentences.append(
            Words(
                f"Connections to {where} on {_where(ips)} {verb} to port {target} in the"
                f" container; {who}.{which}"
            )
        )
    return PortsInWords(tuple(sentences))
