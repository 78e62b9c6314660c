"""alerts.jsonl: one JSON object per notification with time, kind, symbol, text and the kind's
own fields; appended, never rewritten; a damaged line is skipped when read back."""

from __future__ import annotations

import json
import re

from tsdash import locations
from tsdash.alerts.notifications import Journal, Notification, NotificationKind


def test_each_notification_is_one_json_line_with_the_common_fields(tmp_path):
    journal = Journal(tmp_path / "state" / "alerts.jsonl")
    journal.append(Notification(NotificationKind.ALERT, "AAPL", "AAPL last 231, at or above 230",
                                details={"rule": "AAPL above 230", "value": 231.0}))
    journal.append(Notification(NotificationKind.REJECT, "MSFT", "Rejected: Buy 10 MSFT",
                                details={"order_id": "1000007", "reason": "No buying power"}))
    lines = journal.path.read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert first == {"time": first["time"], "kind": "alert", "symbol": "AAPL",
                     "text": "AAPL last 231, at or above 230", "rule": "AAPL above 230",
                     "value": 231.0}
    assert second["kind"] == "reject" and second["reason"] == "No buying power"
    assert (journal.path.stat().st_mode & 0o777) == 0o600


def test_reading_back_skips_damaged_lines_and_keeps_the_newest(tmp_path):
    journal = Journal(tmp_path / "alerts.jsonl")
    for n in range(5):
        journal.append(Notification(NotificationKind.FILL, "SPY", f"fill {n}"))
    with journal.path.open("a") as out:
        out.write('{"kind": "nonsense"}\n[1, 2]\nnot json at all\n\n')
    journal.append(Notification(NotificationKind.STREAM, "", "Quotes stream lost"))
    latest = journal.latest(3)
    assert [n.text for n in latest] == ["fill 3", "fill 4", "Quotes stream lost"]
    assert latest[-1].kind is NotificationKind.STREAM


def test_a_missing_journal_is_an_empty_history(tmp_path):
    assert Journal(tmp_path / "none.jsonl").latest(10) == []


def test_the_journal_lives_in_the_state_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert locations.alerts_journal_file() == tmp_path / "tsdash" / "alerts.jsonl"


def test_a_long_journal_gives_its_newest_lines_whole(tmp_path):
    journal = Journal(tmp_path / "alerts.jsonl")
    with journal.path.open("w") as out:
        for n in range(20000):  # months of notifications
            out.write(json.dumps({"time": "2026-01-01T00:00:00.000Z", "kind": "fill",
                                  "symbol": "SPY", "text": f"fill {n}"}) + "\n")
    latest = journal.latest(5)
    assert [n.text for n in latest] == [f"fill {n}" for n in range(19995, 20000)]
