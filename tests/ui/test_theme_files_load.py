"""Theme files: the bundled ones load, a broken one is skipped with a message, fallback exists."""

from __future__ import annotations

from pathlib import Path

from tsdash.ui.themes import (
    FALLBACK_THEME_NAME,
    VARIABLE_DEFAULTS,
    load_themes,
    theme_dirs,
)

BUNDLED = {"tsdash-dark", "tsdash-light", "tsdash-high-contrast"}


def test_bundled_themes_load_with_price_colours():
    loaded = load_themes()
    assert loaded.errors == []
    assert BUNDLED <= set(loaded.themes)
    assert loaded.names[0] == FALLBACK_THEME_NAME
    for name in BUNDLED:
        theme = loaded.themes[name]
        assert {"price-up", "price-down"} <= set(theme.variables)
        for key in ("primary", "secondary", "accent", "background", "surface", "panel",
                    "foreground", "success", "warning", "error"):
            assert getattr(theme, key), (name, key)
    assert loaded.themes["tsdash-light"].dark is False


def test_theme_dirs_find_the_repository_themes():
    dirs = [Path(str(d)) for d in theme_dirs()]
    assert any((d / "tsdash-dark.toml").is_file() for d in dirs)


def test_broken_theme_file_is_skipped_and_reported(tmp_path):
    (tmp_path / "good.toml").write_text('name = "good"\nprimary = "#112233"\n')
    (tmp_path / "bad-toml.toml").write_text('name = "x"\nprimary = \n')
    (tmp_path / "bad-colour.toml").write_text('name = "y"\nprimary = "not-a-colour"\n')
    (tmp_path / "no-name.toml").write_text('primary = "#112233"\n')
    (tmp_path / "unknown-key.toml").write_text('name = "z"\nprimary = "#112233"\nprimry = 1\n')
    (tmp_path / "readme.txt").write_text("not a theme")
    loaded = load_themes([tmp_path])
    assert set(loaded.themes) == {"good", FALLBACK_THEME_NAME}
    assert len(loaded.errors) == 4
    assert any("bad-colour.toml" in e and "primary" in e for e in loaded.errors)
    assert any("bad-toml.toml" in e and "TOML" in e for e in loaded.errors)
    # defaults fill in the dashboard's own variables
    assert loaded.themes["good"].variables["price-up"] == VARIABLE_DEFAULTS["price-up"]


def test_missing_directory_still_gives_the_fallback(tmp_path):
    loaded = load_themes([tmp_path / "nope"])
    assert loaded.names == [FALLBACK_THEME_NAME]
