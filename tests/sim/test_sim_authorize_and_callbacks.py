"""The simulator's sign-in page: code and state, PKCE, bad requests, and which callbacks it
redirects to."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from sim_helpers import authorize


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
