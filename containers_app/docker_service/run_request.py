"""A RunSpec as the Engine API's `POST /containers/create`, built as the docker CLI builds it.

Field for field what docker/cli's `container/opts.go` (CLI 28) sends for the
same flags, defaults included (MemorySwappiness -1, an empty endpoint for the
default network...), so the container the form makes and the one the shown
command makes are the same (the tests compare both `docker inspect`s).
"""

from __future__ import annotations

from ..run_options.flags import FLAGS
from ..run_options.networks import user_defined
from ..run_options.spec import RunSpec

SYSTEM_PATHS_UNCONFINED = "systempaths=unconfined"


def _capabilities(names: tuple[str, ...]) -> list[str] | None:
    """As the CLI's client sends them: upper case, CAP_ prefixed (but ALL), unique, sorted."""
    if not names:
        return None
    normalized = set()
    for name in names:
        upper = name.upper()
        normalized.add(upper if upper == "ALL" or upper.startswith("CAP_") else f"CAP_{upper}")
    return sorted(normalized)


def _exposed_and_bindings(spec: RunSpec) -> tuple[dict, dict]:
    exposed: dict[str, dict] = {}
    bindings: dict[str, list[dict]] = {}
    for port in spec.ports:
        for key, host_port in port.bindings():
            exposed[key] = {}
            bindings.setdefault(key, []).append({"HostIp": port.host_ip, "HostPort": host_port})
    for ports in spec.expose:
        exposed |= {key: {} for key in ports.port_keys()}
    return exposed, bindings


def _healthcheck(spec: RunSpec) -> dict | None:
    if spec.no_healthcheck:
        return {"Test": ["NONE"]}
    if not spec.healthcheck_set:
        return None
    return {
        "Test": ["CMD-SHELL", spec.health_cmd] if spec.health_cmd else None,
        "Interval": spec.health_interval or 0,
        "Timeout": spec.health_timeout or 0,
        "StartPeriod": spec.health_start_period or 0,
        "StartInterval": spec.health_start_interval or 0,
        "Retries": spec.health_retries or 0,
    }


def _endpoint(spec: RunSpec, index: int) -> dict:
    """A network's endpoint settings; on a network you made, --link is the first's too."""
    attachment = spec.attachment(index)
    endpoint: dict = {}
    if attachment.aliases:
        endpoint["Aliases"] = list(attachment.aliases)
    if attachment.driver_opts:
        endpoint["DriverOpts"] = dict(attachment.driver_opts)
    if index == 0 and user_defined(attachment.name) and spec.links:
        endpoint["Links"] = [str(link) for link in spec.links]
    if attachment.ip or attachment.ip6 or attachment.link_local_ips:
        endpoint["IPAMConfig"] = {
            "IPv4Address": attachment.ip,
            "IPv6Address": attachment.ip6,
            "LinkLocalIPs": list(attachment.link_local_ips) or None,
        }
    if attachment.mac_address:
        endpoint["MacAddress"] = attachment.mac_address
    return endpoint


def _endpoints(spec: RunSpec) -> dict:
    if not spec.networks:
        return {"default": _endpoint(spec, 0)}
    endpoints = {}
    for index, attachment in enumerate(spec.networks):
        endpoint = _endpoint(spec, index)
        if index == 0 and len(spec.networks) == 1 and not endpoint:
            continue  # the CLI leaves out an empty endpoint for a single network
        endpoints[attachment.name] = endpoint
    return endpoints


