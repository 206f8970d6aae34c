"""What an action is doing while people wait for it, and what it waits for (pure).

The browser shows these while the request runs ("Stopping web… since 10:21:36,
3 s"), so a stop that waits 10 s for a process ignoring SIGTERM says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..specs import DEFAULT_STOP_TIMEOUT


@dataclass(frozen=True)
class Busy:
    doing: str  # "Stopping web"
    waits: str  # what it waits for, in a sentence


def stop_wait(timeout: int | None, stop_signal: str = "") -> str:
    seconds = DEFAULT_STOP_TIMEOUT if timeout is None else timeout
    signal = stop_signal or "SIGTERM"
    if seconds < 0:
        return f"it sends {signal} and waits for the process to exit, however long that takes"
    return (
        f"it sends {signal}, waits up to {seconds} s for the process to exit, then kills it"
        " (SIGKILL)"
    )


def container_busy(
    verb: str, name: str, *, timeout: int | None = None, stop_signal: str = "", wait_limit: int = 0
) -> Busy:
    """`timeout`: the container's own stop timeout (--stop-timeout), when it has one."""
    stop = stop_wait(timeout, stop_signal)
    return {
        "start": Busy(f"Starting {name}", "start waits for the engine to set up and launch it."),
        "stop": Busy(f"Stopping {name}", f"stop: {stop}."),
        "restart": Busy(f"Restarting {name}", f"restart stops, then starts: {stop}."),
        "kill": Busy(f"Killing {name}", "kill sends the signal and returns at once."),
        "pause": Busy(f"Pausing {name}", "pause freezes every process of the container."),
        "unpause": Busy(f"Unpausing {name}", "unpause lets its processes run again."),
        "rename": Busy(f"Renaming {name}", "rename changes only the name: nothing restarts."),
        "exec": Busy(
            f"Running the command in {name}",
            f"exec waits for the command to exit, at most {wait_limit} s; then it goes on"
            " without Dockside watching.",
        ),
        "commit": Busy(
            f"Committing {name}",
            "commit pauses the container and copies its writable layer into a new image.",
        ),
        "remove": Busy(
            f"Removing {name}",
            "remove deletes the container and its writable layer; with -f it kills it first.",
        ),
    }[verb]


def bulk_busy(verb: str) -> Busy:
    return {
        "start": Busy("Starting the selected containers", "one after the other."),
        "stop": Busy(
            "Stopping the selected containers",
            f"one after the other: each gets its stop signal, up to its stop timeout"
            f" ({DEFAULT_STOP_TIMEOUT} s unless set) to exit, then SIGKILL.",
        ),
        "remove": Busy("Removing the selected containers", "one after the other."),
    }[verb]


def run_busy(wait_limit: int) -> Busy:
    return Busy(
        "Running the container",
        "run creates the container, then starts it (pulling the image first if --pull says"
        f" so); without -d it waits for the process to exit, at most {wait_limit} s.",
    )


def image_busy(verb: str, name: str) -> Busy:
    return {
        "pull": Busy(f"Starting the pull of {name}", "the progress page opens once it starts."),
        "tag": Busy(f"Tagging {name}", "a tag is a new name for the same image: nothing copied."),
        "remove": Busy(f"Removing {name}", "remove untags it, then deletes unused layers."),
        "build": Busy(f"Sending the context of {name}", "the build page opens once it starts."),
        "push": Busy(f"Starting the push of {name}", "the progress page opens once it starts."),
        "save": Busy(
            f"Saving {name}", "the engine writes the tar as it goes: the download starts."
        ),
        "load": Busy(f"Loading {name}", "the engine unpacks every layer: big images take a while."),
    }[verb]


def prune_busy(kind: str, count: int) -> Busy:
    return Busy(f"Removing {count} {kind}{'s' if count != 1 else ''}", "one after the other.")
