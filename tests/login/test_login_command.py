"""`tsdash login` / `tsdash logout` end to end, offline, against the simulator's sign-in
endpoints."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import stat
import subprocess
import sys
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from tsdash import login as login_mod
from tsdash.credentials import load_login, save_login
from tsdash.login import LoginError, LoginRequest, login
from tsdash.sim import start_simulator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("TSDASH_CONFIG", raising=False)
    return tmp_path


@pytest.fixture
def callback_port() -> int:
    """A free port for the login's callback, registered with the sign-in simulator."""
    return _free_port()


@pytest.fixture
async def signin(callback_port):
    """The simulator's sign-in, allowing this test's callback (TradeStation wants each one
    registered for the API key)."""
    sim = await start_simulator(port=0, seed=3, demo_trader=False,
                                redirect_uris=[f"http://localhost:{callback_port}"])
    try:
        yield sim
    finally:
        await sim.stop()


class FakeBrowser:
    """Stands in for the user's browser: opens the sign-in URL and follows the redirect home.
    ``answers``/``pages`` are the statuses and pages it was shown; ``stored_when_answered``
    whether a sign-in was stored when the page arrived."""

    def __init__(self, tamper=None):
        self.tamper = tamper
        self.tasks: list[asyncio.Task] = []
        self.answers: list[int] = []
        self.pages: list[str] = []
        self.stored_when_answered: list[bool] = []

    def open(self, url: str) -> bool:
        self.tasks.append(asyncio.get_running_loop().create_task(self._visit(url)))
        return True

    async def _visit(self, url: str) -> None:
        async with aiohttp.ClientSession() as session:
            async with session.get(url, allow_redirects=False) as resp:
                assert resp.status in (301, 302, 303, 307), await resp.text()
                home = resp.headers["Location"]
            if self.tamper:
                home = self.tamper(home)
            async with session.get(home) as resp:
                self.stored_when_answered.append(load_login("sim") is not None)
                self.answers.append(resp.status)
                self.pages.append(await resp.text())


def _request(sim, port: int) -> LoginRequest:
    return LoginRequest("sim", "my-api-key", "my-secret", sim.root_url, port, open_browser=True)


async def test_login_stores_refresh_token_privately(signin, callback_port, user_dirs, monkeypatch,
                                                    capsys):
    browser = FakeBrowser()
    monkeypatch.setattr(login_mod.webbrowser, "open", browser.open)
    path = await login(_request(signin, callback_port))
    await asyncio.gather(*browser.tasks)

    assert browser.answers == [200]
    assert browser.stored_when_answered == [True]  # "Signed in" only once it is true
    assert "Signed in" in browser.pages[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored = load_login("sim")
    assert stored is not None and stored.client_id == "my-api-key" and stored.refresh_token
    # the printed output shows the sign-in URL but never a token
    out = capsys.readouterr().out
    assert "/authorize?" in out and "state=" in out
    assert stored.refresh_token not in out
    # the stored token really works at the token endpoint
    async with aiohttp.ClientSession() as session:
        form = {"grant_type": "refresh_token", "client_id": "my-api-key", "client_secret": "my-secret",
                "refresh_token": stored.refresh_token}
        async with session.post(signin.token_url, data=form) as resp:
            assert resp.status == 200
            assert (await resp.json())["access_token"]


async def test_answer_with_wrong_state_is_refused_and_login_keeps_waiting(signin, callback_port,
                                                                         user_dirs, monkeypatch):
    port = callback_port
    forged = FakeBrowser(tamper=lambda url: url.replace("state=", "state=forged"))
    real = FakeBrowser()
    calls = []

    def open_both(url: str) -> bool:
        calls.append(url)
        forged.open(url)
        return True

    monkeypatch.setattr(login_mod.webbrowser, "open", open_both)
    task = asyncio.create_task(login(_request(signin, port)))
    while not forged.tasks:
        await asyncio.sleep(0.01)
    await asyncio.gather(*forged.tasks)
    assert forged.answers == [400]
    assert not task.done()
    real.open(calls[0])
    await asyncio.wait_for(task, 10)
    await asyncio.gather(*real.tasks)
    assert real.answers == [200]
    assert load_login("sim") is not None


async def test_a_refused_code_exchange_tells_the_browser_it_failed(signin, callback_port, user_dirs,
                                                                   monkeypatch):
    """The sign-in server refuses the code (here: a code it never issued): the browser is told
    the sign-in failed and why, not "Signed in", and login() fails."""
    browser = FakeBrowser(tamper=lambda url: url.replace("code=sim-code-", "code=forged-"))
    monkeypatch.setattr(login_mod.webbrowser, "open", browser.open)
    with pytest.raises(LoginError, match="refused the authorization code"):
        await login(_request(signin, callback_port))
    await asyncio.gather(*browser.tasks)
    assert browser.answers == [400]
    page = browser.pages[0]
    assert "Sign-in failed" in page and "Signed in" not in page
    assert "Invalid or expired authorization code" in page
    assert load_login("sim") is None


async def test_refused_sign_in_is_a_clear_error(signin, callback_port, user_dirs, monkeypatch):
    port = callback_port

    def deny(url: str) -> bool:
        async def visit():
            state = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))["state"]
            async with aiohttp.ClientSession() as session:
                await session.get(f"http://localhost:{port}/?error=access_denied&state={state}")

        asyncio.get_running_loop().create_task(visit())
        return True

    monkeypatch.setattr(login_mod.webbrowser, "open", deny)
    with pytest.raises(LoginError, match="refused the sign-in: access_denied"):
        await login(_request(signin, port))
    assert load_login("sim") is None


