"""Form -> command -> pasted back -> form is the identity, over every flag of the form (Hypothesis).

And the duplicate path: spec -> the form's data -> the form -> the same spec.
"""

from __future__ import annotations

import dataclasses
import shlex

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from containers_app import cli
from containers_app.forms import RunForm
from containers_app.forms.run import form_data
from containers_app.run_options.devices import DeviceLimit, DeviceMapping, GpuRequest, Ulimit
from containers_app.run_options.networks import ExtraHost, Link, NetworkAttachment
from containers_app.run_options.ports import ExposedPorts, PortMapping
from containers_app.run_options.spec import KeyValueFile, RunSpec
from containers_app.run_options.storage import MountSpec, TmpfsMount
from tests.test_cli import KEYS, PATHS, SAFE_TEXT, WORD, run_specs

NAMES = st.from_regex(r"[a-z0-9][a-z0-9_.-]{1,10}", fullmatch=True)
SIZES = st.integers(1, 2**40)
IPV4 = st.builds(lambda a, b: f"10.{a}.{b}.7", st.integers(0, 255), st.integers(0, 255))


def optional(strategy):
    return st.one_of(st.none(), strategy)


def some(strategy, size: int = 2):
    return st.lists(strategy, max_size=size).map(tuple)


def pairs(keys=KEYS, values=SAFE_TEXT):
    return st.dictionaries(keys, values, max_size=2).map(lambda d: tuple(d.items()))


MOUNTS = st.sampled_from(
    [
        "type=bind,source=/srv,target=/data,readonly,bind-propagation=rslave",
        "type=volume,source=data,target=/v,volume-nocopy,volume-label=a=b",
        "type=volume,target=/v2,volume-driver=local,volume-opt=type=tmpfs,volume-opt=device=tmpfs",
        "type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1777",
        'type=volume,src=nfs,dst=/n,"volume-opt=o=addr=10.0.0.1,rw"',
    ]
).map(MountSpec.parse)
GPUS = st.sampled_from(['"device=0,1"', '2,"capabilities=compute,utility"', "all", "driver=nvidia"])
DEVICES = st.sampled_from(
    ["/dev/fuse", "/dev/sda:/dev/xvdc", "/dev/sda:/dev/xvdc:r", "/dev/null:rw", "nvidia.com/gpu=0"]
)
DURATIONS = optional(st.integers(1, 10**6).map(lambda ms: ms * 1_000_000))


@st.composite
def networking(draw) -> dict:
    kind = draw(st.sampled_from(["default", "built-in", "mine", "mine, long", "two of mine"]))
    if kind == "default":
        return {}
    if kind == "built-in":
        return {"networks": (NetworkAttachment(draw(st.sampled_from(["none", "host"]))),)}
    long = kind != "mine"
    first = NetworkAttachment(
        draw(WORD),
        aliases=draw(some(WORD)) if long else (),
        ip=draw(IPV4) if long else "",
        driver_opts=draw(pairs(WORD, WORD)) if long else (),
        long=long,
    )
    networks = (first,)
    if kind == "two of mine":
        networks += (NetworkAttachment(first.name + "x"),)
    links = st.builds(lambda name, alias: Link.parse(f"{name}:{alias}"), NAMES, NAMES)
    values = {"networks": networks, "links": draw(some(links))}
    if not long:
        values |= {
            "network_aliases": draw(some(WORD)),
            "ip": draw(st.one_of(st.just(""), IPV4)),
            "ip6": draw(st.sampled_from(["", "2001:db8::33"])),
            "link_local_ips": draw(some(st.just("169.254.1.5"), 1)),
        }
    return values


@st.composite
def health(draw) -> dict:
    if draw(st.booleans()):
        return {"no_healthcheck": True}
    return {
        "health_cmd": draw(st.one_of(st.just(""), SAFE_TEXT.map(str.strip))),
        "health_interval": draw(DURATIONS),
        "health_timeout": draw(DURATIONS),
        "health_start_period": draw(DURATIONS),
        "health_retries": draw(optional(st.integers(1, 20))),
    }


def kv_file(name: str):
    return optional(
        st.builds(
            KeyValueFile, st.just(name), pairs(KEYS, SAFE_TEXT.map(str.strip).filter(bool))
        ).filter(lambda f: f.pairs)
    )


