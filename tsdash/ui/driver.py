"""A Linux/macOS driver that survives being stopped and continued from outside (kill -STOP/-CONT).

Textual's LinuxDriver resumes application mode on every SIGCONT, as if a SIGTSTP (Ctrl+Z) had
suspended it first. After a stop it did not see (`kill -STOP`, a debugger, a shell's job control
on SIGSTOP) application mode is still running, so the resume starts a second input thread and
writer thread beside the first and records the raw terminal modes as the ones to restore. The two
input threads then both select() stdin; when a key arrives one reads it and the other blocks in
read() for good. On `q` the app then waits forever, either joining the blocked thread or, at
interpreter exit, for the orphaned (non-daemon) one, and the terminal would be left in raw mode.

This driver resumes only what it suspended. A continue without a suspend is handled as Textual
handles Ctrl+Z and fg, but completely: application mode is stopped (its input thread ends, the
terminal's own modes come back) and started again (raw mode, the alternate screen and a full
repaint, which a shell that took the terminal meanwhile needs). That restart runs on the event
loop, not inside the signal handler, which may have interrupted the main thread halfway through
a write.
"""

from __future__ import annotations

import asyncio
import os
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App


class ApplicationMode(StrEnum):
    """Where the driver's application mode is (the terminal set up for the app, or not)."""

    STOPPED = "stopped"  # not started yet, or ended
    RUNNING = "running"
    SUSPENDED = "suspended"  # by Ctrl+Z (SIGTSTP) or App.suspend(): a resume is expected


@runtime_checkable
class TerminalOwner(Protocol):
    """An app that writes escape sequences of its own (desktop notifications) through the
    driver, in order with the screen's output: the driver introduces itself when made."""

    def attach_terminal(self, terminal: Driver) -> None: ...


class ContinueSafeDriver(LinuxDriver):
    """LinuxDriver whose resume (on SIGCONT) starts application mode only after a suspend."""

    def __init__(self, app: App[Any], *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        if isinstance(app, TerminalOwner):
            app.attach_terminal(self)
        self.mode_state = ApplicationMode.STOPPED
        self._restart_loop: asyncio.AbstractEventLoop | None = None
        self._restart_pending = False

    def start_application_mode(self) -> None:
        super().start_application_mode()
        self.mode_state = ApplicationMode.RUNNING
        self._restart_loop = asyncio.get_running_loop()

    def stop_application_mode(self) -> None:
        super().stop_application_mode()
        self.mode_state = ApplicationMode.STOPPED

    def suspend_application_mode(self) -> None:
        super().suspend_application_mode()
        self.mode_state = ApplicationMode.SUSPENDED

    def resume_application_mode(self) -> None:
        """Resume after a suspend; after a stop nobody suspended for, restart on the loop.

        Called from Textual's SIGCONT handler (and by App.suspend() on the main thread)."""
        if self.mode_state is ApplicationMode.SUSPENDED:
            super().resume_application_mode()
        elif self.mode_state is ApplicationMode.RUNNING and not self._restart_pending:
            loop = self._restart_loop
            if loop is None or loop.is_closed():
                return
            self._restart_pending = True
            loop.call_soon_threadsafe(self._restart_after_unseen_stop)
        # STOPPED: a continue before start or after the end has nothing to resume

    def _restart_after_unseen_stop(self) -> None:
        """Stop and start application mode again, as Ctrl+Z then fg would have.

        The writer thread is ended too (close()), since start makes a new one; in the background
        (continued by `bg`) nothing is restarted: reading the terminal stops the process again,
        and the continue that brings it back to the foreground restarts it."""
        self._restart_pending = False
        if self.mode_state is not ApplicationMode.RUNNING or not self._in_foreground():
            return
        self.suspend_application_mode()
        self.close()
        self.resume_application_mode()

    def _in_foreground(self) -> bool:
        """Whether this process may set the terminal's modes (its foreground process group)."""
        try:
            return os.tcgetpgrp(self.fileno) == os.getpgrp()
        except OSError:  # not our controlling terminal: no job control applies
            return True


def continue_safe(chosen: type[Driver]) -> type[Driver]:
    """The driver to run with: ours in place of Textual's LinuxDriver, any other (a driver named in
    TEXTUAL_DRIVER) as it is."""
    return ContinueSafeDriver if chosen is LinuxDriver else chosen
