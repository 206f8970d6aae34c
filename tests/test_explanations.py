"""The "why" beside the "what": exit codes and ports in words, and where the pages explain."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import docker
import pytest

from containers_app.docker_service.containers import ContainerState, PublishedPort
from containers_app.pages.explanations import Words, exit_meaning, port_sentences
from tests import support
from tests.pages import text

FINISHED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def state(exit_code: int = 0, *, running=False, oom_killed=False, finished=FINISHED):
    return ContainerState(
        status="running" if running else "exited",
        running=running,
        paused=False,
        restarting=False,
        oom_killed=oom_killed,
        pid=0,
        exit_code=exit_code,
        error="",
        started_at=FINISHED,
        finished_at=finished,
        health="",
    )


# --- units ------------------------------------------------------------------------------


def test_words_render_commands_as_code_and_escape_the_rest():
    words = Words("`docker stop <name>` & wait")

    assert str(words) == "docker stop <name> & wait"
    assert words.html == "<code>docker stop &lt;name&gt;</code> &amp; wait"


def test_no_exit_meaning_while_running_or_before_the_first_run():
    assert exit_meaning(state(running=True)) is None
    assert exit_meaning(state(0, finished=None)) is None


def test_exit_137_is_sigkill_with_the_oomkilled_flag_and_the_stop_wait():
    meaning = exit_meaning(state(137))

    assert meaning.kind == "sigkill" and meaning.key == "exit-sigkill"
    assert meaning.question == "What does exit code 137 mean?"
    assert str(meaning.meaning) == (
        "137 = 128 + 9: the process was killed with SIGKILL, which it cannot catch or ignore:"
        " by docker kill, by docker stop once its timeout ran out, or by the out-of-memory"
        " killer. Its OOMKilled flag is false, so not that."
    )
    wait = str(meaning.stop_wait)
    assert wait.startswith(
        "docker stop sends SIGTERM, waits 10 s (the default stop timeout), then kills with"
        " SIGKILL. So 137 after docker stop usually means the process ignored SIGTERM"
    )
    assert "does not say whether it was stopped or killed" in wait


def test_the_stop_wait_names_the_containers_own_stop_signal_and_timeout():
    wait = str(exit_meaning(state(137), stop_signal="SIGQUIT", stop_timeout=30).stop_wait)

    assert wait.startswith(
        "docker stop sends its STOPSIGNAL (SIGQUIT) instead of SIGTERM, waits 30 s"
        " (its --stop-timeout)"
    )
    assert str(exit_meaning(state(137), stop_signal="SIGTERM").stop_wait).startswith(
        "docker stop sends SIGTERM, waits 10 s"
    )


def test_exit_137_with_oomkilled_is_the_out_of_memory_killer_and_no_stop_story():
    meaning = exit_meaning(state(137, oom_killed=True))

    assert meaning.kind == "oom"
    assert "OOMKilled flag is true: the kernel's out-of-memory killer ended it" in str(
        meaning.meaning
    )
    assert meaning.stop_wait is None


@pytest.mark.parametrize(
    ("code", "kind", "start"),
    [
        (0, "success", "0: the main process ended by itself and reported success."),
        (143, "sigterm", "143 = 128 + 15: the process ended on SIGTERM"),
        (126, "not-executable", "126: the command was found but could not be executed"),
        (127, "not-found", "127: the command was not found"),
        (130, "signal", "130 = 128 + 2: the process was ended by signal 2 (SIGINT)."),
        (3, "error", "3: the program's own exit code"),
    ],
)
def test_exit_code_meanings(code, kind, start):
    meaning = exit_meaning(state(code))

    assert meaning.kind == kind
    assert str(meaning.meaning).startswith(start)
    assert meaning.stop_wait is None


def test_a_start_that_failed_has_an_exit_code_though_it_never_finished():
    assert exit_meaning(state(127, finished=None)).kind == "not-found"


def test_oomkilled_with_another_exit_code_says_so():
    meaning = str(exit_meaning(state(1, oom_killed=True)).meaning)

    assert meaning.startswith("1: the program's own exit code")
    assert "OOMKilled flag is true: the out-of-memory killer ended a process in it" in meaning


def port(container_port="80", host_ip="127.0.0.1", host_port="18080", proto="tcp", free=False):
    return PublishedPort(container_port, proto, host_ip, host_port, any_free_port=free)


def sentences(*ports, running=True, **kwargs) -> list[str]:
    words = port_sentences(tuple(ports), running=running, **kwargs)
    assert words.problem is None
    return [str(sentence) for sentence in words.sentences]


def test_a_loopback_binding_in_words():
    assert sentences(port()) == [
        "Connections to port 18080 on the host's loopback address 127.0.0.1 are forwarded to"
        " port 80/tcp in the container; only programs on the host itself can connect."
    ]


def test_all_addresses_ipv4_and_ipv6_are_one_sentence():
    shown = sentences(port(host_ip="0.0.0.0"), port(host_ip="::"), port("53", "", "5353", "udp"))

    assert shown == [
        "Connections to port 18080 on any of the host's addresses (0.0.0.0 and ::) are"
        " forwarded to port 80/tcp in the container; other machines that reach the host can"
        " connect too.",
        "Connections to port 5353 on any of the host's addresses (0.0.0.0) are forwarded to"
        " port 53/udp in the container; other machines that reach the host can connect too.",
    ]


def test_ports_of_a_container_that_is_not_running_will_be_forwarded():
    shown = sentences(port(), port("9090", "", "", free=True), port("7070", "", ""), running=False)

    assert shown[0].startswith("Connections to port 18080 on the host's loopback address")
    assert " will be forwarded to port 80/tcp" in shown[0]
    assert shown[1] == (
        "Connections to a free port the engine picks on any of the host's addresses (0.0.0.0)"
        " will be forwarded to port 9090/tcp in the container; other machines that reach the"
        " host can connect too. docker port tells which, once it runs."
    )
    assert shown[2].startswith("7070/tcp is exposed but not published")


def test_bindings_on_the_network_none_are_configured_but_cannot_work():
    bindings = (port(), port("53", "", "", "udp", free=True))

    words = port_sentences((), running=True, network_mode="none", bindings=bindings)

    assert words.sentences == ()
    assert str(words.problem) == (
        "Published ports are configured (-p 127.0.0.1:18080:80, -p 53/udp) but cannot work:"
        " with the network none, the container has only its own loopback interface, so"
        " nothing from the host can reach it."
    )
    stopped = port_sentences(bindings, running=False, network_mode="none", bindings=bindings)
    assert stopped.problem == words.problem and stopped.sentences == ()


def test_the_network_none_without_bindings_is_no_problem():
    exposed = port("80", "", "")

    words = port_sentences((exposed,), running=False, network_mode="none", bindings=())

    assert words.problem is None
    assert str(words.sentences[0]).startswith("80/tcp is exposed but not published")


def test_bindings_on_the_host_network_are_ignored():
    words = port_sentences((), running=True, network_mode="host", bindings=(port(),))

    assert str(words.problem).startswith(
        "Published ports are configured (-p 127.0.0.1:18080:80) but ignored: with the network"
        " host, the container shares the host's network"
    )


# --- pages ------------------------------------------------------------------------------


class _Explanations(HTMLParser):
    """Every <details class="explain">: its key, whether it is open, its summary and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: dict[str, dict] = {}
        self.current: dict | None = None
        self.depth = 0
        self.in_summary = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "details" and self.current is not None:
            self.depth += 1
        elif tag == "details" and "explain" in (attributes.get("class") or "").split():
            self.current = {
                "open": "open" in attributes,
                "class": attributes["class"],
                "summary": "",
                "text": "",
            }
            self.found[attributes["data-explain"]] = self.current
        elif tag == "summary" and self.current is not None:
            self.in_summary = True

    def handle_endtag(self, tag):
        if tag == "summary":
            self.in_summary = False
        elif tag == "details" and self.current is not None:
            if self.depth:
                self.depth -= 1
            else:
                self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["summary" if self.in_summary else "text"] += data


