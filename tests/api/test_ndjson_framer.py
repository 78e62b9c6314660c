"""NDJSONFramer on its own: bytes in, whole JSON values (and ProtocolErrors) out, no socket.

HttpStream feeds it what ``readany()`` returns; these tests feed it the same kinds of chunk
boundaries directly (tests/api/test_http_stream.py runs the same faults over loopback HTTP).
"""

from __future__ import annotations

import json
import random

from tsdash.api import ProtocolError
from tsdash.api.framing import NDJSONFramer

QUOTES = [
    {"Symbol": "AAPL", "Bid": "189.10", "Ask": "189.12", "BidSize": "300"},
    {"Symbol": "MSFT", "Last": "412.5", "LastSize": "100", "TradeTime": "2026-11-25T14:30:00Z"},
    {"Heartbeat": 1, "Timestamp": "2026-11-25T14:30:00Z"},
    {"Symbol": "NVDA", "Ask": "950.00", "Note": "snowman \u2603 and \U0001F600 survive splitting"},
]
PAYLOAD = b"".join(json.dumps(q).encode() + b"\n" for q in QUOTES)


def feed_all(framer: NDJSONFramer, chunks: list[bytes]) -> list[object]:
    out: list[object] = []
    for chunk in chunks:
        out.extend(framer.feed(chunk))
    return out


def errors(items: list[object]) -> list[ProtocolError]:
    return [item for item in items if isinstance(item, ProtocolError)]


def test_an_object_split_at_every_byte_comes_out_whole_once_complete():
    framer = NDJSONFramer()
    out = []
    for i in range(len(PAYLOAD)):
        got = framer.feed(PAYLOAD[i:i + 1])
        # a value comes out exactly when the byte that ends its line goes in
        assert (got != []) == (PAYLOAD[i:i + 1] == b"\n")
        out.extend(got)
    assert out == QUOTES


def test_several_objects_in_one_chunk_come_out_in_order():
    many = [dict(q, Seq=i) for i in range(50) for q in QUOTES]
    payload = b"".join(json.dumps(q).encode() + b"\n" for q in many)
    assert NDJSONFramer().feed(payload) == many


def test_random_chunk_boundaries_give_the_same_values():
    many = [dict(q, Seq=i) for i in range(200) for q in QUOTES]
    payload = b"".join(json.dumps(q).encode() + b"\n" for q in many)
    rng = random.Random(13)
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(payload)), 40))
        chunks = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, len(payload)])]
        assert feed_all(NDJSONFramer(), chunks) == many


def test_blank_lines_crlf_and_surrounding_whitespace_are_accepted():
    payload = b'\n  \n{"A": 1}\r\n\r\n\t{"B": 2} \n\n'
    assert NDJSONFramer().feed(payload) == [{"A": 1}, {"B": 2}]


def test_a_malformed_line_is_a_protocol_error_in_its_place_and_framing_goes_on():
    framer = NDJSONFramer(description="the quote stream for AAPL")
    out = feed_all(framer, [b'{"A": 1}\n{"B": tru', b'e}\nnot json at all\n{"C": 3}\n'])
    assert out[0] == {"A": 1} and out[1] == {"B": True} and out[3] == {"C": 3}
    error = out[2]
    assert isinstance(error, ProtocolError)
    assert "the quote stream for AAPL" in str(error) and "not valid JSON" in str(error)
    assert error.raw == "not json at all"


def test_the_raw_part_of_a_malformed_line_is_bounded():
    line = b"x" * 5000 + b"\n"
    (error,) = NDJSONFramer().feed(line)
    assert isinstance(error, ProtocolError) and error.raw is not None and len(error.raw) == 200


def test_values_that_are_not_objects_are_returned_for_the_stream_to_judge():
    assert NDJSONFramer().feed(b'[1, 2]\n"text"\n42\nnull\n') == [[1, 2], "text", 42, None]


def test_an_overlong_line_arriving_in_pieces_is_dropped_without_buffering_it():
    framer = NDJSONFramer(max_line=100)
    out = framer.feed(b'{"A": 1}\n{"Big": "')
    for _ in range(10):
        out.extend(framer.feed(b"y" * 50))
        assert framer.buffered <= 100  # never holds more than max_line
    out.extend(framer.feed(b'"}\n{"B": 2}\n'))
    assert out[0] == {"A": 1} and out[-1] == {"B": 2}
    (error,) = errors(out)
    assert "longer than 100 bytes" in str(error)
    assert len(out) == 3  # reported once, and nothing of the long line was parsed


def test_an_overlong_line_inside_one_chunk_is_skipped_and_its_neighbours_kept():
    framer = NDJSONFramer(max_line=100)
    big = json.dumps({"Big": "z" * 500}).encode()
    out = framer.feed(b'{"A": 1}\n' + big + b'\n{"B": 2}\n')
    assert [o for o in out if not isinstance(o, ProtocolError)] == [{"A": 1}, {"B": 2}]
    assert len(errors(out)) == 1


def test_an_overlong_unfinished_tail_is_reported_at_once_and_its_end_dropped():
    framer = NDJSONFramer(max_line=100)
    out = framer.feed(b'{"A": 1}\n' + b"q" * 300)  # the tail alone is over the limit
    assert out[0] == {"A": 1} and len(errors(out)) == 1
    assert framer.feed(b'rest of it"}\n{"B": 2}\n') == [{"B": 2}]


def test_invalid_utf8_loses_only_its_own_line():
    framer = NDJSONFramer()
    out = framer.feed(b'{"A": 1}\n{"Bad": "\xff\xfe"}\n{"B": 2}\n')
    assert out[0] == {"A": 1} and out[2] == {"B": 2}
    assert isinstance(out[1], ProtocolError)


def test_end_reports_an_unfinished_line_and_resets():
    framer = NDJSONFramer()
    assert framer.feed(b'{"A": 1}\n{"B": ') == [{"A": 1}]
    (error,) = framer.end()
    assert isinstance(error, ProtocolError) and error.raw == b'{"B": '
    assert framer.buffered == 0
    assert framer.feed(b'{"C": 3}\n') == [{"C": 3}]  # nothing of the old tail is left


def test_end_after_a_whitespace_tail_or_inside_an_overlong_line_reports_nothing():
    framer = NDJSONFramer(max_line=10)
    framer.feed(b'{"A": 1}\n  \r')
    assert framer.end() == []
    framer.feed(b"w" * 50)  # reported as overlong when it arrived
    assert framer.end() == []


def test_parse_takes_lines_that_are_already_whole():
    framer = NDJSONFramer()
    out = framer.parse(['{"A": 1}', "", "oops", b'{"B": 2}'])
    assert out[0] == {"A": 1} and out[2] == {"B": 2} and isinstance(out[1], ProtocolError)
