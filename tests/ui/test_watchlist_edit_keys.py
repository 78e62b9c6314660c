"""Adding and removing watchlist symbols in the app: streamed at once, saved to the config."""

from __future__ import annotations

import tomllib

import pytest
from ui_helpers import CONFIG, SIZE, notified, sim_app, stream_paths, wait_for, wait_live

from tsdash.config import load_settings
from tsdash.ui.screens.add_symbol import AddSymbolScreen


@pytest.fixture
def config_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return load_settings(path)


def saved(settings) -> dict:
    return tomllib.loads(settings.path.read_text())


async def test_a_adds_a_symbol_that_streams_and_is_saved(config_settings):
    app, connector = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        quotes = app.quotes_panel
        old_sub = quotes.sub
        await pilot.press("a")
        assert isinstance(app.screen, AddSymbolScreen)
        await pilot.press(*"ibm", "enter")
        assert not isinstance(app.screen, AddSymbolScreen)
        await wait_for(pilot, lambda: quotes.state == "live" and quotes.sub is not old_sub
                       and "Last" in quotes.model.get("IBM"), what="IBM streaming")
        app.tick()
        assert quotes.table.ordered_keys() == ["AAPL", "MSFT", "NVDA", "IBM"]
        assert quotes.table.get_cell("IBM", "last").plain.strip() not in ("", "—")
        assert "/v3/marketdata/stream/quotes/AAPL,MSFT,NVDA,IBM" in stream_paths(connector.sim)
        assert old_sub.state == "closed"
        await wait_for(pilot, lambda: connector.sim.open_streams == 5, what="old stream closed")
        await wait_for(pilot, lambda: notified(app, "Added IBM to short"), what="saved")
        data = saved(config_settings)
        assert data["watchlists"] == {"short": ["AAPL", "MSFT", "NVDA", "IBM"], "other": ["SPY"]}
        # every other setting kept
        assert data["ui"] == {"repaint_hz": 10} and data["bars"] == {"symbol": "MSFT", "barsback": 50}
        assert data["default_watchlist"] == "short" and data["theme"] == "tsdash-dark"
        assert load_settings(config_settings.path).watchlists["short"][-1] == "IBM"


async def test_the_prompt_refuses_a_bad_or_known_symbol_and_escape_cancels(config_settings):
    app, _ = sim_app(config_settings)
    before = config_settings.path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await pilot.press("a", *"brk b", "enter")
        screen = app.screen
        assert isinstance(screen, AddSymbolScreen)  # still open: nothing was added
        assert "cannot contain spaces" in str(screen.problem.render())
        await pilot.press(*["backspace"] * 6)
        await pilot.press(*"msft", "enter")
        assert isinstance(app.screen, AddSymbolScreen)
        assert "MSFT is already in short" in str(screen.problem.render())
        await pilot.press("escape")
        assert not isinstance(app.screen, AddSymbolScreen)
        await pilot.pause(0.1)
        assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA"]
        # the same refusal without the prompt (the command palette, a script)
        sub = app.quotes_panel.sub
        app.add_symbol(" msft ")
        await wait_for(pilot, lambda: notified(app, "MSFT is already in short"), what="refusal")
        assert app.quotes_panel.sub is sub and config_settings.watchlists["short"] == [
            "AAPL", "MSFT", "NVDA"]
    assert config_settings.path.read_text() == before


async def test_d_removes_the_highlighted_symbol_and_saves(config_settings):
    app, connector = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        quotes = app.quotes_panel
        await wait_for(pilot, lambda: all("Last" in quotes.model.get(s)
                                          for s in quotes.model.symbols), what="quotes")
        app.tick()
        quotes.table.focus()
        await pilot.press("down", "d")  # the second row: MSFT
        app.tick()
        assert quotes.table.ordered_keys() == ["AAPL", "NVDA"]
        # the rows kept keep their values while the stream is reopened
        assert quotes.table.get_cell("AAPL", "last").plain.strip() != "—"
        await wait_for(pilot, lambda: quotes.state == "live", what="resubscribed")
        assert stream_paths(connector.sim)[-1] == "/v3/marketdata/stream/quotes/AAPL,NVDA"
        await wait_for(pilot, lambda: notified(app, "Removed MSFT from short"), what="saved")
        assert saved(config_settings)["watchlists"]["short"] == ["AAPL", "NVDA"]


async def test_d_needs_a_highlighted_quote_row_and_keeps_the_last_symbol(config_settings):
    app, _ = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        app.panels["orders"].focus_target.focus()
        await pilot.press("d")
        assert notified(app, "Highlight a row in the quotes panel first")
        assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA"]
        app.show_watchlist("other")
        await wait_for(pilot, lambda: app.quotes_panel.state == "live", what="other list")
        app.tick()
        app.quotes_panel.table.focus()
        await pilot.press("d")
        assert notified(app, "it is the last symbol in 'other'")
        assert app.quotes_panel.model.symbols == ["SPY"]


async def test_an_unsaveable_config_keeps_the_edit_for_this_run(tmp_path):
    from tsdash.config import Settings

    blocker = tmp_path / "file"
    blocker.write_text("")
    settings = Settings(path=blocker / "config.toml")  # its directory is a file: cannot save
    app, _ = sim_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        app.add_symbol("IBM")
        await wait_for(pilot, lambda: notified(app, "watchlist not saved"), what="warning")
        assert "IBM" in app.quotes_panel.model.symbols
        assert settings.watchlists[settings.default_watchlist][-1] == "IBM"


async def test_a_read_only_config_is_not_replaced_and_the_edit_stays(config_settings):
    import stat

    path = config_settings.path
    path.chmod(0o444)  # the folder stays writable: the atomic rename alone would succeed
    before = path.read_text()
    app, _ = sim_app(config_settings)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_live(pilot)
            await pilot.press("a", *"ibm", "enter")
            await wait_for(pilot, lambda: notified(app, "watchlist not saved"), what="warning")
            assert notified(app, (
                f"watchlist not saved: config file {path} is read-only (mode 0444); the change "
                f"is kept for this session; make it writable with chmod u+w {path} to save"))
            assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA", "IBM"]
            assert config_settings.watchlists["short"][-1] == "IBM"
            assert path.read_text() == before
            assert stat.S_IMODE(path.stat().st_mode) == 0o444
    finally:
        path.chmod(0o644)


async def test_the_prompt_refuses_a_symbol_longer_than_32(config_settings):
    app, _ = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await pilot.press("a", *("x" * 40), "enter")
        screen = app.screen
        assert isinstance(screen, AddSymbolScreen)  # still open: nothing was added
        assert "is 40 characters long; TradeStation symbols are at most 32" in str(
            screen.problem.render())
        await pilot.press("escape")
        app.add_symbol("Y" * 500)  # without the prompt: the same rule
        await wait_for(pilot, lambda: notified(app, "TradeStation symbols are at most 32"),
                       what="refusal")
        assert app.quotes_panel.model.symbols == ["AAPL", "MSFT", "NVDA"]