@st.composite
def full_run_specs(draw) -> RunSpec:
    spec = draw(run_specs())
    clear = draw(st.booleans()) and not spec.entrypoint
    log_driver = draw(st.sampled_from(["", "json-file", "local", "none"]))
    extra = {
        "networks": (),
        "platform": draw(st.sampled_from(["", "linux/amd64", "linux/arm64/v8"])),
        "clear_entrypoint": clear,
        "group_add": draw(some(st.sampled_from(["audio", "777", "video"]))),
        "init": draw(st.booleans()),
        "stop_signal": draw(st.sampled_from(["", "SIGQUIT", "9"])),
        "stop_timeout": draw(optional(st.integers(-1, 600))),
        "env_file": draw(kv_file("app.env")),
        "label_file": draw(kv_file("labels")),
        "ports": draw(
            some(
                st.sampled_from(["8000-8002:9000-9002/udp", "8000-8010:80", "127.0.0.1::7000"]).map(
                    PortMapping.parse
                )
            )
        ),
        "publish_all": draw(st.booleans()),
        "expose": tuple(
            ExposedPorts.parse(text)
            for text in draw(some(st.sampled_from(["80", "7000-7002/udp", "53/sctp"])))
        ),
        "add_hosts": tuple(
            ExtraHost.parse(text)
            for text in draw(
                some(st.sampled_from(["db:10.0.0.5", "gw:host-gateway", "v6:2001:db8::33"]))
            )
        ),
        "dns": draw(some(st.sampled_from(["1.1.1.1", "2606:4700::1111"]))),
        "dns_search": draw(some(st.sampled_from(["example.com", "."]))),
        "dns_options": draw(some(st.sampled_from(["ndots:2", "timeout:3"]))),
        "domainname": draw(st.sampled_from(["", "example.com"])),
        "mounts": draw(some(MOUNTS)),
        "tmpfs": draw(some(st.builds(TmpfsMount, PATHS, st.sampled_from(["", "rw,size=1m"])))),
        "volumes_from": draw(
            some(st.builds(lambda n, m: n + m, NAMES, st.sampled_from(["", ":ro"])))
        ),
        "volume_driver": draw(st.sampled_from(["", "local"])),
        "read_only": draw(st.booleans()),
        "storage_opts": draw(pairs(WORD, WORD)),
        "privileged": draw(st.booleans()),
        "cap_add": draw(some(st.sampled_from(["NET_ADMIN", "sys_time", "ALL"]))),
        "cap_drop": draw(some(st.sampled_from(["ALL", "MKNOD"]))),
        "security_opts": draw(
            some(st.sampled_from(["no-new-privileges", "seccomp=unconfined", "label=disable"]))
        ),
        "userns": draw(st.sampled_from(["", "host"])),
        "devices": tuple(DeviceMapping.parse(text) for text in draw(some(DEVICES))),
        "device_cgroup_rules": draw(some(st.sampled_from(["c 42:* rmw", "b 8:0 r"]))),
        "cgroupns": draw(st.sampled_from(["", "host", "private"])),
        "cgroup_parent": draw(st.sampled_from(["", "/dockside"])),
        "memory_swap": draw(optional(st.one_of(st.just(-1), SIZES))),
        "memory_reservation": draw(optional(SIZES)),
        "memory_swappiness": draw(optional(st.integers(0, 100))),
        "oom_kill_disable": draw(st.booleans()),
        "oom_score_adj": draw(optional(st.integers(-1000, 1000))),
        "cpu_shares": draw(optional(st.integers(2, 10**6))),
        "cpu_period": draw(optional(st.integers(1000, 10**6))),
        "cpu_quota": draw(optional(st.integers(1000, 10**6))),
        "cpu_rt_period": draw(optional(st.integers(1, 10**6))),
        "cpu_rt_runtime": draw(optional(st.integers(1, 10**6))),
        "cpuset_cpus": draw(st.sampled_from(["", "0", "0-1,3"])),
        "cpuset_mems": draw(st.sampled_from(["", "0"])),
        "pids_limit": draw(optional(st.integers(-1, 10**6).filter(bool))),
        "shm_size": draw(optional(SIZES)),
        "ulimits": tuple(
            Ulimit.parse(text)
            for text in draw(some(st.sampled_from(["nofile=1024:2048", "nproc=10", "memlock=-1"])))
        ),
        "gpus": tuple(GpuRequest.parse(text) for text in draw(some(GPUS))),
        "blkio_weight": draw(optional(st.integers(10, 1000))),
        "blkio_weight_devices": draw(
            some(st.builds(lambda w: DeviceLimit("/dev/sda", w), st.integers(10, 1000)))
        ),
        "device_read_bps": draw(
            some(st.builds(lambda r: DeviceLimit("/dev/sda", r, sized=True), SIZES))
        ),
        "device_write_iops": draw(
            some(st.builds(lambda r: DeviceLimit("/dev/sdb", r), st.integers(1, 10**6)))
        ),
        "pid": draw(st.sampled_from(["", "host", "container:other"])),
        "ipc": draw(st.sampled_from(["", "private", "shareable", "host", "none"])),
        "uts": draw(st.sampled_from(["", "host"])),
        "sysctls": draw(pairs(st.sampled_from(["net.core.somaxconn", "kernel.shmmax"]), WORD)),
        "runtime": draw(st.sampled_from(["", "runc"])),
        "annotations": draw(pairs(WORD, WORD)),
        "log_driver": log_driver,
        "log_opts": () if log_driver == "none" else draw(pairs(WORD, SAFE_TEXT.map(str.strip))),
        **draw(networking()),
        **draw(health()),
    }
    if clear:
        extra["entrypoint"] = ""
    return dataclasses.replace(spec, **extra)


def spec_of(data: dict) -> RunSpec:
    with override_settings(DOCKSIDE_ALLOWED_REGISTRIES=[]):
        form = RunForm(data=data)
        assert form.is_valid(), form.errors
    return form.spec


ROUND_TRIP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(full_run_specs())
def test_every_flag_reads_back_from_its_command(spec):
    text = cli.command(spec)
    answers = {}
    for kind, file in (("env-file", spec.env_file), ("label-file", spec.label_file)):
        if file is not None:
            answers[f"{kind}:{file.name}"] = "\n".join(f"{k}={v}" for k, v in file.pairs)

    parsed = cli.parse_run_command(text, answers)

    assert shlex.split(text) == cli.argv(spec)
    assert parsed.whole, (parsed.problems, parsed.unsupported, parsed.unanswered)
    assert_same(spec_of(RunForm.data_from_command(parsed.values)), spec)


@ROUND_TRIP
@given(full_run_specs())
def test_the_duplicate_form_holds_the_spec_it_was_made_from(spec):
    assert_same(spec_of(form_data(spec)), spec)


def assert_same(got: RunSpec, expected: RunSpec) -> None:
    differing = {
        field.name: (getattr(got, field.name), getattr(expected, field.name))
        for field in dataclasses.fields(RunSpec)
        if getattr(got, field.name) != getattr(expected, field.name)
    }
    assert not differing
