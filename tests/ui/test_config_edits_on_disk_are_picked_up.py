"""The config file edited in an editor while the dashboard runs (issue 11, item 3): the change
is picked up (a stat every couple of seconds), shown with a notice, and the quotes panel
follows; `a` and `d` write their one change into what the file holds now, so nothing added by
hand is lost; a file made invalid is neither applied nor written over."""

from __future__ import annotations

import tomllib

import pytest
from ui_helpers import CONFIG, SIZE, notified, sim_app, stream_paths, wait_for, wait_live

from tsdash.config import load_settings
from tsdash.ui import config_watch

EDITED = CONFIG.replace('short = ["AAPL", "MSFT", "NVDA"]',
                        'short = ["AAPL", "MSFT", "NVDA", "TSLA"]\nbonds = ["TLT", "IEF"]')


@pytest.fixture
def config_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return load_settings(path)


@pytest.fixture
def quick_poll(monkeypatch):
    monkeypatch.setattr(config_watch, "POLL_INTERVAL", 0.1)


def on_disk(settings) -> dict:
    return tomllib.loads(settings.path.read_text())["watchlists"]


async def test_an_edit_on_disk_is_picked_up_and_a_then_keeps_it(config_settings, quick_poll):
    app, connector = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        quotes = app.quotes_panel
        config_settings.path.write_text(EDITED)  # TSLA added to "short", a new list "bonds"

        await wait_for(pilot, lambda: notified(app, "config reloaded: watchlists changed"),
                       what="the reload notice")
        assert quotes.watchlists is app.settings.watchlists  # one copy
        assert list(app.settings.watchlists) == ["short", "bonds", "other"]
        await wait_for(pilot, lambda: quotes.state == "live" and "Last" in quotes.model.get("TSLA"),
                       what="TSLA streaming")
        app.tick()
        assert quotes.table.ordered_keys() == ["AAPL", "MSFT", "NVDA", "TSLA"]
        assert stream_paths(connector.sim)[-1] == "/v3/marketdata/stream/quotes/AAPL,MSFT,NVDA,TSLA"
        assert "bonds" in quotes.title_text().plain

        await pilot.press("a", *"ibm", "enter")
        await wait_for(pilot, lambda: notified(app, "Added IBM to short"), what="saved")
        assert on_disk(config_settings) == {"short": ["AAPL", "MSFT", "NVDA", "TSLA", "IBM"],
                                            "bonds": ["TLT", "IEF"], "other": ["SPY"]}
        assert sum("config reloaded" in n.message for n in app.notices) == 1  # own save


async def test_a_right_after_an_edit_on_disk_merges_with_it(config_settings):
    # the poll has not run yet (2 s): the save itself reads the file first
    app, _ = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        config_settings.path.write_text(EDITED)
        await pilot.press("a", *"ibm", "enter")
        await wait_for(pilot, lambda: notified(app, "Added IBM to short"), what="saved")
        assert on_disk(config_settings) == {"short": ["AAPL", "MSFT", "NVDA", "TSLA", "IBM"],
                                            "bonds": ["TLT", "IEF"], "other": ["SPY"]}
        assert notified(app, "config reloaded: watchlists changed")
        assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA", "TSLA", "IBM"]


async def test_d_right_after_an_edit_on_disk_merges_with_it(config_settings):
    app, _ = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        config_settings.path.write_text(EDITED)
        app.remove_symbol("MSFT")
        await wait_for(pilot, lambda: notified(app, "Removed MSFT from short"), what="saved")
        assert on_disk(config_settings) == {"short": ["AAPL", "NVDA", "TSLA"],
                                            "bonds": ["TLT", "IEF"], "other": ["SPY"]}


async def test_an_invalid_edit_on_disk_is_reported_and_left_alone(config_settings, quick_poll):
    app, connector = sim_app(config_settings)
    broken = EDITED.replace('"TSLA"', '"tsla!"')
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        config_settings.path.write_text(broken)
        await wait_for(pilot, lambda: notified(app, "config not reloaded: config error in "),
                       what="the error notice")
        assert notified(app, 'key "watchlists.short[3]"')
        assert notified(app, "this session keeps its settings")
        assert app.settings.watchlists == {"short": ["AAPL", "MSFT", "NVDA"], "other": ["SPY"]}
        await pilot.pause(0.5)  # the poll goes on: the same bad file is reported once
        assert sum("config not reloaded" in n.message for n in app.notices) == 1

        # the app keeps working; a save does not write over the file
        sub = app.quotes_panel.sub
        await pilot.press("a", *"ibm", "enter")
        await wait_for(pilot, lambda: notified(app, "watchlist not saved: config error in "),
                       what="the save refused")
        await wait_for(pilot, lambda: app.quotes_panel.state == "live"
                       and app.quotes_panel.sub is not sub, what="IBM streaming")
        assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA", "IBM"]
        assert config_settings.path.read_text() == broken
        assert notified(app, '"tsla!" (a string); the change is kept for this session')

        # fixed in the editor: picked up, and the unsaved IBM stays on screen and is saved next
        config_settings.path.write_text(EDITED)
        await wait_for(pilot, lambda: notified(app, "config reloaded: watchlists changed"),
                       what="the reload")
        assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA", "TSLA", "IBM"]
        app.add_symbol("AMD")
        await wait_for(pilot, lambda: notified(app, "Added AMD to short"), what="saved")
        assert on_disk(config_settings)["short"] == ["AAPL", "MSFT", "NVDA", "TSLA", "IBM", "AMD"]


async def test_the_list_on_screen_removed_on_disk(config_settings, quick_poll):
    app, _ = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        app.show_watchlist("other")
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="other list")
        config_settings.path.write_text(CONFIG.replace('other = ["SPY"]\n', ""))
        await wait_for(pilot, lambda: notified(app, "config reloaded"), what="reload")
        quotes = app.quotes_panel
        assert quotes.active == "short" and list(quotes.watchlists) == ["short"]
        await wait_for(pilot, lambda: quotes.state == "live", what="short streaming")
        assert quotes.model.symbols == ["AAPL", "MSFT", "NVDA"]


async def test_other_settings_changed_on_disk_are_named_for_the_next_start(config_settings,
                                                                           quick_poll):
    app, _ = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        config_settings.path.write_text(CONFIG.replace("repaint_hz = 10", "repaint_hz = 20"))
        await wait_for(pilot, lambda: notified(app, "config reloaded"), what="reload")
        assert notified(app, "config reloaded: ui.repaint_hz changed: used at the next start")
        assert app.repaint_interval == pytest.approx(0.1)


async def test_a_file_caught_half_written_is_taken_only_once_it_has_settled(config_settings):
    app, _ = sim_app(config_settings)  # the 2 s poll does not run here: poll() is called
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        sync = app.config_sync
        config_settings.path.write_text("")  # an editor writing in place: empty for a moment
        sync.poll()
        await pilot.pause(0.2)
        config_settings.path.write_text(EDITED)
        sync.poll()  # changed since the last look: not settled yet
        await pilot.pause(0.2)
        assert not notified(app, "config reloaded")
        assert list(app.settings.watchlists) == ["short", "other"]
        sync.poll()  # the same as the last look: taken
        await wait_for(pilot, lambda: notified(app, "config reloaded: watchlists changed"),
                       what="the reload")
        assert list(app.settings.watchlists) == ["short", "bonds", "other"]
        assert sum("config reloaded" in n.message for n in app.notices) == 1
