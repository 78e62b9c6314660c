"""The settings declarations are the one source of the config's keys: config.example.toml is
exactly what they generate, every declared key is in it with its default, help and bounds, and a
key added to the declarations is written by `tsdash init` and checked on loading, with nothing
else to edit. The remappable [keys] come from tsdash.keymap.ACTIONS, as do the app's bindings."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
from config_helpers import declared, setting_lines

from tsdash import config
from tsdash.config import (
    ConfigError,
    Key,
    Kind,
    Settings,
    setting,
    settings_from_document,
    starting_config_text,
)
from tsdash.alerts.rules import rule_from_table
from tsdash.keymap import ACTIONS, DEFAULT_KEYS

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def value_at(document: dict, path: tuple[str, ...]) -> object:
    for part in path:
        document = document[part]
    return document


def comment_above(lines: list[str], path: tuple[str, ...]) -> str:
    """The comment lines straight above a key's line (or its [table] line), joined."""
    (index,) = setting_lines(lines, path)
    above: list[str] = []
    while index > 0 and lines[index - 1].startswith("#"):
        index -= 1
        above.insert(0, lines[index].removeprefix("#").strip())
    return " ".join(above)


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_example_is_what_the_declarations_generate() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == starting_config_text(), (
        "config.example.toml differs from what the settings declarations generate: "
        "regenerate it (python -m tsdash.config > config.example.toml)"
    )


@pytest.mark.parametrize("place", declared(), ids=lambda p: ".".join(p.path))
def test_every_declared_key_is_in_the_example_with_its_default_and_help(place) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert words(place.key.help) in words(comment_above(lines, place.path)), (
        f"{'.'.join(place.path)}: its help is not the comment above it")
    if place.key.kind is Kind.ALERTS:  # no rules by default: a commented-out example
        assert place.path == ("alerts",) and "alerts" not in tomllib.loads(text)
        example = "\n".join(line.removeprefix("# ") for line in lines[
            lines.index(f"# [[{place.path[-1]}]]"):][:3])
        (table,) = tomllib.loads(example)[place.path[-1]]
        assert table == place.key.example[0]
        assert rule_from_table(table).describe() == "AAPL last at or above 230"
        return
    if place.default is None:  # left out by default: a commented-out example that is valid
        line = f"# {place.path[-1]} = "
        assert any(row.startswith(line) for row in lines)
        return
    expected = place.default
    if dataclasses.is_dataclass(expected) and not isinstance(expected, type):
        expected = dataclasses.asdict(expected)
    assert value_at(tomllib.loads(text), place.path) == expected


@pytest.mark.parametrize("place", [p for p in declared() if p.key.kind is Kind.WHOLE],
                         ids=lambda p: ".".join(p.path))
def test_a_bounded_key_names_its_bounds_in_its_help_and_its_message(place, write_config) -> None:
    assert f"{place.key.low} to {place.key.high}" in place.key.help
    table = "\n".join(f"[{part}]" for part in place.path[:-1])
    path = write_config(f"{table}\n{place.path[-1]} = {place.key.high + 1}\n")
    with pytest.raises(ConfigError) as info:
        config.load_settings(path)
    assert info.value.key == ".".join(place.path)
    assert f"from {place.key.low} to {place.key.high}" in str(info.value)


# -- a key added to the declarations ------------------------------------------------------------


@dataclasses.dataclass
class WithNewKeys(Settings):
    """Settings as they would be with two keys added: one in a new table, one at the top."""

    bell: bool = setting(True, Key(Kind.FLAG, table="sounds",
                                   help="Ring the terminal bell with each notification."))
    max_quantity: int = setting(1000, Key(Kind.WHOLE, table="limits", low=1, high=100000,
                                          unit="shares",
                                          help="The largest order a ticket sends: 1 to 100000."))
    greeting: str = setting("hello", Key(Kind.TEXT, what="a greeting",
                                         help="What the status bar says first."))


