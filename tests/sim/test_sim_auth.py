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
              "https://api.tradestation.com", "redirect_uri": "http://localhost:31022/cb",
              "scope": "openid offline_access MarketData", "state": "xyz-123"}
    async with session.get(sim.root_url + "/authorize", params=params,
                           allow_redirects=False) as resp:
        assert resp.status == 302
        location = urlsplit(resp.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "localhost:31022", "/cb")
    query = parse_qs(location.query)
    assert query["state"] == ["xyz-123"]
    code = query["code"][0]
    form = {"grant_type": "authorization_code", "client_id": "my-key", "client_secret": "s",
            "code": code, "redirect_uri": "http://localhost:31022/cb"}
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
