"""The config checks key names without importing Textual (config.py may not): this keeps its
list of names in step with Textual's own, so it cannot drift."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.keys import Keys

from tsdash.config import CHARACTER_KEY_NAMES, FIXED_KEYS, NAMED_KEYS, canonical_key
from tsdash.ui.app import TsdashApp

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
    textual_own = {b.key for b in App.BINDINGS}  # ctrl+q, ctrl+c
    assert textual_own <= set(FIXED_KEYS)
    ids = {b.id for b in TsdashApp.BINDINGS}
    for key, (_what, shared_with) in FIXED_KEYS.items():
        assert key in TEXTUAL_KEYS or key.startswith("ctrl+"), key
        assert shared_with is None or shared_with in ids


async def test_a_punctuation_key_from_the_config_works_in_the_app(tmp_path) -> None:
    # the config stores "exclamation_mark", the name Textual gives the "!" key press
    from ui_helpers import sim_app, wait_live

    from tsdash.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text('[keys]\nzoom = "!"\n')
    app, _ = sim_app(load_settings(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_live(pilot)
        app.quotes_panel.focus_target.focus()
        await pilot.press("!")
        assert app.screen.maximized is app.quotes_panel
