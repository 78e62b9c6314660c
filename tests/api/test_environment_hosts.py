"""Each environment talks to the documented hosts."""

from __future__ import annotations

import pytest

from tsdash.api import TradeStationClient


def test_environments_pick_the_documented_hosts():
    assert TradeStationClient(access_token="t").base_url == "https://api.tradestation.com/v3"
    assert TradeStationClient(environment="sim", access_token="t").base_url == \
        "https://sim-api.tradestation.com/v3"
    assert TradeStationClient(base_url="http://x/v3/", environment="sim").base_url == "http://x/v3"
    with pytest.raises(ValueError):
        TradeStationClient(environment="paper")
