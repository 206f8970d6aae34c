"""The viewing policy of a log socket, without websockets: acks, batching, merged ordering."""

from __future__ import annotations

import asyncio

import pytest

from containers_app.live import log_session
from containers_app.live.log_lines import Records, lines_of
from containers_app.live.log_session import LogSession
from containers_app.live.pump import LinePump


def records(source: int, *stamped: tuple[str, str]) -> Records:
    """Lines of one source as the readers deliver them: (timestamp, text) each."""
    data = b"".join(f"1{source} {ts} {text}\n".encode() for ts, text in stamped)
    return Records(data, len(stamped))


def stamp(second: int) -> str:
    return f"2026-12-01T10:00:{second:02d}.000000001Z"


async def next_message(messages, timeout: float = 2.0):
    return await asyncio.wait_for(anext(messages), timeout)


def texts(message) -> list[str]:
    kind, payload = message
    assert kind == "bytes", message
    return [text for _, _, _, text in lines_of(payload)]


async def test_at_most_two_batches_are_in_flight_until_the_browser_acks():
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump)
    messages = session.messages()

    pump.put_lines(0, records(0, (stamp(1), "one")))
    first = await next_message(messages)
    pump.put_lines(0, records(0, (stamp(2), "two")))
    second = await next_message(messages)
    pump.put_lines(0, records(0, (stamp(3), "three")))
    waiting = asyncio.ensure_future(anext(messages))
    done, _ = await asyncio.wait({waiting}, timeout=0.3)
    held = not done
    session.receive('{"ack": 2}')
    third = await asyncio.wait_for(waiting, 2)

    assert [texts(first), texts(second)] == [["one"], ["two"]]
    assert held, "a third batch waits for the browser's ack"
    assert texts(third) == ["three"]


async def test_acks_beyond_what_was_sent_and_malformed_messages_change_nothing():
    session = LogSession(LinePump(asyncio.get_running_loop()))

    for text in ['{"ack": 99}', "not json", '{"ack": "2"}', "[1]", "[" * 100_000]:
        session.receive(text)

    assert session.acked == 0, "one cannot acknowledge what was never sent"


async def test_what_arrives_while_the_browser_is_busy_goes_as_one_message():
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump)
    for second in range(1, 6):
        pump.put_lines(0, records(0, (stamp(second), f"line-{second}")))
    pump.put_status(0, {"state": "live"})

    messages = session.messages()
    batch = await next_message(messages)
    status = await next_message(messages)

    assert texts(batch) == [f"line-{n}" for n in range(1, 6)], "five reads, one message"
    assert status == ("json", {"type": "status", "source": 0, "state": "live"})


async def test_a_merged_view_orders_both_histories_by_time_before_going_live():
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump, merged=True, sources=2)
    pump.put_lines(0, records(0, (stamp(1), "left-1"), (stamp(3), "left-3")))
    pump.put_status(0, {"state": "live"})
    messages = session.messages()
    early = asyncio.ensure_future(anext(messages))
    done, _ = await asyncio.wait({early}, timeout=0.3)
    waited = not done
    pump.put_lines(1, records(1, (stamp(2), "right-2"), (stamp(4), "right-4")))
    pump.put_status(1, {"state": "live"})

    history = await asyncio.wait_for(early, 2)
    statuses = [await next_message(messages) for _ in range(2)]

    assert waited, "the first container's history waits for the second's"
    assert texts(history) == ["left-1", "right-2", "left-3", "right-4"]
    assert [message[1]["state"] for message in statuses] == ["live", "live"]


async def test_a_merged_view_waits_no_longer_than_its_limit_for_a_silent_container(monkeypatch):
    monkeypatch.setattr(log_session, "HISTORY_WAIT", 0.2)
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump, merged=True, sources=2)
    pump.put_lines(0, records(0, (stamp(1), "only-left")))

    first = await next_message(session.messages(), timeout=2)

    assert texts(first) == ["only-left"]


async def test_skipped_lines_are_announced_and_the_socket_closes_when_every_log_ended():
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump, sources=2)
    pump._skipped = 7  # a stuck viewer lost seven lines (test_line_pump covers how)
    pump.put_status(0, {"state": "ended"})
    pump.put_status(1, {"state": "removed"})

    seen = [message async for message in session.messages()]

    assert seen == [
        ("json", {"type": "skipped", "count": 7}),
        ("json", {"type": "status", "source": 0, "state": "ended"}),
        ("json", {"type": "status", "source": 1, "state": "removed"}),
        ("close", 1000),
    ]


async def test_a_closed_pump_ends_the_messages_without_a_close():
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump)
    pump.close()

    seen = [message async for message in session.messages()]

    assert seen == []


@pytest.mark.parametrize("window", [1, 3])
async def test_the_window_is_the_policy_s_own_setting(monkeypatch, window):
    monkeypatch.setattr(log_session, "WINDOW", window)
    pump = LinePump(asyncio.get_running_loop())
    session = LogSession(pump)
    messages = session.messages()
    sent = 0
    for second in range(1, 6):
        pump.put_lines(0, records(0, (stamp(second), str(second))))
        step = asyncio.ensure_future(anext(messages))
        done, _ = await asyncio.wait({step}, timeout=0.3)
        if not done:
            step.cancel()
            break
        sent += 1

    assert sent == window
