"""Which outlets a notification takes: always the journal and the toast, the bell when
``bell = true``, the desktop notification when ``desktop = true``; a kind missing from
``events`` is not delivered at all."""

from __future__ import annotations

from dataclasses import dataclass, field

from tsdash.alerts.delivery import Delivery
from tsdash.alerts.notifications import Journal, Notification, NotificationKind


@dataclass
class Options:
    bell: bool = True
    desktop: bool = False
    events: list[str] = field(default_factory=lambda: [k.value for k in NotificationKind])


class Recorder:
    def __init__(self, terminal: bool = True) -> None:
        self.calls: list[tuple[str, object]] = []
        self.terminal = terminal

    def toast(self, notification):
        self.calls.append(("toast", notification.text))

    def bell(self):
        self.calls.append(("bell", None))

    def write_terminal(self, data):
        self.calls.append(("terminal", data))
        return self.terminal

    def run_command(self, argv):
        self.calls.append(("command", argv))


def make(tmp_path, options, env=None, terminal=True):
    outlets = Recorder(terminal)
    delivery = Delivery(lambda: options, Journal(tmp_path / "alerts.jsonl"), outlets,
                        env if env is not None else {"TERM": "foot"})
    return delivery, outlets


ALERT = Notification(NotificationKind.ALERT, "AAPL", "AAPL last 231, at or above 230")


def test_the_defaults_toast_and_ring(tmp_path):
    delivery, outlets = make(tmp_path, Options())
    assert delivery.deliver(ALERT)
    assert [c[0] for c in outlets.calls] == ["toast", "bell"]
    assert len(delivery.journal.latest(10)) == 1
    assert list(delivery.history) == [ALERT]


def test_desktop_on_writes_the_sequence_to_the_terminal(tmp_path):
    delivery, outlets = make(tmp_path, Options(bell=False, desktop=True))
    delivery.deliver(ALERT)
    assert outlets.calls == [("toast", ALERT.text), (
        "terminal", "\x1b]777;notify;tsdash: Alert;AAPL last 231, at or above 230\x1b\\")]


def test_desktop_through_notify_send(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    delivery, outlets = make(tmp_path, Options(bell=False, desktop=True),
                             env={"TERM": "xterm-256color"})
    delivery.deliver(ALERT)
    assert outlets.calls[-1] == ("command", ["notify-send", "--app-name=tsdash", "--",
                                             "tsdash: Alert", ALERT.text])


def test_bell_and_desktop_off_only_toast(tmp_path):
    delivery, outlets = make(tmp_path, Options(bell=False, desktop=False))
    delivery.deliver(ALERT)
    assert outlets.calls == [("toast", ALERT.text)]


def test_a_kind_left_out_of_events_is_not_delivered(tmp_path):
    options = Options(events=["fill", "reject"])
    delivery, outlets = make(tmp_path, options)
    assert not delivery.deliver(ALERT)
    assert outlets.calls == [] and delivery.journal.latest(10) == []
    options.events = ["alert"]  # read at each notification: a reloaded config applies at once
    assert delivery.deliver(ALERT)


def test_an_unwritable_journal_is_reported_and_the_toast_still_shows(tmp_path):
    (tmp_path / "alerts.jsonl").mkdir()  # a directory where the file should be
    delivery, outlets = make(tmp_path, Options(bell=False))
    assert delivery.deliver(ALERT)
    assert outlets.calls == [("toast", ALERT.text)]
    assert delivery.journal_error and "not written" in delivery.journal_error
