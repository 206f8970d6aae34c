"""Forms for networks: create, connect, disconnect, remove (prune is the shared PruneForm)."""

from __future__ import annotations

import ipaddress

from django import forms

from ..specs import ConnectSpec, CreateNetworkSpec, DisconnectSpec, RemoveNetworkSpec
from .base import SpecForm
from .fields import NETWORK_NAME, lines, split_lines, text
from .volumes import DRIVER_NAME, key_values


def ipv4_network(value: str, what: str) -> ipaddress.IPv4Network | None:
    if not value:
        return None
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        example = "172.28.0.0/16"
        raise forms.ValidationError(f"{value!r} is not {what} (write it as {example})") from None
    if network.version != 4:
        raise forms.ValidationError("IPv6 subnets are not offered here: give an IPv4 one")
    if str(network) != value:
        raise forms.ValidationError(f"{value} has host bits set: write {network}")
    return network


def ipv4_address(value: str, what: str) -> ipaddress.IPv4Address | None:
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise forms.ValidationError(f"{value!r} is not {what} (write it as 172.28.0.1)") from None
    if address.version != 4:
        raise forms.ValidationError("give an IPv4 address")
    return address


def network_name(value: str) -> str:
    if not NETWORK_NAME.fullmatch(value):
        raise forms.ValidationError(
            f"{value!r} is not a network name: start with a letter or digit, then letters,"
            " digits, _ . or -"
        )
    return value


class CreateNetworkForm(SpecForm):
    name = text("Name", required=True, placeholder="backend", autofocus=True)
    driver = text(
        "Driver (-d)",
        placeholder="bridge",
        help_text="bridge: a virtual switch on this host, the usual choice.",
    )
    subnet = text(
        "Subnet (--subnet)",
        placeholder="172.28.0.0/16; empty: Docker picks a free one",
    )
    gateway = text("Gateway (--gateway)", placeholder="172.28.0.1; empty: the subnet's first")
    ip_range = text(
        "Addresses for containers (--ip-range)",
        placeholder="172.28.5.0/24; empty: the whole subnet",
    )
    internal = forms.BooleanField(
        label="Internal (--internal)",
        required=False,
        help_text="No route out: containers on it reach each other, and nothing else.",
    )
    attachable = forms.BooleanField(
        label="Attachable (--attachable)",
        required=False,
        help_text="For overlay networks: standalone containers may join it too.",
    )
    labels = lines("Labels (--label), one per line", "com.example.team=web")
    options = lines(
        "Driver options (-o), one per line",
        "com.docker.network.bridge.name=br-backend",
    )

    action = "create_network"
    target_kind = "network"
    error_fields = (
        (r"already exists|name", "name"),
        (r"overlap|pool|subnet|address", "subnet"),
        (r"gateway", "gateway"),
        (r"driver|plugin", "driver"),
        (r"option", "options"),
    )

    def placeholder(self) -> str:
        return "docker network create [-d DRIVER] [--subnet CIDR] [--internal] … NAME"

    def clean_name(self):
        return network_name(self.cleaned_data["name"])

    def clean_driver(self):
        driver = self.cleaned_data["driver"] or "bridge"
        if not DRIVER_NAME.fullmatch(driver):
            raise forms.ValidationError(f"{driver!r} is not a driver name (bridge, or a plugin's)")
        return driver

    def clean_subnet(self):
        return ipv4_network(self.cleaned_data["subnet"], "a subnet")

    def clean_gateway(self):
        return ipv4_address(self.cleaned_data["gateway"], "an address")

    def clean_ip_range(self):
        return ipv4_network(self.cleaned_data["ip_range"], "an address range")

    def clean_labels(self):
        return key_values(self.cleaned_data["labels"], "label")

    def clean_options(self):
        return key_values(self.cleaned_data["options"], "option")

    def check(self, data: dict) -> None:
        subnet = data.get("subnet")
        gateway, ip_range = data.get("gateway"), data.get("ip_range")
        for field, value in (("gateway", gateway), ("ip_range", ip_range)):
            if value and subnet is None and "subnet" not in self.errors:
                self.add_error(field, "give the subnet it belongs to first (--subnet)")
        if subnet is None:
            return
        if gateway and gateway not in subnet:
            self.add_error("gateway", f"{gateway} is outside the subnet {subnet}")
        if ip_range and not ip_range.subnet_of(subnet):
            self.add_error("ip_range", f"{ip_range} is not inside the subnet {subnet}")

    def build_spec(self, data: dict) -> CreateNetworkSpec:
        return CreateNetworkSpec(
            name=data["name"],
            driver=data["driver"],
            subnet=str(data["subnet"] or ""),
            gateway=str(data["gateway"] or ""),
            ip_range=str(data["ip_range"] or ""),
            internal=data["internal"],
            attachable=data["attachable"],
            labels=data["labels"],
            options=data["options"],
        )


class ConnectForm(SpecForm):
    container = text("Container", required=True, placeholder="name or id")
    aliases = lines(
        "Aliases (--alias), one per line",
        "db",
        "Other names containers on this network reach it by (its name always works).",
    )
    ip = text("IPv4 address (--ip)", placeholder="empty: the next free one")

    action = "network_connect"
    target_kind = "network"
    error_fields = (
        (r"no such container|container", "container"),
        (r"address|ip|range|subnet", "ip"),
        (r"alias", "aliases"),
    )

    def __init__(self, *args, network: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network

    def placeholder(self) -> str:
        return f"docker network connect [--alias NAME]… [--ip ADDRESS] {self.network} CONTAINER"

    def clean_aliases(self):
        aliases = split_lines(self.cleaned_data["aliases"])
        for alias in aliases:
            network_name(alias.strip())
        return tuple(alias.strip() for alias in aliases)

    def clean_ip(self):
        return ipv4_address(self.cleaned_data["ip"], "an address")

    def build_spec(self, data: dict) -> ConnectSpec:
        return ConnectSpec(self.network, data["container"], data["aliases"], str(data["ip"] or ""))


class DisconnectForm(SpecForm):
    container = forms.CharField(max_length=255, widget=forms.HiddenInput)
    force = forms.BooleanField(
        label="Force (-f)",
        required=False,
        help_text="Removes the endpoint even where the engine cannot tidy it up.",
    )

    action = "network_disconnect"
    target_kind = "network"
    error_fields = ((r"container|not connected", "force"),)

    def __init__(self, *args, network: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network

    def build_spec(self, data: dict) -> DisconnectSpec:
        return DisconnectSpec(self.network, data["container"], data["force"])


class RemoveNetworkForm(SpecForm):
    action = "remove_network"
    target_kind = "network"

    def __init__(self, *args, network: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network

    def build_spec(self, data: dict) -> RemoveNetworkSpec:
        return RemoveNetworkSpec(self.network)
