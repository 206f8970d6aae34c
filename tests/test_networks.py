"""Networks against the real engine: list, inspect, create (the CLI proves the command),
connect and disconnect, remove and prune, with roles where the action happens."""

from __future__ import annotations

import contextlib
import random
import shlex
import subprocess
import uuid

import docker
import pytest

from tests import support
from tests.pages import text
from tests.posting import assert_audited, error_at, field_errors, last_entry, preview

pytestmark = pytest.mark.django_db


def free_subnet(docker_api) -> str:
    """A /24 in 10.213.0.0/16 no network on the engine uses (never swarm's 10.0.0.0/24)."""
    used = {
        config.get("Subnet")
        for network in docker_api.networks()
        for config in (docker_api.inspect_network(network["Id"]).get("IPAM") or {}).get("Config")
        or []
    }
    while True:
        subnet = f"10.213.{random.randrange(256)}.0/24"
        if subnet not in used:
            return subnet


@pytest.fixture
def make_network(docker_api):
    """A bridge network of this run (labelled), removed at the end."""
    made: list[str] = []

    def make(hint: str = "n", labels: dict | None = None, **kwargs) -> dict:
        name = support.run_name(hint)
        network = docker_api.create_network(
            name, driver="bridge", labels=support.run_labels(**(labels or {})), **kwargs
        )
        made.append(network["Id"])
        return docker_api.inspect_network(network["Id"])

    yield make
    for network_id in made:
        with contextlib.suppress(docker.errors.NotFound):
            docker_api.remove_network(network_id)


@pytest.fixture
def made_by_form(docker_api):
    """Names of networks a test makes through Dockside or the CLI, removed at the end."""
    names: list[str] = []
    yield names
    for name in names:
        with contextlib.suppress(docker.errors.NotFound):
            docker_api.remove_network(name)


def on_network(make_container, network: str, hint: str, start: bool = True) -> dict:
    return make_container(hint=hint, start=start, host_config={"network_mode": network})


def test_the_list_shows_subnets_and_the_containers_with_their_addresses(
    admin_client, make_network, make_container
):
    network = make_network("listed")
    container = on_network(make_container, network["Name"], "net-listed")
    address = container["NetworkSettings"]["Networks"][network["Name"]]["IPAddress"]
    subnet = network["IPAM"]["Config"][0]["Subnet"]

    html = admin_client.get("/networks/").content.decode()

    assert "docker network ls" in text(html)
    row = html.split(f'href="/networks/{network["Name"]}/"')[1].split("</tr>")[0]
    assert subnet in row and container["Name"][1:] in row and address in row
    bridge = html.split('href="/networks/bridge/"')[1].split("</tr>")[0]
    assert "built in" in bridge


def test_the_detail_page_shows_addresses_endpoints_and_aliases(
    admin_client, make_network, make_container, docker_api
):
    network = make_network("detail", labels={"com.example.team": "web"})
    container = on_network(make_container, network["Name"], "net-detail", start=False)
    docker_api.disconnect_container_from_network(container["Id"], network["Id"])
    docker_api.connect_container_to_network(container["Id"], network["Id"], aliases=["db"])
    docker_api.start(container["Id"])

    html = admin_client.get(f"/networks/{network['Name']}/").content.decode()

    assert f"docker network inspect {network['Name']}" in text(html)
    endpoints = html.split('id="network-endpoints"')[1].split("</table>")[0]
    assert container["Name"][1:] in endpoints
    assert "com.example.team" in html
    own_page = admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode()
    row = own_page.split(f'href="/networks/{network["Name"]}/"')[1].split("</tr>")[0]
    assert "db" in row, "the container's page shows its aliases on each network"
    assert admin_client.get("/networks/no-such-network-here/").status_code == 404


