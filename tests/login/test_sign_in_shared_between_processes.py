"""Processes sharing one token file share its refresh-token rotations (issue 11, item 1).

Each TokenManager here stands for one tsdash process: it has its own TokenFileStore, so its own
descriptor on the lock file, and flock() keeps two of them apart just as it keeps two processes
apart. The simulator rotates refresh tokens and revokes the one used, as TradeStation does.
"""

from __future__ import annotations

import asyncio

import pytest

from tsdash.api import AuthError, TokenManager
from tsdash.credentials import TokenFileStore, load_login, save_login
from tsdash.sim import start_simulator

CLIENT = "my-client"
SECRET = "my-secret"


@pytest.fixture
async def rotating_sim():
    sim = await start_simulator(port=0, seed=3, demo_trader=False, rotate_refresh_tokens=True)
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
def token_path(tmp_path):
    path = tmp_path / "token.json"
    save_login("sim", CLIENT, "rt-first", path)
    return path


def process(sim, path) -> TokenManager:
    """One tsdash process as AccountConnector builds its TokenManager: the stored token, the
    token file as its store."""
    stored = load_login("sim", path)
    assert stored is not None
    return TokenManager(client_id=CLIENT, client_secret=SECRET, refresh_token=stored.refresh_token,
                        token_url=sim.token_url, store=TokenFileStore("sim", CLIENT, path))


def token_posts(sim) -> int:
    return len([r for r in sim.requests if r.path == "/oauth/token"])


async def test_a_rotation_by_another_process_does_not_sign_this_one_out(rotating_sim, token_path):
    first = process(rotating_sim, token_path)
    second = None
    try:
        await first.get_token()  # rotates rt-first, stores the new token
        assert rotating_sim.is_revoked("rt-first")
        assert load_login("sim", token_path).refresh_token == first.refresh_token
        second = process(rotating_sim, token_path)  # e.g. `tsdash snapshot`
        await second.get_token()  # rotates again: the first one's token is revoked now
        assert rotating_sim.is_revoked(first.refresh_token)

        stale = first.access_token
        assert await first.refresh(stale_token=stale) != stale  # the next refresh still works
        stored = load_login("sim", token_path).refresh_token
        assert stored == first.refresh_token and not rotating_sim.is_revoked(stored)
        # and each refresh was one request: nothing was refused along the way
        assert token_posts(rotating_sim) == first.refresh_count + second.refresh_count == 3
    finally:
        await first.close()
        if second is not None:
            await second.close()


async def test_two_processes_refreshing_at_once_never_send_the_same_token(rotating_sim,
                                                                          token_path):
    managers = [process(rotating_sim, token_path) for _ in range(2)]
    try:
        for _round in range(3):
            rotating_sim.expire_tokens()
            await asyncio.gather(*(tm.refresh() for tm in managers))
        # under the lock, each refresh starts from the token the previous one stored: 6
        # refreshes, 6 requests, none refused, and the stored token still works
        assert token_posts(rotating_sim) == sum(tm.refresh_count for tm in managers) == 6
        stored = load_login("sim", token_path).refresh_token
        assert not rotating_sim.is_revoked(stored)
    finally:
        for tm in managers:
            await tm.close()


async def test_a_refresh_waits_for_another_process_holding_the_file(rotating_sim, token_path):
    other = TokenFileStore("sim", CLIENT, token_path)
    tm = process(rotating_sim, token_path)
    try:
        assert other.try_lock()
        task = asyncio.create_task(tm.get_token())
        await asyncio.sleep(0.3)
        assert not task.done() and token_posts(rotating_sim) == 0  # waits, loop not blocked
        # the other process rotates meanwhile and stores the result, then lets go
        rotating_sim.revoke_token("rt-first")
        other.save("rt-from-the-other-process")
        other.unlock()
        assert await asyncio.wait_for(task, 10)
        assert rotating_sim.is_revoked("rt-from-the-other-process")  # it was the one used
        assert load_login("sim", token_path).refresh_token == tm.refresh_token
    finally:
        await tm.close()


class RotatedBehindOurBack(TokenFileStore):
    """The file as seen when a process that does not take the lock (an older tsdash) stores a
    rotation right after our refresh read the file."""

    def __init__(self, path, rotated: str) -> None:
        super().__init__("sim", CLIENT, path)
        self.rotated = rotated
        self.loads: list[str | None] = []

    def load(self) -> str | None:
        value = super().load()
        self.loads.append(value)
        if len(self.loads) == 1:
            TokenFileStore("sim", CLIENT, self.path).save(self.rotated)  # no lock taken
        return value


async def test_a_refused_token_tries_the_one_stored_since(rotating_sim, token_path):
    store = RotatedBehindOurBack(token_path, "rt-stored-meanwhile")
    tm = TokenManager(client_id=CLIENT, client_secret=SECRET, refresh_token="rt-first",
                      token_url=rotating_sim.token_url, store=store)
    try:
        rotating_sim.revoke_token("rt-first")  # rotated away by the other process
        assert await tm.get_token()
        assert store.loads == ["rt-first", "rt-stored-meanwhile"]
        assert token_posts(rotating_sim) == 2  # ours refused, then the stored one
        assert rotating_sim.is_revoked("rt-stored-meanwhile")  # used, and rotated
        assert load_login("sim", token_path).refresh_token == tm.refresh_token
        assert not rotating_sim.is_revoked(tm.refresh_token)
    finally:
        await tm.close()


async def test_a_revoked_sign_in_still_says_run_tsdash_login(rotating_sim, token_path):
    first = process(rotating_sim, token_path)
    try:
        rotating_sim.revoke_token("rt-first")  # revoked at TradeStation
        with pytest.raises(AuthError, match="tsdash login") as caught:
            await first.get_token()
        assert caught.value.status == 403 and first.sign_in_refused
        assert token_posts(rotating_sim) == 1  # the file holds the same token: tried once
        assert load_login("sim", token_path).refresh_token == "rt-first"  # left as it was
    finally:
        await first.close()


async def test_a_rotation_after_logout_does_not_sign_back_in(rotating_sim, token_path):
    from tsdash.credentials import delete_login

    tm = process(rotating_sim, token_path)
    try:
        delete_login("sim", token_path)  # `tsdash logout` (no revocation reached the server)
        await tm.get_token()  # the token still works for this run ...
        assert load_login("sim", token_path) is None  # ... but is not stored again
    finally:
        await tm.close()


REFRESHER = """
import asyncio, sys
from tsdash.api import TokenManager
from tsdash.credentials import TokenFileStore, load_login

async def main(token_url, path, rounds):
    stored = load_login("sim", path)
    tm = TokenManager(client_id="my-client", client_secret="my-secret",
                      refresh_token=stored.refresh_token, token_url=token_url,
                      store=TokenFileStore("sim", "my-client", path))
    try:
        for _ in range(rounds):
            await tm.refresh()
    finally:
        await tm.close()
    print("refreshed", tm.refresh_count)

asyncio.run(main(sys.argv[1], __import__("pathlib").Path(sys.argv[2]), int(sys.argv[3])))
"""


async def test_two_real_processes_share_the_rotations(rotating_sim, token_path):
    """The same with two OS processes refreshing in a loop at the same time."""
    import sys

    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", REFRESHER, rotating_sim.token_url, str(token_path), "5",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    results = [await asyncio.wait_for(p.communicate(), 60) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
        assert out.decode().strip() == "refreshed 5"
    assert token_posts(rotating_sim) == 10  # none refused
    assert not rotating_sim.is_revoked(load_login("sim", token_path).refresh_token)
