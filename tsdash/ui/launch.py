"""`tsdash` / `tsdash --demo`: load settings, set up logging, pick demo or account, run the app."""

from __future__ import annotations

import sys
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
    from tsdash.ui.connection import choose_connector

    connector = choose_connector(settings, demo=bool(getattr(args, "demo", False)))
    app = TsdashApp(settings, connector=connector)
    result = app.run()
    if isinstance(result, int):
        return result
    return app.return_code or 0
