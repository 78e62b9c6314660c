"""Command palette (ctrl+p) entries for the dashboard: the remappable actions that have a
palette title (tsdash.keymap.ACTIONS), with the keys bound now, plus direct jumps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tsdash.keymap import ACTIONS

if TYPE_CHECKING:
    from tsdash.ui.app import TsdashApp


class DashboardCommands(Provider):
    """Reconnect, watchlists, themes, chart symbols, help and quit."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: TsdashApp = self.app  # type: ignore[assignment]
        keys = app.shown_keys()
        commands: list[tuple[str, Callable[[], object], str]] = [
            (action.command, partial(app.run_action, action.id),
             f"{action.about or action.description} ({keys.get(action.id, action.key)})")
            for action in ACTIONS if action.command is not None
        ]
        quotes = app.quotes_panel
        if quotes is not None:
            for name in app.settings.watchlists:
                commands.append((f"Watchlist: {name}", partial(app.show_watchlist, name),
                                 f"show the {name} watchlist"))
            for symbol in quotes.model.symbols:
                commands.append((f"Chart {symbol}", partial(app.select_symbol, symbol),
                                 f"bars and time & sales follow {symbol}"))
                commands.append((f"Remove {symbol} from {quotes.active}",
                                 partial(app.remove_symbol, symbol),
                                 "and save the watchlist in the config"))
        for name in app.dashboard_themes:
            commands.append((f"Theme: {name}", partial(app.set_theme, name), "switch theme"))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
