"""Sign-in like TradeStation's: token grants, the /authorize redirect, 401s on /v3."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sim_helpers import auth, validate

from tsdash.sim import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

ACCOUNTS = "/brokerage/accounts"


async def refresh(sim, session, **form) -> tuple[int, dict]:
    data = {"grant_type": "refresh_token", "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET, "refresh_token": DEMO_REFRESH_TOKEN, **form}
    async with session.post(sim.token_url, data=data) as resp:
        return resp.status, await resp.json()


async def test_v3_without_a_valid_token_is_401_in_tradestation_shape(sim, session):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        async with session.get(sim.base_url + ACCOUNTS, headers=headers) as resp:
            assert resp.status == 401
            body = await resp.json()
            assert body["Error"] == "Unauthorized" and body["Message"]
            validate(body, "ErrorResponse")
    stream = sim.base_url + "/marketdata/stream/quotes/SPY"
    async with session.get(stream) as resp:
        assert resp.status == 401
    assert sim.open_streams == 0


async def test_refresh_token_grant(sim, session):
    status, body = await refresh(sim, session)
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1200
    assert "openid" in body["scope"].split() and "MarketData" in body["scope"].split()
    assert body["id_token"].count(".") == 2
    assert "refresh_token" not in body, "TradeStation refresh tokens do not rotate by default"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with session.get(sim.base_url + ACCOUNTS, headers=headers) as resp:
        assert resp.status == 200
    assert sim.requests[-1].authorized and sim.requests[-1].path == "/v3/brokerage/accounts"


@pytest.mark.parametrize("form, status", [
    ({"client_id": ""}, 401), ({"refresh_token": ""}, 400), ({"grant_type": "password"}, 400),
])
async def test_bad_token_requests(sim, session, form, status):
    got, body = await refresh(sim, session, **form)
    assert got == status
    assert body["error"] and body["error_description"]


async def test_any_non_empty_credentials_are_accepted(sim, session):
    status, body = await refresh(sim, session, client_id="someone", client_secret="x",
                                 refresh_token="whatever")
    assert status == 200 and body["access_token"]


async def test_authorize_redirects_with_code_and_state_then_code_exchange(sim, session):
    params = {"response_type": "code", "client_id": "my-key", "audience":
              "https://api.tradestation.com", "redirect_uri": "http://localhost:31022",
              "scope": "openid offline_access MarketData", "state": "xyz-123"}
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        assert resp.status == 302
        location = urlsplit(resp.headers["Location"])
    assert (location.scheme, location.netloc, location.path.rstrip("/")) == (
        "http", "localhost:31022", "")
    query = parse_qs(location.query)
    assert query["state"] == ["xyz-123"]
    code = query["code"][0]
    form = {"grant_type": "authorization_code", "client_id": "my-key", "client_secret": "s",
            "code": code, "redirect_uri": "http://localhost:31022"}
    async with session.post(sim.token_url, data=form) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["refresh_token"] and body["access_token"] and body["token_type"] == "Bearer"
    async with session.post(sim.token_url, data=form) as resp:
        assert resp.status == 403, "a code works once"
        assert (await resp.json())["error"] == "invalid_grant"


async def test_authorize_with_pkce(sim, session):
    verifier = "a" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {"response_type": "code", "client_id": "k", "redirect_uri": "http://localhost:3000",
              "code_challenge": challenge.decode(), "code_challenge_method": "S256"}
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        code = parse_qs(urlsplit(resp.headers["Location"]).query)["code"][0]
    form = {"grant_type": "authorization_code", "client_id": "k", "code": code,
            "redirect_uri": "http://localhost:3000", "code_verifier": "wrong"}
    async with session.post(sim.token_url, data=form) as resp:
        assert resp.status == 403
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        code = parse_qs(urlsplit(resp.headers["Location"]).query)["code"][0]
    form.update(code=code, code_verifier=verifier)
    async with session.post(sim.token_url, data=form) as resp:
        assert resp.status == 200


async def test_authorize_rejects_bad_requests(sim, session):
    async with session.get(sim.root_url + "/authorize", params={"response_type": "code"},
                           allow_redirects=False) as resp:
        assert resp.status == 400
    params = {"response_type": "token", "client_id": "k", "redirect_uri": "http://localhost/",
              "state": "s"}
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        query = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert query["error"] == ["unsupported_response_type"] and query["state"] == ["s"]


async def test_expire_tokens_makes_every_issued_token_401(sim, session):
    headers = auth(sim)
    async with session.get(sim.base_url + ACCOUNTS, headers=headers) as resp:
        assert resp.status == 200
    sim.expire_tokens()
    async with session.get(sim.base_url + ACCOUNTS, headers=headers) as resp:
        assert resp.status == 401
        assert "expired" in (await resp.json())["Message"]
    async with session.get(sim.base_url + ACCOUNTS, headers=auth(sim)) as resp:
        assert resp.status == 200, "tokens minted afterwards work"


async def test_a_token_past_its_lifetime_is_401(make_sim, session):
    sim = await make_sim(token_expires_in=1)
    status, body = await refresh(sim, session)
    assert body["expires_in"] == 1
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with session.get(sim.base_url + ACCOUNTS, headers=headers) as resp:
        assert resp.status == 200
    await asyncio.sleep(1.05)
    async with session.get(sim.base_url + ACCOUNTS, headers=headers) as resp:
        assert resp.status == 401


async def test_revoked_refresh_token_is_refused(sim, session):
    async with session.post(sim.root_url + "/oauth/revoke",
                            data={"client_id": DEMO_CLIENT_ID, "token": "rt-to-revoke"}) as resp:
        assert resp.status == 200
    status, body = await refresh(sim, session, refresh_token="rt-to-revoke")
    assert status == 403 and body["error"] == "invalid_grant"
    status, _ = await refresh(sim, session)
    assert status == 200


async def test_id_token_claims(sim, session):
    _, body = await refresh(sim, session)
    claims = body["id_token"].split(".")[1]
    claims += "=" * (-len(claims) % 4)
    decoded = json.loads(base64.urlsafe_b64decode(claims))
    assert decoded["aud"] == DEMO_CLIENT_ID and decoded["sub"]


async def authorize(sim, session, redirect_uri: str, **extra) -> tuple[int, dict[str, list[str]]]:
    """/authorize: (status, the redirect's query) or (status, the error body)."""
    params = {"response_type": "code", "client_id": "my-key", "redirect_uri": redirect_uri,
              "state": "s1", **extra}
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        if resp.status == 302:
            return 302, parse_qs(urlsplit(resp.headers["Location"]).query)
        return resp.status, await resp.json()


@pytest.mark.parametrize("uri", [
    "http://localhost", "http://localhost/", "http://localhost:80", "http://localhost:3000",
    "http://localhost:3001", "http://localhost:8080", "http://localhost:31022",
])
async def test_tradestation_default_callbacks_are_allowed(make_sim, session, uri):
    sim = await make_sim()
    status, query = await authorize(sim, session, uri)
    assert status == 302 and query["code"]


@pytest.mark.parametrize("uri", [
    "http://localhost:31022/cb", "https://localhost:31022", "http://example.com:31022",
    "http://localhost:5000", "http://127.0.0.1:31022",
])
async def test_other_callbacks_are_refused_without_a_redirect(make_sim, session, uri):
    """Another localhost port too: TradeStation wants each callback registered."""
    sim = await make_sim()
    status, body = await authorize(sim, session, uri)
    assert status == 400
    assert body["error"] == "invalid_request"
    assert "Callback URL mismatch" in body["error_description"]
    assert "http://localhost:31022" in body["error_description"], "it lists what is allowed"


async def test_registered_callbacks_are_allowed_and_only_they(make_sim, session):
    sim = await make_sim(redirect_uris=["https://myapp.example/callback", "http://localhost:45678"])
    assert (await authorize(sim, session, "https://myapp.example/callback"))[0] == 302
    status, query = await authorize(sim, session, "http://localhost:45678")
    assert status == 302 and query["code"] and query["state"] == ["s1"]
    assert (await authorize(sim, session, "http://localhost:31022"))[0] == 302  # defaults stay
    assert (await authorize(sim, session, "http://localhost:45678/elsewhere"))[0] == 400
    assert (await authorize(sim, session, "http://localhost:45679"))[0] == 400
    assert (await authorize(sim, session, "https://myapp.example/other"))[0] == 400
    with pytest.raises(ValueError, match="absolute http"):
        await make_sim(redirect_uris=["not a url"])


async def sign_in(sim, session, client_id: str = "my-key", **pkce) -> dict:
    _, query = await authorize(sim, session, "http://localhost:31022", client_id=client_id,
                               **{k: v for k, v in pkce.items() if k != "code_verifier"})
    form = {"grant_type": "authorization_code", "client_id": client_id,
            "code": query["code"][0], "redirect_uri": "http://localhost:31022"}
    if "code_verifier" in pkce:
        form["code_verifier"] = pkce["code_verifier"]
    else:
        form["client_secret"] = "my-secret"
    async with session.post(sim.token_url, data=form) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def test_a_refresh_needs_the_client_secret_unless_pkce(sim, session):
    issued = await sign_in(sim, session)
    status, body = await refresh(sim, session, client_id="my-key", client_secret="",
                                 refresh_token=issued["refresh_token"])
    assert status == 401 and body["error"] == "access_denied"
    assert "client_secret" in body["error_description"]
    status, body = await refresh(sim, session, client_id="my-key",
                                 refresh_token=issued["refresh_token"])
    assert status == 200 and body["access_token"]
    status, body = await refresh(sim, session, client_id="other-key",
                                 refresh_token=issued["refresh_token"])
    assert status == 403, "a refresh token belongs to the client it was issued to"

    verifier = "v" * 48
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    public = await sign_in(sim, session, "public-app", code_challenge=challenge.decode(),
                           code_challenge_method="S256", code_verifier=verifier)
    status, body = await refresh(sim, session, client_id="public-app", client_secret="",
                                 refresh_token=public["refresh_token"])
    assert status == 200, "a PKCE (public) client refreshes without a secret"


async def test_revoke_revokes_every_refresh_token_of_the_client(sim, session):
    first = (await sign_in(sim, session))["refresh_token"]
    second = (await sign_in(sim, session))["refresh_token"]
    someone_else = (await sign_in(sim, session, "other-key"))["refresh_token"]
    async with session.post(sim.root_url + "/oauth/revoke",
                            data={"client_id": "my-key", "token": first}) as resp:
        assert resp.status == 200
    for token in (first, second):
        assert sim.is_revoked(token)
        status, body = await refresh(sim, session, client_id="my-key", refresh_token=token)
        assert status == 403 and body["error"] == "invalid_grant"
    assert not sim.is_revoked(someone_else)
    status, _ = await refresh(sim, session, client_id="other-key", refresh_token=someone_else)
    assert status == 200
    async with session.post(sim.root_url + "/oauth/revoke",
                            data={"client_id": "my-key", "token": someone_else}) as resp:
        assert resp.status == 403, "a client cannot revoke another client's token"
