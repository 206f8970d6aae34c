"""Devices, GPUs, ulimits and block-I/O limits, read as the docker CLI reads them."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .storage import csv_fields, csv_line
from .units import format_size, parse_size

DEVICE_MODE = re.compile(r"(?!.*(.).*\1)[rwm]{1,3}")  # r, w and m, each at most once
CDI_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9.-]*/[a-zA-Z0-9][a-zA-Z0-9_.-]*=[a-zA-Z0-9_.:-]+")
CGROUP_RULE = re.compile(r"[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}")


@dataclass(frozen=True)
class DeviceMapping:
    """`--device /dev/sdc[:/dev/xvdc][:rwm]`, or a CDI name such as `vendor.com/gpu=0`."""

    host_path: str
    container_path: str = ""
    permissions: str = "rwm"

    @property
    def cdi(self) -> bool:
        return bool(CDI_NAME.fullmatch(self.host_path)) and not self.container_path

    def __str__(self) -> str:
        if self.cdi:
            return self.host_path
        text = self.host_path
        if self.container_path != self.host_path:
            text += f":{self.container_path}"
        if self.permissions != "rwm":
            text += f":{self.permissions}"
        return text

    @classmethod
    def parse(cls, text: str) -> DeviceMapping:
        value = text.strip()
        if CDI_NAME.fullmatch(value):
            return cls(value)
        parts = value.split(":")
        if len(parts) > 3 or not parts[0]:
            raise ValueError(f"{text!r}: expected /dev/host-device[:/dev/in-container][:rwm]")
        host, target, mode = parts[0], "", "rwm"
        if len(parts) == 2:
            if DEVICE_MODE.fullmatch(parts[1]):
                mode = parts[1]
            else:
                target = parts[1]
        elif len(parts) == 3:
            target, mode = parts[1], parts[2]
            if not DEVICE_MODE.fullmatch(mode):
                raise ValueError(f"{text!r}: the permissions are r, w and m (such as rw or rwm)")
        target = posixpath.normpath(target) if target else host
        if not target.startswith("/"):
            raise ValueError(f"{text!r}: {target} is not an absolute path")
        return cls(host, target, mode)


def cgroup_rule(text: str) -> str:
    """`--device-cgroup-rule 'c 42:* rmw'`: type, major:minor, access."""
    value = text.strip()
    if not CGROUP_RULE.fullmatch(value):
        raise ValueError(
            f"{text!r}: write type major:minor access, such as 'c 42:* rmw' (type a, b or c;"
            " * for any number; access r, w, m)"
        )
    return value


@dataclass(frozen=True)
class GpuRequest:
    """`--gpus all`, `--gpus 2`, `--gpus '"device=0,1"'`, `--gpus count=1,capabilities=compute`."""

    count: int | None = None  # -1: all
    driver: str = ""
    device_ids: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        fields = []
        if self.count is not None:
            fields.append("all" if self.count == -1 else str(self.count))
        if self.driver:
            fields.append(f"driver={self.driver}")
        if self.device_ids:
            fields.append("device=" + ",".join(self.device_ids))
        if self.capabilities:
            fields.append("capabilities=" + ",".join(self.capabilities))
        if self.options:
            fields.append("options=" + csv_line([f"{k}={v}" for k, v in self.options]))
        return csv_line(fields)

    def request(self) -> dict:
        """The Engine API's DeviceRequest, as the CLI fills it."""
        count = self.count if self.count is not None else (0 if self.device_ids else 1)
        return {
            "Driver": self.driver,
            "Count": count,
            "DeviceIDs": list(self.device_ids) or None,
            "Capabilities": [[*self.capabilities, "gpu"]],
            "Options": dict(self.options),
        }

    @classmethod
    def parse(cls, text: str) -> GpuRequest:
        seen = set()
        count = None
        driver = ""
        devices: tuple[str, ...] = ()
        capabilities: tuple[str, ...] = ()
        options: tuple[tuple[str, str], ...] = ()
        for field in csv_fields(text.strip()):
            key, eq, value = field.partition("=")
            if not eq:
                if "count" in seen:
                    raise ValueError(f"{text!r}: the count is given twice")
                seen.add("count")
                count = _gpu_count(key, text)
                continue
            if key in seen:
                raise ValueError(f"{text!r}: {key} is given twice")
            seen.add(key)
            if key == "driver":
                driver = value
            elif key == "count":
                count = _gpu_count(value, text)
            elif key == "device":
                devices = tuple(value.split(","))
            elif key == "capabilities":
                capabilities = tuple(value.split(","))
            elif key == "options":
                options = tuple((k, v) for k, _, v in (o.partition("=") for o in csv_fields(value)))
            else:
                raise ValueError(
                    f"{text!r}: unknown key {key!r}; use all, a number, count=, device=,"
                    " driver=, capabilities= or options="
                )
        return cls(count, driver, devices, capabilities, options)


