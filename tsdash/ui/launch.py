"""`tsdash` / `tsdash --demo`: load settings, set up logging, pick demo or account, run the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsdash.config import Settings
    from tsdash.ui.connection import Connector


@dataclass(frozen=True)
class LaunchOptions:
    """The command line's options for the dashboard (the options of `tsdash` itself)."""

    config: str | None = None
    log_level: str | None = None
    demo: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> LaunchOptions:
        """Read the parsed command line (cli.build_parser) once, here."""
        return cls(config=args.config, log_level=args.log_level, demo=bool(args.demo))


def prepare(options: LaunchOptions, prog: str = "tsdash") -> tuple[Settings, Connector] | int:
    """The settings and the connector the dashboard runs with, or the exit status after printing
    why there are none (2: a bad config or log level; 1: the account cannot be signed in)."""
    from tsdash.config import ConfigError, load_settings
    from tsdash.logs import setup_logging
    from tsdash.ui.connection import SignInRequired, choose_connector

    try:
        settings = load_settings(options.config)
        setup_logging(options.log_level)
    except ConfigError as exc:
        print(f"tsdash: {exc}", file=sys.stderr)
        return 2
    try:
        connector = choose_connector(settings, demo=options.demo, ask_secret=_secret_prompt())
    except SignInRequired as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    return settings, connector


def run_dashboard(args: argparse.Namespace) -> int:
    """Run the dashboard until the user quits; the exit status (0 after q)."""
    prepared = prepare(LaunchOptions.from_args(args))
    if isinstance(prepared, int):
        return prepared
    settings, connector = prepared

    from tsdash.ui.app import TsdashApp

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
