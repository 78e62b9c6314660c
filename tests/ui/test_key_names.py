"""The config checks key names without importing Textual (config.py may not): this keeps its
list of names in step with Textual's own, so it cannot drift."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.keys import KEY_ALIASES as TEXTUAL_ALIASES
from textual.keys import Keys

from tsdash.config import (
    CHARACTER_KEY_NAMES,
    FIXED_KEYS,
    KEY_ALIASES,
    NAMED_KEYS,
    ConfigError,
    canonical_key,
    load_settings,
)
from tsdash.keymap import TABLE_KEYS
from tsdash.ui.app import TsdashApp
from tsdash.ui.widgets.table import LiveTable

TEXTUAL_KEYS = {key.value for key in Keys}


@pytest.mark.parametrize("name", sorted(NAMED_KEYS))
def test_every_named_key_is_a_textual_key(name) -> None:
    assert name in TEXTUAL_KEYS


def textual_name(character: str) -> str:
    """The key Textual binds when a binding names ``character`` ("+" -> "plus")."""
    (name,) = BindingsMap([Binding(character, "noop")]).key_to_bindings
    return name


#: "," separates keys in a binding (the key is "comma"); every other printable character
CHARACTERS = [chr(c) for c in range(0x21, 0x7F) if chr(c) != ","]


def test_every_printable_character_is_named_as_textual_names_it() -> None:
    for character in CHARACTERS:
        assert canonical_key(character) == textual_name(character), character
    assert set(CHARACTER_KEY_NAMES) == {textual_name(c) for c in CHARACTERS
                                        if not c.isalnum()} | {"comma"}


def test_the_fixed_keys_are_the_apps() -> None:
    assert App.COMMAND_PALETTE_BINDING in FIXED_KEYS
    textual_own = {b.key for b in App.BINDINGS if isinstance(b, Binding)}  # ctrl+q, ctrl+c
    assert textual_own <= set(FIXED_KEYS)
    table_keys = {key for b in LiveTable.BINDINGS if isinstance(b, Binding)
                  for key in b.key.split(",")}
    assert table_keys <= set(FIXED_KEYS)
    ids = {b.id for b in TsdashApp.BINDINGS if isinstance(b, Binding)}
    for _what, shared_with in FIXED_KEYS.values():
        assert shared_with is None or shared_with in ids


def test_keys_textual_takes_as_one_are_one_key() -> None:
    aliases = {alias: key for key, names in TEXTUAL_ALIASES.items() for alias in names}
    assert aliases == KEY_ALIASES
    assert canonical_key("ctrl+i") == canonical_key("tab")


@pytest.mark.parametrize("keys", ['zoom = "ctrl+shift+r"', 'zoom = "f5"', 'zoom = "space"',
                                  'zoom = "plus"', 'zoom = "minus"', 'zoom = "ctrl+space"',
                                  'zoom = "alt+1"', 'zoom = "return"', 'zoom = "y,ctrl+y"',
                                  'reconnect_all = "R"', 'help = "question_mark"'])
def test_keys_people_use_are_accepted(tmp_path, keys) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[keys]\n{keys}\n")
    binding_id = keys.split(" = ")[0]
    assert load_settings(path).keys[binding_id]


def test_a_key_that_is_another_keys_alias_is_refused(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nzoom = "ctrl+i"\n')
    with pytest.raises(ConfigError, match='"ctrl\\+i" is already the key for "next_panel"'):
        load_settings(path)


async def test_a_punctuation_key_from_the_config_works_in_the_app(tmp_path) -> None:
    # the config stores "percent_sign", the name Textual gives the "%" key press
    from ui_helpers import sim_app, wait_live

    from tsdash.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text('[keys]\nzoom = "%"\n')
    app, _ = sim_app(load_settings(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_live(pilot)
        app.quotes_panel.focus_target.focus()
        await pilot.press("%")
        assert app.screen.maximized is app.quotes_panel


def test_the_table_binds_the_keys_keymap_declares() -> None:
    """LiveTable's keys are declared once, in tsdash.keymap (where the config keeps actions off
    them): the table binds exactly those, to actions it has."""
    bound = {(b.key, b.action) for b in LiveTable.BINDINGS if isinstance(b, Binding)}
    assert bound == {(key.key, key.action) for key in TABLE_KEYS}
    for key in TABLE_KEYS:
        assert callable(getattr(LiveTable, f"action_{key.action}", None)), key.action
