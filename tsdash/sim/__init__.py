"""The embedded TradeStation Web API v3 simulator (aiohttp.web; never imports the UI).

    sim = await start_simulator(port=0, seed=1)
    sim.base_url  # "http://127.0.0.1:PORT/v3"
    await sim.stop()

See docs/internals.md for the test hooks (issue_token, expire_tokens, advance, faults, requests).
"""

from .auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from .faults import Fault, FaultInjector
from .server import RequestRecord, Simulator, start_simulator

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REFRESH_TOKEN",
    "Fault",
    "FaultInjector",
    "RequestRecord",
    "Simulator",
    "start_simulator",
]