def explanations(html: str) -> dict[str, dict]:
    parser = _Explanations()
    parser.feed(html)
    for found in parser.found.values():
        found["summary"] = " ".join(found["summary"].split())
        found["text"] = " ".join(found["text"].split())
    return parser.found


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/images/", "/containers/run/"])
def test_images_page_and_run_form_explain_image_versus_container(admin_client, docker_api, path):
    html = admin_client.get(path).content.decode()

    found = explanations(html)["image-vs-container"]
    assert found["open"], "open until the user closes it"
    assert found["summary"] == "What is the difference between an image and a container?"
    assert "An image is a read-only stack of layers" in found["text"]
    assert "A container is an image plus a writable layer of its own" in found["text"]
    assert "Many containers can run from one image" in found["text"]
    assert (
        "Removing a container (docker rm) loses its writable layer, not the image."
        in (found["text"])
    )
    assert re.search(r"<script src=\"/static/js/explain[.\w]*\.js\" defer></script>", html)


@pytest.mark.django_db
def test_a_published_port_in_words(admin_client, make_container):
    host_port = support.free_port()
    container = make_container(
        ["httpd", "-f", "-p", "80"],
        hint="explain-ports",
        ports=[80],
        host_config={"network_mode": "bridge", "port_bindings": {80: ("127.0.0.1", host_port)}},
    )

    html = admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode()

    found = explanations(html)["ports"]
    assert found["open"] and found["summary"] == "What do these ports mean?"
    assert (
        f"Connections to port {host_port} on the host's loopback address 127.0.0.1 are"
        " forwarded to port 80/tcp in the container; only programs on the host itself can"
        " connect."
    ) in found["text"]
    assert 'id="ports-problem"' not in html


