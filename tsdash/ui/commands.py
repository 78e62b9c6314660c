"""Command palette (ctrl+p) entries for the dashboard: every key's action, plus direct jumps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tsdash.ui.app import TsdashApp


class DashboardCommands(Provider):
    """Reconnect, watchlists, themes, chart symbols, help and quit."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: TsdashApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Reconnect focused panel", partial(app.run_action, "reconnect"),
             "await the focused panel's subscription reconnect (r)"),
            ("Reconnect all panels", partial(app.run_action, "reconnect_all"),
             "reconnect every panel's subscription (R)"),
            ("Next watchlist", partial(app.run_action, "next_watchlist"),
             "cycle the quotes panel's watchlist (w)"),
            ("Next theme", partial(app.run_action, "next_theme"),
             "cycle the colour themes and remember the choice (t)"),
            ("Sort quotes", partial(app.run_action, "sort"), "cycle the quotes sort (s)"),
            ("Add symbol to watchlist", partial(app.run_action, "add_symbol"),
             "type a symbol; it streams at once and is saved in the config (a)"),
            ("Zoom focused panel", partial(app.run_action, "zoom"),
             "maximize / restore the focused panel (z)"),
            ("Show keys", partial(app.run_action, "help"), "the help screen (?)"),
            ("Quit", partial(app.run_action, "quit"),
             "unsubscribe everything, close the client and exit (q)"),
        ]
        quotes = app.quotes_panel
        if quotes is not None:
            for name in quotes.watchlists:
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
