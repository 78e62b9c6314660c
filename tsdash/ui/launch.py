"""`tsdash` / `tsdash --demo`: load settings, set up logging, pick demo or account, run the app."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def run_dashboard(args: Any) -> int:
    """Run the dashboard until the user quits; the exit status (0 after q, 2 for a bad config)."""
    from tsdash.config import ConfigError, load_settings

    try:
        settings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"tsdash: {exc}", file=sys.stderr)
        return 2
    try:
        from tsdash.logs import setup_logging
    except ImportError:  # pragma: no cover - logs ship with tsdash
        setup_logging = None
    if setup_logging is not None:
        try:
            setup_logging(getattr(args, "log_level", None))
        except ConfigError as exc:
            print(f"tsdash: {exc}", file=sys.stderr)
            return 2

    from tsdash.ui.app import TsdashApp
    from tsdash.ui.connection import SignInRequired, choose_connector

    try:
        connector = choose_connector(settings, demo=bool(getattr(args, "demo", False)),
                                     ask_secret=_secret_prompt())
    except SignInRequired as exc:
        print(f"tsdash: {exc}", file=sys.stderr)
        return 1
    app = TsdashApp(settings, connector=connector)
    result = app.run()
    if app.exit_message:  # why the app ended itself (a refused sign-in), once the screen is back
        print(f"tsdash: {app.exit_message}", file=sys.stderr)
    if isinstance(result, int):
        return result
    return app.return_code or 0


def _secret_prompt() -> Callable[[str], str] | None:
    """Ask for the client secret on the terminal (hidden), or None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    import getpass

    def ask(prompt: str) -> str:
        try:
            return getpass.getpass(prompt)
        except EOFError:
            return ""

    return ask
