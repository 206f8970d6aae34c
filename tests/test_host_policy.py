"""The host-access policy: each rule refuses, with a message at its field, through the run
form, the paste box and the actions themselves; a refusal is a failed audit entry and
makes nothing; an admin may override, and the entry says so."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from access import policy
from access.models import HostPolicy
from audit.actors import Actor
from audit.models import AuditEntry
from containers_app import actions, cli
from containers_app.forms import RunForm
from containers_app.specs import ExecSpec
from tests import support
from tests.posting import error_at, field_errors

pytestmark = pytest.mark.django_db

# (flags, the form field the message goes to, words of the message)
RULES = {
    "bind mount": ("-v /etc:/host:ro", "volumes", "/etc is a host directory outside"),
    "docker socket": ("-v /var/run/docker.sock:/s", "volumes", "holds the Docker socket"),
    "socket's directory": ("-v /run:/r", "volumes", "holds the Docker socket"),
    "--mount bind": ("--mount type=bind,src=/etc,dst=/x", "mounts", "outside those bind"),
    "volume-opt": (
        "--mount type=volume,dst=/x,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc",
        "mounts",
        "volume-opt can make a volume of any host directory",
    ),
    "privileged": ("--privileged", "privileged", "--privileged gives the container the whole"),
    "pid host": ("--pid host", "pid", "--pid host shares the host's own namespace"),
    "ipc host": ("--ipc host", "ipc", "--ipc host shares"),
    "uts host": ("--uts host", "uts", "--uts host shares"),
    "userns host": ("--userns host", "userns", "--userns host shares"),
    "cgroupns host": ("--cgroupns host", "cgroupns", "--cgroupns host shares"),
    "network host": ("--network host", "network", "--network host shares the host's network"),
    "cap-add": ("--cap-add SYS_ADMIN", "cap_add", "SYS_ADMIN: capabilities allowed are none"),
    "device": ("--device /dev/null", "devices", "--device hands a host device"),
    "sysctl": ("--sysctl net.ipv4.ip_forward=1", "sysctls", "--sysctl changes kernel settings"),
    "unconfined": (
        "--security-opt seccomp=unconfined",
        "security_opts",
        "seccomp=unconfined turns the kernel's protection off",
    ),
}


def command_of(flags: str, name: str) -> str:
    network = "" if "--network" in flags else "--network none "
    label = f"--label {support.RUN_LABEL}"
    return f"docker create --name {name} {network}{label} {flags} {support.BASE_IMAGE}"


def form_data(command: str) -> dict:
    parsed = cli.parse_run_command(command)
    assert not parsed.problems and not parsed.unanswered, parsed.problems
    return {**RunForm.data_from_command(parsed.values), "pull": "never"}


def spec_of(command: str):
    form = RunForm(form_data(command))
    assert form.is_valid(), form.errors
    return form.spec


@pytest.fixture
def operator(django_user_model):
    return support.user_with_role("operator")


@pytest.fixture
def operator_web(operator):
    client = Client()
    client.force_login(operator)
    return client


def exists(docker_api, name: str) -> bool:
    return bool(docker_api.containers(all=True, filters={"name": f"^/{name}$"}))


@pytest.mark.parametrize("rule", RULES, ids=list(RULES))
def test_each_rule_refuses_through_the_actions(rule, operator, docker_api):
    flags, field, words = RULES[rule]
    name = support.run_name("policy")
    spec = spec_of(command_of(flags, name))

    with pytest.raises(policy.PolicyRefused) as refused:
        actions.run_container(Actor(operator, "127.0.0.1"), spec)

    assert [problem.field for problem in refused.value.problems] == [field]
    assert words in str(refused.value)
    assert not exists(docker_api, name), "nothing was made"
    entry = AuditEntry.objects.filter(action="create").latest("id")
    assert entry.outcome == "failed" and words in entry.error


@pytest.mark.parametrize("rule", RULES, ids=list(RULES))
def test_each_rule_refuses_through_the_run_form_at_its_field(rule, operator_web, docker_api):
    flags, field, words = RULES[rule]
    name = support.run_name("policy")

    response = operator_web.post("/containers/run/", form_data(command_of(flags, name)))

    assert response.status_code == 403
    html = response.content.decode()
    assert words in error_at(html, field), field_errors(html)
    assert not exists(docker_api, name)
    assert AuditEntry.objects.filter(action="create", outcome="failed").exists()


def test_a_pasted_command_shows_the_policy_at_the_fields_before_anything_runs(
    operator_web, docker_api
):
    name = support.run_name("policy")
    command = command_of("--privileged --network host -v /var/run/docker.sock:/s", name)

    response = operator_web.post("/containers/run/", {"_paste": "1", "pasted": command})

    assert response.status_code == 200
    html = response.content.decode()
    assert "--privileged gives the container the whole host" in error_at(html, "privileged")
    assert "--network host shares the host's network" in error_at(html, "network")
    assert "holds the Docker socket" in error_at(html, "volumes")
    assert not exists(docker_api, name)
    # Running what the paste filled in is refused all the same.
    refused = operator_web.post("/containers/run/", form_data(command))
    assert refused.status_code == 403 and not exists(docker_api, name)


def test_root_with_an_allowed_host_directory_needs_a_user(operator, docker_api, tmp_path):
    rules = HostPolicy.current()
    rules.bind_roots = str(tmp_path)
    rules.save()
    refused_name, allowed_name = support.run_name("root"), support.run_name("user")
    actor = Actor(operator, "127.0.0.1")

    with pytest.raises(policy.PolicyRefused) as refused:
        actions.run_container(actor, spec_of(command_of(f"-v {tmp_path}:/d", refused_name)))
    outcome = actions.run_container(
        actor, spec_of(command_of(f"-u 1000 -v {tmp_path}:/d", allowed_name))
    )

    assert [p.field for p in refused.value.problems] == ["user"]
    assert not exists(docker_api, refused_name)
    assert outcome.name == allowed_name and exists(docker_api, allowed_name)


def test_a_named_volume_that_is_a_host_directory_is_a_bind(operator, docker_api):
    volume = f"dockside-test-{uuid.uuid4().hex[:8]}"
    docker_api.create_volume(
        volume,
        driver_opts={"type": "none", "o": "bind", "device": "/etc"},
        labels=support.run_labels(),
    )
    try:
        spec = spec_of(command_of(f"-v {volume}:/x", support.run_name("vol")))
        with pytest.raises(policy.PolicyRefused) as refused:
            actions.run_container(Actor(operator, None), spec)
    finally:
        docker_api.remove_volume(volume)
    assert f"the volume {volume} is /etc is a host directory" in str(refused.value)


def test_volumes_from_a_container_with_a_host_directory_is_refused(
    operator, docker_api, make_container
):
    source = make_container(hint="binds", host_config={"binds": ["/etc:/host-etc:ro"]})
    spec = spec_of(command_of(f"--volumes-from {source['Name'][1:]}", support.run_name("vf")))

    with pytest.raises(policy.PolicyRefused) as refused:
        actions.run_container(Actor(operator, None), spec)

    assert [p.field for p in refused.value.problems] == ["volumes_from", "user"]
    assert "/etc is a host directory outside" in str(refused.value)


def test_duplicating_a_container_that_reaches_the_host_is_refused(
    operator_web, docker_api, make_container
):
    source = make_container(hint="capped", host_config={"cap_add": ["SYS_ADMIN"]})
    page = operator_web.get(f"/containers/run/?from={source['Id'][:12]}")
    assert page.status_code == 200
    name = support.run_name("dup")
    data = form_data(command_of("--cap-add SYS_ADMIN", name))

    response = operator_web.post("/containers/run/", data)

    assert response.status_code == 403
    assert "SYS_ADMIN: capabilities allowed are none" in " ".join(
        field_errors(response.content.decode())
    )
    assert not exists(docker_api, name)


def test_an_admin_overrides_with_a_confirmation_and_the_entry_says_so(admin_client, docker_api):
    name = support.run_name("override")
    data = form_data(command_of("--cap-add NET_ADMIN", name))

    without = admin_client.post("/containers/run/", data)
    assert without.status_code == 403 and not exists(docker_api, name)
    with_confirmation = admin_client.post("/containers/run/", {**data, "override_policy": "on"})

    assert with_confirmation.status_code == 302, field_errors(with_confirmation.content.decode())
    assert exists(docker_api, name)
    entry = AuditEntry.objects.filter(action="create", outcome="succeeded").latest("id")
    assert entry.parameters["policy_override"] == ["NET_ADMIN: capabilities allowed are none"]


def test_an_operator_cannot_override(operator_web, docker_api):
    name = support.run_name("nooverride")
    data = {**form_data(command_of("--privileged", name)), "override_policy": "on"}

    response = operator_web.post("/containers/run/", data)

    assert response.status_code == 403 and not exists(docker_api, name)


def test_an_allowed_capability_passes(operator, docker_api):
    rules = HostPolicy.current()
    rules.capabilities = "NET_BIND_SERVICE"
    rules.save()
    name = support.run_name("cap")

    outcome = actions.run_container(
        Actor(operator, None), spec_of(command_of("--cap-add NET_BIND_SERVICE", name))
    )

    assert outcome.name == name and exists(docker_api, name)


def test_commands_in_a_container_that_reaches_the_host_take_the_admin_role(
    operator, make_container, django_user_model
):
    container = make_container(hint="reach", host_config={"binds": ["/etc:/host-etc:ro"]})
    admin = django_user_model.objects.create_superuser("boss", password="a-long-pass-42")
    spec = ExecSpec(container["Name"][1:], ("true",))

    with pytest.raises(actions.roles.NotAllowed, match=r"reaches the host \(/etc is a host"):
        actions.exec_command(Actor(operator, None), spec)

    assert actions.exec_command(Actor(admin, None), spec).exit_code == 0
    refused = AuditEntry.objects.filter(action="exec", outcome="failed").get()
    assert "takes the admin role" in refused.error


def test_a_root_command_beside_a_host_directory_is_refused(operator, make_container, tmp_path):
    rules = HostPolicy.current()
    rules.bind_roots = str(tmp_path)
    rules.save()
    container = make_container(
        hint="userbind", user="1000", host_config={"binds": [f"{tmp_path}:/d"]}
    )

    assert (
        actions.exec_command(
            Actor(operator, None), ExecSpec(container["Name"][1:], ("true",))
        ).exit_code
        == 0
    )
    with pytest.raises(actions.roles.NotAllowed, match="root with host directories"):
        actions.exec_command(
            Actor(operator, None), ExecSpec(container["Name"][1:], ("true",), user="0")
        )


def test_the_policy_page_saves_checks_and_audits(admin_client, viewer_client):
    assert viewer_client.get("/access/policy/").status_code == 403

    bad = admin_client.post("/access/policy/", {"bind_roots": "srv/data", "capabilities": ""})
    assert bad.status_code == 400
    assert "write absolute paths" in " ".join(field_errors(bad.content.decode()))
    assert AuditEntry.objects.filter(action="policy_change").count() == 0

    good = admin_client.post(
        "/access/policy/", {"bind_roots": "/srv/data/\n/opt/x", "capabilities": "cap_net_admin"}
    )
    assert good.status_code == 302
    saved = HostPolicy.current()
    assert saved.root_list() == ["/srv/data", "/opt/x"]
    assert saved.capability_list() == {"NET_ADMIN"}
    entry = AuditEntry.objects.get(action="policy_change")
    assert entry.outcome == "succeeded" and entry.username == "admin"


def test_joining_a_host_networked_container_is_refused(operator, make_container, docker_api):
    host_side = make_container(hint="hostnet", host_config={"network_mode": "host"})
    joined = host_side["Name"][1:]
    middle = make_container(hint="middle", host_config={"network_mode": f"container:{joined}"})
    name = support.run_name("join")

    for target in (joined, middle["Name"][1:]):
        spec = spec_of(command_of(f"--network container:{target}", name))
        with pytest.raises(policy.PolicyRefused) as refused:
            actions.run_container(Actor(operator, None), spec)
        assert "which shares the host's own namespace" in str(refused.value)
    assert not exists(docker_api, name)


@pytest.mark.parametrize("user", ["00", "+0", "0:1000", "root"])
def test_every_spelling_of_root_is_root(user, operator, tmp_path, docker_api):
    rules = HostPolicy.current()
    rules.bind_roots = str(tmp_path)
    rules.save()
    name = support.run_name("rootish")

    with pytest.raises(policy.PolicyRefused, match="root"):
        actions.run_container(
            Actor(operator, None), spec_of(command_of(f"-u {user} -v {tmp_path}:/d", name))
        )
    assert not exists(docker_api, name)


def test_an_allowed_host_directory_through_volumes_from_still_needs_a_user(
    operator, make_container, tmp_path
):
    rules = HostPolicy.current()
    rules.bind_roots = str(tmp_path)
    rules.save()
    source = make_container(hint="allowedbind", host_config={"binds": [f"{tmp_path}:/data"]})
    spec = spec_of(command_of(f"--volumes-from {source['Name'][1:]}", support.run_name("vf")))

    with pytest.raises(policy.PolicyRefused) as refused:
        actions.run_container(Actor(operator, None), spec)

    assert [p.field for p in refused.value.problems] == ["user"]


def test_a_link_inside_an_allowed_directory_is_followed(operator, tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "escape").symlink_to("/etc")
    rules = HostPolicy.current()
    rules.bind_roots = str(allowed)
    rules.save()

    found = policy.problems(spec_of(command_of(f"-v {allowed}/escape:/x", "xx")), rules)

    assert [p.field for p in found] == ["volumes"]
    assert "outside those bind mounts may come from" in found[0].rule


def test_selinux_super_privileged_label_is_refused():
    found = policy.problems(
        spec_of(command_of("--security-opt label=type:spc_t", "xx")), HostPolicy.current()
    )
    assert [p.field for p in found] == ["security_opts"]
