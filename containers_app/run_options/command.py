"""`docker run` both ways: a RunSpec as the command line, and a pasted command as form values.

`run_argv` gives the arguments in the order of the flag table. `parse_run_command`
reads a pasted command the way the docker CLI would, after the shell: what a
shell would expand, a `-e NAME` that takes its value from the shell, and the
files `--env-file` and `--label-file` name become questions, asked once each;
flags that only matter to a terminal are accepted and explained; anything the
form cannot hold is named with the reason. Nothing is ever dropped silently.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from ..masking import mask_value
from ..quoting import join
from .env_files import parse_kv_file
from .flags import BY_NAME, CLIENT_ONLY, FLAGS, NOT_HERE, SHORT, SHOWN_SHORT, Flag
from .shell import Expansion, ShellSyntaxError, split_command, word_text
from .spec import RunSpec

PROMPT = re.compile(r"\A\s*(?:[$#>]|\w+@[\w.-]+:\S*[$#])\s+(?=\S)")
ENV_QUESTION = "env:"
FILE_QUESTION = {"--env-file": "env-file:", "--label-file": "label-file:"}
CURRENT_DIRECTORY = "PWD"
RUN_ONLY = {"--detach-keys", "--sig-proxy"}
IMAGE = "IMAGE"  # where a word stands, for the hint: the image


def _shown(flag: Flag) -> str:
    return flag.short if flag.short in SHOWN_SHORT else flag.name


def _empty(flag: Flag, value) -> bool:
    if value is None or value is False or value in ("", ()):
        return True
    return (flag.attr == "pull" and value == "missing") or (
        flag.attr == "restart" and str(value) == "no"
    )


def run_argv(spec: RunSpec, mask: bool = False) -> list[str]:
    """The docker CLI arguments for a spec; `mask` hides secret-looking environment values."""
    args = ["docker", spec.verb]
    if spec.start and spec.detach:
        args.append("-d")
    if spec.interactive or spec.tty:
        args.append("-" + ("i" if spec.interactive else "") + ("t" if spec.tty else ""))
    for flag in FLAGS:
        value = getattr(spec, flag.attr)
        if flag.attr in {"interactive", "tty"}:
            continue
        if flag.attr == "env" and spec.env_file is not None:
            args += ["--env-file", spec.env_file.name]
        if flag.attr == "labels" and spec.label_file is not None:
            args += ["--label-file", spec.label_file.name]
        if flag.attr == "entrypoint" and spec.clear_entrypoint:
            args += ["--entrypoint", ""]
            continue
        if _empty(flag, value):
            continue
        name = _shown(flag)
        if flag.kind == "switch":
            args.append(name)
        elif flag.kind == "value":
            args += [name, flag.show(value)]
        else:
            for item in value:
                if mask and flag.attr == "env":
                    item = (item[0], mask_value(*item)[0])
                args += [name, flag.show(item)]
    return [*args, spec.image, *spec.command]


@dataclass
class Question:
    """Something the paste step must ask before it can fill the form."""

    key: str
    hint: str
    expressions: list[str] = field(default_factory=list)  # as written: $PWD, $(pwd)
    default: str = ""
    file: bool = False  # the answer is a file's content
    answer: str | None = None  # None: not answered yet

    @property
    def label(self) -> str:
        if self.key.startswith(ENV_QUESTION):
            return f"-e {self.key.removeprefix(ENV_QUESTION)}"
        if self.file:
            return self.key.partition(":")[2]
        return ", ".join(dict.fromkeys(self.expressions)) or self.key


@dataclass
class ParsedRun:
    """Form values read from a pasted command, and everything the reader has to say about it.

    `problems`: the command cannot fill the form at all. `unsupported`: flags the
    form cannot hold (with why). `notes`: flags accepted that change nothing here.
    `questions`: what the paste step asks (the form is filled once all are answered).
    """

    values: dict[str, str | bool] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    @property
    def unanswered(self) -> list[Question]:
        return [question for question in self.questions if question.answer is None]

    @property
    def whole(self) -> bool:
        """The form holds the whole command."""
        return not (self.problems or self.unsupported or self.unanswered)


def _hint(flag_name: str, expansion: Expansion, value: str) -> str:
    """What to answer for a shell expansion, from where it stands."""
    key = expansion.key
    if key == "$(id -u)":
        return "your user id on the Docker host, a number such as 1000"
    if key == "$(id -g)":
        return "your group id on the Docker host, a number such as 1000"
    if _in_mount_source(flag_name, expansion.text, value):
        return "the directory on the Docker host you want to mount"
    if flag_name == IMAGE:
        return "the image to run, such as nginx:1.27"
    if key == "PWD":
        return "the directory on the Docker host that stands for the current directory"
    if key == "HOME":
        return "your home directory on the Docker host, such as /home/you"
    if flag_name == "--env":
        variable = value.partition("=")[0]
        return f"the value {variable} should have in the container"
    if flag_name == "--user":
        return "a user name or id inside the container, such as 1000"
    return "the value your shell would put there"


def _in_mount_source(flag_name: str, text: str, value: str) -> bool:
    """Whether `text` stands in the host part of `-v SOURCE:TARGET` or `--mount source=...`."""
    if flag_name == "--volume":
        return value.find(text) < value.find(":")
    if flag_name == "--mount":
        return any(
            text in field and field.startswith(("source=", "src=")) for field in value.split(",")
        )
    return False


class _Reader:
    """Walks the words of one `docker run`, collecting values, notes and questions."""

    def __init__(self, answers: dict[str, str] | None) -> None:
        self.answers = answers or {}
        self.parsed = ParsedRun()
        self.questions: dict[str, Question] = {}
        self.words: list = []
        self.lists: dict[str, list[str]] = {}

    def ask(
        self, key: str, hint: str, expression: str = "", default: str = "", file: bool = False
    ) -> str | None:
        """Note the question (once per key); its answer, if it was given."""
        question = self.questions.setdefault(key, Question(key, hint, default=default, file=file))
        if expression:
            question.expressions.append(expression)
        return self.answers.get(key)

    def text(self, word, flag_name: str = "") -> str:
        """A word with the answers put in (an expansion not answered yet stays as written)."""
        out = []
        written = word_text(word)
        for part in word:
            if isinstance(part, str):
                out.append(part)
                continue
            answer = self.ask(
                part.key, _hint(flag_name, part, written), part.text, part.default or ""
            )
            out.append(part.text if answer is None else answer)
        return "".join(out)

    def take(self, what: str = "") -> str:
        return self.text(self.words.pop(0), what)

    def add(self, form_field: str, line: str) -> None:
        self.lists.setdefault(form_field, []).append(line)


def _next_flag(reader: _Reader) -> tuple[str, str | None, bool]:
    """One flag off the front: (long name, value or None, whether it is known)."""
    word = reader.words[0]
    token = word_text(word)
    if token.startswith("--"):
        name, eq, _ = token.partition("=")
        known = _takes_value(name)
        if known is None:
            reader.words.pop(0)
            return name, None, False
        if not known:
            reader.words.pop(0)
            return name, (token.partition("=")[2] if eq else "true"), True
        if eq:
            value = reader.text(reader.words.pop(0), name).partition("=")[2]
            return name, value, True
        reader.words.pop(0)
        if not reader.words:
            raise ValueError(f"{name} needs a value")
        return name, reader.text(reader.words.pop(0), name), True
    short, rest = token[:2], token[2:]
    name = SHORT.get(short)
    if name is None:
        reader.words.pop(0)
        return short, None, False
    if _takes_value(name):
        if rest:
            value = reader.text(reader.words.pop(0), name)[2:].removeprefix("=")
            return name, value, True
        reader.words.pop(0)
        if not reader.words:
            raise ValueError(f"{short} needs a value")
        return name, reader.text(reader.words.pop(0), name), True
    reader.words.pop(0)
    if rest.startswith("="):
        return name, rest[1:], True
    if rest:
        reader.words.insert(0, ["-" + rest])
    return name, "true", True


def _takes_value(name: str) -> bool | None:
    """True / False for a known flag, None for one docker run does not have."""
    if name in BY_NAME:
        return BY_NAME[name].kind != "switch"
    if name in {"--env-file", "--label-file"}:
        return True
    if name == "--detach":
        return False
    for table in (CLIENT_ONLY, NOT_HERE):
        if name in table:
            return table[name][0]
    return None


def _strip_prefix(reader: _Reader) -> str | None:
    """Drop `sudo docker [container]`; return `run` or `create`."""
    parsed = reader.parsed
    tokens = reader.words
    if tokens and word_text(tokens[0]) == "sudo":
        tokens.pop(0)
    if not tokens or word_text(tokens[0]) != "docker":
        parsed.problems.append("a docker run or docker create command starts with `docker`")
        return None
    tokens.pop(0)
    while tokens and word_text(tokens[0]).startswith("-"):
        parsed.unsupported.append(f"{word_text(tokens.pop(0))} (a global docker option)")
    if tokens and word_text(tokens[0]) == "container":
        tokens.pop(0)
    verb = word_text(tokens.pop(0)) if tokens else ""
    if verb not in {"run", "create"}:
        parsed.problems.append(
            f"only docker run and docker create can fill this form, not {verb!r}"
        )
        return None
    return verb


def _switch(reader: _Reader, name: str, value: str) -> bool | None:
    if value not in {"true", "false", "1", "0"}:
        reader.parsed.problems.append(f"{name} takes true or false, not {value!r}")
        return None
    return value in {"true", "1"}


def _relative_source(reader: _Reader, name: str, value: str) -> str:
    """`-v ./data:/data`: the CLI makes it absolute from its current directory; ask which."""
    if name == "--volume":
        source, colon, rest = value.partition(":")
        if not (colon and source.startswith(".")):
            return value
    elif name == "--mount":
        match = re.search(r"(?:^|,)(?:source|src)=(\.[^,]*)", value)
        if not match:
            return value
        source = match[1]
    else:
        return value
    base = reader.ask(
        CURRENT_DIRECTORY,
        f"the directory on the Docker host that {source} is relative to",
        expression=source,
    )
    if base is None:
        return value
    absolute = posixpath.normpath(posixpath.join(base, source))
    if name == "--volume":
        return f"{absolute}:{rest}"
    return value.replace(f"={source}", f"={absolute}", 1)


def _file(reader: _Reader, name: str, path: str) -> None:
    """`--env-file PATH`: its lines, asked for (the file is on the user's machine)."""
    what = "environment variables" if name == "--env-file" else "labels"
    content = reader.ask(
        FILE_QUESTION[name] + path,
        f"the lines of {path}: {what}, one KEY=value per line (upload the file or paste it)",
        file=True,
    )
    prefix = "env" if name == "--env-file" else "label"
    if f"{prefix}_file_name" in reader.parsed.values:
        reader.parsed.unsupported.append(
            f"{name} {path} (the form holds one {name}; put its lines in the first)"
        )
        return
    reader.parsed.values[f"{prefix}_file_name"] = path
    if content is None:
        return
    try:
        pairs = parse_kv_file(content)
    except ValueError as exc:
        reader.parsed.problems.append(f"{name} {path}: {exc}")
        return
    lines = []
    for key, value in pairs:
        if value is None and name == "--env-file":
            value = reader.ask(
                ENV_QUESTION + key,
                f"the value {key} should have ({path} names it without one: the CLI would take"
                " it from your shell)",
            )
            if value is None:
                continue
        lines.append(key if value is None else f"{key}={value}")
    reader.parsed.values[f"{prefix}_file"] = "\n".join(lines)


def _env(reader: _Reader, value: str) -> str | None:
    """`-e NAME` takes its value from the shell: ask for it."""
    if "=" in value:
        return value
    answer = reader.ask(
        ENV_QUESTION + value,
        f"the value {value} should have (docker run -e {value} copies it from your shell)",
    )
    return None if answer is None else f"{value}={answer}"


def _flag_value(reader: _Reader, verb: str, name: str, value: str) -> None:
    parsed = reader.parsed
    values = parsed.values
    if "\n" in value or "\r" in value:
        parsed.unsupported.append(
            f"{name} {value!r} (its value holds a line break; the form's fields cannot hold one)"
        )
    elif name in {"--env-file", "--label-file"}:
        _file(reader, name, value)
    elif name == "--detach":
        values["detach"] = bool(_switch(reader, name, value))
    elif verb == "create" and name in RUN_ONLY:
        parsed.unsupported.append(f"{name} (not a docker create flag: docker run has it)")
    elif name in CLIENT_ONLY:
        shown = name if not CLIENT_ONLY[name][0] else f"{name} {value}"
        reason = CLIENT_ONLY[name][1]
        parsed.notes.append(f"{shown}: accepted, it changes nothing here: it {reason}")
    elif name in NOT_HERE:
        shown = name if not NOT_HERE[name][0] else f"{name} {value}"
        parsed.unsupported.append(f"{shown} ({name} {NOT_HERE[name][1]})")
    else:
        flag = BY_NAME[name]
        if flag.kind == "switch":
            values[flag.attr] = bool(_switch(reader, name, value))
        elif flag.attr == "entrypoint" and value == "":
            values["clear_entrypoint"] = True
            values["entrypoint"] = ""
        elif flag.kind == "value":
            values[flag.form_field] = value
        elif flag.attr == "env":
            line = _env(reader, value)
            if line is not None:
                reader.add(flag.form_field, line)
        else:
            reader.add(flag.form_field, _relative_source(reader, name, value))


def parse_run_command(text: str, answers: dict[str, str] | None = None) -> ParsedRun:
    """Read `docker run ...` into the run form's field values (see ParsedRun)."""
    reader = _Reader(answers)
    parsed = reader.parsed
    try:
        split = split_command(PROMPT.sub("", text, count=1))
    except ShellSyntaxError as exc:
        parsed.problems.append(f"the command cannot be split like a shell would: {exc}")
        return parsed
    reader.words = list(split.words)
    if split.rest:
        parsed.notes.append(
            f"only the first command is read: after {split.ended_by} came {split.rest[:200]!r},"
            " which is left out"
        )
    verb = _strip_prefix(reader)
    if verb is None:
        return parsed
    while reader.words and word_text(reader.words[0]).startswith("-") and reader.words[0] != ["-"]:
        if word_text(reader.words[0]) == "--":
            reader.words.pop(0)
            break
        try:
            name, value, known = _next_flag(reader)
        except ValueError as exc:
            parsed.problems.append(str(exc))
            break
        if not known:
            parsed.unsupported.append(f"{name} (not a docker {verb} flag)")
            continue
        _flag_value(reader, verb, name, value)
    if not reader.words:
        parsed.problems.append("the command names no image")
        return parsed
    parsed.values["image"] = reader.take(IMAGE)
    arguments = [reader.take() for _ in list(reader.words)]
    if any("\n" in argument or "\r" in argument for argument in arguments):
        parsed.unsupported.append(
            "the command: an argument holds a line break, which the form cannot hold"
        )
    parsed.values["command"] = join(arguments)
    _finish(parsed, reader, verb)
    return parsed


def _finish(parsed: ParsedRun, reader: _Reader, verb: str) -> None:
    values = parsed.values
    detach = bool(values.pop("detach", False))
    if verb == "create":
        values["mode"] = "create"
        if detach:
            parsed.unsupported.append("--detach (docker create does not start the container)")
    else:
        values["mode"] = "detach" if detach else "foreground"
    for flag in FLAGS:
        if flag.kind == "switch":
            values.setdefault(flag.attr, False)
    for name, lines in reader.lists.items():
        values[name] = "\n".join(lines)
    parsed.questions = list(reader.questions.values())
    for question in parsed.questions:
        question.answer = reader.answers.get(question.key)
