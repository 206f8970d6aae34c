"""`-v`, `--mount` and `--tmpfs`: where a container's data lives.

Values are checked as the docker CLI and the engine check them, so a mistake
is said at the field before anything is created.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..references import VOLUME_NAME
from .units import parse_size

RW_MODES = {"ro", "rw"}
LABEL_MODES = {"z", "Z"}
PROPAGATIONS = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
COPY_MODES = {"nocopy"}
CONSISTENCIES = {"consistent", "cached", "delegated", "default"}
MODE_KINDS = (
    (RW_MODES, "ro or rw"),
    (LABEL_MODES, "z or Z"),
    (PROPAGATIONS, "a propagation"),
    (COPY_MODES, "nocopy"),
    (CONSISTENCIES, "a consistency"),
)


def relative_source_error(text: str) -> ValueError:
    return ValueError(
        f"{text!r}: give the host path in full (/home/...): Dockside has no current"
        " directory to resolve it against"
    )


def check_modes(options: str, text: str, bind: bool) -> None:
    """The options after the second colon of `-v`, as the engine checks them."""
    seen: dict[str, str] = {}
    for option in options.split(","):
        kind = next((name for modes, name in MODE_KINDS if option in modes), None)
        if kind is None:
            raise ValueError(
                f"{text!r}: unknown option {option!r}; use ro or rw, z or Z, a propagation"
                " (rshared, rslave, rprivate, …) or nocopy, separated by commas"
            )
        if kind in seen:
            raise ValueError(f"{text!r}: {seen[kind]} and {option} both set {kind}: keep one")
        seen[kind] = option
    if bind and "nocopy" in seen:
        raise ValueError(f"{text!r}: nocopy is for named volumes, not for host directories")


@dataclass(frozen=True)
class VolumeMount:
    """`-v source:target[:options]`: a bind mount (absolute source), a named volume, or an
    anonymous one (only the target). Options: ro/rw, z/Z, a propagation, nocopy."""

    target: str
    source: str = ""
    mode: str = ""

    @property
    def read_only(self) -> bool:
        return "ro" in self.mode.split(",")

    @property
    def bind(self) -> bool:
        return self.source.startswith("/")

    def __str__(self) -> str:
        if not self.source:
            return self.target
        return f"{self.source}:{self.target}" + (f":{self.mode}" if self.mode else "")

    @classmethod
    def parse(cls, text: str) -> VolumeMount:
        """`/host/path:/in/container[:ro,z]`, `volume-name:/in/container[:nocopy]`, `/anonymous`."""
        parts = text.strip().split(":")
        if any(not part for part in parts):
            raise ValueError(f"{text!r}: an empty part between colons")
        mode = ""
        if len(parts) == 3:
            mode = parts.pop()
        if len(parts) == 1:
            source, target = "", parts[0]
        elif len(parts) == 2:
            source, target = parts
        else:
            raise ValueError(f"{text!r}: expected source:/container/path[:options]")
        if not target.startswith("/"):
            raise ValueError(f"{text!r}: the container path must be absolute (start with /)")
        if source and not source.startswith("/") and not VOLUME_NAME.fullmatch(source):
            if source.startswith((".", "~")):
                raise relative_source_error(text)
            raise ValueError(f"{text!r}: {source!r} is neither an absolute path nor a volume name")
        if mode:
            check_modes(mode, text, bind=source.startswith("/"))
        return cls(target=target, source=source, mode=mode)


MOUNT_TYPES = ("bind", "volume", "tmpfs", "npipe", "cluster", "image")
MOUNT_FLAGS = {"readonly", "ro", "volume-nocopy", "bind-nonrecursive"}  # keys without a value
MOUNT_KEYS = {
    "type", "source", "src", "target", "dst", "destination", "readonly", "ro", "consistency",
    "bind-propagation", "bind-nonrecursive", "bind-recursive", "volume-subpath",
    "volume-nocopy", "volume-label", "volume-driver", "volume-opt", "image-subpath",
    "tmpfs-size", "tmpfs-mode",
}  # fmt: skip
BIND_RECURSIVE = ("enabled", "disabled", "writable", "readonly")
TRUE_WORDS = {"1", "t", "T", "true", "TRUE", "True"}
FALSE_WORDS = {"0", "f", "F", "false", "FALSE", "False"}
OCTAL = re.compile(r"[0-7]{1,11}")


def csv_fields(text: str) -> list[str]:
    """One line of comma-separated values, read as Go's encoding/csv reads it."""
    try:
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except csv.Error as exc:
        raise ValueError(f"{text!r}: cannot be read as comma-separated values ({exc})") from exc
    if len(rows) != 1:
        raise ValueError(f"{text!r}: expected one line of comma-separated key=value pairs")
    return rows[0]


