"""What the docker CLI refuses about a whole `docker run`, before it asks the engine.

Each problem names the form field it belongs to, so it is said there.
"""

from __future__ import annotations

from .networks import user_defined
from .spec import RunSpec


def problems(spec: RunSpec) -> list[tuple[str, str]]:
    """(form field, message) for each combination the CLI would refuse."""
    found = []
    if spec.remove and spec.restart.name != "no":
        found.append(("restart", "--rm and a restart policy exclude each other: choose one"))
    if spec.no_healthcheck and spec.healthcheck_set:
        found.append(
            ("no_healthcheck", "--no-healthcheck turns the check off: clear the --health-* fields")
        )
    if spec.log_driver == "none" and spec.log_opts:
        found.append(("log_opts", "the none log driver takes no options"))
    found += _network_problems(spec)
    return found


def _network_problems(spec: RunSpec) -> list[tuple[str, str]]:
    names = [attachment.name for attachment in spec.networks]
    if len(set(names)) != len(names):
        return [("network", "a network is named twice: connect to each network once")]
    mine = [name for name in names if user_defined(name)]
    if mine and len(mine) != len(names):
        return [
            (
                "network",
                "a container on bridge, host, none or container:NAME cannot be on networks"
                " you made as well",
            )
        ]
    found = []
    first_is_mine = bool(names) and user_defined(names[0])
    if spec.network_aliases and not first_is_mine:
        found.append(
            ("network_aliases", "aliases work on a network you made: name one under Network")
        )
    for attachment in spec.networks[1:]:
        if attachment.aliases and not user_defined(attachment.name):
            found.append(
                ("network", f"aliases work on networks you made, not on {attachment.name}")
            )
    if spec.networks:
        first = spec.networks[0]
        for field, flag, alone, inside in (
            ("network_aliases", "--network-alias", spec.network_aliases, first.aliases),
            ("ip", "--ip", spec.ip, first.ip),
            ("ip6", "--ip6", spec.ip6, first.ip6),
            ("mac_address", "--mac-address", spec.mac_address, first.mac_address),
            ("link_local_ips", "--link-local-ip", spec.link_local_ips, first.link_local_ips),
        ):
            if alone and inside:
                found.append(
                    (field, f"{flag}: give it here or inside --network {first.name}, not both")
                )
    return found
