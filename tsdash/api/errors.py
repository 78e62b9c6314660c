"""The exceptions of tsdash.api: one small hierarchy, messages a person can act on.

Every error the service layer raises or hands to an ``error_callback`` is a :class:`TSError`.
Messages say what happened and what to do about it; they never contain tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .text import clean_server_text

LOGIN_HINT = "Run `tsdash login` to sign in again."


class TSError(Exception):
    """Base class of every tsdash.api error.

    ``status`` is the HTTP status when the error came from an HTTP answer, else None.
    """

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class AuthError(TSError):
    """Credentials are missing, expired or refused; the fix is to sign in again."""


class RateLimitError(TSError):
    """TradeStation answered 429: too many requests. ``retry_after`` is in seconds (or None)."""

    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class HTTPStatusError(TSError):
    """TradeStation answered a request with an error status (``status``, ``body``)."""

    def __init__(self, message: str, *, status: int, body: object = None) -> None:
        super().__init__(message, status=status)
        self.body = body


class StreamError(TSError):
    """An error message sent inside a stream, e.g. ``{"Symbol": "XYZ", "Error": "FAILED..."}``.

    ``error`` is TradeStation's error code, ``detail`` its ``Message`` (both cleaned of escape
    sequences; ``detail`` None when there was none), ``symbol`` / ``account_id`` say what it is
    about (None for stream-level errors), ``raw`` is the message dict as sent.
    """

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        symbol: str | None = None,
        account_id: str | None = None,
        raw: dict[str, Any] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.error = error
        self.symbol = symbol
        self.account_id = account_id
        self.raw = raw
        self.detail = detail


class EntitlementError(StreamError):
    """TradeStation does not entitle this login to the data (``FAILED, NOT ENTITLED`` for one
    symbol, or a 200 ``{"Error": "Failed", "Message": "Not entitled ..."}`` answer for the whole
    stream). A lasting condition: retrying cannot help until the entitlement changes, so a
    stream refused as a whole ends ``failed`` instead of reconnecting."""


class ProtocolError(TSError):
    """The server sent something that is not the expected newline-delimited JSON.

    ``raw`` holds the start of the offending line (at most 200 bytes).
    """

    def __init__(self, message: str, *, raw: bytes | str | None = None) -> None:
        super().__init__(message)
        self.raw = raw


class StreamConnectionError(TSError):
    """The connection could not be made, was lost, or went silent for longer than read_timeout."""


class StreamLimitError(TSError, ValueError):
    """Opening the stream(s) would exceed ``max_concurrent_streams``."""

    def __init__(self, message: str, *, limit: int, requested: int = 1, active: int = 0) -> None:
        super().__init__(message)
        self.limit = limit
        self.requested = requested
        self.active = active


class ClosedError(TSError):
    """The subscription or client was closed by the user; nothing more will happen on it."""


class OrderRejectedError(TSError):
    """TradeStation refused an order request (a 4xx answer, or an ``Errors`` entry in a 200
    OrderResponse), and ``reason`` says why in TradeStation's words.

    What the refusal covers: a 4xx answer refuses the whole request, so nothing was placed,
    replaced or cancelled. An ``Errors`` entry refuses the order it names; in an order group's
    answer the other orders may have been placed all the same: they are listed in the
    ``Orders`` of ``response`` and are working.

    ``reason`` is TradeStation's ``Message`` cleaned of escape sequences (the first ``Errors``
    entry's when there are several), ``status`` the HTTP status (200 for an ``Errors`` entry),
    ``response`` the answer's body when there was one (the whole body, ``Orders`` and
    ``Errors``), ``order_id`` the rejected order's ID when the answer names one.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        status: int | None = None,
        response: object = None,
        order_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.reason = reason
        self.response = response
        self.order_id = order_id


class OrderRateLimited(OrderRejectedError):
    """TradeStation's rate limiter answered an order request 429: it refuses a request before
    the order is looked at, so nothing was placed, replaced or cancelled; sending it again
    after ``retry_after`` seconds (None when TradeStation did not say) can succeed. A rejection
    like any other 4xx, so it is shown the same way."""

    def __init__(self, message: str, *, reason: str, retry_after: float | None = None,
                 response: object = None) -> None:
        super().__init__(message, reason=reason, status=429, response=response)
        self.retry_after = retry_after


