"""`tsdash login` and `tsdash logout`: TradeStation's authorization-code flow for a terminal app.

The browser signs the user in at TradeStation and is sent back to a one-shot server on
``http://localhost:PORT`` (31022 is one of the redirect URIs every API key allows). That server
checks ``state``, exchanges the code for tokens and stores the refresh token with mode 0600, and
only then answers the browser, with the real outcome. What the sign-in server says is shown
without control characters. Tokens are never printed or logged; the client secret never touches
a file.
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
    """Run the whole flow; returns the token file's path.

    The browser's redirect is answered only once the code was exchanged and the refresh token
    stored, with what really happened: a success page, or the reason it failed.
    """
    import aiohttp
    from aiohttp import web

    from tsdash.api.auth import build_authorize_url
    from tsdash.api.text import clean_server_text

    state = secrets.token_urlsafe(24)
    redirect_uri = f"http://localhost:{request.port}"
    url = build_authorize_url(request.client_id, redirect_uri, state,
                              authorize_url=f"{request.signin_url}/authorize")
    outcome: asyncio.Future[os.PathLike] = asyncio.get_running_loop().create_future()
    one_at_a_time = asyncio.Lock()

    async def callback(req: web.Request) -> web.StreamResponse:
        if req.query.get("state") != state:
            # Not ours (a stale tab or a forged request): refuse it, keep waiting for the real one.
            return _page(400, "Sign-in refused", "The sign-in answer did not match this login attempt.")
        if "error" in req.query:
            detail = clean_server_text(req.query.get("error_description") or req.query["error"])
            failed = LoginError(f"TradeStation refused the sign-in: {detail or 'no reason given'}")
            return await _answer(req, outcome, failed)
        code = req.query.get("code", "")
        if not code:
            return _page(400, "Sign-in incomplete", "No authorization code in the answer.")
        async with one_at_a_time:
            if outcome.done():  # a second answer (a reloaded tab): the first one decided
                return _page_for(outcome)
            try:
                result: os.PathLike | LoginError = await _exchange_and_store(
                    session, request, code, redirect_uri)
            except LoginError as exc:
                result = exc
            return await _answer(req, outcome, result)

    app = web.Application()
    app.router.add_get("/", callback)
    runner = web.AppRunner(app, access_log=None)
    async with aiohttp.ClientSession() as session:
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
                return await asyncio.wait_for(outcome, CALLBACK_TIMEOUT)
            except TimeoutError:
                raise LoginError(f"no answer from the browser within {CALLBACK_TIMEOUT:.0f} s; run tsdash login again") from None
        finally:
            await runner.cleanup()


async def _exchange_and_store(session, request: LoginRequest, code: str,
                              redirect_uri: str) -> os.PathLike:
    """Exchange the code for tokens and store the refresh token; LoginError says what failed."""
    from tsdash.api.auth import exchange_code
    from tsdash.api.errors import TSError
    from tsdash.credentials import CredentialsError, save_login

    try:
        tokens = await exchange_code(session, f"{request.signin_url}/oauth/token",
                                     request.client_id, request.client_secret, code, redirect_uri)
    except TSError as exc:
        raise LoginError(str(exc)) from None
    refresh_token = tokens.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        raise LoginError("TradeStation sent no refresh token: make sure your API key allows the "
                         "offline_access scope")
    try:
        path = await asyncio.to_thread(save_login, request.environment, request.client_id,
                                       refresh_token)
    except (OSError, CredentialsError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LoginError(f"signed in, but the refresh token could not be stored: {reason}") \
            from None
    log.info("signed in to %s; refresh token stored", request.environment)
    return path


async def _answer(req, outcome: asyncio.Future, result: os.PathLike | LoginError):
    """Send the browser the page for ``result`` (a path: stored; a LoginError: why not), then
    settle ``outcome``: the one-shot server is shut down only after the page is out."""
    page = _page_for(outcome) if outcome.done() else _page_for_result(result)
    try:
        await page.prepare(req)
        await page.write_eof()
    except ConnectionError:  # the browser went away; the terminal still says what happened
        log.info("the browser closed the connection before the sign-in page was sent")
    finally:
        if not outcome.done():
            if isinstance(result, LoginError):
                outcome.set_exception(result)
            else:
                outcome.set_result(result)
    return page


def _page_for(outcome: asyncio.Future):
    error = outcome.exception()
    return _page_for_result(error if isinstance(error, LoginError) else None)


def _page_for_result(result: os.PathLike | LoginError | None):
    if not isinstance(result, LoginError):
        return _page(200, "Signed in", "tsdash stored your sign-in. You can close this tab.")
    return _page(400, "Sign-in failed", f"{str(result).rstrip('. ')}. Nothing was stored.")


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
