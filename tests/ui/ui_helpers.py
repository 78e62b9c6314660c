"""Helpers for the dashboard tests: polling waits, the app against the fixed-clock simulator."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from tsdash.config import Settings

FROZEN = 1000.0


def frozen_clock() -> float:
    return FROZEN


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 5.0,
                   what: str = "condition") -> None:
    """Poll ``condition`` (pumping the app) until true; fail with ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


# -- the dashboard against the embedded simulator, deterministic ------------------------------

SEED = 7


def sim_app(settings, *, balance_interval: float = 3600.0, **app_kwargs):
    """The app with a fixed-clock simulator (frozen timestamps, a market that moves only on
    ``sim.advance()``), a frozen age clock, and one balance poll (later polls would depend on
    wall time). Returns (app, connector); the simulator is ``connector.sim`` once connected."""
    from tsdash.ui.app import TsdashApp
    from tsdash.ui.connection import DemoConnector

    connector = DemoConnector(seed=SEED, clock="fixed")
    app = TsdashApp(settings, connector=connector, clock=frozen_clock,
                    balance_interval=balance_interval, **app_kwargs)
    return app, connector


def message_counts(app) -> tuple[int, ...]:
    return tuple(p.activity.messages for p in app.panels.values())


async def wait_live(pilot, timeout: float = 10.0) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.connection is not None
                   and all(p.state == "live" for p in app.panels.values()),
                   timeout, "every panel live")


async def wait_data(pilot, timeout: float = 10.0) -> None:
    """Every panel has its first data: quotes for each symbol, the bar history, both snapshots,
    the balances of every account."""
    app = pilot.app
    panels = app.panels

    def arrived() -> bool:
        quotes = panels["quotes"].model
        return (all("Last" in quotes.get(s) for s in quotes.symbols)
                and len(panels["bars"].model) >= app.settings.bars.barsback
                and panels["orders"].model.snapshots >= 1
                and panels["positions"].model.snapshots >= 1
                and len(panels["balances"].model) >= 1)

    await wait_for(pilot, arrived, timeout, "first data in every panel")


async def wait_quiet(pilot, polls: int = 6, interval: float = 0.05,
                     timeout: float = 10.0) -> None:
    """Until no panel received anything for ``polls`` polls in a row (the in-process simulator
    writes within a few loop iterations of a step, so this is far longer than needed)."""
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, still = message_counts(app), 0
    while still < polls:
        if loop.time() > deadline:
            raise AssertionError("the streams never went quiet")
        await pilot.pause(interval)
        now = message_counts(app)
        still = still + 1 if now == last else 0
        last = now


async def settle(pilot) -> None:
    """Repaint until nothing is left to paint (flashes expired), then let the screen update."""
    app = pilot.app
    for _ in range(50):
        app.tick()
        if app.settled:
            break
    app.tick()
    await pilot.pause()


async def advance(pilot, sim, steps: int) -> None:
    """Move the simulated market ``steps`` steps, one at a time, waiting for each to arrive."""
    for _ in range(steps):
        sim.advance(1)
        await wait_quiet(pilot, polls=3)
    await wait_quiet(pilot)


SIZE = (160, 48)


REFRESH = "rt-of-the-user-0123456789"


SECRET = "s3cret-value"


def sim_settings(private_dirs, env: str = "sim") -> Settings:
    return Settings(environment=env, path=private_dirs / "config.toml", repaint_hz=20)


def environ_for(sim) -> dict[str, str]:
    return {"TS_CLIENT_SECRET": SECRET, "TSDASH_API_URL": sim.base_url,
            "TSDASH_SIGNIN_URL": sim.root_url}


def args(**kw):
    base = {"demo": False, "config": None, "log_level": None, "command": None}
    return argparse.Namespace(**{**base, **kw})


# the config the watchlist-edit and reload tests start from
CONFIG = """\
# my settings
theme = "tsdash-dark"
default_watchlist = "short"

[watchlists]
short = ["AAPL", "MSFT", "NVDA"]
other = ["SPY"]

[bars]
symbol = "MSFT"
barsback = 50

[ui]
repaint_hz = 10
"""


def notified(app, text: str) -> bool:
    return any(text in n.message for n in app.notices)


def stream_paths(sim) -> list[str]:
    return [r.path for r in sim.requests if r.path.startswith("/v3/marketdata/stream/quotes/")]