def _gpu_count(value: str, text: str) -> int:
    if value == "all":
        return -1
    if not re.fullmatch(r"-?\d{1,9}", value):
        raise ValueError(f"{text!r}: the count is all or a whole number, not {value!r}")
    return int(value)


ULIMITS = (
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
    "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
)  # fmt: skip


@dataclass(frozen=True)
class Ulimit:
    """`--ulimit nofile=1024:2048`: soft[:hard] (hard defaults to soft; -1 is unlimited)."""

    name: str
    soft: int
    hard: int

    def __str__(self) -> str:
        if self.soft == self.hard:
            return f"{self.name}={self.soft}"
        return f"{self.name}={self.soft}:{self.hard}"

    @classmethod
    def parse(cls, text: str) -> Ulimit:
        name, eq, limits = text.strip().partition("=")
        if not eq:
            raise ValueError(f"{text!r}: write name=soft[:hard], such as nofile=1024:2048")
        if name not in ULIMITS:
            raise ValueError(f"{text!r}: {name!r} is not a limit; use one of {', '.join(ULIMITS)}")
        values = limits.split(":")
        if len(values) > 2 or not all(re.fullmatch(r"-?\d{1,19}", v) for v in values):
            raise ValueError(f"{text!r}: the limits are whole numbers, soft[:hard]")
        soft = int(values[0])
        hard = int(values[1]) if len(values) == 2 else soft
        if hard != -1 and (soft == -1 or soft > hard):
            raise ValueError(f"{text!r}: the soft limit must not exceed the hard limit")
        return cls(name, soft, hard)


def _device_path(text: str) -> tuple[str, str]:
    path, colon, value = text.strip().partition(":")
    if not colon or not path:
        raise ValueError(f"{text!r}: write /dev/device:value, such as /dev/sda:200")
    if not path.startswith("/dev/"):
        raise ValueError(f"{text!r}: the device path starts with /dev/")
    return path, value


@dataclass(frozen=True)
class DeviceLimit:
    """A per-device block-I/O value: `/dev/sda:200` (weight, IO/s) or `/dev/sda:1mb` (bytes/s)."""

    path: str
    value: int
    sized: bool = False  # a rate in bytes, written with a unit

    def __str__(self) -> str:
        return f"{self.path}:{format_size(self.value) if self.sized else self.value}"

    @classmethod
    def weight(cls, text: str) -> DeviceLimit:
        path, value = _device_path(text)
        if not value.isdigit() or (int(value) and not 10 <= int(value) <= 1000):
            raise ValueError(f"{text!r}: the weight is 10 to 1000 (or 0)")
        return cls(path, int(value))

    @classmethod
    def bytes_rate(cls, text: str) -> DeviceLimit:
        path, value = _device_path(text)
        return cls(path, parse_size(value, "rate"), sized=True)

    @classmethod
    def io_rate(cls, text: str) -> DeviceLimit:
        path, value = _device_path(text)
        if not value.isdigit():
            raise ValueError(f"{text!r}: the rate is a whole number of operations per second")
        return cls(path, int(value))
