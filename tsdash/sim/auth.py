"""Sign-in like TradeStation's (Auth0): /authorize, /oauth/token, /oauth/revoke, bearer checks.

Any non-empty client id, secret and refresh token are accepted, so the real login flow (browser
redirect with a code, code exchange, refresh) can be exercised offline. Access tokens are random,
live `token_expires_in` seconds, and can all be expired at once for tests. With
`rotate_refresh_tokens`, a refresh grant answers with a new refresh token and revokes the one it
used, as an API key with TradeStation's rotating refresh tokens does.

As TradeStation does: /authorize refuses a redirect URI that is not allowed for the key (its
default callbacks, plus any given with `redirect_uris`); a refresh needs the client secret unless
the refresh token came from a PKCE sign-in (a public client); a refresh token works only for the
client it was issued to; and /oauth/revoke revokes every refresh token of that client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

DEMO_CLIENT_ID = "tsdash-demo-client"
DEMO_CLIENT_SECRET = "tsdash-demo-secret"
DEMO_REFRESH_TOKEN = "tsdash-demo-refresh-token"
DEFAULT_SCOPE = "openid offline_access profile MarketData ReadAccount Trade OptionSpreads Matrix"
AUDIENCE = "https://api.tradestation.com"
CODE_LIFETIME = 300.0
# The callback URLs every TradeStation API key allows unless its owner registered others.
DEFAULT_REDIRECT_URIS = (
    "http://localhost", "http://localhost:80", "http://localhost:3000", "http://localhost:3001",
    "http://localhost:8080", "http://localhost:31022",
)


def normalize_redirect_uri(uri: str) -> str:
    """Scheme and host lower-cased, a default port spelled out, one trailing slash ignored."""
    parts = urlsplit(uri.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    path = parts.path.rstrip("/") if parts.path != "/" else ""
    return urlunsplit((parts.scheme.lower(), f"{host}:{port}", path, parts.query, ""))


class RedirectPolicy:
    """Which redirect URIs /authorize accepts: TradeStation's defaults plus `extra`, exactly
    (a trailing slash and an explicit default port aside). TradeStation wants each callback
    registered for the API key, so a localhost port that is not listed is refused too: a test or
    a `tsdash login --port N` registers its own with `redirect_uris` (`tsdash sim --redirect-uri`)."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.allowed = list(DEFAULT_REDIRECT_URIS)
        for uri in extra:
            parts = urlsplit(uri.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"redirect URI {uri!r} must be an absolute http(s) URL, e.g. "
                                 "http://localhost:5000/callback")
            self.allowed.append(uri.strip())
        self._exact = {normalize_redirect_uri(u) for u in self.allowed}

    def allows(self, uri: str) -> bool:
        return normalize_redirect_uri(uri) in self._exact


