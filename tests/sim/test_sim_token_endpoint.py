"""The simulator's tokens: 401 without one, the refresh grant, expiry, revocation and id_token
claims."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json

import pytest
from sim_helpers import auth, authorize, validate

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