def order_rate_limited(what: str, headers: Mapping[str, str] | None,
                       body: object) -> OrderRateLimited:
    """The OrderRateLimited for ``what`` answered 429 with ``headers`` (Retry-After)."""
    retry_after = parse_retry_after(headers)
    when = f" {retry_after:g} s" if retry_after is not None else " a moment"
    reason = (f"TradeStation is rate limiting requests (HTTP 429): the order was not placed "
              f"and nothing was changed. Wait{when} and try again.")
    return OrderRateLimited(
        f"TradeStation is rate limiting requests (HTTP 429) and did not take {what}: the order "
        f"was not placed and nothing was changed. Wait{when} and try again.",
        reason=reason, retry_after=retry_after, response=body)


class OrderOutcomeUnknown(TSError):
    """An order request may or may not have reached TradeStation: it was sent (or could have
    been) and no answer that settles it came back (a timeout, a lost connection, a 5xx).

    It is never resent automatically: sending again could place the order twice. The way to
    know is to read the orders (the dashboard reconciles them by REST after this error).
    """

    def __init__(self, message: str, *, status: int | None = None,
                 response: object = None) -> None:
        super().__init__(message, status=status)
        self.response = response


def order_rejected(what: str, body: object, *, status: int | None, entry: object = None,
                   note: str = "") -> OrderRejectedError:
    """The OrderRejectedError for ``what`` ("the order BUY 10 AAPL"): the reason is the
    Message of ``entry`` (an ``Errors`` item) or of ``body``; ``response`` keeps ``body``;
    ``note`` ends the message."""
    source = entry if entry is not None else body
    reason = _body_message(source) or (
        f"TradeStation gave no reason (HTTP {status})" if status else "TradeStation gave no reason")
    order_id: str | None = None
    if isinstance(source, dict):
        raw_id = source.get("OrderID")
        if isinstance(raw_id, (str, int)) and str(raw_id).strip():
            order_id = clean_server_text(str(raw_id), 40)
    code = f" (HTTP {status})" if status is not None and status != 200 else ""
    return OrderRejectedError(
        f"TradeStation rejected {what}{code}: {reason}{note}",
        reason=reason, status=status, response=body, order_id=order_id,
    )


def order_outcome_unknown(what: str, cause: str, *, status: int | None = None,
                          response: object = None) -> OrderOutcomeUnknown:
    """The OrderOutcomeUnknown for ``what``; ``cause`` says what happened, in plain words."""
    return OrderOutcomeUnknown(
        f"{cause[:1].upper()}{cause[1:]}: {what} may or may not have reached TradeStation. "
        "Check the orders panel before sending it again (the orders are being reconciled with "
        "TradeStation).",
        status=status, response=response,
    )


def is_final(error: BaseException) -> bool:
    """True when retrying cannot help (auth refused, 400/403/404 ...): the subscription fails."""
    if isinstance(error, (AuthError, ClosedError, EntitlementError)):
        return True
    if isinstance(error, HTTPStatusError):
        status = error.status or 0
        return 400 <= status < 500 and status not in (408, 409, 425, 429)
    return False




