"""A pasted command split into words as a POSIX shell would, without running anything.

What a shell would expand (`$PWD`, `${HOME}`, `${VAR:-default}`, `$(pwd)`,
backticks, `~/`) is kept as an `Expansion` inside its word, so the paste step
can ask for each value once and put the answers in. Nothing here is ever
handed to a shell. A command ends at `;`, `&&`, `|`, `&`, a redirection, a
comment or the end of a line (backslash-newline continues it), as in a shell:
what follows is reported, not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SPECIAL = re.compile(r"[0-9@*#?$!-]")
OPERATORS = ("&&", "||", ";;", ";", "&", "|")
REDIRECTS = re.compile(r"\d*(>>|>&|<&|<<|>|<)")
# A command the shell would run only to print something well known: asked as that value.
KNOWN_COMMANDS = {"pwd": "PWD", "echo $PWD": "PWD", "echo $HOME": "HOME"}
ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a"}


@dataclass(frozen=True)
class Expansion:
    """Something a shell would replace: its text as written, what it asks for, a default."""

    text: str
    key: str
    default: str | None = None


Part = str | Expansion


@dataclass
class Split:
    """The words of the first command, and what was left after it."""

    words: list[list[Part]] = field(default_factory=list)
    rest: str = ""  # what followed the first command (after ;, &&, |, a redirection...)
    ended_by: str = ""


class ShellSyntaxError(ValueError):
    pass


def _expansion_key(inner: str, command: bool) -> tuple[str, str | None]:
    """What a `$...` asks for: a variable's name (with its default) or a command's text."""
    if command:
        text = " ".join(inner.split())
        return KNOWN_COMMANDS.get(text, f"$({text})"), None
    match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])(?:(:?[-=])(.*))?", inner, re.S)
    if match:  # ${NAME}, or ${NAME:-default}: the variable's value, the default offered
        return match[1], match[3]
    if not re.match(r"#?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])", inner):
        raise ShellSyntaxError(f"${{{inner}}} is not a parameter a shell can expand")
    return f"${{{inner}}}", None  # ${NAME%x}, ${NAME:+y}, ${#NAME}: a value of its own


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def peek(self, size: int = 1) -> str:
        return self.text[self.position : self.position + size]

    def take(self, size: int = 1) -> str:
        piece = self.peek(size)
        self.position += len(piece)
        return piece

    def done(self) -> bool:
        return self.position >= len(self.text)

    def until_closing(self, opening: str, closing: str) -> str:
        """The text up to the matching `closing` (nesting counted), which is consumed."""
        depth, start = 1, self.position
        while not self.done():
            char = self.take()
            if char == "\\":
                self.take()
            elif char == "'" and opening == "(":
                while not self.done() and self.take() != "'":
                    pass
            elif char == opening and opening != closing:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return self.text[start : self.position - 1]
        raise ShellSyntaxError(f"a {opening} is never closed with {closing}")


def _dollar(reader: _Reader) -> Part:
    """After a `$`: an expansion, or a plain `$`."""
    if reader.peek(2) == "((":
        reader.take(2)
        inner = reader.until_closing("(", ")")
        if reader.take() != ")":
            raise ShellSyntaxError("$(( is never closed with ))")
        return Expansion(f"$(({inner}))", f"$(({inner}))")
    if reader.peek() == "(":
        reader.take()
        inner = reader.until_closing("(", ")")
        key, _ = _expansion_key(inner, command=True)
        return Expansion(f"$({inner})", key)
    if reader.peek() == "{":
        reader.take()
        inner = reader.until_closing("{", "}")
        key, default = _expansion_key(inner, command=False)
        return Expansion(f"${{{inner}}}", key, default)
    match = NAME.match(reader.text, reader.position) or SPECIAL.match(reader.text, reader.position)
    if match:
        reader.position = match.end()
        return Expansion(f"${match[0]}", match[0])
    return "$"


def _ansi_c(reader: _Reader) -> str:
    out = []
    while not reader.done():
        char = reader.take()
        if char == "'":
            return "".join(out)
        if char == "\\" and not reader.done():
            escaped = reader.take()
            out.append(ANSI_ESCAPES.get(escaped, "\\" + escaped))
        else:
            out.append(char)
    raise ShellSyntaxError("a $' quote is never closed")


def split_command(text: str) -> Split:
    """The first command's words, each a list of literal text and expansions."""
    reader = _Reader(text)
    result = Split()
    word: list[Part] = []
    in_word = False

    def add(part: Part) -> None:
        nonlocal in_word
        in_word = True
        if isinstance(part, str):
            if word and isinstance(word[-1], str):
                word[-1] += part
            else:
                word.append(part)  # "" too: an empty quoted string is a word
            return
        if word and word[-1] == "":
            word.pop()
        word.append(part)

    def end_word() -> None:
        nonlocal word, in_word
        if in_word:
            result.words.append(word)
        word, in_word = [], False

    while not reader.done():
        char = reader.peek()
        if char == "\\":
            reader.take()
            following = reader.take()
            if following == "\n":
                continue
            if following == "\r" and reader.peek() == "\n":
                reader.take()
                continue
            add(following)
        elif char == "'":
            reader.take()
            start = reader.position
            end = text.find("'", start)
            if end < 0:
                raise ShellSyntaxError("a ' quote is never closed")
            add(text[start:end])
            reader.position = end + 1
        elif char == '"':
            reader.take()
            _double_quoted(reader, add)
        elif char == "$" and reader.peek(2) == "$'":
            reader.take(2)
            add(_ansi_c(reader))
        elif char == "$":
            reader.take()
            add(_dollar(reader))
        elif char == "`":
            reader.take()
            inner = reader.until_closing("`", "`")
            add(Expansion(f"`{inner}`", _expansion_key(inner, command=True)[0]))
        elif char == "~" and not in_word:
            reader.take()
            user = re.match(r"[A-Za-z0-9_.-]*", text[reader.position :])[0]
            if reader.peek(len(user) + 1)[len(user) :] in {"", "/", " ", "\t", "\n", ":"}:
                reader.position += len(user)
                add(Expansion(f"~{user}", f"~{user}" if user else "HOME"))
            else:
                add("~")
        elif char in " \t":
            reader.take()
            end_word()
        elif char in "\r\n" and not result.words and not in_word:
            reader.take()  # blank lines before the command
        elif char in "\r\n" or (char == "#" and not in_word):
            end_word()
            rest = text[reader.position + 1 :].strip()
            if rest:
                result.rest = rest
                result.ended_by = "a comment" if char == "#" else "the end of the line"
            return result
        elif operator := next((op for op in OPERATORS if reader.peek(len(op)) == op), None):
            end_word()
            result.rest = text[reader.position + len(operator) :].strip()
            result.ended_by = operator
            return result
        elif char in "<>" or (not in_word and REDIRECTS.match(text, reader.position)):
            end_word()
            result.rest = text[reader.position :].strip()
            result.ended_by = "a redirection"
            return result
        else:
            add(reader.take())
    end_word()
    return result


def _double_quoted(reader: _Reader, add) -> None:
    add("")
    while not reader.done():
        char = reader.take()
        if char == '"':
            return
        if char == "\\" and reader.peek() in {"$", "`", '"', "\\", "\n"}:
            escaped = reader.take()
            if escaped != "\n":
                add(escaped)
        elif char == "$":
            add(_dollar(reader))
        elif char == "`":
            inner = reader.until_closing("`", "`")
            add(Expansion(f"`{inner}`", _expansion_key(inner, command=True)[0]))
        else:
            add(char)
    raise ShellSyntaxError('a " quote is never closed')


def word_text(word: list[Part]) -> str:
    """A word as it was written (expansions as their text)."""
    return "".join(part if isinstance(part, str) else part.text for part in word)
