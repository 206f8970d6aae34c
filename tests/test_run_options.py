"""The values of `docker run`'s flags, read and written as the docker CLI reads and writes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from containers_app.run_options import units
from containers_app.run_options.compose import yaml_text
from containers_app.run_options.devices import DeviceLimit, DeviceMapping, GpuRequest, Ulimit
from containers_app.run_options.env_files import parse_kv_file
from containers_app.run_options.networks import ExtraHost, Link, NetworkAttachment
from containers_app.run_options.ports import ExposedPorts, PortMapping
from containers_app.run_options.shell import Expansion, ShellSyntaxError, split_command
from containers_app.run_options.storage import MountSpec, TmpfsMount, VolumeMount


@pytest.mark.parametrize(
    ("text", "bindings", "shown"),
    [
        ("8080:80", [("80/tcp", "8080")], "8080:80"),
        ("127.0.0.1:5353:53/udp", [("53/udp", "5353")], "127.0.0.1:5353:53/udp"),
        ("[::1]::80", [("80/tcp", "")], "[::1]::80"),
        (
            "8091-8093:8091-8093",
            [("8091/tcp", "8091"), ("8092/tcp", "8092"), ("8093/tcp", "8093")],
            "8091-8093:8091-8093",
        ),
        ("9000-9001/udp", [("9000/udp", ""), ("9001/udp", "")], "9000-9001/udp"),
        ("8000-8010:80", [("80/tcp", "8000-8010")], "8000-8010:80"),
        ("published=8080,target=80,protocol=udp", [("80/udp", "8080")], "8080:80/udp"),
    ],
)
def test_published_ports_as_the_cli_sends_them(text, bindings, shown):
    port = PortMapping.parse(text)

    assert port.bindings() == bindings
    assert str(port) == shown
    assert PortMapping.parse(str(port)) == port


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8080-8081:80-82", "a host range of the same length"),
        ("90-80", "runs backwards"),
        ("80/icmp", "protocol must be one of"),
        ("published=8080,target", "name=value pairs"),
        ("999.1.1.1:80:80", "is not an IP address"),
    ],
)
def test_bad_published_ports_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        PortMapping.parse(text)


def test_exposed_port_ranges():
    ports = ExposedPorts.parse("7000-7002/udp")

    assert ports.port_keys() == ["7000/udp", "7001/udp", "7002/udp"]
    assert str(ports) == "7000-7002/udp"


@pytest.mark.parametrize(
    "text", ["/srv:/data:ro,z", "/srv:/data:Z", "/:/host:ro,rslave", "data:/data:nocopy", "/anon"]
)
def test_volume_options_the_engine_takes(text):
    assert str(VolumeMount.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/srv:/data:ro,rw", "both set ro or rw"),
        ("/srv:/data:nocopy", "nocopy is for named volumes"),
        ("/srv:/data:bogus", "unknown option"),
        ("/srv::/data", "an empty part between colons"),
        ("./srv:/data", "give the host path in full"),
    ],
)
def test_bad_volume_options_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        VolumeMount.parse(text)


def test_a_mount_keeps_its_fields_and_means_what_the_cli_sends():
    mount = MountSpec.parse(
        "type=volume,src=data,dst=/data,volume-opt=type=nfs,"
        '"volume-opt=o=addr=10.0.0.1,rw",volume-label=team=web,ro'
    )

    assert mount.settings() == {
        "Type": "volume",
        "Source": "data",
        "Target": "/data",
        "ReadOnly": True,
        "VolumeOptions": {
            "Labels": {"team": "web"},
            "DriverConfig": {"Options": {"type": "nfs", "o": "addr=10.0.0.1,rw"}},
        },
    }
    assert MountSpec.parse(str(mount)) == mount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type=bind,target=/t", "needs source="),
        ("type=tmpfs,source=x,target=/t", "has no source"),
        ("type=volume,target=/t,bind-propagation=rslave", "go with type=bind only"),
        ("type=bind,src=/a,dst=/t,bind-recursive=readonly", "needs readonly as well"),
        ("type=tmpfs,dst=/t,tmpfs-mode=999", "octal"),
        ("source=x", "target is required"),
        ("type=floppy,target=/t", "the type is bind, volume or tmpfs"),
        ("type=bind,src=./here,dst=/t", "give the host path in full"),
    ],
)
def test_bad_mounts_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        MountSpec.parse(text)


def test_tmpfs_and_devices():
    assert str(TmpfsMount.parse("/run:rw,size=64m")) == "/run:rw,size=64m"
    with pytest.raises(ValueError, match="takes a number"):
        TmpfsMount.parse("/run:size=big")
    assert DeviceMapping.parse("/dev/sda:/dev/xvdc:r") == DeviceMapping(
        "/dev/sda", "/dev/xvdc", "r"
    )
    assert DeviceMapping.parse("/dev/fuse") == DeviceMapping("/dev/fuse", "/dev/fuse")
    assert str(DeviceMapping.parse("/dev/sda:rw")) == "/dev/sda:rw"
    assert DeviceMapping.parse("vendor.com/class=device-name").cdi
    with pytest.raises(ValueError, match="permissions"):
        DeviceMapping.parse("/dev/sda:/dev/x:rx")


@pytest.mark.parametrize(
    ("text", "request_sent"),
    [
        (
            "all",
            {
                "Driver": "",
                "Count": -1,
                "DeviceIDs": None,
                "Capabilities": [["gpu"]],
                "Options": {},
            },
        ),
        (
            '"device=0,2"',
            {
                "Driver": "",
                "Count": 0,
                "DeviceIDs": ["0", "2"],
                "Capabilities": [["gpu"]],
                "Options": {},
            },
        ),
        (
            "count=2,capabilities=compute",
            {
                "Driver": "",
                "Count": 2,
                "DeviceIDs": None,
                "Capabilities": [["compute", "gpu"]],
                "Options": {},
            },
        ),
    ],
)
def test_gpu_requests(text, request_sent):
    gpu = GpuRequest.parse(text)

    assert gpu.request() == request_sent
    assert GpuRequest.parse(str(gpu)) == gpu


def test_ulimits_and_block_io_limits():
    assert Ulimit.parse("nofile=1024:2048") == Ulimit("nofile", 1024, 2048)
    assert str(Ulimit.parse("nproc=10")) == "nproc=10"
    assert Ulimit.parse("memlock=-1") == Ulimit("memlock", -1, -1)
    with pytest.raises(ValueError, match="not a limit"):
        Ulimit.parse("files=10")
    with pytest.raises(ValueError, match="must not exceed"):
        Ulimit.parse("nofile=2048:1024")
    assert DeviceLimit.bytes_rate("/dev/sda:1mb") == DeviceLimit("/dev/sda", 1024**2, sized=True)
    assert str(DeviceLimit.bytes_rate("/dev/sda:1mb")) == "/dev/sda:1m"
    with pytest.raises(ValueError, match="10 to 1000"):
        DeviceLimit.weight("/dev/sda:5")
    with pytest.raises(ValueError, match="starts with /dev/"):
        DeviceLimit.io_rate("sda:100")


def test_network_attachments_long_form_as_the_cli_reads_it():
    attachment = NetworkAttachment.parse(
        "name=Front,alias=Web,alias=www,ip=10.1.0.5,driver-opt=a=b"
    )

    assert attachment == NetworkAttachment(
        "front",  # the CLI lower-cases the long form, values included
        aliases=("web", "www"),
        ip="10.1.0.5",
        driver_opts=(("a", "b"),),
        long=True,
    )
    assert NetworkAttachment.parse(str(attachment)) == attachment
    assert NetworkAttachment.parse("my-net") == NetworkAttachment("my-net")
    with pytest.raises(ValueError, match="aliases work on networks you create"):
        NetworkAttachment.parse("name=bridge,alias=x")
    with pytest.raises(ValueError, match=r"API 1\.48"):
        NetworkAttachment.parse("name=n,gw-priority=1")


def test_extra_hosts_and_links():
    assert str(ExtraHost.parse("db=10.0.0.5")) == "db:10.0.0.5"
    assert str(ExtraHost.parse("v6=[2001:db8::33]")) == "v6:2001:db8::33"
    assert str(ExtraHost.parse("gw:host-gateway")) == "gw:host-gateway"
    with pytest.raises(ValueError, match="not an IP address"):
        ExtraHost.parse("db:nowhere")
    assert Link.parse("db:db") == Link("db")
    assert str(Link.parse("db:database")) == "db:database"


@given(st.integers(0, 2**40) | st.sampled_from([1, 999, 1_000_000, 90 * 10**9, 3_600 * 10**9 + 1]))
def test_durations_read_back_exactly(nanoseconds):
    assert units.parse_duration(units.format_duration(nanoseconds)) == nanoseconds


def test_sizes_and_durations_as_go_reads_them():
    assert units.parse_size("1.5g") == 1610612736
    assert units.parse_size("65536k") == 64 * 1024**2
    assert units.parse_duration("1m30s") == 90 * 10**9
    assert units.parse_duration("1.5s") == 1_500_000_000
    assert units.format_duration(90 * 10**9) == "1m30s"
    with pytest.raises(ValueError, match="with a unit"):
        units.parse_duration("30")
    with pytest.raises(ValueError, match="at least 1ms"):
        units.positive_duration("interval")("10us")


def test_env_files_as_the_cli_reads_them():
    assert parse_kv_file('\ufeff# comment\n  A=1\nB= two words \nC\n\nD="quoted"\n') == [
        ("A", "1"),
        ("B", " two words "),
        ("C", None),
        ("D", '"quoted"'),
    ]
    with pytest.raises(ValueError, match="contains whitespace"):
        parse_kv_file("A B=1")


def words(text: str) -> list:
    return split_command(text).words


def test_the_shell_split_keeps_expansions_in_their_words():
    assert words('docker run -v "$PWD/data:/data" -u $(id -u) ~/x `pwd`') == [
        ["docker"],
        ["run"],
        ["-v"],
        [Expansion("$PWD", "PWD"), "/data:/data"],
        ["-u"],
        [Expansion("$(id -u)", "$(id -u)")],
        [Expansion("~", "HOME"), "/x"],
        [Expansion("`pwd`", "PWD")],
    ]
    assert words("echo ${TAG:-latest} '$PWD' \\$HOME")[1:] == [
        [Expansion("${TAG:-latest}", "TAG", "latest")],
        ["$PWD"],
        ["$HOME"],
    ]


@pytest.mark.parametrize(
    ("text", "ended_by", "rest"),
    [
        ("docker run a && docker logs a", "&&", "docker logs a"),
        ("docker run a | grep x", "|", "grep x"),
        ("docker run a > out.txt", "a redirection", "> out.txt"),
        ("docker run a # the web server", "a comment", "the web server"),
        ("docker run a\ndocker ps", "the end of the line", "docker ps"),
    ],
)
def test_a_command_ends_where_a_shell_would_end_it(text, ended_by, rest):
    split = split_command(text)

    assert split.words == [["docker"], ["run"], ["a"]]
    assert (split.ended_by, split.rest) == (ended_by, rest)


def test_unclosed_quotes_and_substitutions_are_errors():
    for text in ("echo 'open", 'echo "open', "echo $(pwd", "echo ${HOME"):
        with pytest.raises(ShellSyntaxError):
            split_command(text)


def test_yaml_quotes_what_yaml_would_read_otherwise():
    text = yaml_text(
        {
            "a": ["no", "1.5", "x: y", "plain/path", "", "it's", True, 3, "8080:80", "a:b"],
            "b": {},
            "c": None,
        }
    )

    assert text == (
        'a:\n  - "no"\n  - "1.5"\n  - "x: y"\n  - plain/path\n  - ""\n'
        '  - "it\'s"\n  - true\n  - 3\n  - "8080:80"\n  - a:b\nb: {}\nc: null\n'
    )


def test_a_compose_service_keeps_dollars_and_declares_what_exists_already():
    from containers_app.run_options.compose import compose_file
    from containers_app.run_options.spec import RunSpec

    spec = RunSpec(
        image="nginx:1.27",
        name="Web.1",
        env=(("PRICE", "$5"),),
        command=("sh", "-c", "echo $HOME"),
        volumes=(VolumeMount("/data", "db-data"), VolumeMount("/srv", "/srv/site", "ro")),
        networks=(NetworkAttachment("front"),),
        network_aliases=("www",),
        publish_all=True,
    )

    composed = compose_file(spec)

    assert composed.text() == (
        "services:\n"
        "  web.1:\n"
        "    image: nginx:1.27\n"
        "    container_name: Web.1\n"
        '    command:\n      - sh\n      - "-c"\n      - "echo $$HOME"\n'
        '    environment:\n      PRICE: "$$5"\n'
        "    networks:\n      front:\n        aliases:\n          - www\n"
        "    volumes:\n      - db-data:/data\n      - /srv/site:/srv:ro\n"
        "networks:\n  front:\n    external: true\n"
        "volumes:\n  db-data:\n    external: true\n"
    )
    assert composed.notes == ["-P has no Compose key: list the ports under ports instead"]


def test_secrets_inside_flag_values_are_hidden_wherever_they_stand():
    from containers_app.masking import MASK, mask_text

    assert mask_text('type=volume,"volume-opt=o=addr=10.0.0.1,username=u,password=pw",dst=/n') == (
        f'type=volume,"volume-opt=o=addr=10.0.0.1,username=u,password={MASK}'
    )
    assert (
        mask_text("mysqladmin ping --password=pw -h db")
        == f"mysqladmin ping --password={MASK} -h db"
    )
    assert mask_text("DB_PASSWORD=a,b c") == f"DB_PASSWORD={MASK} c", "a comma does not end it"
    assert mask_text("splunk-token=abc") == f"splunk-token={MASK}"
    assert mask_text("A=1 B=2 url=https://u:pw@h/x") == f"A=1 B=2 url=https://u:{MASK}@h/x"


def test_yaml_quotes_what_yaml_1_1_reads_as_dates_and_numbers():
    assert yaml_text(["2024-01-01", "0b101", ".inf", "1:30", "v1.2", "a-b"]) == (
        '- "2024-01-01"\n- "0b101"\n- ".inf"\n- "1:30"\n- v1.2\n- a-b\n'
    )


def test_parameter_expansions_that_change_the_value_are_asked_for_whole():
    split = split_command("echo ${HOME%/x} ${A:+b} ${TAG:-latest}")

    assert [word[0].key for word in split.words[1:]] == ["${HOME%/x}", "${A:+b}", "TAG"]


def test_a_value_with_a_line_break_is_named_not_split_into_two():
    from containers_app.run_options.command import parse_run_command

    parsed = parse_run_command("docker run -e 'A=x\ny' alpine")

    assert parsed.unsupported == [
        "--env 'A=x\\ny' (its value holds a line break; the form's fields cannot hold one)"
    ]
    assert "env" not in parsed.values
