"""Reading a container back from its `docker inspect` (a pure function: inspect data in)."""

from __future__ import annotations

from containers_app.docker_service.run_recreate import EngineDefaults, spec_from_inspect
from containers_app.pages.recreate import compose_text, recreate_lines
from containers_app.run_options.networks import NetworkAttachment

NETWORK_ID = "4f1c" + "0" * 60


def inspect(**host) -> dict:
    return {
        "Id": "a" * 64,
        "Name": "/web",
        "Config": {"Image": "nginx:1.27", "Env": ["PATH=/bin"], "Hostname": "aaaaaaaaaaaa"},
        "HostConfig": {"NetworkMode": "default", **host},
        "State": {"Status": "running"},
        "NetworkSettings": {"Networks": {}},
    }


def test_a_network_named_by_its_id_comes_back_by_name_with_its_aliases():
    data = inspect(NetworkMode=NETWORK_ID[:12])
    data["NetworkSettings"]["Networks"] = {
        "front": {"NetworkID": NETWORK_ID, "Aliases": ["web", "aaaaaaaaaaaa", "www"]}
    }

    spec = spec_from_inspect(data, {"Env": ["PATH=/bin"]}, EngineDefaults()).spec

    assert spec.networks == (NetworkAttachment("front"),)
    assert spec.network_aliases == ("www",)


def test_a_seccomp_profile_is_said_not_passed_as_a_file_name():
    data = inspect(SecurityOpt=['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}', "label=disable"])

    recreated = spec_from_inspect(data, {}, EngineDefaults())

    assert recreated.spec.security_opts == ("label=disable",)
    assert any("seccomp profile" in note for note in recreated.notes)


def test_what_inspect_leaves_out_or_sets_to_null_reads_without_failing():
    data = {"Id": "b" * 64, "Name": "/odd", "Config": None, "HostConfig": None}
    data["NetworkSettings"] = {"Networks": {"front": None}}

    recreated = spec_from_inspect(data, {}, EngineDefaults())

    assert recreate_lines(recreated) == [
        "docker run -d --name odd ''",
        "docker network connect front odd",
    ]


def test_compose_comments_keep_every_line_of_a_note_a_comment():
    data = inspect()
    data["Config"]["Entrypoint"] = ["/bin/sh", "-c", "echo a\necho b"]
    data["Config"]["Labels"] = {"api_token": "sekret"}
    data["HostConfig"]["LogConfig"] = {"Type": "splunk", "Config": {"splunk-token": "sekret"}}

    text = compose_text(spec_from_inspect(data, {}, EngineDefaults()))

    assert "sekret" not in text
    for line in text.split("\n"):
        assert not line or line.startswith(("#", "services", "  ", "networks", "volumes")), line
