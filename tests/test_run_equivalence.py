"""The command the run form shows does exactly what the form does: proven with the real docker CLI.

Each case fills the form, reads the command from the live preview, creates the
container through the form, runs the shown command (renamed) with the docker
CLI, and compares both containers' `docker inspect`, field by field.
"""

from __future__ import annotations

import shlex
import subprocess
import uuid

import pytest

from tests import support
from tests.posting import last_entry, preview, run_data

pytestmark = pytest.mark.django_db


def comparable(inspect: dict, compare_hostname: bool) -> dict:
    config, host = inspect["Config"], inspect["HostConfig"]
    mounts = sorted(
        (
            mount["Type"],
            ""
            if mount["Type"] == "volume" and not mount["Name"].startswith(support.NAME_PREFIX)
            else mount.get("Name") or mount["Source"],
            mount["Destination"],
            mount["RW"],
        )
        for mount in inspect.get("Mounts") or []
    )
    fields = {
        "image": config["Image"],
        "cmd": config["Cmd"],
        "entrypoint": config["Entrypoint"],
        # The CLI keeps the last of repeated keys and does not keep the order.
        "env": sorted(config.get("Env") or []),
        "exposed ports": config.get("ExposedPorts") or {},
        "volumes": config.get("Volumes") or {},
        "labels": config.get("Labels") or {},
        "working dir": config["WorkingDir"],
        "user": config["User"],
        "tty": config["Tty"],
        "stdin open": config["OpenStdin"],
        "port bindings": host.get("PortBindings") or {},
        # The CLI collects -v in a map: its order varies between runs (the engine
        # mounts by path depth whatever the order).
        "binds": sorted(host.get("Binds") or []),
        "mounts": mounts,
        "restart policy": host["RestartPolicy"],
        "memory": host["Memory"],
        "nano cpus": host["NanoCpus"],
        "network mode": host["NetworkMode"],
        "auto remove": host["AutoRemove"],
    }
    if compare_hostname:
        fields["hostname"] = config["Hostname"]
    return fields


def renamed(argv: list[str], new_name: str) -> list[str]:
    argv = list(argv)
    argv[argv.index("--name") + 1] = new_name
    return argv


def run_with_cli(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if argv[1] == "create" or "-d" in argv else ""


CASES = {
    "image only": {},
    "command and process": {
        "command": "sh -c 'echo \"$GREETING\" > /tmp/out; sleep 1' extra-arg",
        "entrypoint": "/bin/busybox",
        "workdir": "/tmp",
        "user": "nobody",
        "hostname": "web-1",
        "tty": "on",
        "interactive": "on",
    },
    "environment and labels": {
        "env": 'GREETING=hello world\nQUOTES=it\'s "quoted"\nEMPTY=\nUNICODE=été ☀\n'
        "DB_PASSWORD=s3cret\nGREETING=twice, the last one counts",
        "labels": f"{support.RUN_LABEL}\ncom.example.team=web\nflag",
    },
    "ports on loopback": {
        "network": "",
        "ports": "127.0.0.1:18081:80\n127.0.0.1::443\n127.0.0.1:15353:53/udp\n127.0.0.1:18082:80",
    },
    "volumes of every kind": {
        "volumes": "{tmp}:/host-data:ro\n{volume}:/named\n/anonymous",
    },
    "limits and restart": {
        "memory": "64m",
        "cpus": "0.5",
        "restart": "on-failure",
        "restart_retries": "3",
    },
    "always restart": {"restart": "unless-stopped", "memory": "1g", "cpus": "1.25"},
    "remove on exit": {"remove": "on", "command": "true"},
    "started in the background": {"mode": "detach", "command": "sleep 600", "cpus": "0.25"},
    "removed when it stops, in the background": {
        "mode": "detach",
        "remove": "on",
        "command": "sleep 600",
    },
    "everything at once, on a network of its own": {
        "command": "sh -c 'sleep 600'",
        "entrypoint": "/bin/busybox",
        "workdir": "/srv",
        "user": "nobody",
        "hostname": "kitchen",
        "tty": "on",
        "interactive": "on",
        "env": "MODE=all\nGREETING=hi",
        "labels": "com.example.case=all",
        "network": "{network}",
        "ports": "127.0.0.1:18083:8080\n127.0.0.1::9090/udp",
        "volumes": "{tmp}:/srv:ro\n{volume}:/data",
        "memory": "96m",
        "cpus": "0.75",
        "restart": "on-failure",
        "restart_retries": "2",
    },
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_run_form_and_shown_command_make_the_same_container(
    admin_client, docker_api, tmp_path, case
):
    name = f"{support.NAME_PREFIX}eq-{uuid.uuid4().hex[:8]}"
    fields = {
        key: value.format(tmp=tmp_path, volume=f"{name}-vol", network=f"{name}-net")
        for key, value in CASES[case].items()
    }
    if fields.get("network") == f"{name}-net":
        docker_api.create_network(f"{name}-net", labels=support.run_labels())
    # Host directories are the admin's to allow (the host-access policy).
    data = run_data(name=name, override_policy="on", **fields)

    command = preview(admin_client, "/containers/run/", data)
    response = admin_client.post("/containers/run/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cli_argv = renamed(shlex.split(command), f"{name}-cli")
    run_with_cli(cli_argv)

    ours = docker_api.inspect_container(name)
    theirs = docker_api.inspect_container(f"{name}-cli")
    same_hostname = bool(fields.get("hostname"))
    mine, cli = comparable(ours, same_hostname), comparable(theirs, same_hostname)
    differing = {field: (mine[field], cli[field]) for field in mine if mine[field] != cli[field]}
    assert not differing, f"form and CLI differ in {differing}"
    assert ours["State"]["Running"] == theirs["State"]["Running"] == (data["mode"] == "detach")
    entry = last_entry(action=cli_argv[1])
    assert entry.outcome == "succeeded"
    assert entry.target_id == ours["Id"]
    assert entry.command == command.replace("DB_PASSWORD=s3cret", "'DB_PASSWORD=••••••'")


def test_foreground_run_shows_the_same_output_as_the_cli(admin_client, docker_api):
    name = f"{support.NAME_PREFIX}fg-{uuid.uuid4().hex[:8]}"
    data = run_data(
        name=name,
        mode="foreground",
        command="sh -c 'echo out; echo err >&2; exit 3'",
    )

    command = preview(admin_client, "/containers/run/", data)
    response = admin_client.post("/containers/run/", data)
    cli = subprocess.run(
        renamed(shlex.split(command), f"{name}-cli"), capture_output=True, text=True, timeout=60
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert cli.returncode == 3
    assert "exited with code 3" in page
    output = page[page.index('<pre class="output">') :]
    assert "out\n" in output and "err\n" in output, "stdout and stderr both (their order is racy)"
    assert docker_api.inspect_container(name)["State"]["ExitCode"] == 3
    assert last_entry("run").parameters["exit_code"] == 3
