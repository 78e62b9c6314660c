"""`tsdash login` and `tsdash logout`: TradeStation's authorization-code flow for a terminal app.

The browser signs the user in at TradeStation and is sent back to a one-shot server on
``http://localhost:PORT`` (31022 is one of the redirect URIs every API key allows). That server
checks ``state``, exchanges the code for tokens and the refresh token is stored with mode 0600.
Tokens are never printed or logged; the client secret never touches a file.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import secrets
import sys
import webbrowser
from dataclasses import dataclass

from tsdash.config import load_settings

log = logging.getLogger("tsdash.login")

SIGNIN_URL = "https://signin.tradestation.com"
CALLBACK_TIMEOUT = 300.0

_DONE_PAGE = """<!doctype html><html><head><title>tsdash</title></head><body style="font-family:sans-serif">
<h2>{title}</h2><p>{text}</p></body></html>"""


class LoginError(Exception):
    """Sign-in did not complete; the message says why and what to do."""


@dataclass
class LoginRequest:
    environment: str
    client_id: str
    client_secret: str
    signin_url: str
    port: int
    open_browser: bool


def _signin_url(args: argparse.Namespace) -> str:
    return (getattr(args, "signin_url", None) or os.environ.get("TSDASH_SIGNIN_URL") or SIGNIN_URL).rstrip("/")


def _client_secret() -> str:
    secret = os.environ.get("TS_CLIENT_SECRET", "")
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise LoginError("no client secret: set TS_CLIENT_SECRET (it is never read from the config file)")
    secret = getpass.getpass("TradeStation client secret (input hidden): ").strip()
    if not secret:
        raise LoginError("no client secret given; set TS_CLIENT_SECRET or type it at the prompt")
    return secret


def run_login(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    environment = args.env or (settings.environment if settings.environment in ("sim", "live") else "sim")
    client_id = settings.client_id or os.environ.get("TS_CLIENT_ID", "")
    if not client_id:
        print(
            f"tsdash login: no client_id: add `client_id = \"...\"` (your TradeStation API key) to "
            f"{settings.path}, or set TS_CLIENT_ID",
            file=sys.stderr,
        )
        return 2
    try:
        request = LoginRequest(environment, client_id, _client_secret(), _signin_url(args),
                               args.port, not args.no_browser)
        path = asyncio.run(login(request))
    except LoginError as exc:
        print(f"tsdash login: {exc}", file=sys.stderr)
        return 1
    print(f"Signed in to TradeStation ({environment}). Refresh token stored in {path} (mode 0600).")
    if settings.environment != environment:
        print(f"Your config's environment is {settings.environment!r}; set environment = \"{environment}\" "
              f"in {settings.path} to use this login by default.")
    return 0


async def login(request: LoginRequest) -> os.PathLike:
    """Run the whole flow; returns the token file's path."""
    import aiohttp
    from aiohttp import web

    from tsdash.api.auth import build_authorize_url, exchange_code
    from tsdash.api.errors import TSError
    from tsdash.credentials import save_login

    state = secrets.token_urlsafe(24)
    redirect_uri = f"http://localhost:{request.port}"
    url = build_authorize_url(request.client_id, redirect_uri, state,
                              authorize_url=f"{request.signin_url}/authorize")
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def callback(req: web.Request) -> web.Response:
        if req.query.get("state") != state:
            # Not ours (a stale tab or a forged request): refuse it, keep waiting for the real one.
            return _page(400, "Sign-in refused", "The sign-in answer did not match this login attempt.")
        if "error" in req.query:
            detail = req.query.get("error_description") or req.query["error"]
            if not outcome.done():
                outcome.set_exception(LoginError(f"TradeStation refused the sign-in: {detail}"))
            return _page(400, "Sign-in refused", detail)
        code = req.query.get("code", "")
        if not code:
            return _page(400, "Sign-in incomplete", "No authorization code in the answer.")
        if not outcome.done():
            outcome.set_result(code)
        return _page(200, "Signed in", "tsdash has what it needs. You can close this tab.")

    app = web.Application()
    app.router.add_get("/", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "localhost", request.port)
        try:
            await site.start()
        except OSError as exc:
            raise LoginError(
                f"cannot listen on localhost:{request.port} ({exc.strerror}); close what uses it or pass "
                "--port with another redirect port registered for your API key (3000, 3001, 8080)"
            ) from None
        print("Open this URL to sign in to TradeStation:\n\n  " + url + "\n", flush=True)
        if request.open_browser:
            webbrowser.open(url)
        try:
            code = await asyncio.wait_for(outcome, CALLBACK_TIMEOUT)
        except TimeoutError:
            raise LoginError(f"no answer from the browser within {CALLBACK_TIMEOUT:.0f} s; run tsdash login again") from None
    finally:
        await runner.cleanup()

    async with aiohttp.ClientSession() as session:
        try:
            tokens = await exchange_code(session, f"{request.signin_url}/oauth/token", request.client_id,
                                         request.client_secret, code, redirect_uri)
        except TSError as exc:
            raise LoginError(str(exc)) from None
    refresh_token = tokens.get("refresh_token")
    if not refresh_token:
        raise LoginError("TradeStation sent no refresh token: make sure your API key allows the "
                         "offline_access scope")
    log.info("signed in to %s; refresh token stored", request.environment)
    return save_login(request.environment, request.client_id, refresh_token)


def _page(status: int, title: str, text: str):
    from html import escape

    from aiohttp import web

    return web.Response(status=status, content_type="text/html",
                        text=_DONE_PAGE.format(title=escape(title), text=escape(text)))


def run_logout(args: argparse.Namespace) -> int:
    from tsdash.credentials import CredentialsError, delete_login

    try:
        removed = delete_login(None)
    except CredentialsError as exc:
        print(f"tsdash logout: {exc}", file=sys.stderr)
        return 1
    if not removed:
        print("No stored login: nothing to do.")
        return 0
    signin = _signin_url(args)
    secret = os.environ.get("TS_CLIENT_SECRET", "")
    for stored in removed:
        revoked = asyncio.run(_revoke(signin, stored.client_id, secret, stored.refresh_token))
        note = "revoked at TradeStation" if revoked else "could not be revoked online (it is deleted here)"
        print(f"Signed out of {stored.environment}: refresh token deleted, {note}.")
    return 0


async def _revoke(signin_url: str, client_id: str, client_secret: str, token: str) -> bool:
    """Best effort: revocation needs the network; deleting the local copy already happened."""
    import aiohttp

    form = {"client_id": client_id, "token": token}
    if client_secret:
        form["client_secret"] = client_secret
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            async with session.post(f"{signin_url}/oauth/revoke", data=form) as resp:
                ok = resp.status == 200
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("token revocation failed: %s", type(exc).__name__)
        return False
    if not ok:
        log.warning("token revocation answered HTTP %s", resp.status)
    return ok
