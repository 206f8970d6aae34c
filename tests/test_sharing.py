"""Identical engine calls at the same moment are made once (a pure unit: threads and a
fetch that waits to be released)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from containers_app.docker_service.sharing import shared


def test_calls_made_together_share_one_answer_and_the_next_asks_again():
    release, asked = threading.Event(), []

    def fetch():
        asked.append(1)
        assert release.wait(5)
        return ["answer"]

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(shared, "key", fetch) for _ in range(8)]
        while not asked:
            threading.Event().wait(0.01)
        release.set()
        answers = [future.result(5) for future in futures]

    assert len(asked) == 1 and all(answer == ["answer"] for answer in answers)
    assert shared("key", lambda: ["again"]) == ["again"], "nothing kept after the answer"
    assert shared("other", lambda: 2) == 2


def test_an_error_reaches_every_caller_that_waited():
    release = threading.Event()

    def fetch():
        assert release.wait(5)
        raise ConnectionError("engine gone")

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(shared, "failing", fetch) for _ in range(4)]
        threading.Event().wait(0.1)
        release.set()
        for future in futures:
            with pytest.raises(ConnectionError, match="engine gone"):
                future.result(5)