def _body_message(body: object) -> str | None:
    """TradeStation's own explanation from an error body, if any (never echoes headers),
    without escape sequences or control characters."""
    if isinstance(body, dict):
        for key in ("Message", "message", "error_description", "Error", "error"):
            value = body.get(key)
            if isinstance(value, str) and (value := clean_server_text(value)):
                return value
    elif isinstance(body, str):
        text = body.strip()
        if text and len(text) <= 300 and "\n" not in text:
            return clean_server_text(text) or None
    return None


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or X-RateLimit-Reset."""
    if headers is None:
        return None
    for name in ("Retry-After", "X-RateLimit-Reset"):
        value = headers.get(name)
        if value is None:
            continue
        value = str(value).strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                # lazy: start-up cost (email.utils), and only an HTTP-date needs it
                from datetime import datetime, timezone
                from email.utils import parsedate_to_datetime

                when = parsedate_to_datetime(value)
                seconds = (when - datetime.now(timezone.utc)).total_seconds()
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
        if seconds != seconds:  # NaN
            continue
        return max(0.0, seconds)
    return None


def error_for_status(status: int, headers: Mapping[str, str] | None, body: object,
                     what: str) -> TSError:
    """Turn an HTTP error answer into the TSError a person can act on.

    ``what`` names the request in plain words ("the quote stream for AAPL").
    """
    detail = _body_message(body)
    suffix = f": {detail}" if detail else ""
    if status == 401:
        return AuthError(
            f"TradeStation rejected the access token (HTTP 401) for {what}{suffix}. {LOGIN_HINT}",
            status=401,
        )
    if status == 429:
        retry_after = parse_retry_after(headers)
        when = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        return RateLimitError(
            f"TradeStation is rate limiting requests (HTTP 429) for {what}{suffix}{when}. "
            "Open fewer streams or wait before reconnecting.",
            retry_after=retry_after,
        )
    if status == 403:
        return HTTPStatusError(
            f"TradeStation refused access (HTTP 403) to {what}{suffix}. Check that your API key "
            "has the needed scopes (MarketData, ReadAccount, Trade) and that the accounts are yours.",
            status=status,
            body=body,
        )
    if status == 404:
        return HTTPStatusError(
            f"TradeStation does not know {what} (HTTP 404){suffix}. Check the base URL, the "
            "symbols and the account IDs.",
            status=status,
            body=body,
        )
    if 400 <= status < 500:
        return HTTPStatusError(
            f"TradeStation rejected the request (HTTP {status}) for {what}{suffix}. Check the "
            "symbols and parameters.",
            status=status,
            body=body,
        )
    if status >= 500:
        return HTTPStatusError(
            f"TradeStation had a server error (HTTP {status}) for {what}{suffix}. This is usually "
            "temporary: reconnect in a moment.",
            status=status,
            body=body,
        )
    return HTTPStatusError(
        f"TradeStation answered HTTP {status} for {what}{suffix}; expected 200.",
        status=status,
        body=body,
    )


def stream_error_from_message(msg: dict[str, Any], what: str) -> StreamError:
    """Build the StreamError for an in-stream ``{"Error": ..., "Message": ...}`` message."""
    error = msg.get("Error")
    text = msg.get("Message")
    symbol = msg.get("Symbol")
    account = msg.get("AccountID")
    error_s = clean_server_text(error, 100) if error is not None else "Error"
    text = clean_server_text(text) if text else text
    detail = f"{error_s}: {text}" if text else error_s
    if "ENTITLED" in detail.upper():
        return _entitlement_error(msg, what, error_s, text, symbol)
    if symbol is not None:
        message = (
            f"TradeStation reported an error for symbol {clean_server_text(symbol, 60)} on "
            f"{what}: {detail}. "
            "The other symbols keep streaming; check the symbol and your market data entitlements."
        )
    elif account is not None:
        message = (
            f"TradeStation reported an error for account {clean_server_text(account, 60)} on "
            f"{what}: {detail}. "
            "Check the account ID and its type."
        )
    else:
        message = f"TradeStation reported an error on {what}: {detail}."
    return StreamError(
        message,
        error=error_s,
        symbol=str(symbol) if symbol is not None else None,
        account_id=str(account) if account is not None else None,
        raw=msg,
        detail=text or None,
    )


def _entitlement_error(msg: dict[str, Any], what: str, error: str, text: str | None,
                       symbol: object) -> EntitlementError:
    reason = f"{error}: {text}" if text else error
    if symbol is not None:
        name = clean_server_text(symbol, 60)
        message = (f"TradeStation does not entitle this login to {name} on {what} ({reason}). "
                   "The other symbols keep streaming; check your market data subscriptions.")
    else:
        message = (f"TradeStation does not entitle this login to {what} ({reason}). Check your "
                   "market data subscriptions, then reconnect.")
    return EntitlementError(message, error=error, symbol=str(symbol) if symbol is not None
                            else None, raw=msg, detail=text or None)


__all__ = [
    "TSError",
    "AuthError",
    "RateLimitError",
    "HTTPStatusError",
    "StreamError",
    "EntitlementError",
    "ProtocolError",
    "StreamConnectionError",
    "StreamLimitError",
    "ClosedError",
    "OrderRejectedError",
    "OrderRateLimited",
    "OrderOutcomeUnknown",
    "order_rate_limited",
    "order_rejected",
    "order_outcome_unknown",
    "is_final",
    "error_for_status",
    "parse_retry_after",
    "stream_error_from_message",
    "LOGIN_HINT",
]
