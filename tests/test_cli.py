"""The docker command built from a spec, and a pasted command read back into the run form."""

from __future__ import annotations

import shlex

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from containers_app import cli
from containers_app.actions import spec_parameters
from containers_app.forms import RunForm
from containers_app.run_options.networks import NetworkAttachment
from containers_app.specs import (
    RESTART_POLICIES,
    CommitSpec,
    ExecSpec,
    LifecycleSpec,
    PortMapping,
    PruneSpec,
    RemoveContainerSpec,
    RemoveImageSpec,
    RestartPolicy,
    RunSpec,
    VolumeMount,
)


def form_from_command(text: str) -> RunForm:
    parsed = cli.parse_run_command(text)
    assert not parsed.problems, parsed.problems
    return RunForm(data=RunForm.data_from_command(parsed.values))


def spec_from_command(text: str) -> RunSpec:
    with override_settings(DOCKSIDE_ALLOWED_REGISTRIES=[]):
        form = form_from_command(text)
        assert form.is_valid(), form.errors
    return form.spec


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "docker run --name nginx -p 8080:80 -d nginx",
            RunSpec(image="nginx", name="nginx", ports=(PortMapping(80, host_port=8080),)),
        ),
        (
            "docker run -d -p 3306:3306 -e MYSQL_ALLOW_EMPTY_PASSWORD=true --name mysql"
            " -v /my/own/datadir:/var/lib/mysql mysql:5.7",
            RunSpec(
                image="mysql:5.7",
                name="mysql",
                ports=(PortMapping(3306, host_port=3306),),
                env=(("MYSQL_ALLOW_EMPTY_PASSWORD", "true"),),
                volumes=(VolumeMount("/var/lib/mysql", "/my/own/datadir"),),
            ),
        ),
        (
            "docker container run --name demo docker/whalesay:latest cowsay boo",
            RunSpec(
                image="docker/whalesay:latest",
                name="demo",
                detach=False,
                command=("cowsay", "boo"),
            ),
        ),
        (
            "docker create --rm -it --restart=no -h box -w /srv -u 1000 busybox sh",
            RunSpec(
                image="busybox",
                start=False,
                remove=True,
                interactive=True,
                tty=True,
                hostname="box",
                workdir="/srv",
                user="1000",
                command=("sh",),
            ),
        ),
        (
            "docker run -dit --memory=512m --cpus 1.5 --restart on-failure:3 -l team=web"
            " --network none --entrypoint /bin/sh --pull never busybox -c 'echo hi'",
            RunSpec(
                image="busybox",
                interactive=True,
                tty=True,
                memory=512 * 1024 * 1024,
                nano_cpus=1_500_000_000,
                restart=RestartPolicy("on-failure", 3),
                labels=(("team", "web"),),
                networks=(NetworkAttachment("none"),),
                entrypoint="/bin/sh",
                pull="never",
                command=("-c", "echo hi"),
            ),
        ),
    ],
)
def test_lesson_commands_fill_the_run_form(command, expected):
    assert spec_from_command(command) == expected


def test_run_command_is_quoted_for_the_shell():
    spec = RunSpec(
        image="busybox",
        name="web",
        env=(("GREETING", "hello world"), ("DB_PASSWORD", "s3cret")),
        command=("sh", "-c", "echo $GREETING; sleep 1"),
        ports=(PortMapping(80, host_ip="127.0.0.1", host_port=8080),),
        volumes=(VolumeMount("/data", "/srv/data", "ro"),),
        memory=64 * 1024 * 1024,
        nano_cpus=500_000_000,
    )

    assert cli.command(spec) == (
        "docker run -d --name web -p 127.0.0.1:8080:80 -e 'GREETING=hello world'"
        " -e DB_PASSWORD=s3cret -v /srv/data:/data:ro --memory 64m --cpus 0.5 busybox"
        " sh -c 'echo $GREETING; sleep 1'"
    )
    assert "-e 'DB_PASSWORD=••••••'" in cli.command(spec, mask=True)


def test_audit_command_and_parameters_hide_url_passwords_and_inline_secrets():
    spec = RunSpec(
        image="busybox",
        env=(
            ("DATABASE_URL", "postgres://app:hunter2@db/app"),
            ("JAVA_OPTS", "-Dx DB_PASSWORD=s3cret"),
        ),
        command=("sh", "-c", "API_TOKEN=abc123 wget http://bob:pw9@127.0.0.1/"),
    )

    shown = cli.command(spec, mask=True)
    stored = str(spec_parameters(spec))

    for secret in ("hunter2", "abc123", "pw9", "s3cret"):
        assert secret not in shown
        assert secret not in stored
    assert "postgres://app:••••••@db/app" in shown
    assert "hunter2" in cli.command(spec)


