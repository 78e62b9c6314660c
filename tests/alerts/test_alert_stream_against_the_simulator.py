"""The alerts' own quote stream, against the simulator over loopback: each condition fires once
at each crossing of the real quote stream and arms again; a reconnect resending the quotes and
a restart fire nothing more; at the stream limit, or for a refused symbol, it says why."""

from __future__ import annotations

import asyncio

from tsdash.alerts.feed import AlertFeed, FeedState
from tsdash.alerts.rules import Condition, change_percent, make_rule, quote_number
from tsdash.alerts.state import RuleStates
from tsdash.alerts.watch import AlertWatcher

SYMBOL = "NVDA"
STEPS = 600


async def wait_for(condition, timeout: float = 10.0, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def quiet(received: list, settle: float = 0.3) -> None:
    """Wait until no message has arrived for ``settle`` seconds."""
    count = -1
    while count != len(received):
        count = len(received)
        await asyncio.sleep(settle)


def crossings(values: list[float], holds) -> list[int]:
    """The oracle: indexes where the condition becomes true (the first value counts)."""
    out, before = [], False
    for i, value in enumerate(values):
        now = holds(value)
        if now and not before:
            out.append(i)
        before = now
    return out


def series(messages: list[dict], read) -> list[tuple[int, float]]:
    """(message index, value) after merging each message that carries a value."""
    merged: dict = {}
    out = []
    for i, message in enumerate(messages):
        merged.update(message)
        value = read(merged)
        if value is not None:
            out.append((i, value))
    return out


async def test_every_condition_fires_at_each_crossing_and_arms_again(market, make_client):
    client = make_client(market)
    (start,) = await client.market_data.get_quotes([SYMBOL])
    last = float(start["Last"])
    pct = change_percent(start) or 0.0
    volume = float(start["Volume"])
    rules = [make_rule(SYMBOL, "above", round(last * (1 + k / 1000), 2)) for k in range(-8, 9)]
    rules += [make_rule(SYMBOL, "below", round(last * (1 + k / 1000), 2)) for k in range(-8, 9)]
    rules += [make_rule(SYMBOL, "change_pct_above", round(pct + k / 10, 2)) for k in range(-8, 9)]
    rules += [make_rule(SYMBOL, "change_pct_below", round(pct + k / 10, 2)) for k in range(-8, 9)]
    rules += [make_rule(SYMBOL, "volume_above", volume + k * 2000) for k in (1, 5, 20)]
    rules = list(dict.fromkeys(rules))
    watcher = AlertWatcher(rules)
    received: list[dict] = []
    fired: list[tuple[int, str]] = []

    def on_quote(message):
        received.append(dict(message))
        fired.extend((len(received) - 1, n.details["rule"]) for n in watcher.on_quote(message))

    feed = AlertFeed(on_quote)
    await feed.watch(client, watcher.symbols)
    await wait_for(lambda: feed.state is FeedState.LIVE and received, what="the first quote")
    for _ in range(STEPS // 50):
        market.advance(50)
        await asyncio.sleep(0.05)
    await quiet(received)
    await feed.close()

    readers = {Condition.ABOVE: lambda q: quote_number(q.get("Last")),
               Condition.BELOW: lambda q: quote_number(q.get("Last")),
               Condition.CHANGE_PCT_ABOVE: change_percent,
               Condition.CHANGE_PCT_BELOW: change_percent,
               Condition.VOLUME_ABOVE: lambda q: quote_number(q.get("Volume"))}
    rearmed = {c: 0 for c in Condition}
    for rule in rules:
        points = series(received, readers[rule.condition])
        expected = [points[i][0] for i in crossings([v for _, v in points], rule.holds_for)]
        assert [i for i, r in fired if r == rule.id] == expected, rule.id
        if len(expected) >= 2:
            rearmed[rule.condition] += 1
    # the market moved enough for the price rules to fire, arm again and fire again
    assert all(rearmed[c] for c in (Condition.ABOVE, Condition.BELOW,
                                    Condition.CHANGE_PCT_ABOVE, Condition.CHANGE_PCT_BELOW))
    # volume only grows: each volume rule crossed once at most, and the near one did
    assert [r for _, r in fired if r.startswith(f"{SYMBOL} volume_above")].count(
        rules[-3].id) == 1


async def test_a_reconnect_and_a_restart_fire_nothing_more(market, make_client, tmp_path):
    client = make_client(market)
    (start,) = await client.market_data.get_quotes([SYMBOL])
    rule = make_rule(SYMBOL, "below", float(start["Last"]) * 2)  # holds from the first quote
    store = RuleStates(tmp_path / "alerts-state.json")
    watcher = AlertWatcher([rule], store)
    fired: list = []
    received: list = []

    def on_quote(message):
        received.append(message)
        fired.extend(watcher.on_quote(message))

    feed = AlertFeed(on_quote)
    await feed.watch(client, watcher.symbols)
    await wait_for(lambda: fired, what="the first quote firing the rule")
    assert len(fired) == 1

    # the stream reconnects: TradeStation sends the whole quote again
    count = len(received)
    assert feed.sub is not None
    await feed.sub.reconnect()
    await wait_for(lambda: len(received) > count, what="the quote after the reconnect")
    market.advance(20)
    await quiet(received)
    assert feed.state is FeedState.LIVE and len(fired) == 1
    await feed.close()

    # a restart: a new rule book from the saved states, a new stream
    again: list = []
    restarted = AlertWatcher([rule], RuleStates(store.path))
    feed = AlertFeed(lambda message: again.extend(restarted.on_quote(message)))
    await feed.watch(client, restarted.symbols)
    await wait_for(lambda: feed.state is FeedState.LIVE and restarted.quotes, what="quotes")
    market.advance(20)
    await asyncio.sleep(0.3)
    assert again == []
    await feed.close()


async def test_the_stream_limit_leaves_the_rules_unwatched_and_says_why(market, make_client):
    client = make_client(market, max_concurrent_streams=1)
    panel = await client.market_data.stream_quotes(["AAPL"], callback=lambda m: asyncio.sleep(0))
    feed = AlertFeed(lambda message: None)
    await feed.watch(client, ["MSFT"])
    assert feed.state is FeedState.REFUSED
    why = feed.why_unwatched("MSFT")
    assert why and "stream limit" in why and "max_concurrent_streams" in why
    await panel.unsubscribe()
    await feed.watch(client, ["MSFT"])  # a slot is free again
    await wait_for(lambda: feed.state is FeedState.LIVE, what="the alerts stream live")
    assert feed.why_unwatched("MSFT") is None
    await feed.close()


async def test_a_symbol_the_server_refuses_is_named(market, make_client):
    client = make_client(market)
    quotes: list = []
    feed = AlertFeed(quotes.append)
    await feed.watch(client, ["AAPL", "NOSUCHSYM"])
    await wait_for(lambda: "NOSUCHSYM" in feed.refused and quotes, what="the refusal")
    assert "NOSUCHSYM refused" in (feed.why_unwatched("NOSUCHSYM") or "")
    assert feed.why_unwatched("AAPL") is None
    assert all(q.get("Symbol") != "NOSUCHSYM" for q in quotes)
    await feed.close()


async def test_a_lost_alerts_stream_is_told_once(market, make_client):
    client = make_client(market)
    lost: list[str] = []
    feed = AlertFeed(lambda message: None, lost.append)
    await feed.watch(client, ["AAPL"])
    await wait_for(lambda: feed.state is FeedState.LIVE, what="live")
    market.faults.drop_mid_object(after=0, stream="quotes")
    market.advance(5)
    await wait_for(lambda: feed.state is FeedState.DOWN, what="the stream down")
    assert len(lost) == 1 and "disconnected" in lost[0]
    assert "down" in (feed.why_unwatched("AAPL") or "")
    await feed.reconnect()
    await wait_for(lambda: feed.state is FeedState.LIVE, what="live again")
    assert len(lost) == 1
    await feed.close()
