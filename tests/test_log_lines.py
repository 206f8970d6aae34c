"""Pure units of the log path: frames and 16 KB pieces into records, times, query options."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from containers_app.docker_service import LogOptions
from containers_app.live.followers import LogFollower
from containers_app.live.log_lines import (
    MAX_LINE,
    LogParser,
    Position,
    Records,
    lines_of,
    newest_position,
    parse_since,
    record_stamp,
    since_param,
    stamp_key,
)
from containers_app.live.log_query import parse_log_query
from containers_app.live.pump import LinePump

TS = "2026-11-23T13:31:26.123456789Z"


def frame(stream: int, payload: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload


def feed_in_pieces(parser: LogParser, data: bytes, cuts: list[int]) -> bytes:
    out = b""
    previous = 0
    for cut in [*sorted({min(c, len(data)) for c in cuts}), len(data)]:
        out += parser.feed(data[previous:cut]).data
        previous = cut
    return out + parser.flush().data


TEXTS = st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)))


@given(
    st.lists(st.tuples(st.sampled_from([1, 2]), TEXTS), max_size=20),
    st.lists(st.integers(0, 4000), max_size=30),
)
def test_records_do_not_depend_on_how_reads_cut_the_stream(entries, cuts):
    data = b"".join(frame(s, f"{TS} {text}\n".encode()) for s, text in entries)

    records = feed_in_pieces(LogParser(tty=False), data, cuts)

    assert lines_of(records) == [(s, 0, TS, text) for s, text in entries]


@pytest.mark.parametrize("tty", [False, True])
def test_lines_split_by_the_daemon_are_joined(tty):
    long = b"a" * 40_000
    pieces = [long[i : i + 16384] for i in range(0, len(long), 16384)]
    if tty:
        data = b"".join(f"{TS} ".encode() + piece for piece in pieces) + b"\r\n"
        data += f"{TS} next\r\n".encode()
    else:
        data = b"".join(frame(1, f"{TS} ".encode() + piece) for piece in pieces[:-1])
        data += frame(2, f"{TS} interleaved\n".encode())
        data += frame(1, f"{TS} ".encode() + pieces[-1] + b"\n") + frame(1, f"{TS} next\n".encode())

    lines = lines_of(feed_in_pieces(LogParser(tty=tty), data, list(range(0, len(data), 999))))

    texts = [text for _, _, _, text in lines]
    assert "a" * 40_000 in texts and texts[-1] == "next"
    assert ("interleaved" in texts) is not tty


def test_an_unterminated_last_line_waits_for_flush():
    parser = LogParser(tty=False, source=3)

    assert parser.feed(frame(1, f"{TS} no newline yet".encode())).count == 0
    flushed = parser.flush()

    assert lines_of(flushed.data) == [(1, 3, TS, "no newline yet")]


def test_invalid_utf8_is_replaced_not_fatal():
    records = LogParser(tty=False).feed(frame(1, f"{TS} ".encode() + b"caf\xe9\n"))

    assert lines_of(records.data)[0][3] == "caf\ufffd"


def test_the_position_is_the_newest_timestamp_and_how_many_lines_carry_it():
    t1, t2, t3 = (f"2026-11-23T13:31:26.{n}Z" for n in (1, 2, 3))
    records = "".join(f"10 {ts} x\n" for ts in [t1, t2, t2, t2]).encode()
    assert newest_position(records) == Position(t2, 3)
    # stdout and stderr are stamped apart: the log may step back, the position does not
    stepped_back = f"10 {t1} out-1\n10 {t3} out-2\n20 {t2} err-1\n".encode()
    assert newest_position(stepped_back) == Position(t3, 1)
    assert newest_position(f"10 {t3} again\n".encode(), Position(t3, 1)) == Position(t3, 2)
    assert newest_position(f"10 {t1} late\n".encode(), Position(t3, 2)) == Position(t3, 2)
    assert newest_position(b"", Position(t2, 1)) == Position(t2, 1)
    both = f"10 {t2} out\n20 {t2} err\n".encode()
    assert newest_position(both) == Position(t2, 2)
    long_last = f"20 {t2} err\n10 {t3} {'x' * 20_000}\n".encode()
    assert newest_position(long_last) == Position(t3, 1)
    quoted = f"10 {t3} said {t3} twice\n".encode()
    assert newest_position(quoted) == Position(t3, 1)


def test_timestamps_compare_exactly_and_become_since_values():
    assert stamp_key("2026-11-23T13:31:26.24Z") > stamp_key("2026-11-23T13:31:26.2399Z")
    assert (
        since_param("2026-11-23T13:31:26.5Z")
        == f"{int(datetime(2026, 11, 23, 13, 31, 26, tzinfo=UTC).timestamp())}.500000000"
    )


def test_records_without_a_timestamp_have_no_stamp_instead_of_failing():
    assert record_stamp(b"10 2026-11-23T13:31:26.24Z hello") == stamp_key("2026-11-23T13:31:26.24Z")
    assert record_stamp(b"10 hello world") is None
    assert record_stamp(b"10 \xff\xfe x") is None
    assert record_stamp(b"10") is None


def test_since_accepts_durations_times_and_unix_seconds():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    assert parse_since("10m", now) == f"{now.timestamp() - 600:.9f}"
    assert parse_since("1h30m", now) == f"{now.timestamp() - 5400:.9f}"
    assert (
        parse_since("2026-11-23T10:00", now)
        == f"{datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp():.9f}"
    )
    assert parse_since("1700000000") == "1700000000"
    assert parse_since("") == ""
    with pytest.raises(ValueError, match="write a duration"):
        parse_since("yesterday")


def test_times_further_back_than_year_one_mean_the_epoch_and_foreign_digits_are_refused():
    assert parse_since("99999999999w") == "0.000000001", "not 0: until=0 is no limit"
    assert parse_since("9" * 400 + "d") == "0.000000001"
    with pytest.raises(ValueError, match="write a duration"):
        parse_since("\u0661\u0660m")  # Arabic-Indic digits: the engine wants ASCII


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tail=lots", "tail takes a number"),
        ("stdout=maybe", "stdout takes 1 or 0"),
        ("stdout=0&stderr=0", "choose stdout, stderr or both"),
        ("resume=0:not-a-time:1", "resume takes SOURCE:TIMESTAMP:COUNT"),
    ],
)
def test_log_query_refuses_bad_values(query, message):
    with pytest.raises(ValueError, match=message):
        parse_log_query(QueryDict(query))


def test_log_query_defaults_and_resume():
    query = parse_log_query(QueryDict(f"resume=2:{TS}:3&follow=0"))

    assert (query.options.tail, query.options.follow, query.options.stdout) == ("100", False, True)
    assert query.resume[2].timestamp == TS and query.resume[2].count == 3


def test_a_line_that_never_ends_is_delivered_in_bounded_parts():
    parser = LogParser(tty=False)
    piece = frame(1, f"{TS} ".encode() + b"p" * 16384)

    delivered = b"".join(parser.feed(piece).data for _ in range(200))  # 3.2 MB, no newline

    lines = lines_of(delivered)
    assert len(lines) == 3 and all(len(text) <= MAX_LINE for *_, text in lines)
    assert len(parser._partial[1]) < MAX_LINE, "what waits for the rest stays bounded"


def test_a_cut_line_ending_exactly_at_the_cap_leaves_no_empty_line_behind():
    parser = LogParser(tty=False, max_line=len(TS) + 1 + 100)

    delivered = parser.feed(frame(1, f"{TS} ".encode() + b"x" * 100)).data
    delivered += parser.feed(frame(1, f"{TS} ".encode())).data + parser.flush().data

    assert [text for *_, text in lines_of(delivered)] == ["x" * 100]


def test_a_reopened_stream_replays_nothing_after_a_log_that_stepped_back():
    """The follower's history read ends and it follows from its position: the engine then
    sends every line not older than `since` again, and none of them may be shown twice."""
    t1, t2, t3 = (f"2026-11-23T13:31:26.{n}Z" for n in (1, 2, 3))
    log = [f"10 {t1} out-1", f"10 {t3} out-2", f"20 {t2} err-1"]  # as the file holds them

    def records(lines: list[str]) -> Records:
        return Records("".join(f"{line}\n" for line in lines).encode(), len(lines))

    loop = asyncio.new_event_loop()
    try:
        follower = LogFollower("c" * 64, False, LogOptions(), LinePump(loop))
        follower._deliver(records(log))
        since = follower._from_position().since
        replayed = [r for r in log if since_param(r.split()[1]) >= since]  # the engine's filter
        again = follower._unseen(records(replayed))
    finally:
        loop.close()
    assert replayed == [f"10 {t3} out-2"]
    assert again.count == 0