def csv_line(fields: list[str]) -> str:
    """Fields joined with commas, quoted where a field holds a comma or a quote."""
    out = []
    for field in fields:
        if any(c in field for c in ',"\n') or field != field.strip():
            field = '"' + field.replace('"', '""') + '"'
        out.append(field)
    return ",".join(out)


def _bool(value: str, key: str, text: str) -> bool:
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"{text!r}: {key} takes true or false, not {value!r}")


@dataclass(frozen=True)
class MountSpec:
    """`--mount type=bind,source=/srv,target=/data,readonly`: the long form of a mount.

    Kept as its key=value fields, in the order given (keys in lower case, as the
    CLI reads them); `settings()` gives what they mean.
    """

    fields: tuple[tuple[str, str | None], ...]

    def __str__(self) -> str:
        return csv_line([key if value is None else f"{key}={value}" for key, value in self.fields])

    def value(self, *keys: str) -> str | None:
        found = None
        for key, value in self.fields:
            if key in keys and value is not None:
                found = value
        return found

    @property
    def type(self) -> str:
        return (self.value("type") or "volume").lower()

    @property
    def source(self) -> str:
        return self.value("source", "src") or ""

    @property
    def target(self) -> str:
        return self.value("target", "dst", "destination") or ""

    def settings(self) -> dict:
        """What the fields mean, as the Engine API's Mount object."""
        mount: dict = {"Type": self.type, "Target": self.target}
        if self.source:
            mount["Source"] = self.source
        volume: dict | None = None
        bind: dict | None = None
        tmpfs: dict | None = None

        def volume_options() -> dict:
            nonlocal volume
            if volume is None:
                volume = {"Labels": {}, "DriverConfig": {}}
            return volume

        for key, value in self.fields:
            if value is None:
                if key in {"readonly", "ro"}:
                    mount["ReadOnly"] = True
                elif key == "volume-nocopy":
                    volume_options()["NoCopy"] = True
                elif key == "bind-nonrecursive":
                    bind = {**(bind or {}), "NonRecursive": True}
                continue
            if key in {"readonly", "ro"}:
                mount["ReadOnly"] = value in TRUE_WORDS
            elif key == "consistency":
                mount["Consistency"] = value.lower()
            elif key == "bind-propagation":
                bind = {**(bind or {}), "Propagation": value.lower()}
            elif key == "bind-nonrecursive":
                bind = {**(bind or {}), "NonRecursive": value in TRUE_WORDS}
            elif key == "bind-recursive":
                flag = {
                    "enabled": {},
                    "disabled": {"NonRecursive": True},
                    "writable": {"ReadOnlyNonRecursive": True},
                    "readonly": {"ReadOnlyForceRecursive": True},
                }[value]
                bind = {**(bind or {}), **flag}
            elif key == "volume-subpath":
                volume_options()["Subpath"] = value
            elif key == "volume-nocopy":
                volume_options()["NoCopy"] = value in TRUE_WORDS
            elif key == "volume-label":
                label, _, label_value = value.partition("=")
                if label:
                    volume_options()["Labels"][label] = label_value
            elif key == "volume-driver":
                volume_options()["DriverConfig"]["Name"] = value
            elif key == "volume-opt":
                option, _, option_value = value.partition("=")
                options = volume_options()["DriverConfig"].setdefault("Options", {})
                if option:
                    options[option] = option_value
            elif key == "tmpfs-size":
                tmpfs = {**(tmpfs or {}), "SizeBytes": parse_size(value, "tmpfs size")}
            elif key == "tmpfs-mode":
                tmpfs = {**(tmpfs or {}), "Mode": int(value, 8)}
            elif key == "image-subpath":
                mount["ImageOptions"] = {"Subpath": value}
        if volume is not None:
            mount["VolumeOptions"] = volume
        if bind is not None:
            mount["BindOptions"] = bind
        if tmpfs is not None:
            mount["TmpfsOptions"] = tmpfs
        return mount

    @classmethod
    def parse(cls, text: str) -> MountSpec:
        fields: list[tuple[str, str | None]] = []
        for field in csv_fields(text.strip()):
            key, eq, value = field.partition("=")
            key = key.lower()
            if not eq:
                if key not in MOUNT_FLAGS:
                    raise ValueError(f"{text!r}: {field!r} must be a key=value pair")
                fields.append((key, None))
                continue
            if key not in MOUNT_KEYS:
                raise ValueError(
                    f"{text!r}: unknown key {key!r}; the keys are type, source, target,"
                    " readonly and the bind-, volume- and tmpfs- options"
                )
            cls._check(key, value, text)
            fields.append((key, value))
        mount = cls(tuple(fields))
        mount._check_whole(text)
        return mount

    @staticmethod
    def _check(key: str, value: str, text: str) -> None:
        if key == "type" and value.lower() not in MOUNT_TYPES:
            raise ValueError(f"{text!r}: the type is bind, volume or tmpfs, not {value!r}")
        if key in {"readonly", "ro", "volume-nocopy", "bind-nonrecursive"}:
            _bool(value, key, text)
        if key == "bind-recursive" and value not in BIND_RECURSIVE:
            raise ValueError(f"{text!r}: bind-recursive is one of {', '.join(BIND_RECURSIVE)}")
        if key == "bind-propagation" and value.lower() not in PROPAGATIONS:
            raise ValueError(
                f"{text!r}: bind-propagation is one of {', '.join(sorted(PROPAGATIONS))}"
            )
        if key == "tmpfs-size":
            parse_size(value, "tmpfs size")
        if key == "tmpfs-mode" and not OCTAL.fullmatch(value):
            raise ValueError(f"{text!r}: tmpfs-mode is an octal file mode, such as 1777 or 700")
        if key in {"source", "src"} and value.startswith((".", "~")):
            raise relative_source_error(text)

    def _check_whole(self, text: str) -> None:
        kind = self.type
        if not self.target:
            raise ValueError(f"{text!r}: target is required (target=/path/in/container)")
        if not self.target.startswith("/"):
            raise ValueError(f"{text!r}: the target must be an absolute path")
        for prefix, owner in (("volume-", "volume"), ("bind-", "bind"), ("tmpfs-", "tmpfs")):
            if owner != kind and any(key.startswith(prefix) for key, _ in self.fields):
                raise ValueError(f"{text!r}: {prefix}* options go with type={owner} only")
        if kind != "image" and any(key == "image-subpath" for key, _ in self.fields):
            raise ValueError(f"{text!r}: image-subpath goes with type=image only")
        if kind == "bind" and not self.source:
            raise ValueError(f"{text!r}: a bind mount needs source=/path/on/the/host")
        if kind == "bind" and not self.source.startswith("/"):
            raise ValueError(f"{text!r}: a bind mount's source is an absolute host path")
        if kind == "tmpfs" and self.source:
            raise ValueError(f"{text!r}: a tmpfs mount has no source")
        bind = self.settings().get("BindOptions") or {}
        read_only = self.settings().get("ReadOnly", False)
        recursive = self.value("bind-recursive")
        if recursive in {"writable", "readonly"} and not read_only:
            raise ValueError(f"{text!r}: bind-recursive={recursive} needs readonly as well")
        if bind.get("ReadOnlyForceRecursive") and bind.get("Propagation") != "rprivate":
            raise ValueError(f"{text!r}: bind-recursive=readonly needs bind-propagation=rprivate")

    def needs_api(self) -> tuple[str, str] | None:
        """(API version, what) when the engine must be that new for this mount."""
        if self.value("bind-recursive") in {"writable", "readonly"}:
            return "1.44", f"bind-recursive={self.value('bind-recursive')}"
        if self.value("volume-subpath") is not None:
            return "1.45", "volume-subpath"
        if self.type == "image":
            return "1.47", "type=image"
        return None


@dataclass(frozen=True)
class TmpfsMount:
    """`--tmpfs /run[:options]`: a memory-backed directory (options as for mount -t tmpfs)."""

    target: str
    options: str = ""

    def __str__(self) -> str:
        return f"{self.target}:{self.options}" if self.options else self.target

    @classmethod
    def parse(cls, text: str) -> TmpfsMount:
        target, _, options = text.strip().partition(":")
        if not target.startswith("/"):
            raise ValueError(f"{text!r}: the path must be absolute, such as /run or /tmp")
        for option in filter(None, options.split(",")):
            name, _, value = option.partition("=")
            if name in {"size", "nr_blocks", "nr_inodes"} and value:
                size = value[:-1] if value[-1:] in {"%", "k", "K", "m", "M", "g", "G"} else value
                if not size.isdigit():
                    raise ValueError(f"{text!r}: {name} takes a number, such as size=64m")
        return cls(target, options)
