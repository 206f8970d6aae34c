"""Every `docker run` flag, with the docker CLI as the oracle.

For each case the real CLI creates a container through a proxy that records
the `POST /containers/create` it sends; Dockside reads the same command (the
paste box), builds its request, and must send the same body. Where the engine
accepts it, the run form also creates the container and both `docker
inspect`s must be equal, field by field.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import uuid

import pytest
from django.test import override_settings

from containers_app import cli
from containers_app.docker_service.run_request import create_request
from containers_app.forms import RunForm
from tests import support
from tests.inspect_compare import comparable, differences
from tests.posting import field_errors, last_entry, preview, run_data
from tests.test_engine_unavailable import UnixSocketProxy, real_engine_socket

pytestmark = pytest.mark.django_db


class CreateRecorder(UnixSocketProxy):
    """The real engine behind a socket that keeps what clients send."""

    def __init__(self, path, target):
        super().__init__(path, target)
        self.sent = bytearray()

    def _serve(self, client) -> None:
        upstream_writer = self

        class Tee:
            def __init__(self, sock):
                self.sock = sock

            def recv(self, size):
                data = self.sock.recv(size)
                with upstream_writer.lock:
                    upstream_writer.sent.extend(data)
                return data

            def __getattr__(self, name):
                return getattr(self.sock, name)

        self._forward(Tee(client), b"")

    def create_requests(self) -> list[tuple[str, dict]]:
        """(query, body) of every POST /containers/create sent so far."""
        found = []
        data = bytes(self.sent)
        for match in re.finditer(rb"POST /v[\d.]+/containers/create(\?\S*)? HTTP/1\.1\r\n", data):
            head_end = data.index(b"\r\n\r\n", match.end()) + 4
            head = data[match.start() : head_end].decode()
            length = re.search(r"(?i)content-length: (\d+)", head)
            if length:
                body = data[head_end : head_end + int(length[1])]
            else:  # chunked
                body, rest = b"", data[head_end:]
                while True:
                    size, _, rest = rest.partition(b"\r\n")
                    if int(size, 16) == 0:
                        break
                    body += rest[: int(size, 16)]
                    rest = rest[int(size, 16) + 2 :]
            found.append(((match[1] or b"").decode(), json.loads(body)))
        return found


@pytest.fixture(scope="module")
def recorder(tmp_path_factory):
    engine = CreateRecorder(tmp_path_factory.mktemp("cli") / "docker.sock", real_engine_socket())
    engine.start()
    yield engine
    engine.stop()


# docker create arguments before the image; {name}s are filled from `places`.
CASES = {
    "ports": "-p 8080:80 -p 127.0.0.1:19000-19002:9000-9002/udp -p 127.0.0.1::7000"
    " --expose 7100-7101 --expose 53/udp --publish published=18081,target=81",
    "environment and labels": "-e A=1 -e EMPTY= -e 'SPACED=a b' -l team=web -l flag"
    " --env-file {env_file} --label-file {label_file}",
    "volumes": "-v {tmp}:/host:ro,z -v {volume}:/named:nocopy -v /anon -v {tmp}:/prop:rslave",
    "mounts": "--mount type=bind,source={tmp},target=/t,readonly,bind-propagation=rslave"
    " --mount type=volume,source={volume},target=/v,volume-nocopy"
    " --mount type=tmpfs,target=/tm,tmpfs-size=64m,tmpfs-mode=1777"
    " --mount type=volume,target=/v2,volume-driver=local,volume-label=a=b"
    ",volume-opt=type=tmpfs,volume-opt=device=tmpfs",
    "tmpfs and more storage": "--tmpfs /run:rw,size=1m --tmpfs /cache --read-only"
    " --volumes-from {other}:ro --volume-driver local",
    "security": "--cap-add net_admin --cap-add CAP_SYS_TIME --cap-drop ALL"
    " --security-opt no-new-privileges --security-opt systempaths=unconfined"
    " --security-opt label=disable --privileged --userns host",
    "devices and groups": "--device /dev/fuse --device /dev/null:/dev/mynull:r"
    " --device-cgroup-rule 'c 42:* rmw' --group-add audio --group-add 777",
    "memory": "--memory 64m --memory-swap 128m --memory-reservation 32m"
    " --memory-swappiness 10 --oom-kill-disable --oom-score-adj 100",
    "cpu": "--cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 --cpuset-mems 0",
    "cfs quota": "--cpu-period 100000 --cpu-quota 50000",
    "limits": "--pids-limit 100 --shm-size 128m --ulimit nofile=1024:2048 --ulimit nproc=10"
    " --blkio-weight 300",
    "block io per device": "--blkio-weight-device /dev/sda:200 --device-read-bps /dev/sda:1mb"
    " --device-write-bps /dev/sda:2mb --device-read-iops /dev/sda:100"
    " --device-write-iops /dev/sda:200",
    "gpus": "--gpus all --gpus '\"device=0,1\"' --gpus 'count=2,\"capabilities=compute,utility\"'",
    "process": "--init --stop-signal SIGQUIT --stop-timeout 3 --pid host --ipc shareable"
    " --uts host --sysctl net.core.somaxconn=1024 --runtime runc --cgroupns private",
    "health and logs": "--health-cmd 'wget -q localhost || exit 1' --health-interval 5s"
    " --health-timeout 2s --health-retries 3 --health-start-period 1s"
    " --log-driver json-file --log-opt max-size=10m --log-opt max-file=3",
    "no health check, names": "--no-healthcheck --network none --hostname h1"
    " --domainname example.com -P --expose 8080",
    "dns and hosts": "--dns 1.1.1.1 --dns 2606:4700::1111 --dns-search example.com"
    " --dns-option ndots:2 --add-host db:10.0.0.5 --add-host gw=host-gateway"
    " --add-host v6=[2001:db8::33]",
    "user-defined network": "--network {network} --network-alias web --network-alias www"
    " --ip {subnet}.5 --link {other}:db --link-local-ip 169.254.10.5",
    "network long form": "--network name={network},alias=api,ip={subnet}.6"
    ",driver-opt=com.docker.network.endpoint.sysctls=net.ipv4.conf.IFNAME.log_martians=1",
    "host network, no entrypoint": "--network host --entrypoint ''",
    "process basics": "--entrypoint /bin/busybox -w /srv -u nobody -h box"
    " --restart on-failure:3 -it --network bridge",
    "pull, platform and client-only flags": "--rm -i --pull never --platform linux/amd64"
    " -a stdout -q --disable-content-trust",
    "storage driver options": "--storage-opt size=1G",
}
# The engine refuses these here (overlay not on xfs): the request is still compared.
ENGINE_REFUSES = {"storage driver options"}


def normalized(body: dict) -> dict:
    """A request with empty values left out (the engine reads missing as empty)."""

    def clean(value):
        if isinstance(value, dict):
            items = {k: clean(v) for k, v in value.items()}
            return {k: v for k, v in items.items() if v not in (None, "", 0, False, [], {})}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    cleaned = clean(body)
    for client_side in ("AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce"):
        cleaned.pop(client_side, None)  # how the CLI waits for it, not what it runs
    host = cleaned.get("HostConfig", {})
    host.pop("ConsoleSize", None)
    if "Binds" in host:
        host["Binds"] = sorted(host["Binds"])  # the CLI collects -v in a map: any order
    if "Env" in cleaned:
        cleaned["Env"] = sorted(cleaned["Env"])  # and -e too
    return cleaned


def fill(case: str, places: dict) -> str:
    """The case's arguments, with this run's label (so that whatever is made is cleaned up)."""
    return f"{CASES[case].format(**places)} -l {support.RUN_LABEL}"


def answers_for(places: dict) -> dict:
    """What the paste step is told: the contents of the files the command names."""
    return {
        f"env-file:{places['env_file']}": open(places["env_file"]).read(),
        f"label-file:{places['label_file']}": open(places["label_file"]).read(),
    }


def cli_create(recorder, name: str, arguments: str) -> subprocess.CompletedProcess:
    argv = ["docker", "create", "--name", name, *shlex.split(arguments)]
    argv += [support.BASE_IMAGE, "sleep", "600"]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "DOCKER_HOST": f"unix://{recorder.path}"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)


def form_from_paste(text: str, answers: dict) -> RunForm:
    parsed = cli.parse_run_command(text, answers)
    assert parsed.whole, (parsed.problems, parsed.unsupported, parsed.unanswered)
    with override_settings(DOCKSIDE_ALLOWED_REGISTRIES=[]):
        form = RunForm(data={**RunForm.data_from_command(parsed.values)})
        assert form.is_valid(), form.errors
    return form


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_dockside_sends_the_engine_what_the_cli_sends(
    admin_client, docker_api, recorder, places, case
):
    name = f"{support.NAME_PREFIX}flags-{uuid.uuid4().hex[:8]}"
    arguments = fill(case, places)
    pasted = f"docker create --name {name} {arguments} {support.BASE_IMAGE} sleep 600"

    form = form_from_paste(pasted, answers_for(places))
    done = cli_create(recorder, f"{name}-cli", arguments)
    (query, theirs), *_ = [r for r in recorder.create_requests() if f"{name}-cli" in r[0]]

    assert normalized(create_request(form.spec)) == normalized(theirs)
    assert ("platform=" in query) == bool(form.spec.platform)
    if case in ENGINE_REFUSES:
        assert done.returncode != 0
        return
    assert done.returncode == 0, done.stderr
    # What reaches the host here (binds, devices, --privileged) is the admin's to allow.
    posted = {**form.data, "pull": "never", "override_policy": "on"}
    shown = preview(admin_client, "/containers/run/", posted)
    response = admin_client.post("/containers/run/", posted)
    assert response.status_code == 302, field_errors(response.content.decode())
    ours = comparable(docker_api.inspect_container(name), (name,))
    theirs_inspect = comparable(docker_api.inspect_container(f"{name}-cli"), (f"{name}-cli",))
    assert not differences(ours, theirs_inspect)
    assert last_entry("create").command == shown


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ("--mac-address 92:d0:c6:0a:29:33", "mac_address"),
        ("--health-cmd true --health-start-interval 2s", "health_start_interval"),
        ("--annotation a=b", "annotations"),
    ],
)
def test_flags_newer_than_the_engine_are_refused_like_the_cli_refuses_them(
    admin_client, docker_api, recorder, arguments, field
):
    if docker_api.api_version >= "1.44":
        pytest.skip("this engine is new enough for every flag")
    name = f"{support.NAME_PREFIX}old-{uuid.uuid4().hex[:8]}"
    before = support.engine_state(docker_api)
    arguments += f" -l {support.RUN_LABEL}"
    form = form_from_paste(f"docker create --name {name} {arguments} x", {})

    done = cli_create(recorder, name, arguments)
    data = {**form.data, "image": support.BASE_IMAGE, "pull": "never"}
    response = admin_client.post("/containers/run/", data)

    assert done.returncode != 0
    assert "requires API version" in done.stderr
    assert response.status_code == 400
    html = response.content.decode()
    assert any("requires API version" in error for error in field_errors(html))
    assert f'id="id_{field}"' in html
    assert support.engine_state(docker_api) == before
    assert last_entry("create").outcome == "failed"


BAD_VALUES = [
    ("platform", "Linux/AMD64!", "os[/architecture[/variant]]"),
    ("ports", "8080-8081:80-82", "a host range of the same length"),
    ("expose", "70000", "out of range"),
    ("mounts", "type=bind,target=/t", "needs source=/path/on/the/host"),
    ("tmpfs", "run", "the path must be absolute"),
    ("volumes_from", "x", "invalid container name"),
    ("volume_driver", "bad driver", "a driver name"),
    ("storage_opts", "size", "give a value"),
    ("network", "name=x,alias=y,foo=z", "unknown key 'foo'"),
    ("network_aliases", "-x", "a name other containers can use"),
    ("ip", "10.0.0", "not an IP address"),
    ("ip6", "10.0.0.1", "is an IPv6 address"),
    ("mac_address", "zz:zz", "six hex pairs"),
    ("link_local_ips", "abc", "not an IP address"),
    ("links", "a:b:c", "write container[:alias]"),
    ("add_hosts", "db", "write host:address"),
    ("dns", "dns.google", "not an IP address"),
    ("dns_search", "bad domain!", "a search domain is a DNS name"),
    ("dns_options", "a b", "a resolver option"),
    ("domainname", "bad!", "a domain name"),
    ("group_add", "wheel!", "a group name or id"),
    ("cap_add", "NET ADMIN", "a capability name"),
    ("cap_drop", "1", "a capability name"),
    ("security_opts", "seccomp=/tmp/profile.json", "seccomp=FILE"),
    ("userns", "private", "the user namespace mode is host"),
    ("devices", "/dev/sda:/dev/x:rx", "the permissions are r, w and m"),
    ("device_cgroup_rules", "c 42 rmw", "write type major:minor access"),
    ("cgroupns", "shared", "the cgroup namespace mode is host, private"),
    ("cgroup_parent", "a b", "a cgroup path"),
    ("gpus", "count=lots", "the count is all or a whole number"),
    ("ulimits", "nofile=2:1", "the soft limit must not exceed the hard limit"),
    ("shm_size", "big", "write the shared memory size as a number with a unit"),
    ("pids_limit", "many", "the process limit is a whole number"),
    ("memory_swap", "lots", "write the memory plus swap limit as a number with a unit"),
    ("memory_reservation", "1x", "write the memory reservation as a number with a unit"),
    ("memory_swappiness", "101", "the swappiness must be from 0 to 100"),
    ("oom_score_adj", "5000", "must be from -1000 to 1000"),
    ("cpu_shares", "-5", "the CPU shares must be from 0"),
    ("cpu_period", "x", "the CPU period is a whole number"),
    ("cpu_quota", "1.5", "the CPU quota is a whole number"),
    ("cpu_rt_period", "-1", "the real-time period must be from 0"),
    ("cpu_rt_runtime", "x", "the real-time runtime is a whole number"),
    ("cpuset_cpus", "0-", "CPU numbers"),
    ("cpuset_mems", "a", "memory node numbers"),
    ("blkio_weight", "5000", "the block I/O weight must be from 0 to 1000"),
    ("blkio_weight_devices", "/dev/sda:5", "the weight is 10 to 1000"),
    ("device_read_bps", "sda:1mb", "the device path starts with /dev/"),
    ("device_write_bps", "/dev/sda:fast", "write the rate as a number with a unit"),
    ("device_read_iops", "/dev/sda:x", "a whole number of operations per second"),
    ("device_write_iops", "/dev/sda", "write /dev/device:value"),
    ("pid", "private", "the PID namespace is host or container:NAME"),
    ("ipc", "all", "the IPC mode is none, private, shareable, host"),
    ("uts", "private", "the UTS namespace mode is host"),
    ("sysctls", "kernel.hostname=x", "only namespaced sysctls"),
    ("runtime", "bad runtime", "a runtime name"),
    ("annotations", "=x", "expected KEY=VALUE"),
    ("health_interval", "5", "write the health check interval with a unit"),
    ("health_timeout", "10us", "must be 0 or at least 1ms"),
    ("health_retries", "-1", "the number of retries must be from 0"),
    ("health_start_period", "soon", "write the start period with a unit"),
    ("health_start_interval", "1h1", "write the start interval with a unit"),
    ("log_driver", "json file", "a log driver name"),
    ("log_opts", "=10m", "expected KEY=VALUE"),
    ("stop_signal", "sigterm", "a signal name or number"),
    ("stop_timeout", "soon", "the stop timeout is a whole number"),
    ("env_file", "A B=1", "the name 'A B' contains whitespace"),
    ("env_file", "TOKEN", "give TOKEN a value"),
    ("label_file", "=x", "has no variable name"),
    ("name", "x", "at least 2 characters"),
    ("hostname", "bad_host!", "invalid hostname"),
]
TOGETHER = [
    ({"no_healthcheck": "on", "health_cmd": "true"}, "no_healthcheck", "clear the --health-*"),
    ({"log_driver": "none", "log_opts": "max-size=1m"}, "log_opts", "takes no options"),
    ({"clear_entrypoint": "on", "entrypoint": "/bin/sh"}, "clear_entrypoint", "either an"),
    ({"network_aliases": "web"}, "network_aliases", "aliases work on a network you made"),
    ({"network": "name=mine,ip=10.0.0.5", "ip": "10.0.0.6"}, "ip", "not both"),
    ({"network": "bridge\nmine"}, "network", "cannot be on networks you made as well"),
    ({"network": "mine\nmine"}, "network", "a network is named twice"),
]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [({field: value}, field, message) for field, value, message in BAD_VALUES] + TOGETHER,
    ids=[f"{field}={value!r}" for field, value, _ in BAD_VALUES]
    + [f"together-{field}" for _, field, _ in TOGETHER],
)
def test_a_bad_value_is_said_at_its_field_and_nothing_is_made(
    admin_client, docker_api, fields, field, message
):
    before = support.engine_state(docker_api)
    data = run_data(name=f"{support.NAME_PREFIX}bad-{uuid.uuid4().hex[:6]}", network="")
    data.update(fields)

    response = admin_client.post("/containers/run/", data)

    html = response.content.decode()
    assert response.status_code == 400
    field_html = html[html.index(f'id="id_{field}"') - 200 :][:2000]
    assert 'aria-invalid="true"' in field_html[: field_html.index(">", 200)]
    assert any(message in error for error in field_errors(field_html)), field_errors(html)
    assert support.engine_state(docker_api) == before
    entry = last_entry("run")
    assert entry.outcome == "failed" and entry.error.startswith("rejected:")


def test_several_networks_are_held_and_an_older_engine_says_to_connect_the_rest_after(
    admin_client, docker_api, places, tmp_path
):
    if docker_api.api_version >= "1.44":
        pytest.skip("this engine takes several networks at once")
    second = f"{places['network']}-2"
    docker_api.create_network(second, labels=support.run_labels())
    name = f"{support.NAME_PREFIX}nets-{uuid.uuid4().hex[:8]}"
    networks = f"{places['network']}\nname={second},alias=api"
    before = support.engine_state(docker_api)

    shown = preview(admin_client, "/containers/run/", run_data(name=name, network=networks))
    response = admin_client.post("/containers/run/", run_data(name=name, network=networks))
    done = subprocess.run(shlex.split(shown), capture_output=True, text=True, timeout=60)

    assert f"--network {places['network']} --network name={second},alias=api" in shown
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert any("attaches a new container to one network only" in e for e in errors), errors
    assert "Container cannot be connected to network endpoints" in done.stderr
    assert support.engine_state(docker_api) == before