def test_create_shows_its_command_and_the_cli_makes_the_same_network(
    admin_client, docker_api, made_by_form
):
    name, twin = support.run_name("made"), support.run_name("twin")
    subnet, other = free_subnet(docker_api), free_subnet(docker_api)
    made_by_form += [name, twin]
    base = subnet.rsplit(".", 1)[0]
    data = {
        "name": name,
        "subnet": subnet,
        "gateway": f"{base}.254",
        "ip_range": f"{base}.128/25",
        "internal": "on",
        "labels": f"{support.RUN_LABEL}\ncom.example.app=shop",
        "options": "com.docker.network.bridge.enable_icc=false",
    }
    command = (
        f"docker network create --subnet {subnet} --gateway {base}.254 --ip-range {base}.128/25"
        f" --internal --label {support.RUN_LABEL} --label com.example.app=shop"
        f" -o com.docker.network.bridge.enable_icc=false {name}"
    )
    assert preview(admin_client, "/networks/create/", data) == command

    response = admin_client.post("/networks/create/", data)

    assert response.status_code == 302 and response["Location"] == f"/networks/{name}/"
    assert_audited("create_network", command, name)
    twin_command = command.replace(name, twin).replace(base, other.rsplit(".", 1)[0])
    subprocess.run(shlex.split(twin_command), check=True, capture_output=True)
    made, by_cli = docker_api.inspect_network(name), docker_api.inspect_network(twin)
    for key in ("Driver", "Internal", "Attachable", "Labels", "Options", "EnableIPv6"):
        assert made[key] == by_cli[key], key
    assert made["IPAM"]["Config"] == [
        {"Subnet": subnet, "Gateway": f"{base}.254", "IPRange": f"{base}.128/25"}
    ]
    assert set(by_cli["IPAM"]["Config"][0]) == set(made["IPAM"]["Config"][0])


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "-bad"}, "name", "not a network name"),
        ({"subnet": "10.213.1.7/24"}, "subnet", "has host bits set: write 10.213.1.0/24"),
        ({"subnet": "nonsense"}, "subnet", "is not a subnet"),
        ({"subnet": "fd00::/64"}, "subnet", "IPv6 subnets are not offered here"),
        ({"subnet": "10.213.1.0/24", "gateway": "10.213.2.1"}, "gateway", "outside the subnet"),
        ({"subnet": "10.213.1.0/24", "ip_range": "10.213.0.0/16"}, "ip_range", "not inside"),
        ({"gateway": "10.213.2.1"}, "gateway", "give the subnet it belongs to first"),
        ({"labels": "novalue"}, "labels", "give a value"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_made(
    admin_client, docker_api, fields, field, message
):
    name = support.run_name("bad")
    data = {"name": name, "labels": support.RUN_LABEL, **fields}

    response = admin_client.post("/networks/create/", data)

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), field)
    entry = last_entry("create_network")
    assert entry.outcome == "failed" and entry.error.startswith("rejected:")
    assert not docker_api.networks(names=[data["name"]])


def test_an_overlapping_subnet_is_the_engines_refusal_at_the_field(
    admin_client, make_network, docker_api
):
    subnet = free_subnet(docker_api)
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
    make_network("taken", ipam=ipam)
    name = support.run_name("overlap")

    response = admin_client.post(
        "/networks/create/", {"name": name, "subnet": subnet, "labels": support.RUN_LABEL}
    )

    assert 400 <= response.status_code < 500, response.status_code
    assert "overlap" in error_at(response.content.decode(), "subnet").lower()
    assert last_entry("create_network").outcome == "failed"
    assert not docker_api.networks(names=[name])


def test_connect_with_an_alias_and_an_address_then_disconnect(
    admin_client, operator_client, make_network, make_container, docker_api
):
    subnet = free_subnet(docker_api)
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
    network = make_network("connect", ipam=ipam)
    container = make_container(hint="net-joiner", start=False)
    # a container on "none" cannot join another network: give it a bridge of its own first
    docker_api.disconnect_container_from_network(container["Id"], "none")
    name, address = container["Name"][1:], f"{subnet.rsplit('.', 1)[0]}.77"
    data = {"container": name, "aliases": "db\ncache", "ip": address}
    command = (
        f"docker network connect --alias db --alias cache --ip {address} {network['Name']} {name}"
    )
    url = f"/networks/{network['Name']}/connect/"
    assert preview(operator_client, url, data) == command

    response = operator_client.post(url, data)

    assert response.status_code == 302, field_errors(response.content.decode())
    assert_audited("network_connect", command, network["Name"], user="operator")
    settings = docker_api.inspect_container(container["Id"])["NetworkSettings"]["Networks"]
    joined = settings[network["Name"]]
    assert {"db", "cache"} <= set(joined["Aliases"])
    assert joined["IPAMConfig"]["IPv4Address"] == address

    response = operator_client.post(f"/networks/{network['Name']}/disconnect/", {"container": name})
    assert response.status_code == 302
    assert_audited(
        "network_disconnect",
        f"docker network disconnect {network['Name']} {name}",
        network["Name"],
        user="operator",
    )
    settings = docker_api.inspect_container(container["Id"])["NetworkSettings"]["Networks"]
    assert network["Name"] not in settings


