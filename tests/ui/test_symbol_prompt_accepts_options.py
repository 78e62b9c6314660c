"""The `a` prompt takes a symbol in every form TradeStation uses (issue 12): an option with its
space, a continuous future, an index; it streams (the request path carries the symbol) and is
saved, and a bad option symbol is refused in the prompt with the rule."""

from __future__ import annotations

import tomllib

import pytest
from ui_helpers import sim_app, wait_for, wait_live

from tsdash.config import load_settings
from tsdash.ui.screens.add_symbol import AddSymbolScreen

SIZE = (160, 48)

CONFIG = """\
default_watchlist = "short"

[watchlists]
short = ["AAPL", "MSFT"]

[bars]
symbol = "MSFT"
barsback = 50
"""


@pytest.fixture
def config_settings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return load_settings(path)


def stream_paths(sim) -> list[str]:
    return [r.path for r in sim.requests if r.path.startswith("/v3/marketdata/stream/quotes/")]


async def test_the_prompt_adds_an_option_a_future_and_an_index(config_settings):
    app, connector = sim_app(config_settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        quotes = app.quotes_panel
        await pilot.press("a", *"aapl", "space", *"261218c230", "enter")
        assert not isinstance(app.screen, AddSymbolScreen)
        await pilot.press("a", "at", *"es", "enter")
        await pilot.press("a", "dollar_sign", *"spx.x", "enter")
        added = ["AAPL", "MSFT", "AAPL 261218C230", "@ES", "$SPX.X"]
        await wait_for(pilot, lambda: quotes.model.symbols == added, what="all three added")
        await wait_for(pilot, lambda: "/v3/marketdata/stream/quotes/"
                       "AAPL,MSFT,AAPL 261218C230,@ES,$SPX.X" in stream_paths(connector.sim),
                       what="the stream asked for with every symbol")
        await wait_for(pilot, lambda: tomllib.loads(config_settings.path.read_text())[
            "watchlists"]["short"] == added, what="saved")
        app.tick()
        assert quotes.table.ordered_keys() == added
    assert load_settings(config_settings.path).watchlists["short"] == added


async def test_the_prompt_refuses_a_bad_option_symbol_with_the_rule(config_settings):
    app, _ = sim_app(config_settings)
    before = config_settings.path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await wait_live(pilot)
        await pilot.press("a", *"aapl", "space", *"2612c230", "enter")
        screen = app.screen
        assert isinstance(screen, AddSymbolScreen)  # still open: nothing was added
        problem = str(screen.problem.render())
        assert "except the one in an option symbol" in problem and "YYMMDD" in problem
        await pilot.press(*["backspace"] * 8, *"261218p230.5", "enter")
        assert not isinstance(app.screen, AddSymbolScreen)
        await wait_for(pilot, lambda: app.quotes_panel.model.symbols == [
            "AAPL", "MSFT", "AAPL 261218P230.5"], what="the corrected symbol added")
    assert config_settings.path.read_text() != before
    assert load_settings(config_settings.path).watchlists["short"][-1] == "AAPL 261218P230.5"