def create_request(spec: RunSpec) -> dict:
    """The body of `POST /containers/create` for this spec."""
    exposed, bindings = _exposed_and_bindings(spec)
    detached = spec.start and spec.detach
    attach_stdin = spec.interactive and not detached
    security = [opt for opt in spec.security_opts if opt != SYSTEM_PATHS_UNCONFINED]
    unconfined_paths = SYSTEM_PATHS_UNCONFINED in spec.security_opts
    ulimits = {limit.name: limit for limit in spec.ulimits}
    gpu_requests = [gpu.request() for gpu in spec.gpus]
    cdi = [str(device) for device in spec.devices if device.cdi]
    if cdi:
        gpu_requests.append({"Driver": "cdi", "DeviceIDs": cdi})
    entrypoint = [spec.entrypoint] if spec.entrypoint else None
    if spec.clear_entrypoint:
        entrypoint = [""]
    host_config = {
        "Binds": [str(v) for v in spec.volumes if v.source] or None,
        "ContainerIDFile": "",
        "LogConfig": {"Type": spec.log_driver, "Config": dict(spec.log_opts)},
        "NetworkMode": spec.network or "default",
        "PortBindings": bindings,
        "RestartPolicy": {"Name": spec.restart.name, "MaximumRetryCount": spec.restart.max_retries},
        "AutoRemove": spec.remove,
        "VolumeDriver": spec.volume_driver,
        "VolumesFrom": list(spec.volumes_from) or None,
        "ConsoleSize": [0, 0],
        "CapAdd": _capabilities(spec.cap_add),
        "CapDrop": _capabilities(spec.cap_drop),
        "CgroupnsMode": spec.cgroupns,
        "Dns": list(spec.dns),
        "DnsOptions": list(spec.dns_options),
        "DnsSearch": list(spec.dns_search),
        "ExtraHosts": [str(host) for host in spec.add_hosts] or None,
        "GroupAdd": list(spec.group_add) or None,
        "IpcMode": spec.ipc,
        "Cgroup": "",
        "Links": [str(link) for link in spec.links] or None,
        "OomScoreAdj": spec.oom_score_adj or 0,
        "PidMode": spec.pid,
        "Privileged": spec.privileged,
        "PublishAllPorts": spec.publish_all,
        "ReadonlyRootfs": spec.read_only,
        "SecurityOpt": security or None,
        "StorageOpt": dict(spec.storage_opts) or None,
        "Tmpfs": {mount.target: mount.options for mount in spec.tmpfs} or None,
        "UTSMode": spec.uts,
        "UsernsMode": spec.userns,
        "ShmSize": spec.shm_size or 0,
        "Sysctls": dict(spec.sysctls) or None,
        "Runtime": spec.runtime,
        "Isolation": "",
        "CpuShares": spec.cpu_shares or 0,
        "Memory": spec.memory or 0,
        "NanoCpus": spec.nano_cpus or 0,
        "CgroupParent": spec.cgroup_parent,
        "BlkioWeight": spec.blkio_weight or 0,
        "BlkioWeightDevice": [
            {"Path": d.path, "Weight": d.value} for d in spec.blkio_weight_devices
        ],
        "BlkioDeviceReadBps": [{"Path": d.path, "Rate": d.value} for d in spec.device_read_bps],
        "BlkioDeviceWriteBps": [{"Path": d.path, "Rate": d.value} for d in spec.device_write_bps],
        "BlkioDeviceReadIOps": [{"Path": d.path, "Rate": d.value} for d in spec.device_read_iops],
        "BlkioDeviceWriteIOps": [{"Path": d.path, "Rate": d.value} for d in spec.device_write_iops],
        "CpuPeriod": spec.cpu_period or 0,
        "CpuQuota": spec.cpu_quota or 0,
        "CpuRealtimePeriod": spec.cpu_rt_period or 0,
        "CpuRealtimeRuntime": spec.cpu_rt_runtime or 0,
        "CpusetCpus": spec.cpuset_cpus,
        "CpusetMems": spec.cpuset_mems,
        "Devices": [
            {
                "PathOnHost": d.host_path,
                "PathInContainer": d.container_path,
                "CgroupPermissions": d.permissions,
            }
            for d in spec.devices
            if not d.cdi
        ],
        "DeviceCgroupRules": list(spec.device_cgroup_rules) or None,
        "DeviceRequests": gpu_requests or None,
        "MemoryReservation": spec.memory_reservation or 0,
        "MemorySwap": spec.memory_swap or 0,
        "MemorySwappiness": -1 if spec.memory_swappiness is None else spec.memory_swappiness,
        "OomKillDisable": spec.oom_kill_disable,
        "PidsLimit": spec.pids_limit or 0,
        "Ulimits": [
            {"Name": u.name, "Soft": u.soft, "Hard": u.hard} for _, u in sorted(ulimits.items())
        ],
        "Mounts": [mount.settings() for mount in spec.mounts] or None,
        "MaskedPaths": [] if unconfined_paths else None,
        "ReadonlyPaths": [] if unconfined_paths else None,
    }
    if spec.init:
        host_config["Init"] = True
    if spec.annotations:
        host_config["Annotations"] = dict(spec.annotations)
    config = {
        "Hostname": spec.hostname,
        "Domainname": spec.domainname,
        "User": spec.user,
        "AttachStdin": attach_stdin,
        "AttachStdout": not detached,
        "AttachStderr": not detached,
        "ExposedPorts": exposed,
        "Tty": spec.tty,
        "OpenStdin": spec.interactive,
        "StdinOnce": spec.interactive and attach_stdin,
        "Env": [f"{key}={value}" for key, value in spec.all_env] or None,
        "Cmd": list(spec.command) or None,
        "Healthcheck": _healthcheck(spec),
        "Image": spec.image,
        "Volumes": {v.target: {} for v in spec.volumes if not v.source},
        "WorkingDir": spec.workdir,
        "Entrypoint": entrypoint,
        "Labels": dict(spec.all_labels),
        "StopSignal": spec.stop_signal,
        "HostConfig": host_config,
        "NetworkingConfig": {"EndpointsConfig": _endpoints(spec)},
    }
    if spec.stop_timeout is not None:
        config["StopTimeout"] = spec.stop_timeout
    return config


def needed_api(spec: RunSpec) -> list[tuple[str, str]]:
    """(API version, what) for each part of the spec an older engine refuses."""
    needs = [
        (flag.api, f'"{flag.name}"')
        for flag in FLAGS
        if flag.api and getattr(spec, flag.attr) not in (None, "", False, ())
    ]
    if any(attachment.mac_address for attachment in spec.networks):
        needs.append(("1.44", '"--mac-address" (per network)'))
    for mount in spec.mounts:
        need = mount.needs_api()
        if need:
            needs.append((need[0], f"--mount {need[1]}"))
    return needs
