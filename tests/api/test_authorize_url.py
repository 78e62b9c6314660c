"""The sign-in authorize URL carries the documented parameters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tsdash.api import build_authorize_url


# -- login helper ----------------------------------------------------------------------------
def test_build_authorize_url():
    url = build_authorize_url("my-client", "http://localhost:3001", "st4te")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        "https://signin.tradestation.com/authorize"
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {"response_type": "code", "client_id": "my-client",
                 "redirect_uri": "http://localhost:3001", "state": "st4te",
                 "audience": "https://api.tradestation.com",
                 "scope": "openid offline_access MarketData ReadAccount Trade"}
    custom = build_authorize_url("c", "http://localhost:8080", "s", scopes=["openid"],
                                 authorize_url="http://127.0.0.1:1/authorize")
    assert custom.startswith("http://127.0.0.1:1/authorize?") and "scope=openid" in custom