@pytest.mark.parametrize(
    ("spec", "command"),
    [
        (LifecycleSpec("stop", "web"), "docker stop web"),
        (LifecycleSpec("stop", "web", timeout=3), "docker stop -t 3 web"),
        (LifecycleSpec("kill", "web", signal="KILL"), "docker kill web"),
        (LifecycleSpec("kill", "web", signal="HUP"), "docker kill -s HUP web"),
        (RemoveContainerSpec("web", force=True, volumes=True), "docker rm -f -v web"),
        (RemoveImageSpec("app:v1", no_prune=True), "docker rmi --no-prune app:v1"),
        (
            ExecSpec("web", ("ls", "-la", "/my dir"), user="root", env=(("A", "1"),)),
            "docker exec -u root -e A=1 web ls -la '/my dir'",
        ),
        (
            CommitSpec("web", "app", "v2", message="fix", changes=('CMD ["sh"]',), pause=False),
            "docker commit -m fix -c 'CMD [\"sh\"]' --pause=false web app:v2",
        ),
        (
            PruneSpec("container", ("team=web",)),
            "docker container prune -f --filter label=team=web",
        ),
    ],
)
def test_action_commands(spec, command):
    assert cli.command(spec) == command


def test_flags_the_form_cannot_hold_are_listed_by_name_with_their_values_and_why():
    parsed = cli.parse_run_command(
        "docker run --cap-add NET_ADMIN --isolation hyperv --cpu-count 2 -P"
        " --frobnicate --use-api-socket -d busybox"
    )

    assert parsed.unsupported == [
        "--isolation hyperv (--isolation chooses between Windows isolations; Linux containers"
        " have one)",
        "--cpu-count 2 (--cpu-count is for Windows engines only)",
        "--frobnicate (not a docker run flag)",
        "--use-api-socket (--use-api-socket hands the container the engine's socket and your"
        " registry credentials: root on the host, which Dockside does not give out)",
    ]
    assert parsed.values["image"] == "busybox"
    assert parsed.values["mode"] == "detach"
    assert parsed.values["cap_add"] == "NET_ADMIN"
    assert parsed.values["publish_all"] is True


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("docker ps -a", "only docker run and docker create"),
        ("ls -la", "starts with `docker`"),
        ("docker run --name", "--name needs a value"),
        ("docker run -d", "names no image"),
        ("docker run 'unclosed", "cannot be split"),
    ],
)
def test_commands_that_cannot_fill_the_form_say_why(command, problem):
    parsed = cli.parse_run_command(command)

    assert any(problem in text for text in parsed.problems), parsed.problems


def test_backslash_newline_continues_the_command():
    spec = spec_from_command("docker run \\\n  -d \\\r\n  --name web \\\n  busybox 'a\\\nb'")

    assert spec.name == "web"
    assert spec.command == ("a\\\nb",)


# --- round trip: spec -> command -> parse -> form -> spec ---------------------

SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\x00\n\r", blacklist_categories=("Cs",)),
    max_size=12,
)
STRIPPED_TEXT = SAFE_TEXT.map(str.strip)
WORD = st.from_regex(r"[a-z][a-z0-9]{1,8}", fullmatch=True)
IMAGES = st.builds(
    lambda domain, path, tag: domain + "/".join(path) + (f":{tag}" if tag else ""),
    st.sampled_from(["", "127.0.0.1:5000/", "registry.example.com/"]),
    st.lists(WORD, min_size=1, max_size=3),
    st.one_of(st.just(""), st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}", fullmatch=True)),
)
PORTS = st.builds(
    PortMapping,
    container_port=st.integers(1, 65535),
    protocol=st.sampled_from(["tcp", "udp", "sctp"]),
    host_ip=st.sampled_from(["", "127.0.0.1", "::1", "0.0.0.0"]),
    host_port=st.one_of(st.none(), st.integers(1, 65535)),
)
PATHS = st.from_regex(r"/[a-z0-9_.-]{1,8}(/[a-z0-9_.-]{1,8}){0,2}", fullmatch=True)
VOLUMES = st.one_of(
    st.builds(VolumeMount, target=PATHS),
    st.builds(
        VolumeMount,
        target=PATHS,
        source=st.one_of(PATHS, st.from_regex(r"[a-z0-9][a-z0-9_.-]{1,10}", fullmatch=True)),
        mode=st.sampled_from(["", "ro", "rw"]),
    ),
)
KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.]{0,10}", fullmatch=True)


