"""The simulator in its own process, instrumented for the benchmarks (its CPU is not the app's).

    python benchmarks/simrunner.py --quote-rate 5000 [--seed 1] [--port 0] [--stats 0.5]

Starts ``tsdash.sim.start_simulator(quote_rate=...)`` (demo trader on) and writes JSON lines on
stdout: first ``{"event": "ready", "base_url", "token_url", "port", "pid"}``, then every
``--stats`` seconds ``{"event": "stats", "t", "sent", "streams", "cpu", "rss_kb", "hwm_kb",
"write_buffer", "series"}`` where ``sent`` counts the quote messages the paced feeds produced,
``series`` is ``[[time.monotonic(), sent], ...]`` (one point per batch, for matching a message's
send time with its receive time in another process: CLOCK_MONOTONIC is system-wide), and
``write_buffer`` is the bytes waiting in the server's user-space transport buffers.

Two things are adjusted here, in this process only (nothing in tsdash/ is edited):

* ``quote_rate`` in the simulator applies to *every* quote stream. The dashboard opens two: the
  watchlist's (100 symbols) and the time-and-sales stream of the selected symbol (1 symbol). The
  benchmarks want "N messages/s across 100 symbols", so only streams with at least
  ``--fast-min-symbols`` symbols (default 2) get the paced feed; the one-symbol tape stream gets
  the normal market feed (as the demo does).
* The paced feed is wrapped to count what it sends.

It stops on SIGTERM/SIGINT or when its stdin closes (so it never outlives the benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import sys
import time
import weakref

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


class Stats:
    sent = 0
    streams = 0
    series: list[tuple[float, int]] = []
    sinks: weakref.WeakSet = weakref.WeakSet()


def install(min_symbols: int) -> None:
    from tsdash.sim import feeds, routes_marketdata, streams

    class CountingFastQuoteFeed(feeds.FastQuoteFeed):
        def start(self) -> list[bytes]:
            Stats.streams += 1
            return super().start()

        def poll(self) -> list[bytes]:
            lines = super().poll()
            if lines:
                Stats.sent += len(lines)
                Stats.series.append((time.monotonic(), Stats.sent))
            return lines

    def feed_factory(engine, symbols, rate):
        if len(symbols) >= min_symbols:
            return CountingFastQuoteFeed(engine, symbols, rate)
        return feeds.QuoteFeed(engine, symbols)

    routes_marketdata.FastQuoteFeed = feed_factory  # looked up per request

    class TrackedSink(streams.HttpSink):
        def __init__(self, request, response) -> None:
            super().__init__(request, response)
            Stats.sinks.add(self)

    streams.HttpSink = TrackedSink  # serve_http_stream looks it up per request


def _status_kb(field: str) -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _write_buffer() -> int:
    total = 0
    for sink in list(Stats.sinks):
        transport = sink.request.transport
        if transport is not None and not transport.is_closing():
            total += transport.get_write_buffer_size()
    return total


def _book(sim) -> dict:
    """The simulated brokerage's size (what the account panels should mirror)."""
    try:
        book = sim.engine.book
        return {"book_orders": len(book.orders),
                "book_positions": sum(len(a.positions) for a in book.accounts.values())}
    except Exception:  # a simulator without these attributes: no figures
        return {}


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def serve(args: argparse.Namespace) -> None:
    from tsdash.sim import start_simulator

    install(args.fast_min_symbols)
    sim = await start_simulator(host="127.0.0.1", port=args.port, seed=args.seed, clock="real",
                                heartbeat_interval=args.heartbeat,
                                demo_trader=not args.no_trader, quote_rate=args.quote_rate)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def stdin_readable() -> None:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:  # the benchmark went away (or closed our stdin): stop
            loop.remove_reader(fd)
            stop.set()

    fd = sys.stdin.fileno()
    loop.add_reader(fd, stdin_readable)
    emit({"event": "ready", "base_url": sim.base_url, "token_url": sim.token_url,
          "port": sim.port,
          "pid": os.getpid(), "quote_rate": args.quote_rate})
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), args.stats)
            except TimeoutError:
                pass
            series, Stats.series = Stats.series, []
            usage = resource.getrusage(resource.RUSAGE_SELF)
            emit({"event": "stats", "t": time.monotonic(), "sent": Stats.sent,
                  "streams": Stats.streams, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_kb": _status_kb("VmRSS"), "hwm_kb": _status_kb("VmHWM"),
                  "write_buffer": _write_buffer(), "open_streams": sim.open_streams,
                  **_book(sim),
                  "series": series})
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quote-rate", type=float, default=None,
                        help="quote messages/s per (multi-symbol) quote stream")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--heartbeat", type=float, default=5.0)
    parser.add_argument("--stats", type=float, default=0.5, help="seconds between stats lines")
    parser.add_argument("--fast-min-symbols", type=int, default=2,
                        help="streams with fewer symbols get the normal (demo) quote feed")
    parser.add_argument("--no-trader", action="store_true")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
