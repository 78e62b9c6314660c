"""The config file as the running dashboard sees it: changes made on disk are picked up, and the
app's own saves merge with them instead of writing over them.

A person may edit the config file in an editor while the dashboard runs all day. So:

- every :data:`POLL_INTERVAL` seconds the file's stat (mtime, size, inode) is compared with the
  last one seen; when it differs the file is loaded again and what changed is applied (the
  watchlists now; every other change is named in the notice as used at the next start);
- every save first does the same check, then writes only its own change into what the file
  holds at that moment (``Settings.save_watchlist_edits``);
- a file that became invalid is never written over: the session keeps its settings and the
  notice carries the ConfigError's message; a read-only file likewise (the edit stays for the
  session, and is written with the next save that succeeds).

Watchlist edits made in the app are kept as :class:`WatchlistEdit` s until a save writes them,
so a reload keeps an unsaved edit on screen (the session shows the file plus its unsaved edits).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from tsdash.config import (
    AlertEdit,
    ConfigError,
    Settings,
    WatchlistEdit,
    apply_alert_edits,
    apply_watchlist_edits,
    file_key,
    live_reload_settings,
    load_settings,
    settings_fields,
)

if TYPE_CHECKING:
    from tsdash.alerts.rules import AlertRule
    from tsdash.ui.app import TsdashApp

log = logging.getLogger(__name__)

#: seconds between two looks at the config file (one stat call)
POLL_INTERVAL = 2.0

#: settings the running dashboard takes from a reloaded file (declared ``live_reload`` in
#: tsdash.config); the rest wait for a restart
LIVE_SETTINGS = live_reload_settings()

Signature = tuple[int, int, int]

T = TypeVar("T")


def file_signature(path: os.PathLike[str] | str) -> Signature | None:
    """What changes when the file is written (an editor's rename too); None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def changed_settings(old: Settings, new: Settings) -> list[str]:
    """Names of the settings that differ between two loads of the file, in Settings order."""
    return [name for name in settings_fields() if getattr(old, name) != getattr(new, name)]


class ConfigSync:
    """Keeps the app's settings, the quotes panel and the config file in step (see module doc).

    ``settings`` is the app's one copy of the settings; its ``watchlists`` dict is shared with the
    quotes panel and changed in place.
    """

    def __init__(self, app: TsdashApp, settings: Settings, lock: asyncio.Lock) -> None:
        self.app = app
        self.settings = settings
        self.lock = lock  # one config read-or-write at a time, in order
        self.path = settings.path
        #: the file's settings as last read or written (to tell what an edit on disk changed)
        self.on_disk: Settings = copy.deepcopy(settings)
        self.seen: Signature | None = file_signature(self.path)
        #: the signature at the previous poll: a change is taken once it has settled
        self.last_look: Signature | None = self.seen
        #: watchlist edits made in the app and not yet written (a save failed, or is under way)
        self.pending: list[WatchlistEdit] = []
        #: alert rules added or deleted in the app and not yet written, likewise
        self.pending_alerts: list[AlertEdit] = []

    def start(self) -> None:
        self.app.set_interval(POLL_INTERVAL, self.poll, name="config-watch")

    # -- noticing changes on disk ------------------------------------------------------------

    def poll(self) -> None:
        """Timer: a stat; a reload only when the file changed, has stayed the same since the
        last look (an editor that writes in place leaves it empty or half written for a
        moment), and nothing else is at it."""
        signature = file_signature(self.path)
        settled = signature == self.last_look
        self.last_look = signature
        if self.lock.locked() or signature == self.seen or not settled:
            return
        self.app.run_worker(self.reload(), name="config-reload", group="settings",
                            exit_on_error=False)

    async def reload(self) -> None:
        async with self.lock:
            error = await self._reload_if_changed()
        if error is not None:
            self.app.notify(f"config not reloaded: {error}; this session keeps its settings",
                            title="Config error", severity="error", timeout=15)

    async def _reload_if_changed(self) -> ConfigError | None:
        """Load the file if it changed since last seen and apply it; the caller holds the lock.
        Returns the ConfigError of a file that became invalid (once per version of the file)."""
        signature = file_signature(self.path)
        if signature == self.seen:
            return None
        self.seen = signature
        if signature is None:
            self.app.notify(f"config file {self.path} was removed; this session keeps its "
                            "settings (the next save writes the file again)",
                            title="Config", severity="warning", timeout=10)
            return None
        try:
            loaded = await asyncio.to_thread(load_settings, self.path)
        except ConfigError as exc:
            log.warning("config not reloaded: %s", exc)
            return exc
        self._apply(loaded)
        return None

    def _apply(self, loaded: Settings) -> None:
        """Take what changed on disk since ``on_disk``; say what it was."""
        changed = changed_settings(self.on_disk, loaded)
        self.on_disk = loaded
        if not changed:
            return
        live = [name for name in changed if name in LIVE_SETTINGS]
        later = [name for name in changed if name not in LIVE_SETTINGS]
        if "watchlists" in live or "default_watchlist" in live:
            self._show_watchlists(apply_watchlist_edits(loaded.watchlists, self.pending),
                                  loaded.default_watchlist)
        if "notifications" in live:
            self.settings.notifications = loaded.notifications
        if "alerts" in live:
            self._show_alerts(loaded.alerts)
        parts = []
        if live:
            parts.append(f"{' and '.join(live)} changed")
        if later:
            names = ", ".join(file_key(name) for name in later)
            parts.append(f"{names} changed: used at the next start")
        log.info("config reloaded from %s: %s", self.path, "; ".join(parts))
        self.app.notify(f"config reloaded: {'; '.join(parts)}", title="Config reloaded",
                        timeout=8)

    def _show_watchlists(self, watchlists: dict[str, list[str]], default: str) -> None:
        """The session's watchlists become ``watchlists``; the quotes panel follows (a changed
        list on screen reopens its stream, as after `a` and `d`)."""
        shared = self.settings.watchlists  # the quotes panel holds this same dict
        shared.clear()
        shared.update(watchlists)
        if default in shared:
            self.settings.default_watchlist = default
        quotes = self.app.quotes_panel
        if quotes is None:
            return
        if quotes.active not in shared:
            quotes.switch_watchlist(self.settings.default_watchlist if self.settings
                                    .default_watchlist in shared else next(iter(shared)))
        elif quotes.model.symbols != shared[quotes.active]:
            quotes.edit_watchlist(quotes.active, shared[quotes.active])
        quotes.refresh_title()

    # -- saving ------------------------------------------------------------------------------

    def save_watchlist_edit(self, edit: WatchlistEdit, done: str) -> None:
        """``edit`` is already on screen; write it into the file as it is now (in a worker)."""
        self.pending.append(edit)
        self.app.run_worker(self._save_edits(done), name="save-watchlist", group="settings",
                            exit_on_error=False)

    async def _save_edits(self, done: str) -> None:
        async with self.lock:
            # taken under the lock: an earlier worker may have written some of them already
            edits = list(self.pending)
            if not edits:  # an earlier save wrote them already
                written: Settings | ConfigError | OSError | None = None
            else:
                written = await self._write_locked(
                    lambda: self.settings.save_watchlist_edits(edits))
        if written is None:
            self.app.notify(f"{done}; saved to {self.path}", title="Watchlist")
            return
        if not isinstance(written, Settings):
            self._warn("watchlist", written)
            return
        done_ids = {id(edit) for edit in edits}
        self.pending[:] = [edit for edit in self.pending if id(edit) not in done_ids]
        # what the file holds is what we expected plus, at most, a change made in the instant
        # between our read and our write: only that is news
        self.on_disk.watchlists = apply_watchlist_edits(self.on_disk.watchlists, edits)
        self._apply(written)
        self.app.notify(f"{done}; saved to {self.path}", title="Watchlist")

    def _show_alerts(self, in_file: list[AlertRule]) -> None:
        """The session's rules become the file's plus the edits not written yet."""
        rules = apply_alert_edits(in_file, self.pending_alerts)
        self.settings.alerts = rules
        self.app.alerts.set_rules(rules)

    def save_alert_edit(self, edit: AlertEdit, done: str) -> None:
        """``edit`` is already in force; write it into the file as it is now (in a worker).
        A failed save keeps the rule for this session (and for the next save) and says why."""
        self.pending_alerts.append(edit)
        self.app.run_worker(self._save_alert_edits(done), name="save-alert", group="settings",
                            exit_on_error=False)

    async def _save_alert_edits(self, done: str) -> None:
        async with self.lock:
            edits = list(self.pending_alerts)  # an earlier worker may have written them
            written: Settings | ConfigError | OSError | None = None
            if edits:
                written = await self._write_locked(
                    lambda: self.settings.save_alert_edits(edits))
        if isinstance(written, (ConfigError, OSError)):
            self._warn("alert", written)
            return
        if written is not None:
            done_ids = {id(edit) for edit in edits}
            self.pending_alerts[:] = [e for e in self.pending_alerts if id(e) not in done_ids]
            self.on_disk.alerts = apply_alert_edits(self.on_disk.alerts, edits)
            self._apply(written)
        self.app.notify(f"{done}; saved to {self.path}", title="Alerts", markup=False)

    def save_theme(self, name: str) -> None:
        async def save() -> None:
            if await self.save(lambda: self.settings.save_theme(name), "theme") is not None:
                self.on_disk = dataclasses.replace(self.on_disk, theme=name)

        self.app.run_worker(save(), name="save-theme", group="settings", exit_on_error=False)

    async def save(self, write: Callable[[], T], what: str) -> T | None:
        """Run ``write`` off the event loop after taking any change on disk; None if it failed
        (the change stays for this session, and a warning says why)."""
        async with self.lock:
            result = await self._write_locked(write)
        if isinstance(result, (ConfigError, OSError)):
            self._warn(what, result)
            return None
        return result

    async def _write_locked(self, write: Callable[[], T]) -> T | ConfigError | OSError:
        """``write``'s result, or the error that stopped it; the caller holds the lock."""
        error = await self._reload_if_changed()
        if error is not None:
            return error
        try:
            result = await asyncio.to_thread(write)
        except (ConfigError, OSError) as exc:
            return exc
        self.seen = self.last_look = file_signature(self.path)
        return result

    def _warn(self, what: str, error: Exception) -> None:
        log.warning("%s not saved: %s", what, error)
        text = str(error)
        if "kept for this session" not in text:  # the read-only refusal says it already
            text += "; the change is kept for this session"
        self.app.notify(f"{what} not saved: {text}", title="Not saved", severity="warning",
                        timeout=15)
