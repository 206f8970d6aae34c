"""Read tables and texts out of Dockside's HTML, for assertions on what a user sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Row:
    attrs: dict[str, str | None]
    cells: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return "hidden" in self.attrs


class _TableParser(HTMLParser):
    """Rows and header texts; the selection column (class "select") is left out."""

    def __init__(self, table_id: str):
        super().__init__(convert_charrefs=True)
        self.table_id = table_id
        self.depth = 0
        self.in_body = False
        self.headers: list[str] = []
        self.rows: list[Row] = []
        self.cell: list[str] | None = None
        self.header: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and (self.depth or attributes.get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append(Row(attributes))
        elif "select" in (attributes.get("class") or "").split():
            return
        elif tag == "td" and self.rows:
            self.cell = []
        elif tag == "th" and not self.in_body:
            self.header = []
        elif tag == "a" and self.rows and self.cell is not None:
            self.rows[-1].links.append(attributes.get("href") or "")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag == "td" and self.cell is not None:
            self.rows[-1].cells.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "th" and self.header is not None:
            self.headers.append(" ".join("".join(self.header).split()))
            self.header = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        elif self.header is not None:
            self.header.append(data)


def table(html: str, table_id: str) -> tuple[list[str], list[Row]]:
    """The header texts and the rows of the table with this id."""
    parser = _TableParser(table_id)
    parser.feed(html)
    return parser.headers, parser.rows


def row_for(html: str, table_id: str, text: str) -> Row | None:
    """The one row of the table that has a cell equal to `text`."""
    _, rows = table(html, table_id)
    matches = [row for row in rows if text in row.cells]
    assert len(matches) <= 1, f"{text!r} is in {len(matches)} rows"
    return matches[0] if matches else None


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text(html: str) -> str:
    """The visible text of a page, whitespace folded."""
    parser = _TextParser()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
