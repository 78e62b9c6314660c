"""`tsdash snapshot --out FILE.svg [--after SECONDS] [--size WxH]`: the dashboard, headless, as SVG.

Runs the same app as `tsdash` (the demo, or the account the config names) without a
terminal, lets it stream for ``--after`` seconds once every panel is live (or has given up), and
writes what the screen shows.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tsdash.ui.launch import LaunchOptions, prepare

if TYPE_CHECKING:
    from tsdash.ui.app import TsdashApp

LIVE_WAIT = 10.0  # seconds to wait for the panels before taking the picture anyway


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size: expected WIDTHxHEIGHT such as 160x48, found {text!r}") from None
    if not (20 <= width <= 1000 and 10 <= height <= 500):
        raise ValueError(f"--size: {width}x{height} is out of range (20x10 to 1000x500)")
    return width, height


@dataclass(frozen=True)
class SnapshotOptions(LaunchOptions):
    """`tsdash snapshot`'s options, besides the dashboard's."""

    out: str = ""
    after: float = 2.0
    size: str = "160x48"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SnapshotOptions:
        return cls(config=args.config, log_level=args.log_level, demo=bool(args.demo),
                   out=args.out, after=args.after, size=args.size)


async def take_snapshot(app: TsdashApp, out: Path, *, size: tuple[int, int],
                        after: float) -> Path | None:
    """Write the picture to ``out``; None when the app ended itself first (see exit_message)."""
    from tsdash.ui.panels.base import StateKind

    async with app.run_test(headless=True, size=size) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LIVE_WAIT
        while loop.time() < deadline:
            if app.exit_message:
                return None
            if app.connection is not None and not any(
                    p.look.kind is StateKind.BUSY for p in app.panels.values()):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(max(0.0, after))
        app.tick()
        await pilot.pause()
        out.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(filename=out.name, path=str(out.parent))
        await app.shutdown()
    return out


def run_snapshot(args: argparse.Namespace) -> int:
    options = SnapshotOptions.from_args(args)
    try:
        size = parse_size(options.size)
    except ValueError as exc:
        print(f"tsdash snapshot: {exc}", file=sys.stderr)
        return 2
    out = Path(options.out).expanduser()
    if out.suffix.lower() != ".svg":
        print(f"tsdash snapshot: --out must end in .svg, found {str(out)!r}", file=sys.stderr)
        return 2
    prepared = prepare(options, "tsdash snapshot")
    if isinstance(prepared, int):
        return prepared
    settings, connector = prepared

    from tsdash.ui.app import TsdashApp

    app = TsdashApp(settings, connector=connector)
    after = max(0.0, options.after)
    try:
        written = asyncio.run(take_snapshot(app, out, size=size, after=after))
    except OSError as exc:
        print(f"tsdash snapshot: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if written is None:
        print(f"tsdash snapshot: {app.exit_message}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0
