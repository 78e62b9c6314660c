"""`tsdash sim`: run the simulator in the foreground until Ctrl+C.

The first line of output is the base URL (scripts and tests read it), then the demo credentials.
A taken port or a bad --fault spec is one line on stderr and exit status 2; SIGINT/SIGTERM stop
the server cleanly with status 0.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import sys

from .auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from .faults import FAULT_HELP, FaultInjector, apply_fault_spec
from .server import start_simulator


def _error(message: str) -> int:
    print(f"tsdash sim: {message}", file=sys.stderr, flush=True)
    return 2


def run_standalone(args) -> int:
    if getattr(args, "faults", False):
        print(FAULT_HELP)
        return 0
    specs = list(getattr(args, "fault", None) or [])
    check = FaultInjector()
    for spec in specs:
        try:
            apply_fault_spec(check, spec)
        except ValueError as exc:
            return _error(f"bad --fault {spec!r}: {exc} (see `tsdash sim --faults`)")
    try:
        return asyncio.run(_serve(args, specs))
    except KeyboardInterrupt:  # a second Ctrl+C while stopping, or a platform without signals
        return 0


async def _serve(args, specs: list[str]) -> int:
    host = getattr(args, "host", "127.0.0.1")
    port = getattr(args, "port", 8765)
    try:
        sim = await start_simulator(
            host=host, port=port, seed=getattr(args, "seed", 1),
            clock=getattr(args, "clock", "real"),
            heartbeat_interval=getattr(args, "heartbeat", 5.0),
            token_expires_in=getattr(args, "token_expires_in", 1200),
            demo_trader=not getattr(args, "no_trader", False),
            rotate_refresh_tokens=getattr(args, "rotate_refresh_tokens", False),
            redirect_uris=getattr(args, "redirect_uri", None) or (),
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _error(f"port {port} on {host} is already in use (try --port 0 for a free one)")
        return _error(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    except ValueError as exc:
        return _error(str(exc))
    for spec in specs:
        apply_fault_spec(sim.faults, spec)
    # Handlers before the first line: whoever reads it may signal us right away.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: KeyboardInterrupt still works
            pass
    print(f"tsdash simulator listening on {sim.base_url}")
    print(f"  client id:     {DEMO_CLIENT_ID}")
    print(f"  client secret: {DEMO_CLIENT_SECRET}")
    print(f"  refresh token: {DEMO_REFRESH_TOKEN}")
    print(f"  token URL:     {sim.token_url}")
    print(f"  authorize URL: {sim.authorize_url}")
    print(f"  accounts:      {', '.join(sim.engine.book.accounts)}")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()
    print("tsdash simulator stopped.", flush=True)
    return 0
