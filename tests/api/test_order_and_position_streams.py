"""Order and position streams: snapshot events, a new snapshot after reconnect, given accounts,
deletions."""

from __future__ import annotations

import asyncio

from api_helpers import Recorder, stream_requests


class SnapshotRecorder(Recorder):
    """Also splits the data messages into snapshots at snapshot_start/snapshot_end."""

    def __init__(self) -> None:
        super().__init__()
        self.snapshot_rows: list[list[dict]] = []
        self._in_snapshot = False

    async def on_data(self, msg: dict) -> None:
        if self._in_snapshot:
            self.snapshot_rows[-1].append(msg)
        await super().on_data(msg)

    async def on_status(self, sub, event: str) -> None:
        if event == "snapshot_start":
            self.snapshot_rows.append([])
            self._in_snapshot = True
        elif event == "snapshot_end":
            self._in_snapshot = False
        await super().on_status(sub, event)


async def test_orders_snapshot_events_and_new_snapshot_after_reconnect(make_sim, make_client):
    sim = await make_sim(demo_trader=True)
    client = make_client(sim)
    rec = SnapshotRecorder()
    sub = await client.order_execution.stream_order_updates(**rec.callbacks())
    assert rec.events[:3] == ["connecting", "live", "snapshot_start"]
    await rec.wait_until(lambda: "snapshot_end" in rec.events, what="snapshot_end")
    first = rec.snapshot_rows[0]
    assert first and all("OrderID" in m for m in first)
    accounts = {a["AccountID"] for a in await client.brokerage.get_accounts()}
    assert {m["AccountID"] for m in first} <= accounts
    await sub.reconnect()
    await rec.wait_until(lambda: rec.events.count("snapshot_end") >= 2, what="second snapshot")
    assert rec.events.count("snapshot_start") == 2
    second = rec.snapshot_rows[1]
    assert second and all("OrderID" in m for m in second)
    # the new snapshot lists the orders the server has now (it replaces the old state)
    assert {m["OrderID"] for m in first} <= {m["OrderID"] for m in second} | set(
        m["OrderID"] for m in rec.messages if m.get("Status") in ("FLL", "CAN", "REJ", "EXP"))
    (req1, req2) = stream_requests(sim, "/orders")
    assert req1.path == req2.path
    assert set(req1.path.split("/accounts/")[1].split("/")[0].split(",")) == accounts


async def test_positions_stream_uses_changes_and_snapshot_events(make_sim, make_client):
    sim = await make_sim(demo_trader=True)
    client = make_client(sim)
    rec = SnapshotRecorder()
    sub = await client.brokerage.stream_position_changes(**rec.callbacks())
    await rec.wait_until(lambda: "snapshot_end" in rec.events, what="snapshot_end")
    assert all("PositionID" in m for m in rec.messages)
    (req,) = stream_requests(sim, "/positions")
    assert "/brokerage/stream/accounts/" in req.path and req.query.get("changes") == "true"
    assert sub.kind == "positions" and sub.state == "live"


async def test_account_streams_use_given_accounts_without_listing(tsim, client, recorder):
    accounts = [a["AccountID"] for a in await client.brokerage.get_accounts()]

    def listings() -> int:
        return len([r for r in tsim.requests if r.path.endswith("/brokerage/accounts")])

    listed = listings()
    await client.brokerage.stream_position_changes(accounts=accounts[:1], **recorder.callbacks())
    assert listings() == listed
    (req,) = stream_requests(tsim, "/positions")
    assert req.path.endswith(f"/accounts/{accounts[0]}/positions")
    await client.order_execution.stream_order_updates(**recorder.callbacks())
    assert listings() == listed + 1  # without accounts=: listed once when subscribing


async def test_deleted_position_passes_through_on_the_simulator(make_sim, make_client):
    """The demo trader now and then closes a position: the stream says
    {"PositionID": ..., "Deleted": true} and the callback gets exactly that."""
    sim = await make_sim(demo_trader=True, clock="fixed")
    client = make_client(sim)
    rec = Recorder()
    await client.brokerage.stream_position_changes(**rec.callbacks())
    await rec.wait_until(lambda: "snapshot_end" in rec.events, what="snapshot_end")

    def deleted() -> list[dict]:
        return [m for m in rec.messages if m.get("Deleted") is True]

    for _ in range(200):
        sim.advance(25)
        await asyncio.sleep(0.01)
        if deleted():
            break
    await rec.wait_until(lambda: deleted(), what="a Deleted position")
    gone = deleted()[0]
    assert set(gone) == {"PositionID", "Deleted"}
    earlier = [m for m in rec.messages[:rec.messages.index(gone)]
               if m.get("PositionID") == gone["PositionID"]]
    assert earlier, "the deleted position was streamed before"
    assert rec.errors == []