def test_connecting_a_container_that_does_not_exist_says_so_at_the_field(
    admin_client, make_network
):
    network = make_network("nobody")

    response = admin_client.post(
        f"/networks/{network['Name']}/connect/", {"container": "no-such-container-x"}
    )

    assert response.status_code == 404
    assert "no-such-container-x" in error_at(response.content.decode(), "container")
    assert last_entry("network_connect").outcome == "failed"


def test_remove_refuses_a_network_in_use_and_removes_an_unused_one(
    admin_client, operator_client, make_network, make_container, docker_api
):
    busy, free = make_network("busy"), make_network("free")
    on_network(make_container, busy["Name"], "net-busy")

    response = admin_client.post(f"/networks/{busy['Name']}/remove/", {})
    assert 400 <= response.status_code < 500
    assert "active endpoints" in text(response.content.decode())
    assert last_entry("remove_network").outcome == "failed"

    assert operator_client.post(f"/networks/{free['Name']}/remove/", {}).status_code == 403
    response = admin_client.post(f"/networks/{free['Name']}/remove/", {})
    assert response.status_code == 302 and response["Location"] == "/networks/"
    assert_audited("remove_network", f"docker network rm {free['Name']}", free["Name"])
    with pytest.raises(docker.errors.NotFound):
        docker_api.inspect_network(free["Id"])


def test_prune_lists_exactly_what_it_removes_stopped_users_named(
    admin_client, make_network, make_container, docker_api
):
    marker = f"{support.TEST_LABEL}.prune={uuid.uuid4().hex[:8]}"
    key, value = marker.split("=")
    unused = make_network("prune-unused", labels={key: value})
    stopped = make_network("prune-stopped", labels={key: value})
    running = make_network("prune-running", labels={key: value})
    sleeper = on_network(make_container, stopped["Name"], "net-prune-stopped", start=False)
    on_network(make_container, running["Name"], "net-prune-running")

    page = admin_client.get("/networks/prune/", {"labels": marker}).content.decode()

    assert "2 networks will be removed" in text(page)
    table = page.split('id="prune-table"')[1].split("</table>")[0]
    assert unused["Name"] in table and stopped["Name"] in table
    assert running["Name"] not in table and sleeper["Name"][1:] in table
    assert f"docker network prune -f --filter label={marker}" in text(page)

    expected = ",".join(sorted([unused["Id"], stopped["Id"]]))
    response = admin_client.post("/networks/prune/", {"labels": marker, "expected": expected})

    assert response.status_code == 302
    entry = last_entry("prune_networks")
    assert sorted(entry.parameters["removed"]) == sorted([unused["Name"], stopped["Name"]])
    left = {n["Name"] for n in docker_api.networks(filters={"label": marker})}
    assert left == {running["Name"]}


def test_viewers_may_look_but_not_change(viewer_client, make_network):
    network = make_network("look")

    assert viewer_client.get("/networks/").status_code == 200
    assert viewer_client.get(f"/networks/{network['Name']}/").status_code == 200
    response = viewer_client.post("/networks/create/", {"name": support.run_name("nope")})
    assert response.status_code == 403
    assert "creating networks takes the operator role" in text(response.content.decode()).lower()
    connect = viewer_client.post(f"/networks/{network['Name']}/connect/", {"container": "x"})
    assert connect.status_code == 403
