"""TradeStation's error answers: `{"Error": "...", "Message": "..."}` with the matching status."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

ERROR_NAMES = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
    405: "MethodNotAllowed", 406: "NotAcceptable", 429: "TooManyRequests",
    500: "InternalServerError", 501: "NotImplemented", 502: "BadGateway",
    503: "ServiceUnavailable", 504: "GatewayTimeout",
}


def ts_error(status: int, message: str, error: str | None = None,
             headers: dict[str, str] | None = None) -> web.Response:
    """A JSON error in TradeStation's shape; `error` defaults to the name for the status."""
    fallback = "InternalServerError" if status >= 500 else "BadRequest"
    name = error or ERROR_NAMES.get(status, fallback)
    return web.json_response({"Error": name, "Message": message}, status=status, headers=headers)


class TSHTTPError(Exception):
    """Raised by handlers to answer with a TradeStation error; the middleware renders it."""

    def __init__(self, status: int, message: str, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error

    def response(self) -> web.Response:
        return ts_error(self.status, self.message, self.error)


def comma_list(text: str, *, noun: str, limit: int,
               clean: Callable[[str], str] = str.strip) -> list[str]:
    """A path segment's comma-separated items (symbols, accounts, order ids), each ``clean``-ed,
    empty ones and duplicates dropped, in order; 1 to ``limit`` of them or a 400 naming ``noun``
    as TradeStation's messages do ("symbol", "account ID", "order ID")."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        if part.strip():
            seen.setdefault(clean(part.strip()), None)
    items = list(seen)
    if not items:
        raise TSHTTPError(400, f"At least one {noun} is required.")
    if len(items) > limit:
        raise TSHTTPError(400, f"Too many {noun}s: {len(items)} requested, the maximum is "
                               f"{limit} per request.")
    return items