async def test_port_in_use_is_a_clear_error(signin, user_dirs):
    with socket.socket() as busy:
        busy.bind(("localhost", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(LoginError, match=f"cannot listen on localhost:{port}"):
            await login(LoginRequest("sim", "id", "secret", signin.root_url, port, False))


async def test_logout_deletes_and_revokes(signin, user_dirs, capsys):
    save_login("sim", "my-api-key", "refresh-abc")
    args = argparse.Namespace(signin_url=signin.root_url, config=None)
    assert await asyncio.to_thread(login_mod.run_logout, args) == 0
    assert load_login("sim") is None
    assert any(r.path == "/oauth/revoke" for r in signin.requests)
    out = capsys.readouterr().out
    assert "Signed out of sim" in out and "revoked at TradeStation" in out
    assert "refresh-abc" not in out


def test_tokens_never_reach_the_log(user_dirs, monkeypatch, tmp_path):
    """A full login with DEBUG logging on: the log names what happened but holds no token."""
    from tsdash.logs import setup_logging, teardown_logging

    log_path = setup_logging("DEBUG", tmp_path / "tsdash.log")

    async def run():
        port = _free_port()
        sim = await start_simulator(port=0, seed=3, demo_trader=False,
                                    redirect_uris=[f"http://localhost:{port}"])
        try:
            browser = FakeBrowser()
            monkeypatch.setattr(login_mod.webbrowser, "open", browser.open)
            await login(_request(sim, port))
            await asyncio.gather(*browser.tasks)
        finally:
            await sim.stop()

    try:
        asyncio.run(run())
    finally:
        teardown_logging()
    text = log_path.read_text()
    token = load_login("sim").refresh_token
    assert "signed in to sim" in text
    assert token not in text


def test_cli_login_without_client_id_says_what_to_do(user_dirs):
    env = {**os.environ, "TS_CLIENT_SECRET": "x"}
    env.pop("TS_CLIENT_ID", None)
    proc = subprocess.run([sys.executable, "-m", "tsdash", "login"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 2
    assert "no client_id" in proc.stderr and "Traceback" not in proc.stderr


def test_broken_token_file_is_reported_not_a_traceback(user_dirs):
    from tsdash.credentials import CredentialsError
    from tsdash.locations import token_file

    token_file().parent.mkdir(parents=True)
    token_file().write_text("{not json")
    with pytest.raises(CredentialsError, match="not a valid token file"):
        load_login("sim")
    assert token_file().exists()  # left for the user to inspect, not silently replaced


# -- a tampered sign-in server: its words reach the terminal without control characters --------

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x9b31mYou were\r\nsigned out\x07\u202e"


class TamperedSignIn:
    """A sign-in server that answers with escape sequences: in the redirect's
    ``error_description`` (``refuse="redirect"``) or the token endpoint's (``"token"``)."""

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse
        self.root_url = ""
        self._runner: web.AppRunner | None = None

    async def authorize(self, request: web.Request) -> web.Response:
        params = {"state": request.query["state"]}
        if self.refuse == "redirect":
            params |= {"error": "access_denied", "error_description": HOSTILE}
        else:
            params["code"] = "a-code"
        raise web.HTTPFound(f"{request.query['redirect_uri']}/?{urlencode(params)}")

    async def token(self, request: web.Request) -> web.Response:
        return web.json_response({"error": "invalid_grant", "error_description": HOSTILE},
                                 status=400)

    async def __aenter__(self) -> TamperedSignIn:
        app = web.Application()
        app.router.add_get("/authorize", self.authorize)
        app.router.add_post("/oauth/token", self.token)
        self._runner = runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.root_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.mark.parametrize("refuse", ["redirect", "token"])
async def test_cli_login_shows_a_hostile_sign_in_servers_words_without_escapes(user_dirs, refuse):
    port = _free_port()
    env = {**os.environ, "TS_CLIENT_ID": "my-api-key", "TS_CLIENT_SECRET": "my-secret",
           "PYTHONUNBUFFERED": "1"}
    async with TamperedSignIn(refuse) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tsdash", "login", "--no-browser", "--port", str(port),
            "--signin-url", server.root_url, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            url = ""
            while "/authorize?" not in url:
                line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
                assert line, "tsdash login ended without printing the sign-in URL"
                url = line.strip()
            async with aiohttp.ClientSession() as session:  # the browser
                async with session.get(url, allow_redirects=False) as resp:
                    home = resp.headers["Location"]
                async with session.get(home) as resp:
                    status, page = resp.status, await resp.text()
            out, err = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    stderr = err.decode()
    assert proc.returncode == 1
    for shown in (stderr, out.decode(), page):
        assert not any(ch in shown for ch in "\x1b\x07\x9b\r\u202e"), repr(shown)
    assert status == 400 and "Sign-in failed" in page
    assert "You were signed out" in stderr and "You were signed out" in page
    assert "Traceback" not in stderr