@st.composite
def run_specs(draw) -> RunSpec:
    remove = draw(st.booleans())
    policy = "no" if remove else draw(st.sampled_from(RESTART_POLICIES))
    retries = draw(st.integers(0, 20)) if policy == "on-failure" else 0
    mode = draw(st.sampled_from(["detach", "foreground", "create"]))
    return RunSpec(
        image=draw(IMAGES),
        command=tuple(draw(st.lists(SAFE_TEXT, max_size=4))),
        name=draw(
            st.one_of(
                st.just(""), st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{1,12}", fullmatch=True)
            )
        ),
        start=mode != "create",
        detach=mode != "foreground",
        remove=remove,
        entrypoint=draw(STRIPPED_TEXT),
        ports=tuple(draw(st.lists(PORTS, max_size=3))),
        env=tuple(draw(st.dictionaries(KEYS, SAFE_TEXT, max_size=3)).items()),
        volumes=tuple(draw(st.lists(VOLUMES, max_size=3))),
        networks=tuple(
            NetworkAttachment(name)
            for name in draw(
                st.sampled_from([(), ("none",), ("host",), ("bridge",), ("my-net_1.x",)])
            )
        ),
        restart=RestartPolicy(policy, retries),
        labels=tuple(draw(st.dictionaries(KEYS, SAFE_TEXT, max_size=3)).items()),
        workdir=draw(st.one_of(st.just(""), PATHS)),
        user=draw(
            st.one_of(st.just(""), st.from_regex(r"[a-z0-9]{1,8}(:[0-9]{1,4})?", fullmatch=True))
        ),
        hostname=draw(
            st.one_of(
                st.just(""), st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
            )
        ),
        memory=draw(st.one_of(st.none(), st.integers(6 * 1024 * 1024, 2**40))),
        nano_cpus=draw(st.one_of(st.none(), st.integers(1, 64 * 10**9))),
        tty=draw(st.booleans()),
        interactive=draw(st.booleans()),
        pull=draw(st.sampled_from(["missing", "never", "always"])),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run_specs())
def test_form_to_command_to_form_is_the_identity(spec):
    text = cli.command(spec)

    assert shlex.split(text) == cli.argv(spec)
    assert spec_from_command(text) == spec


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["sh", "-c", "trap 'exit 0' TERM"], "sh -c \"trap 'exit 0' TERM\""),
        (["echo", "it's $HOME"], "echo 'it'\"'\"'s $HOME'"),
        (["echo", "a b", ""], "echo 'a b' ''"),
        (["echo", "don't!"], "echo 'don'\"'\"'t!'"),
    ],
)
def test_commands_are_quoted_as_people_write_them(args, line):
    assert cli.join(args) == line
    assert shlex.split(line) == args


def port_text(port: PortMapping) -> str:
    host = f"[{port.host_ip}]" if ":" in port.host_ip else port.host_ip
    published = (
        f"{host}:{port.host_port or ''}:" if host else f"{port.host_port}:" * bool(port.host_port)
    )
    return f"{published}{port.container_port}/{port.protocol}"


@st.composite
def run_form_data(draw) -> dict:
    """What people type into the run form: units, blank lines, spaces, repeated keys."""
    lines = st.lists(st.sampled_from(["", "  "]) | KEYS.map(lambda k: f"{k}=x"), max_size=2)
    return {
        "image": draw(IMAGES),
        "command": draw(st.sampled_from(["", "sleep 5", "sh -c 'echo \"$HOME\"; exit 2'"])),
        "mode": draw(st.sampled_from(["detach", "foreground", "create"])),
        "ports": "\n".join(port_text(p) for p in draw(st.lists(PORTS, max_size=3))),
        "env": "\n".join(
            draw(st.lists(KEYS.map(lambda k: f"{k}=v 1") | KEYS.map(lambda k: f"{k}="), max_size=3))
            + draw(lines)
        ),
        "volumes": draw(st.sampled_from(["", "/data", "/srv:/srv:ro\n\nnamed:/db"])),
        "network": draw(st.sampled_from(["", "none", "host", "bridge", "my-net"])),
        "restart": draw(st.sampled_from(["no", "always", "unless-stopped", "on-failure"])),
        "restart_retries": draw(st.sampled_from(["", "0", "3"])),
        "labels": draw(st.sampled_from(["", "flag", "a.b=c\nflag\n", "x=1\nx=2"])),
        "workdir": draw(st.sampled_from(["", "/app", " /tmp "])),
        "user": draw(st.sampled_from(["", "nobody", "1000:1000"])),
        "memory": draw(st.sampled_from(["", "6m", "64M", "1.5g", "1g", "100000000", "512mb"])),
        "cpus": draw(st.sampled_from(["", "0.5", ".75", "1.25", "2"])),
        "entrypoint": draw(st.sampled_from(["", "/bin/sh"])),
        "pull": draw(st.sampled_from(["missing", "never", "always"])),
        **{flag: "on" for flag in ("remove", "tty", "interactive") if draw(st.booleans())},
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run_form_data())
def test_what_the_form_accepts_reads_back_from_its_command_unchanged(data):
    with override_settings(DOCKSIDE_ALLOWED_REGISTRIES=[]):
        form = RunForm(data=data)
        assume(form.is_valid())  # e.g. --rm with a restart policy is refused: nothing to compare
    assert spec_from_command(cli.command(form.spec)) == form.spec
