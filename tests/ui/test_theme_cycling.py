"""t cycles themes and saves the choice; a bad saved theme or an unsavable file does not break the
app."""

from __future__ import annotations

import tomllib

from ui_helpers import wait_for
from ui_fakes import make_app, started


async def test_t_cycles_themes_and_remembers_the_choice(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        assert app.theme == "tsdash-dark"
        seen = [app.theme]
        for _ in range(3):
            await pilot.press("t")
            seen.append(app.theme)
        assert seen == ["tsdash-dark", "tsdash-high-contrast", "tsdash-light", "tsdash-dark"]
        await wait_for(pilot, lambda: settings.path.exists()
                       and tomllib.loads(settings.path.read_text()).get("theme")
                       == "tsdash-dark", what="theme saved")
        await pilot.press("t")
        await wait_for(pilot, lambda: tomllib.loads(settings.path.read_text()).get("theme")
                       == "tsdash-high-contrast", what="theme saved again")
        # the panels picked up the theme's price colours
        await wait_for(pilot, lambda: app.quotes_panel.palette.up.color.name.lower() == "#00ff00",
                       what="the quotes panel in the new colours")


async def test_t_tolerates_settings_that_cannot_be_saved(tmp_path):
    from tsdash.config import Settings

    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = Settings(path=blocker / "config.toml")  # its directory is a file: cannot save
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        await pilot.press("t")
        await wait_for(pilot, lambda: any("theme not saved" in n.message
                                          for n in app.notices), what="notice")
        assert app.theme == "tsdash-high-contrast"


async def test_unknown_theme_in_settings_falls_back_with_a_notice(settings):
    settings.theme = "no-such-theme"
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        assert app.theme == "tsdash-dark"
        assert any("no-such-theme" in n.message for n in app.notices)
