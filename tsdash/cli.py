"""The `tsdash` command: parses arguments and hands off to the app, the simulator or the config tools.

Imports are done inside each command so `tsdash sim` never loads Textual and `tsdash --help` is fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsdash.alerts.rules import AlertRule
    from tsdash.alerts.state import RuleState


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsdash",
        description="A terminal dashboard for TradeStation accounts.",
    )
    parser.add_argument("--demo", action="store_true",
                        help="run against the embedded simulator (no account needed)")
    parser.add_argument("--config", metavar="PATH", help="config file (default: see `tsdash config path`)")
    parser.add_argument("--log-level", default=None, metavar="LEVEL",
                        help="DEBUG, INFO, WARNING or ERROR (default INFO)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("sim", help="run the embedded TradeStation v3 simulator standalone")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765, help="0 picks a free port (default 8765)")
    sim.add_argument("--seed", type=int, default=1, help="same seed, same market (default 1)")
    sim.add_argument("--clock", choices=["real", "fixed"], default="real",
                     help="fixed: frozen timestamps and a market that only moves when stepped")
    sim.add_argument("--heartbeat", type=float, default=5.0, metavar="SECONDS",
                     help="idle seconds before a Heartbeat (default 5)")
    sim.add_argument("--token-expires-in", type=int, default=1200, metavar="SECONDS",
                     help="access token lifetime (default 1200, like TradeStation)")
    sim.add_argument("--fault", action="append", default=[], metavar="SPEC",
                     help="inject a fault, e.g. goaway:after=50 (repeatable; see `tsdash sim --faults`)")
    sim.add_argument("--faults", action="store_true", help="list the fault specs and exit")
    sim.add_argument("--no-trader", action="store_true", help="do not run the demo trader")
    sim.add_argument("--rotate-refresh-tokens", action="store_true",
                     help="each refresh answers with a new refresh token and revokes the old one")
    sim.add_argument("--redirect-uri", action="append", default=[], metavar="URL",
                     help="also allow this sign-in callback URL, e.g. http://localhost:5000 "
                          "for `tsdash login --port 5000` (repeatable; TradeStation's defaults "
                          "are http://localhost, :80, :3000, :3001, :8080 and :31022)")

    init = sub.add_parser("init", help="write a commented starting config file")
    init.add_argument("--force", action="store_true", help="overwrite an existing config file")

    cfg = sub.add_parser("config", help="config file tools")
    cfg_sub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    cfg_sub.add_parser("path", help="print where the config file is read from")

    alerts = sub.add_parser("alerts", help="alert rules and notifications, without the dashboard")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    alerts_sub.add_parser("list", help="print the config's alert rules and their state")
    alerts_sub.add_parser("path", help="print where notifications are written (alerts.jsonl)")

    login = sub.add_parser("login", help="sign in to TradeStation and store a refresh token")
    login.add_argument("--env", choices=["sim", "live"], default=None,
                       help="environment to sign in for (default: the config's, else sim)")
    login.add_argument("--port", type=int, default=31022,
                       help="localhost callback port registered for your API key (default 31022)")
    login.add_argument("--no-browser", action="store_true", help="only print the sign-in URL")
    logout = sub.add_parser("logout", help="delete the stored refresh tokens and revoke them")
    for cmd in (login, logout):
        cmd.add_argument("--signin-url", metavar="URL", default=None,
                         help="sign-in host (default https://signin.tradestation.com; "
                              "a `tsdash sim` root URL tries the flow offline)")

    snap = sub.add_parser("snapshot", help="render the dashboard headlessly to an SVG")
    snap.add_argument("--out", required=True, metavar="FILE.svg")
    snap.add_argument("--after", type=float, default=2.0, metavar="SECONDS",
                      help="seconds of streaming before the picture is taken (default 2)")
    snap.add_argument("--size", default="160x48", metavar="WxH", help="terminal size (default 160x48)")
    return parser


def _epilog() -> str:
    """The log file's location, for `tsdash --help` (platformdirs only: cheap to import)."""
    from tsdash.locations import log_file

    return f"Log file: {log_file()}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.epilog = _epilog()
    args = parser.parse_args(argv)
    from tsdash.config import ConfigError

    try:
        return _run(args)
    except ConfigError as exc:
        print(f"tsdash: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.command == "sim":
        from tsdash.sim.standalone import run_standalone

        return run_standalone(args)
    if args.command == "init":
        from tsdash.config import write_starting_config

        print(f"wrote {write_starting_config(args.config, force=args.force)}")
        return 0
    if args.command == "config":
        from tsdash.locations import config_file_and_source

        path, _source = config_file_and_source(args.config)
        print(path)
        return 0

    if args.command == "alerts":
        return _alerts(args)

    if args.command in ("login", "logout"):
        from tsdash.login import run_login, run_logout
        from tsdash.logs import setup_logging

        setup_logging(args.log_level)
        return run_login(args) if args.command == "login" else run_logout(args)
    # the dashboard and the snapshot set up logging once their settings are loaded (prepare())
    if args.command == "snapshot":
        from tsdash.ui.snapshot import run_snapshot

        return run_snapshot(args)
    from tsdash.ui.launch import run_dashboard

    return run_dashboard(args)


def _alerts(args: argparse.Namespace) -> int:
    """`tsdash alerts list|path`: read the config and the state folder; no Textual."""
    from tsdash import locations

    if args.alerts_command == "path":
        print(locations.alerts_journal_file())
        return 0
    from tsdash.alerts.state import RuleStates
    from tsdash.config import load_settings

    settings = load_settings(args.config)
    if not settings.alerts:
        print(f"no alert rules: add [[alerts]] tables to {settings.path} "
              "(`tsdash init` writes an example), or press ! on a quote row in the dashboard")
        return 0
    for line in alert_rule_lines(settings.alerts, RuleStates().load()):
        print(line)
    return 0


def alert_rule_lines(rules: Sequence[AlertRule], states: Mapping[str, RuleState]) -> list[str]:
    """One line per rule, in columns: symbol, condition, state ("armed", or when it fired, at
    what value and what re-arms it). A rule with no saved state is armed."""
    from tsdash.alerts.rules import level_text
    from tsdash.alerts.state import RuleState

    symbol_width = max(len(rule.symbol) for rule in rules)
    condition_width = max(len(rule.condition_text()) for rule in rules)
    lines = []
    for rule in rules:
        state = states.get(rule.id, RuleState())
        if state.armed:
            status = "armed"
        else:
            status = "fired"
            if state.fired_at is not None:
                status += f" {_utc_text(state.fired_at)}"
            if state.fired_value is not None:
                value = state.fired_value
                status += (f" at {value:.2f}%" if rule.measure == "change %"
                           else f" at {level_text(value)}")
            status += f", re-arms {rule.rearm_text()}"
        lines.append(f"{rule.symbol:<{symbol_width}}  {rule.condition_text():<{condition_width}}"
                     f"  {status}")
    return lines


def _utc_text(when: str) -> str:
    """An ISO time as "2026-12-01 14:02:11 UTC"; as saved if it is not one."""
    from tsdash.alerts.notifications import parse_time

    moment = parse_time(when)
    if moment is None:
        return when
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


if __name__ == "__main__":
    sys.exit(main())
