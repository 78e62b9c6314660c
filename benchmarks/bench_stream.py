"""Stream throughput: tsdash.api.HttpStream against a naive aiohttp line reader.

A bare aiohttp server (in its own process, on loopback) sends N quote deltas as fast as it can:
realistic delta lines, chunked, several lines per write. Two readers consume the same stream:

- HttpStream: our framing (readany into a buffer, split on newlines), the read watchdog, control
  message classification and an awaited async callback per data message;
- naive: ``await resp.content.readline()`` + ``json.loads`` + the same awaited callback.

The two run alternately ``--rounds`` times; the medians and the ratio are printed.

    python benchmarks/bench_stream.py [--messages N] [--rounds R] [--per-write K]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY", "QQQ", "IWM",
           "AMD", "NFLX", "JPM", "BAC", "XOM", "CVX", "KO", "PEP", "DIS", "INTC"]


def make_lines(n: int, seed: int = 7) -> list[bytes]:
    """n realistic quote delta lines (with a heartbeat every ~5000 lines)."""
    rnd = random.Random(seed)
    price = {s: rnd.uniform(20, 600) for s in SYMBOLS}
    volume = {s: rnd.randint(100_000, 5_000_000) for s in SYMBOLS}
    lines = []
    for i in range(n):
        s = rnd.choice(SYMBOLS)
        price[s] *= 1 + rnd.uniform(-0.0005, 0.0005)
        p = price[s]
        kind = rnd.random()
        if kind < 0.55:
            msg = {"Symbol": s, "Bid": f"{p - 0.01:.2f}", "BidSize": str(rnd.randint(1, 40) * 100),
                   "Ask": f"{p + 0.01:.2f}", "AskSize": str(rnd.randint(1, 40) * 100)}
        elif kind < 0.85:
            size = rnd.randint(1, 20) * 100
            volume[s] += size
            msg = {"Symbol": s, "Last": f"{p:.2f}", "LastSize": str(size), "LastVenue": "NSDQ",
                   "Volume": str(volume[s]), "TradeTime": "2026-11-25T14:30:00Z",
                   "NetChange": f"{rnd.uniform(-3, 3):.2f}",
                   "NetChangePct": f"{rnd.uniform(-1, 1):.4f}"}
        else:
            msg = {"Symbol": s, "Bid": f"{p - 0.01:.2f}", "Ask": f"{p + 0.01:.2f}",
                   "Last": f"{p:.2f}", "Volume": str(volume[s]), "VWAP": f"{p * 0.999:.4f}",
                   "High": f"{p * 1.01:.2f}", "Low": f"{p * 0.99:.2f}"}
        lines.append(json.dumps(msg, separators=(",", ":")).encode() + b"\n")
        if i % 5000 == 4999:
            lines.append(b'{"Heartbeat":1,"Timestamp":"2026-11-25T14:30:00Z"}\n')
    return lines


def serve(port_queue: multiprocessing.Queue, n: int, per_write: int) -> None:
    from aiohttp import web

    lines = make_lines(n)
    writes = [b"".join(lines[i:i + per_write]) for i in range(0, len(lines), per_write)]

    async def quotes(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(
            headers={"Content-Type": "application/vnd.tradestation.streams.v2+json"})
        await resp.prepare(request)
        for data in writes:
            await resp.write(data)
        await resp.write_eof()
        return resp

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/v3/marketdata/stream/quotes/{symbols}", quotes)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_queue.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


async def run_httpstream(url: str, expected: int) -> tuple[float, int]:
    import aiohttp

    from tsdash.api import HttpStream, StreamConnectionError

    count = 0

    async def callback(msg: dict) -> None:
        nonlocal count
        count += 1

    async with aiohttp.ClientSession() as session:
        stream = HttpStream(url, session=session, read_timeout=30.0, callback=callback)
        start = time.perf_counter()
        await stream.connect({"Authorization": "Bearer bench"})
        try:
            await stream.run()
        except StreamConnectionError:
            pass  # the server ended the body: done
        elapsed = time.perf_counter() - start
        await stream.close()
    if count != expected:
        raise SystemExit(f"HttpStream delivered {count} messages, expected {expected}")
    return elapsed, count


async def run_naive(url: str, expected: int) -> tuple[float, int]:
    import aiohttp

    count = 0

    async def callback(msg: dict) -> None:
        nonlocal count
        count += 1

    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        async with session.get(url, headers={"Authorization": "Bearer bench"},
                               timeout=aiohttp.ClientTimeout(total=None)) as resp:
            content = resp.content
            while True:
                line = await content.readline()
                if not line:
                    break
                msg = json.loads(line)
                if "Heartbeat" in msg:
                    continue
                await callback(msg)
        elapsed = time.perf_counter() - start
    if count != expected:
        raise SystemExit(f"naive reader delivered {count} messages, expected {expected}")
    return elapsed, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000, help="quote deltas per run")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    parser.add_argument("--per-write", type=int, default=16, help="lines per server write")
    args = parser.parse_args(argv)

    ctx = multiprocessing.get_context("spawn")
    port_queue: multiprocessing.Queue = ctx.Queue()
    server = ctx.Process(target=serve, args=(port_queue, args.messages, args.per_write),
                         daemon=True)
    server.start()
    try:
        port = port_queue.get(timeout=60)
        url = f"http://127.0.0.1:{port}/v3/marketdata/stream/quotes/BENCH"
        n = args.messages
        ours: list[float] = []
        naive: list[float] = []

        async def rounds() -> None:
            await run_naive(url, n)  # warm-up (imports, connection, caches)
            await run_httpstream(url, n)
            for r in range(args.rounds):
                order = (run_httpstream, run_naive) if r % 2 == 0 else (run_naive, run_httpstream)
                for fn in order:
                    elapsed, _ = await fn(url, n)
                    (ours if fn is run_httpstream else naive).append(n / elapsed)

        asyncio.run(rounds())
    finally:
        server.terminate()
        server.join(5)

    ours_med = statistics.median(ours)
    naive_med = statistics.median(naive)
    print(f"messages per run: {args.messages}, lines per write: {args.per_write}, "
          f"rounds: {args.rounds}")
    print(f"HttpStream (framing + watchdog + dispatch): {ours_med:12,.0f} msg/s  "
          f"(runs: {', '.join(f'{x:,.0f}' for x in ours)})")
    print(f"naive readline + json.loads:               {naive_med:12,.0f} msg/s  "
          f"(runs: {', '.join(f'{x:,.0f}' for x in naive)})")
    print(f"ratio HttpStream / naive: {ours_med / naive_med:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