def test_a_new_key_is_written_by_init_with_its_help_and_default() -> None:
    text = starting_config_text(WithNewKeys)
    assert "[sounds]\n# Ring the terminal bell with each notification.\nbell = true\n" in text
    assert "# The largest order a ticket sends: 1 to 100000.\nmax_quantity = 1000\n" in text
    # a top-level key goes with the others, before the first [table]
    assert text.index('\ngreeting = "hello"\n') < text.index("\n[watchlists]\n")
    settings = settings_from_document(tomllib.loads(text), EXAMPLE, WithNewKeys)
    assert settings == WithNewKeys()
    assert starting_config_text() == EXAMPLE.read_text(encoding="utf-8")  # Settings unchanged


def test_a_new_key_is_read_and_checked_on_loading() -> None:
    read = settings_from_document(
        {"sounds": {"bell": False}, "limits": {"max_quantity": 5}, "greeting": "hi"},
        EXAMPLE, WithNewKeys)
    assert (read.bell, read.max_quantity, read.greeting) == (False, 5, "hi")
    with pytest.raises(ConfigError) as info:
        settings_from_document({"limits": {"max_quantity": 0}}, EXAMPLE, WithNewKeys)
    assert info.value.key == "limits.max_quantity"
    assert str(info.value).endswith('key "limits.max_quantity": expected a whole number of '
                                    "shares from 1 to 100000, found 0 (an integer)")
    with pytest.raises(ConfigError, match='key "sounds.bell": expected true or false'):
        settings_from_document({"sounds": {"bell": "yes"}}, EXAMPLE, WithNewKeys)
    with pytest.raises(ConfigError, match='unknown key "sounds.bel" '
                                          r'\(did you mean "sounds.bell"\?\)'):
        settings_from_document({"sounds": {"bel": True}}, EXAMPLE, WithNewKeys)
    with pytest.raises(ConfigError, match=r'unknown key "sounds.greeting" \(did you mean '
                                          r'"greeting"\? it goes at the top'):
        settings_from_document({"sounds": {"greeting": "hi"}}, EXAMPLE, WithNewKeys)


def test_the_new_keys_are_unknown_to_the_real_settings() -> None:
    with pytest.raises(ConfigError, match='unknown key "sounds"'):
        settings_from_document({"sounds": {"bell": True}}, EXAMPLE)


# -- the remappable keys ------------------------------------------------------------------------


def test_keys_section_lists_every_action_with_its_default_and_description() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    document = tomllib.loads("\n".join(lines))
    assert document["keys"] == DEFAULT_KEYS == {a.id: a.key for a in ACTIONS}
    for action in ACTIONS:
        assert comment_above(lines, ("keys", action.id)).endswith(
            action.about or action.description)


def test_the_app_binds_every_declared_action() -> None:
    from textual.binding import Binding

    from tsdash.ui.app import TsdashApp

    bound = {b.id: b for b in TsdashApp.BINDINGS if isinstance(b, Binding)}
    assert set(bound) == {action.id for action in ACTIONS}
    for action in ACTIONS:
        binding = bound[action.id]
        assert (binding.key, binding.action, binding.description, binding.show) == (
            action.key, action.id, action.label, action.show)
        assert hasattr(TsdashApp, f"action_{action.id}"), f"no action_{action.id} on the app"


def test_each_setting_is_named_as_the_file_writes_it() -> None:
    # the reload notice names the settings that wait for a restart this way
    assert [config.file_key(name) for name in ("theme", "read_timeout", "bars", "keys")] == [
        "theme", "streams.read_timeout", "[bars]", "[keys]"]
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for name in config.settings_fields():
        written = config.file_key(name)
        if written.startswith("[["):  # an array of tables, empty by default: its example
            assert f"# {written}" in lines
            continue
        if written.startswith("["):
            assert written in lines
            continue
        *table, key = written.split(".")
        setting_lines = [line for line in lines if line.removeprefix("# ").startswith(f"{key} = ")]
        assert len(setting_lines) == 1, written
        if table:
            assert lines.index(f"[{table[0]}]") < lines.index(setting_lines[0])
