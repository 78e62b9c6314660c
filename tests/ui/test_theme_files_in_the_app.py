"""The app skips a broken theme file with a notice and finds the packaged themes."""

from __future__ import annotations

from pathlib import Path

from ui_helpers import frozen_clock
from ui_fakes import FakeConnector
from tsdash.ui.app import TsdashApp
from tsdash.ui.themes import load_themes


async def test_a_broken_theme_file_is_skipped_with_a_notice(settings, tmp_path, monkeypatch):
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "nope"\n')
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    monkeypatch.setattr("tsdash.ui.app.load_themes", lambda: load_themes([themes]))
    settings.theme = "broken"
    app = TsdashApp(settings, connector=FakeConnector(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "tsdash-dark"  # the fallback
        messages = [n.message for n in app.notices]
        assert any("broken.toml" in m for m in messages)
        assert any("'broken' not found" in m for m in messages)
        assert app.dashboard_themes == ["tsdash-dark", "mine"]


def test_themes_are_packaged_next_to_the_code_or_in_the_checkout():
    from tsdash.ui.themes import theme_dirs

    found = {Path(str(d)).name for d in theme_dirs()}
    assert found == {"themes"}
