"""Desktop notifications: OSC 777 or OSC 9 for terminals known to take them, notify-send
elsewhere (and inside tmux), nothing (with the reason) when neither works; the text cannot
break out of the escape sequence."""

from __future__ import annotations

import pytest

from tsdash.alerts.desktop import DesktopRoute, desktop_route, notify_send_command, osc_sequence


def no_command(name: str) -> None:
    return None


def has_notify_send(name: str) -> str | None:
    return "/usr/bin/notify-send" if name == "notify-send" else None


@pytest.mark.parametrize(("env", "route"), [
    ({"TERM": "foot"}, DesktopRoute.OSC777),
    ({"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, DesktopRoute.OSC777),
    ({"TERM_PROGRAM": "ghostty"}, DesktopRoute.OSC777),
    ({"TERM": "rxvt-unicode-256color"}, DesktopRoute.OSC777),
    ({"TERM_PROGRAM": "iTerm.app"}, DesktopRoute.OSC9),
    ({"TERM": "xterm-kitty"}, DesktopRoute.OSC9),
    ({"TERM": "xterm-256color"}, DesktopRoute.NONE),
    ({"TERM": "foot", "TMUX": "/tmp/tmux-1/default,1,0"}, DesktopRoute.NONE),
])
def test_the_terminal_decides_without_notify_send(env, route):
    assert desktop_route(env, no_command).route is route


@pytest.mark.parametrize("env", [{"TERM": "xterm-256color"},
                                 {"TERM": "foot", "TMUX": "/tmp/tmux-1/default,1,0"}])
def test_notify_send_where_the_terminal_cannot(env):
    chosen = desktop_route(env, has_notify_send)
    assert chosen.route is DesktopRoute.NOTIFY_SEND and "notify-send" in chosen.why


def test_a_terminal_that_takes_sequences_is_preferred_to_notify_send():
    assert desktop_route({"TERM": "foot"}, has_notify_send).route is DesktopRoute.OSC777


def test_nothing_works_says_why():
    chosen = desktop_route({"TERM": "xterm"}, no_command)
    assert "notify-send is not installed" in chosen.why


def test_sequences_are_whole_and_the_text_cannot_end_them():
    hostile = "AAPL\x1b]0;pwned\x07 up\nnow;ok\x9c"
    seq = osc_sequence(DesktopRoute.OSC777, "tsdash: Alert;x", hostile)
    assert seq.startswith("\x1b]777;notify;tsdash: Alert,x;")
    assert seq.endswith("\x1b\\")
    body = seq[len("\x1b]777;notify;"):-2]
    assert "\x1b" not in body and "\x07" not in body and "\n" not in body and "\x9c" not in body
    assert osc_sequence(DesktopRoute.OSC9, "tsdash: Fill", "Filled: Buy 10 AAPL") == \
        "\x1b]9;tsdash: Fill: Filled: Buy 10 AAPL\x1b\\"
    with pytest.raises(ValueError):
        osc_sequence(DesktopRoute.NOTIFY_SEND, "t", "b")


def test_notify_send_gets_the_text_as_arguments_not_a_shell_line():
    argv = notify_send_command("tsdash: Alert", "$(rm -rf ~) -u critical")
    assert argv == ["notify-send", "--app-name=tsdash", "--", "tsdash: Alert",
                    "$(rm -rf ~) -u critical"]
