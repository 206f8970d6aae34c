"""Chromium at device pixel ratio 1: the terminal draws underscores (issue 10).

At ratio 1, with xterm.js's default line height, the underscore of DejaVu Sans Mono fell out
of the bottom of its row: `$DB_PASSWORD` showed as `$DB PASSWORD`. The pixels of a row
printed with underscores are compared with those of the same row printed with spaces.
"""

from __future__ import annotations

import math
import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser

BACKGROUND = (0x0D, 0x11, 0x17)  # the terminal's theme (static/js/terminal.js)
AT_RATIO_1 = pytest.mark.page_options(device_scale_factor=1)  # one CSS pixel, one device pixel
FONT_FILES = re.compile(r"/static/vendor/dejavu-mono/files/.*\.woff2$")


def png_pixels(data: bytes) -> list[list[tuple[int, int, int]]]:
    """The RGB rows of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium screenshots are)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
        elif kind == b"IDAT":
            compressed += body
    step = 3 if color == 2 else 4
    stride = width * step
    raw = zlib.decompress(compressed)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            up_left = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - up_left
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up))
                near = min(near, (abs(guess - up_left), 2, up_left))
                line[i] = (line[i] + near[2]) & 255
        rows.append([tuple(line[x * step : x * step + 3]) for x in range(width)])
        previous = line
    return rows


def lit(pixel: tuple[int, int, int]) -> bool:
    """Drawn in: far from the background (antialiased edges of glyphs included)."""
    return max(abs(a - b) for a, b in zip(pixel, BACKGROUND, strict=True)) > 60


def row_cells(page, text: str) -> list[list[list[tuple[int, int, int]]]]:
    """The pixels of each character cell of the terminal row showing exactly `text`."""
    row = page.locator(".xterm-rows > div").filter(has_text=re.compile(f"^{re.escape(text)}$"))
    expect(row).to_have_count(1)  # the shell's output arrived (the typed line holds more)
    box = row.bounding_box()
    cell = row.locator("span").first.bounding_box()["width"] / len(text)
    left, top = math.floor(box["x"]), math.floor(box["y"])
    clip = {
        "x": left,
        "y": top,
        "width": math.ceil(box["x"] + cell * len(text)) - left,
        "height": math.ceil(box["y"] + box["height"]) - top,
    }
    png = page.screenshot(clip=clip)
    support.ARTIFACTS.mkdir(exist_ok=True)
    (support.ARTIFACTS / f"terminal-row-{text.replace(' ', '-')}.png").write_bytes(png)
    pixels = png_pixels(png)
    offset = box["x"] - left
    cells = []
    for index in range(len(text)):
        # Whole pixel columns inside the cell; its fractional edges may share a neighbour's.
        first = math.ceil(offset + index * cell)
        last = math.floor(offset + (index + 1) * cell)
        cells.append([line[first:last] for line in pixels])
    return cells


@AT_RATIO_1
def test_underscores_show_at_device_pixel_ratio_1(page, daphne_server, make_container):
    assert page.evaluate("() => window.devicePixelRatio") == 1
    container = make_container(hint="ui-font")
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/terminal/")
    expect(page.locator("[data-terminal-status]")).to_contain_text("Connected")

    page.locator(".xterm").click()
    page.keyboard.type("echo A_B_C; echo 'A B C'; echo '$DB_PASSWORD'")
    page.keyboard.press("Enter")
    expect(page.locator(".xterm-rows")).to_contain_text("$DB_PASSWORD")

    underscores, spaces = row_cells(page, "A_B_C"), row_cells(page, "A B C")
    support.screenshot(page, "terminal-underscores")

    for index in (0, 2, 4):  # A, B, C: the same pixels in both rows, so the cells line up
        assert underscores[index] == spaces[index], f"cell {index} differs"
        assert any(lit(pixel) for line in underscores[index] for pixel in line)
    for index in (1, 3):
        blank = spaces[index]
        assert not any(lit(pixel) for line in blank for pixel in line), "a space is blank"
        width = len(blank[0])
        strokes = [sum(lit(pixel) for pixel in line) for line in underscores[index]]
        # An underscore: a line of pixels lit across most of the cell, within the row.
        assert max(strokes) >= width * 0.6, (
            f"no underscore in cell {index} (lit pixels per line of the cell: {strokes})"
        )
    assert page.evaluate(
        "() => [...document.fonts].some((f) => f.family.includes('DejaVu Mono')"
        " && f.status === 'loaded')"
    ), "drawn in the web font served with the page, not in whatever the system has"


@AT_RATIO_1
def test_the_terminal_opens_once_its_font_has_loaded(page, daphne_server, make_container):
    """xterm.js measures its cells when it opens: never in a font still on its way."""
    assert page.evaluate("() => window.devicePixelRatio") == 1
    container = make_container(hint="ui-font-wait")
    held = []

    def hold(route) -> None:  # answered below, once the page has run its scripts
        held.append(route)

    page.route(FONT_FILES, hold)

    try:
        page.goto(
            f"{daphne_server.url}/containers/{container['Id'][:12]}/terminal/",
            wait_until="domcontentloaded",  # terminal.js (deferred) has run
        )
        assert held, "the page asked for its font"
        assert page.locator(".xterm").count() == 0, "the terminal waits for its font"
        expect(page.locator("[data-terminal-status]")).to_have_text("Connecting…")
    finally:
        for route in held:
            route.continue_()
        page.unroute(FONT_FILES, hold)  # lets through any asked for meanwhile
    expect(page.locator("[data-terminal-status]")).to_contain_text("Connected")
    expect(page.locator(".xterm-rows")).to_be_visible()
    assert page.evaluate("() => document.fonts.check('14px \"DejaVu Mono\"')")
