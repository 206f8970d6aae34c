"""The lines of an `--env-file` or `--label-file`, read as the docker CLI reads them.

A BOM is dropped, leading whitespace too; empty lines and lines starting with
`#` are skipped; `KEY=value` keeps the value exactly (quotes and trailing spaces
included: no shell rules apply); `KEY` alone has no value here (the CLI would
look it up in its own environment).
"""

from __future__ import annotations

MAX_LINE = 64 * 1024  # bufio.MaxScanTokenSize


def parse_kv_file(content: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for number, raw in enumerate(content.removeprefix("\ufeff").split("\n"), start=1):
        raw = raw.removesuffix("\r")  # lines end at \n only, as Go's scanner reads them
        if len(raw) > MAX_LINE:
            raise ValueError(f"line {number} is longer than {MAX_LINE:,} characters")
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        if not key:
            raise ValueError(f"line {number} has no variable name: {line!r}")
        if any(c in " \t" for c in key):
            raise ValueError(f"line {number}: the name {key!r} contains whitespace")
        pairs.append((key, value if eq else None))
    return pairs
