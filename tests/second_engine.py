"""A second Docker engine of the run's own, for the multi-engine tests.

Its own daemon, unix socket, data root, exec root, pid file and bridge subnet (--bip).
Two daemons on one host cannot share the default bridge (the second's --bip would
readdress the first's docker0), so it runs in a network namespace of the run's own,
reached through its unix socket (the file system is shared) and, for TLS, through a
tcp port on a veth pair between the namespaces. Its certificates (a CA, the daemon's,
a client's) are made here. Everything goes at the end: the daemon, its namespace and
its data.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import docker
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests import support

START_TIMEOUT = 60
TLS_PORT = 2376


@dataclass(frozen=True)
class Pems:
    ca: str
    cert: str
    key: str


@dataclass(frozen=True)
class SecondEngine:
    socket_url: str  # unix://...
    tls_url: str  # tcp://ADDRESS:2376, --tlsverify
    client: Pems  # a client certificate the daemon trusts
    api: docker.APIClient


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _certificate(subject: str, key, issuer: str, signer, **extensions) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    ca = subject == issuer
    builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if usage := extensions.get("usage"):
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if address := extensions.get("address"):
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(signer, hashes.SHA256())


def make_certificates(address: str) -> tuple[Pems, Pems]:
    """(the daemon's, a client's): each a CA, a certificate it signed and the key."""
    ca_key = _key()
    ca = _certificate("dockside-test-ca", ca_key, "dockside-test-ca", ca_key)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM).decode()
    made = []
    for name, usage, extra in (
        ("dockerd", ExtendedKeyUsageOID.SERVER_AUTH, {"address": address}),
        ("dockside", ExtendedKeyUsageOID.CLIENT_AUTH, {}),
    ):
        key = _key()
        cert = _certificate(name, key, "dockside-test-ca", ca_key, usage=usage, **extra)
        made.append(Pems(ca_pem, cert.public_bytes(serialization.Encoding.PEM).decode(), _pem(key)))
    return made[0], made[1]


def another_client() -> Pems:
    """A client certificate from a CA the daemon does not trust."""
    return make_certificates("127.0.0.1")[1]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


@contextmanager
def second_engine(folder: Path) -> Iterator[SecondEngine]:
    number = int(support.RUN_KEY, 16) % 200 + 20  # the run's own subnets
    netns = f"dsk-{support.RUN_KEY}"
    outside, inside = f"dsk{support.RUN_KEY}o", f"dsk{support.RUN_KEY}i"
    outside_ip, inside_ip = f"172.29.{number}.1", f"172.29.{number}.2"
    daemon, client = make_certificates(inside_ip)
    socket_path = folder / "docker.sock"
    exec_root = Path(f"/run/dsk-{support.RUN_KEY}")  # short: sockets live under it
    _ip("netns", "add", netns)
    process = api = None
    try:
        _ip("-n", netns, "link", "set", "lo", "up")
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside, "netns", netns)
        _ip("addr", "add", f"{outside_ip}/30", "dev", outside)
        _ip("link", "set", outside, "up")
        _ip("-n", netns, "addr", "add", f"{inside_ip}/30", "dev", inside)
        _ip("-n", netns, "link", "set", inside, "up")
        command = [
            "nsenter", f"--net=/run/netns/{netns}", "dockerd",
            "-H", f"unix://{socket_path}", "-H", f"tcp://{inside_ip}:{TLS_PORT}",
            "--tlsverify",
            "--tlscacert", _write(folder / "ca.pem", daemon.ca),
            "--tlscert", _write(folder / "server-cert.pem", daemon.cert),
            "--tlskey", _write(folder / "server-key.pem", daemon.key),
            "--data-root", str(folder / "data"), "--exec-root", str(exec_root),
            "--pidfile", str(folder / "docker.pid"), "--bip", f"172.30.{number}.1/24",
        ]  # fmt: skip
        log = (folder / "dockerd.log").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        api = _wait_for(f"unix://{socket_path}", process, folder / "dockerd.log")
        support.import_base_image(api)
        yield SecondEngine(f"unix://{socket_path}", f"tcp://{inside_ip}:{TLS_PORT}", client, api)
    finally:
        if api is not None:
            with suppress(docker.errors.DockerException):
                support.remove_run_objects(api)
        if process is not None:
            _stop(process)
        with suppress(subprocess.CalledProcessError):
            _ip("netns", "del", netns)  # the veth pair goes with it
        shutil.rmtree(folder / "data", ignore_errors=True)
        shutil.rmtree(exec_root, ignore_errors=True)


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> docker.APIClient:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the second dockerd exited: {log.read_text()[-2000:]}")
        with suppress(docker.errors.DockerException):
            api = docker.APIClient(base_url=url, version="auto", timeout=30)
            api.ping()
            return api
        time.sleep(0.2)
    raise RuntimeError(f"the second dockerd did not answer in {START_TIMEOUT} s")


def _stop(process: subprocess.Popen) -> None:
    """dockerd stops its containers and unmounts on SIGTERM; SIGKILL if it takes too long."""
    with suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@dataclass(frozen=True)
class SshGateway:
    url: str  # ssh://root@127.0.0.1:PORT
    bin_dir: Path  # an `ssh` that knows the run's key and the gateway's host key: first on PATH


@contextmanager
def ssh_gateway(folder: Path, engine: SecondEngine) -> Iterator[SshGateway]:
    """sshd on a free loopback port whose one key may run only `docker system dial-stdio`
    against the second engine (a forced command): what an ssh:// engine reaches.

    The client side is an `ssh` wrapper with the run's key and known_hosts: the real ssh
    reads the server account's own files otherwise, which a test must not touch.
    """
    port = support.free_port()
    for name in ("host", "client"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True
        )
    dial = f"exec env DOCKER_HOST={engine.socket_url} docker system dial-stdio"
    client_key = (folder / "client.pub").read_text().strip()
    _write(folder / "authorized_keys", f'command="{dial}",restrict {client_key}\n')
    host_key = (folder / "host.pub").read_text().split()[:2]
    _write(folder / "known_hosts", f"[127.0.0.1]:{port} {' '.join(host_key)}\n")
    config = folder / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {folder / 'host'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "UsePAM no\nPermitRootLogin prohibit-password\n"
    )
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "ssh"
    wrapper.write_text(
        f"#!/bin/sh\nexec /usr/bin/ssh -F /dev/null -i {folder / 'client'} -o BatchMode=yes"
        f" -o UserKnownHostsFile={folder / 'known_hosts'} -o StrictHostKeyChecking=yes"
        ' "$@"\n'
    )
    wrapper.chmod(0o700)
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    process = subprocess.Popen(
        ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "sshd.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 20
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sshd did not start: {(folder / 'sshd.log').read_text()}")
            time.sleep(0.1)
        yield SshGateway(f"ssh://root@127.0.0.1:{port}", bin_dir)
    finally:
        process.terminate()
        process.wait(10)


def _answers(port: int) -> bool:
    with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False