@pytest.mark.django_db
def test_a_published_port_on_the_network_none_is_configured_but_cannot_work(
    admin_client, make_container
):
    host_port = support.free_port()
    container = make_container(
        ["sleep", "600"],
        hint="explain-none",
        ports=[80],
        host_config={"port_bindings": {80: ("127.0.0.1", host_port)}},  # network none
    )
    assert container["State"]["Running"]

    page = text(admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode())

    assert re.search(
        rf"Published ports are configured \( ?-p 127\.0\.0\.1:{host_port}:80 ?\) but cannot"
        " work: with the network none,",
        page,
    )
    assert "No ports exposed or published" not in page


@pytest.mark.django_db
def test_exit_137_after_a_stop_explains_the_wait_with_the_containers_own_settings(
    admin_client, make_container, docker_api
):
    # sleep as PID 1 ignores the stop signal: the stop waits out the timeout, then kills.
    container = make_container(
        ["sleep", "600"], hint="explain-137", stop_signal="SIGUSR1", stop_timeout=1
    )
    docker_api.stop(container["Id"])  # no -t: the container's own --stop-timeout

    html = admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode()

    assert "Exit code 137 · OOMKilled false" in text(html)
    found = explanations(html)["exit-sigkill"]
    assert found["open"] and found["summary"] == "What does exit code 137 mean?"
    assert "137 = 128 + 9: the process was killed with SIGKILL" in found["text"]
    assert "Its OOMKilled flag is false, so not that." in found["text"]
    assert (
        "docker stop sends its STOPSIGNAL (SIGUSR1) instead of SIGTERM, waits 1 s"
        " (its --stop-timeout), then kills with SIGKILL. So 137 after docker stop usually"
        " means the process ignored SIGTERM"
    ) in found["text"]
    assert "<code>docker stop</code>" in html


@pytest.mark.django_db
def test_an_out_of_memory_kill_shows_the_oomkilled_flag(admin_client, make_container):
    container = make_container(
        ["sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a)"],
        hint="explain-oom",
        wait=True,
        host_config={"mem_limit": "16m", "memswap_limit": "16m"},
    )
    assert container["State"]["OOMKilled"], "the engine's cgroups could not provoke an OOM kill"

    html = admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode()

    assert "Exit code 137 · OOMKilled true (out of memory)" in text(html)
    found = explanations(html)["exit-oom"]
    assert "the kernel's out-of-memory killer ended it" in found["text"]
    assert "docker stop sends" not in found["text"]


@pytest.mark.django_db
def test_a_command_not_found_has_its_exit_code_explained(admin_client, make_container, docker_api):
    container = make_container(["no-such-command"], hint="explain-127", start=False)
    with pytest.raises(docker.errors.APIError):
        docker_api.start(container["Id"])

    html = admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode()

    assert "Exit code 127 · OOMKilled false" in text(html)
    found = explanations(html)["exit-not-found"]
    assert found["summary"] == "What does exit code 127 mean?"
    assert "127: the command was not found" in found["text"]


@pytest.mark.django_db
def test_image_history_explains_its_columns_layers_and_missing_ids(admin_client, docker_api):
    html = admin_client.get(f"/images/{support.BASE_IMAGE}/").content.decode()

    found = explanations(html)["image-history"]
    assert found["summary"] == "What do these columns mean, and why <missing>?"
    assert "Each Dockerfile instruction makes a layer" in found["text"]
    for column in ("Image:", "Created:", "Created by:", "Size:", "Comment:"):
        assert column in found["text"]
    assert "<missing> means the layer was built elsewhere" in found["text"]
    assert html.index('id="history-command"') < html.index('data-explain="image-history"')
    assert html.index('data-explain="image-history"') < html.index('id="history-table"')


@pytest.mark.django_db
def test_commit_warns_that_the_environment_goes_into_the_image(admin_client, make_container):
    container = make_container(
        hint="explain-commit", environment=["GREETING=hello", "API_TOKEN=hunter2-secret"]
    )
    short = container["Id"][:12]

    html = admin_client.get(f"/containers/{short}/commit/").content.decode()

    found = explanations(html)["commit-environment"]
    assert "explain-warn" in found["class"]
    assert found["summary"] == (
        "The container's environment, secrets included, is baked into the new image"
    )
    assert "docker image inspect" in found["text"]
    assert re.search(r"GREETING, API_TOKEN \(looks secret\)", found["text"])
    assert "hunter2-secret" not in html
    for verb in ("stop", "rename", "exec"):
        other = admin_client.get(f"/containers/{short}/{verb}/").content.decode()
        assert "commit-environment" not in other, verb
