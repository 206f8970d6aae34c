"""Starting builds through the form and following them the way the build page does."""

from __future__ import annotations

import re
import time

from tests import support

POLL = {"HX-Request": "true", "HX-Target": "build-progress"}  # as the page's box polls itself
LABEL_LINE = f"{support.IMAGE_LABEL}={support.RUN_ID}"


def build_data(dockerfile: str, *tags: str, **fields) -> dict:
    """Build-form data: a typed Dockerfile, no network for RUN, labelled for cleanup."""
    return {
        "source": "dockerfile",
        "dockerfile": dockerfile,
        "tags": "\n".join(tags),
        "labels": LABEL_LINE,
        "network": "none",
        **fields,
    }


def wait_for_build(client, url: str, limit: float = 90) -> str:
    """Poll the build's box until it stops asking to be polled; every fragment seen."""
    deadline = time.monotonic() + limit
    seen = []
    while time.monotonic() < deadline:
        response = client.get(url, headers=POLL)
        assert response.status_code == 200, response.status_code
        fragment = response.content.decode() if hasattr(response, "content") else response.text
        seen.append(fragment)
        if "hx-trigger" not in fragment:
            return "\n".join(seen)
        time.sleep(0.1)
    raise AssertionError(f"the build did not end within {limit} s")


def last_fragment(log: str) -> str:
    return log.rsplit('<section id="build-progress"', 1)[-1]


def build_state(log: str) -> str:
    match = re.search(r'<span class="state [^"]+">(\w+)</span>', last_fragment(log))
    return match.group(1) if match else "unknown"