@dataclass(slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    method: str
    expires: float


class TokenStore:
    """Issued access tokens with their expiry (monotonic seconds), codes and revoked tokens."""

    def __init__(self, expires_in: int = 1200, rotate_refresh_tokens: bool = False,
                 redirects: RedirectPolicy | None = None) -> None:
        if expires_in <= 0:
            raise ValueError(f"token_expires_in must be > 0, not {expires_in!r}")
        self.expires_in = int(expires_in)
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.redirects = redirects or RedirectPolicy()
        self._tokens: dict[str, float] = {}
        self._codes: dict[str, _Code] = {}
        self._revoked: set[str] = set()
        self._refresh_client: dict[str, str] = {}  # refresh token -> the client it belongs to
        self._public: set[str] = set()  # refresh tokens from a PKCE sign-in (no secret needed)

    def new_refresh_token(self, client_id: str, public: bool = False) -> str:
        token = "sim-rt-" + secrets.token_urlsafe(24)
        self._refresh_client[token] = client_id
        if public:
            self._public.add(token)
        return token

    def refresh_owner(self, token: str) -> str | None:
        return self._refresh_client.get(token)

    def is_public(self, token: str) -> bool:
        return token in self._public

    def bind(self, token: str, client_id: str) -> None:
        """A refresh token first used by a client (e.g. one typed into a config) is its own."""
        self._refresh_client.setdefault(token, client_id)

    def revoke_client(self, client_id: str) -> int:
        """Revoke every refresh token of a client; how many."""
        mine = [t for t, c in self._refresh_client.items() if c == client_id]
        for token in mine:
            self.revoke(token)
        return len(mine)

    def issue(self) -> str:
        token = "sim-at-" + secrets.token_urlsafe(24)
        self._tokens[token] = time.monotonic() + self.expires_in
        if len(self._tokens) > 10_000:  # forget long-expired tokens
            now = time.monotonic()
            self._tokens = {t: e for t, e in self._tokens.items() if e > now - 3600}
        return token

    def expire_all(self) -> None:
        now = time.monotonic()
        for token in self._tokens:
            self._tokens[token] = min(self._tokens[token], now - 1)

    def check(self, header: str | None) -> str | None:
        """None when the Authorization header carries a live token, else why not."""
        if not header:
            return "The request has no Authorization header."
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "The Authorization header must be 'Bearer <access token>'."
        expiry = self._tokens.get(token.strip())
        if expiry is None:
            return "The access token is invalid."
        if expiry <= time.monotonic():
            return "The access token has expired."
        return None

    def new_code(self, client_id: str, redirect_uri: str, scope: str, challenge: str | None,
                 method: str) -> str:
        code = "sim-code-" + secrets.token_urlsafe(16)
        self._codes[code] = _Code(client_id, redirect_uri, scope, challenge, method,
                                  time.monotonic() + CODE_LIFETIME)
        return code

    def take_code(self, code: str) -> _Code | None:
        entry = self._codes.pop(code, None)
        if entry is None or entry.expires <= time.monotonic():
            return None
        return entry

    def revoke(self, token: str) -> None:
        self._revoked.add(token)
        self._tokens.pop(token, None)

    def is_revoked(self, token: str) -> bool:
        return token in self._revoked


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _id_token(issuer: str, client_id: str, lifetime: int) -> str:
    """An unsigned JWT with the claims an OpenID client looks at."""
    now = int(time.time())
    header = {"alg": "none", "typ": "JWT"}
    claims = {"iss": issuer, "sub": "auth0|tsdash-sim-demo-user", "aud": client_id,
              "iat": now, "exp": now + lifetime, "name": "Demo Trader", "nickname": "demo"}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


def _verify_pkce(code: _Code, verifier: str) -> bool:
    if code.method == "S256":
        return _b64(hashlib.sha256(verifier.encode()).digest()) == code.challenge
    return verifier == code.challenge


async def _form(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    return {k: str(v) for k, v in (await request.post()).items()}


def make_auth_routes(tokens: TokenStore, root_url) -> list[web.RouteDef]:
    """Routes at the server root, like signin.tradestation.com; root_url() gives the issuer."""

    async def token(request: web.Request) -> web.Response:
        form = await _form(request)
        grant = form.get("grant_type", "")
        client_id = form.get("client_id", "").strip()
        if not client_id:
            return _oauth_error(401, "access_denied", "client_id is required.")
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "").strip()
            if not refresh:
                return _oauth_error(400, "invalid_request", "refresh_token is required.")
            if tokens.is_revoked(refresh):
                return _oauth_error(403, "invalid_grant", "Unknown or invalid refresh token.")
            owner = tokens.refresh_owner(refresh)
            if owner is not None and owner != client_id:
                return _oauth_error(403, "invalid_grant",
                                    "The refresh token was issued to another client.")
            public = tokens.is_public(refresh)
            if not public and not form.get("client_secret", "").strip():
                return _oauth_error(401, "access_denied",
                                    "client_secret is required to refresh a token (only a "
                                    "PKCE sign-in refreshes without it).")
            tokens.bind(refresh, client_id)
            new_refresh = None
            if tokens.rotate_refresh_tokens:
                tokens.revoke(refresh)
                new_refresh = tokens.new_refresh_token(client_id, public)
        elif grant == "authorization_code":
            code = tokens.take_code(form.get("code", "").strip())
            if code is None:
                return _oauth_error(403, "invalid_grant", "Invalid or expired authorization code.")
            if code.client_id != client_id:
                return _oauth_error(403, "invalid_grant", "The code was issued to another client.")
            if form.get("redirect_uri", code.redirect_uri) != code.redirect_uri:
                return _oauth_error(403, "invalid_grant", "redirect_uri does not match /authorize.")
            verifier = form.get("code_verifier", "")
            if code.challenge is not None:
                if not verifier or not _verify_pkce(code, verifier):
                    return _oauth_error(403, "invalid_grant", "Failed to verify code_verifier.")
            elif not form.get("client_secret", "").strip():
                return _oauth_error(401, "access_denied", "client_secret is required.")
            new_refresh = tokens.new_refresh_token(client_id, public=code.challenge is not None)
        else:
            return _oauth_error(400, "unsupported_grant_type",
                                "grant_type must be authorization_code or refresh_token.")
        body = {
            "access_token": tokens.issue(),
            "id_token": _id_token(root_url() + "/", client_id, tokens.expires_in),
            "scope": DEFAULT_SCOPE,
            "expires_in": tokens.expires_in,
            "token_type": "Bearer",
        }
        if new_refresh:
            body["refresh_token"] = new_refresh
        return web.json_response(body, headers={"Cache-Control": "no-store"})

    async def authorize(request: web.Request) -> web.Response:
        q = request.query
        redirect_uri = q.get("redirect_uri", "")
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return _oauth_error(400, "invalid_request",
                                "redirect_uri is required and must be an http(s) URL.")
        if not tokens.redirects.allows(redirect_uri):
            # Like TradeStation's sign-in page: no redirect to an unknown place, an error here.
            return _oauth_error(400, "invalid_request",
                                f"Callback URL mismatch. {redirect_uri} is not in the list of "
                                "allowed callback URLs: "
                                f"{', '.join(tokens.redirects.allowed)}. Use one of them (for "
                                "tsdash login: --port 31022, 3000, 3001 or 8080) or register "
                                "yours (tsdash sim --redirect-uri URL).")
        params: dict[str, str] = {}
        if q.get("response_type") != "code":
            params = {"error": "unsupported_response_type",
                      "error_description": "response_type must be 'code'."}
        elif not q.get("client_id", "").strip():
            params = {"error": "invalid_request", "error_description": "client_id is required."}
        else:
            method = q.get("code_challenge_method", "plain")
            params = {"code": tokens.new_code(q["client_id"].strip(), redirect_uri,
                                              q.get("scope", DEFAULT_SCOPE),
                                              q.get("code_challenge"), method)}
        if "state" in q:
            params["state"] = q["state"]
        query = "&".join(filter(None, [parts.query, urlencode(params)]))
        location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
        raise web.HTTPFound(location)

    async def revoke(request: web.Request) -> web.Response:
        form = await _form(request)
        token_value = (form.get("token") or form.get("refresh_token") or "").strip()
        client_id = form.get("client_id", "").strip()
        if not client_id or not token_value:
            return _oauth_error(400, "invalid_request", "client_id and token are required.")
        owner = tokens.refresh_owner(token_value)
        if owner is not None and owner != client_id:
            return _oauth_error(403, "invalid_grant",
                                "The token was issued to another client.")
        tokens.revoke(token_value)  # also an unknown one: revoked means never usable again
        tokens.revoke_client(client_id)  # and, as TradeStation does, all the client's others
        return web.Response(status=200)

    return [
        web.post("/oauth/token", token),
        web.get("/authorize", authorize),
        web.post("/oauth/revoke", revoke),
    ]
