"""The state values design.md promises: scripts compare ``sub.state`` with these strings."""

from tsdash.api import STATES, SnapshotEvent, SubscriptionState


def test_states_are_the_strings_design_md_promises() -> None:
    assert [str(s) for s in SubscriptionState] == [
        "connecting", "live", "reconnecting", "disconnected", "closed", "failed"]
    assert SubscriptionState.LIVE == "live" and "failed" == SubscriptionState.FAILED
    assert SubscriptionState("reconnecting") is SubscriptionState.RECONNECTING
    assert STATES == tuple(SubscriptionState)


def test_snapshot_events_are_the_strings_status_callbacks_get() -> None:
    assert SnapshotEvent.START == "snapshot_start" and SnapshotEvent.END == "snapshot_end"


async def test_a_live_subscription_reports_a_subscription_state(client) -> None:
    sub = await client.market_data.stream_quotes(["AAPL"], callback=_ignore)
    try:
        assert isinstance(sub.state, SubscriptionState) and sub.state == "live"
    finally:
        await sub.unsubscribe()
    assert sub.state is SubscriptionState.CLOSED


async def _ignore(_message: dict) -> None:
    return None
