"""The paste box: real `docker run` lines fill the form, what a shell would expand is asked for.

The corpus (tests/data/docker_run_corpus.tsv) holds real commands from docker/cli's
reference and the READMEs of popular images; at least 95% of those without shell
expansions must fill the form whole, and every other one must say why.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from audit.models import AuditEntry
from containers_app import cli
from containers_app.forms import RunForm
from tests.posting import shown_command

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "data" / "docker_run_corpus.tsv"


def corpus() -> list[tuple[str, str]]:
    return [
        tuple(line.split("\t", 1))
        for line in CORPUS.read_text().splitlines()
        if line and not line.startswith("#")
    ]


def answer(question: cli.Question) -> str:
    """What a user would type for each kind of question."""
    if question.file:
        return "EXAMPLE=1\n"
    if "id -" in question.key:
        return "1000"
    if question.key.startswith("env:") or "value" in question.hint:
        return "value"
    if "image" in question.hint:
        return "alpine"
    return "/srv/app"


def fill_whole(command: str) -> tuple[bool, cli.ParsedRun, dict]:
    parsed = cli.parse_run_command(command)
    answers: dict[str, str] = {}
    for _ in range(3):  # an env file's lines may ask more
        answers |= {q.key: answer(q) for q in parsed.unanswered}
        parsed = cli.parse_run_command(command, answers)
    if not parsed.whole:
        return False, parsed, {}
    with override_settings(DOCKSIDE_ALLOWED_REGISTRIES=[]):
        form = RunForm(data=RunForm.data_from_command(parsed.values))
        return form.is_valid(), parsed, dict(form.errors)


def test_real_commands_fill_the_form_whole_and_the_rest_say_why():
    plain = whole_plain = 0
    failures = []
    for source, command in corpus():
        whole, parsed, errors = fill_whole(command)
        shell = any(q.expressions for q in cli.parse_run_command(command).questions)
        if not shell:
            plain += 1
            whole_plain += whole
        if not whole:
            reasons = parsed.problems + parsed.unsupported + [str(e) for e in errors.values()]
            failures.append((source, command))
            assert reasons, f"{command!r} does not fill the form and says nothing of why"
            assert all(reason.strip() for reason in reasons)
    assert plain >= 300, "the corpus is a few hundred real commands"
    assert whole_plain / plain >= 0.95, failures


QUESTIONS = (
    'docker run -d -v "$PWD/html":/usr/share/nginx/html -v $(pwd)/conf:/etc/nginx/conf.d'
    " -v ~/logs:/var/log/nginx -u $(id -u):$(id -g) -e TOKEN -e MODE=${MODE:-demo}"
    " -e WHO=`whoami` --env-file ./app.env -v ./data:/data nginx:1.27"
)


def post_paste(client, pasted: str, answers: dict | None = None, files: dict | None = None):
    data = {"_paste": "1", "pasted": pasted}
    data |= {f"answer:{key}": value for key, value in (answers or {}).items()}
    data |= {f"upload:{key}": upload for key, upload in (files or {}).items()}
    return client.post("/containers/run/", data)


def question_labels(html: str) -> list[str]:
    block = html[html.index('id="paste-questions"') :]
    block = block[: block.index("</fieldset>")]
    return [
        unescape(label)
        for label in re.findall(r"<label for=\"answer-\d+\"><code>(.*?)</code>", block)
    ]


def test_what_a_shell_would_expand_is_asked_for_once_each(admin_client):
    response = post_paste(admin_client, QUESTIONS)

    html = response.content.decode()
    assert response.status_code == 200
    assert question_labels(html) == [
        "$PWD, $(pwd), ./data",
        "~",
        "$(id -u)",
        "$(id -g)",
        "-e TOKEN",
        "${MODE:-demo}",
        "`whoami`",
        "./app.env",
    ]
    assert "The directory on the Docker host you want to mount." in html
    assert "Your user id on the Docker host, a number such as 1000." in html
    assert 'value="demo"' in html, "a default is offered"
    assert 'name="upload:env-file:./app.env"' in html
    assert 'id="docker-command"' in html and "docker run [OPTIONS]" in html, "not filled yet"
    assert not AuditEntry.objects.filter(action__in=["run", "create"]).exists()


def test_the_answers_fill_the_form_nothing_is_run_through_a_shell(admin_client):
    answers = {
        "PWD": "/srv/site",
        "HOME": "/home/ann",
        "$(id -u)": "1000",
        "$(id -g)": "100",
        "env:TOKEN": "t0k3n",
        "MODE": "live",
        "$(whoami)": "$(rm -rf /)",
    }
    env_file = SimpleUploadedFile("app.env", b"# app\nLEVEL=debug\n")

    response = post_paste(admin_client, QUESTIONS, answers, {"env-file:./app.env": env_file})

    html = response.content.decode()
    assert shown_command(html) == (
        "docker run -d --env-file ./app.env -e TOKEN=t0k3n -e MODE=live -e 'WHO=$(rm -rf /)'"
        " -v /srv/site/html:/usr/share/nginx/html -v /srv/site/conf:/etc/nginx/conf.d"
        " -v /home/ann/logs:/var/log/nginx -v /srv/site/data:/data -u 1000:100 nginx:1.27"
    )
    assert "LEVEL=debug</textarea>" in html


def test_a_value_taken_from_the_shell_names_its_variable(admin_client):
    response = post_paste(admin_client, "docker run -e DB_HOST -e DB_PORT=5432 postgres")

    html = response.content.decode()
    assert question_labels(html) == ["-e DB_HOST"]
    assert (
        "The value DB_HOST should have (docker run -e DB_HOST copies it from your shell)." in html
    )


def test_flags_for_a_terminal_are_accepted_and_explained(admin_client):
    response = post_paste(
        admin_client,
        "docker run -a stdout --sig-proxy=false --detach-keys ctrl-x --cidfile /tmp/id -q"
        " busybox echo hi && docker logs x",
    )

    html = unescape(response.content.decode())
    assert 'id="unsupported-flags"' not in html
    assert "--cidfile /tmp/id: accepted, it changes nothing here" in html
    assert "--sig-proxy: accepted" in html
    assert "only the first command is read: after && came 'docker logs x'" in html
    assert shown_command(html) == "docker run busybox echo hi"


def test_a_folded_section_opens_when_the_pasted_command_uses_it(admin_client):
    response = post_paste(admin_client, "docker run -d --cap-add NET_ADMIN --init busybox")

    html = response.content.decode()
    assert re.search(r'<details class="card flag-section" id="section-security" open>', html)
    assert re.search(r'<details class="card flag-section" id="section-runtime" open>', html)
    assert re.search(r'<details class="card flag-section" id="section-health">', html)


def test_every_field_names_its_flag_and_says_what_it_does():
    form = RunForm()
    for name, field in form.fields.items():
        not_flags = {"image", "command", "mode", "replace", "override_policy"}  # not docker's
        if field.widget.is_hidden or name in not_flags:
            continue
        assert re.search(r"\(-", field.label) or name == "restart_retries", name
        assert field.help_text, f"{name} says nothing of what it does"
