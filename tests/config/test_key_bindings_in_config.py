"""[keys] is checked like every other setting (issue 11, item 12): a key name Textual does not
know, a key bound to two actions ("?" is help's), or a key the dashboard keeps for itself
(ctrl+p, the table keys) is a ConfigError naming the binding and the key; the CLI exits 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tsdash.config import DEFAULT_KEYS, ConfigError, key_problem, load_settings


def error_for(write_config, keys: str) -> ConfigError:
    path = write_config(f"[keys]\n{keys}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value).startswith(f"config error in {path}: ")
    return info.value


def test_a_key_already_used_by_help_is_refused(write_config) -> None:
    error = error_for(write_config, 'quit = "?"')
    assert error.key == "keys.quit"
    assert str(error).endswith('found "?" (a string); "?" is already the key for "help" '
                               "(by default); choose another key")


def test_an_unknown_key_name_is_refused(write_config) -> None:
    error = error_for(write_config, 'quit = "nonsensekey"')
    assert error.key == "keys.quit"
    assert 'expected a key name, e.g. "q", "ctrl+q", "f10"' in str(error)
    assert str(error).endswith('found "nonsensekey" (a string); not a key name')


@pytest.mark.parametrize(
    ("keys", "fragment"),
    [
        ('reconnect = "esc"', 'did you mean "escape"?'),
        ('reconnect = "pgup"', 'did you mean "pageup"?'),
        ('reconnect = "shft+r"', '"shft" is not a modifier'),
        ('reconnect = "ctrl+R"', 'did you mean "ctrl+r"?'),
        ('reconnect = "ctrl+"', 'nothing follows the last "+"'),
        ('reconnect = "r, f99"', '"f99": not a key name'),
        ('reconnect = "ctrl+p"', '"ctrl+p" is already the key for the command palette'),
        ('zoom = "down"', '"down" is already the key for moving in the tables'),
        ('sort = "enter"', '"enter" is already the key for charting the highlighted quote row'),
        ('reconnect = "ctrl+q"', '"ctrl+q" is already the key for quit'),
        ('help = "h"\nsort = "h"', '"h" is already the key for "help"; choose another key'),
        ('next_theme = "question_mark"', 'is already the key for "help" (by default)'),
    ],
)
def test_bad_keys(write_config, keys, fragment) -> None:
    assert fragment in str(error_for(write_config, keys))


def test_good_keys_are_stored_as_textual_names_them(write_config) -> None:
    settings = load_settings(write_config(
        '[keys]\nhelp = "h"\nquit = "?, ctrl+q"\nzoom = "f10"\nsort = "alt+shift+s"\n'
        'reconnect = "%"\nnext_theme = "ctrl+question_mark"\n'))
    # one name per key, so "?" and "question_mark" are seen to be the same key
    assert settings.keys["quit"] == "question_mark,ctrl+q"
    assert settings.keys["reconnect"] == "percent_sign"
    assert settings.keys["zoom"] == "f10" and settings.keys["sort"] == "alt+shift+s"
    assert settings.keys["next_theme"] == "ctrl+question_mark"


def test_every_default_key_is_a_key_name() -> None:
    for key in DEFAULT_KEYS.values():
        for part in key.split(","):
            assert key_problem(part) is None, part


@pytest.mark.parametrize(
    ("keys", "named"),
    [('quit = "?"', '"?" is already the key for "help"'),
     ('quit = "nonsensekey"', '"nonsensekey" (a string); not a key name')],
)
def test_the_cli_exits_2_naming_the_key(write_config, tmp_path, keys, named) -> None:
    path = write_config(f"[keys]\n{keys}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "tsdash", "--config", str(path), "snapshot",
         "--out", str(tmp_path / "x.svg"), "--after", "0"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f'tsdash: config error in {path}: key "keys.quit": ')
    assert named in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.svg").exists()
