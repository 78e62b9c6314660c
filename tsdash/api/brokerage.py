"""Brokerage: accounts and balances (REST), position stream, balance poller.

The account streams (positions here, orders in order_execution) list the accounts once when
subscribing (``GET brokerage/accounts``) unless given ``accounts=``, and open one stream per up to
25 accounts. v3 has no balance stream, so ``stream_balance_changes`` polls the REST endpoint: it
holds no StreamManager slot, delivers every account on the first poll and later only the
accounts whose balance changed, and is ``live`` while polls succeed. A per-account ``Errors``
entry in an answer goes to error_callback (a StreamError with ``account_id``) on every poll that
has it; once it clears, that account's balance is delivered again. A poll that gets no answer
within the client's ``read_timeout`` fails like a stalled stream (StreamConnectionError).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .errors import StreamError, TSError
from .seams import (DataCallback, ErrorCallback, JSONObject, ServiceClient, StatusCallback,
                    StreamSpec, StreamStatusCallback, SubscriptionKind, SubscriptionRequest,
                    Transport)
from .streams import BROKERAGE_MEDIA_TYPE
from .text import clean_server_text
from .urls import path_segment

if TYPE_CHECKING:  # pragma: no cover
    from .subscription import Subscription

log = logging.getLogger("tsdash.api.brokerage")

#: TradeStation takes at most this many accounts per brokerage request or stream
MAX_ACCOUNTS_PER_REQUEST = 25
#: pages of orders read per account group before giving up (600 orders a page)
MAX_PAGES = 50

_poller_ids = itertools.count(1)


def account_groups(accounts: Iterable[object]) -> list[list[str]]:
    ids = list(dict.fromkeys(str(a).strip() for a in accounts if str(a).strip()))
    return [ids[i:i + MAX_ACCOUNTS_PER_REQUEST]
            for i in range(0, len(ids), MAX_ACCOUNTS_PER_REQUEST)]


def _describe_accounts(accounts: list[str]) -> str:
    if len(accounts) <= 3:
        return ", ".join(accounts)
    return f"{', '.join(accounts[:3])} (+{len(accounts) - 3} more)"


async def _ignore(_value: object) -> None:
    return None


async def list_accounts(client: ServiceClient) -> list[JSONObject]:
    """The login's accounts (``GET brokerage/accounts``), as sent."""
    data = await client.request("GET", "brokerage/accounts", what="the account list")
    if isinstance(data, dict):
        return list(data.get("Accounts") or [])
    return list(data) if isinstance(data, list) else []


async def get_balances_raw(client: ServiceClient, group: list[str],
                           timeout: float | None = None) -> JSONObject:
    """One ``GET brokerage/accounts/{ids}/balances`` answer as a BalancesResponse dict."""
    data = await client.request(
        "GET", f"brokerage/accounts/{path_segment(','.join(group))}/balances",
        what=f"the balances of {_describe_accounts(group)}", timeout=timeout,
    )
    if isinstance(data, list):
        return {"Balances": data}
    return data if isinstance(data, dict) else {}


async def resolve_accounts(client: ServiceClient,
                           accounts: str | Iterable[object] | None) -> list[str]:
    """The given accounts, or every account of the login (one GET brokerage/accounts)."""
    if accounts is not None:
        if isinstance(accounts, str):
            accounts = accounts.split(",")
        groups = account_groups(accounts)
    else:
        listed = await list_accounts(client)
        groups = account_groups(a.get("AccountID") for a in listed if a.get("AccountID"))
    ids = [a for group in groups for a in group]
    if not ids:
        raise TSError(
            "No TradeStation accounts to stream: the login has none, or accounts= was empty."
        )
    return ids


async def subscribe_account_streams(
    client: ServiceClient,
    *,
    kind: SubscriptionKind,
    path: str,
    params: Mapping[str, str] | None,
    callback: DataCallback,
    error_callback: ErrorCallback | None,
    status_callback: StatusCallback | None,
    accounts: str | Iterable[object] | None,
    noun: str,
) -> Subscription:
    """One stream per up to 25 accounts, wrapped in one Subscription with snapshot events."""
    client.check_open()
    if callback is None:
        raise TypeError(f"{kind} streams need callback= (an async function taking one message)")
    ids = await resolve_accounts(client, accounts)
    groups = account_groups(ids)
    specs: list[StreamSpec] = []
    for n, group in enumerate(groups, 1):
        part = f" (stream {n} of {len(groups)})" if len(groups) > 1 else ""
        specs.append({
            "url": client.url(f"brokerage/stream/accounts/{path_segment(','.join(group))}/{path}"),
            "transport": Transport.HTTP,
            "params": params,
            "accept": BROKERAGE_MEDIA_TYPE,
            "description": f"the {noun} stream for account{'s' if len(group) > 1 else ''} "
                           f"{_describe_accounts(group)}{part}",
        })
    request = SubscriptionRequest(kind, f"{noun} for {_describe_accounts(ids)}", callback,
                                  error_callback, status_callback, snapshots=True)
    return await client.subscribe_streams(specs, request)


class BalancePoller:
    """A feed that polls ``GET brokerage/accounts/{ids}/balances`` every ``interval`` seconds.

    Implements the part of the Stream interface a Subscription uses; takes no StreamManager
    slot. ``connect()`` makes the first poll (so a subscription is live once a poll succeeded),
    ``run()`` delivers and keeps polling until a poll fails. Changes are detected per AccountID
    by comparing the whole Balance dict with the one delivered last. Each request must be
    answered within the client's ``read_timeout``, the streams' stall limit, so a hung poll
    leaves ``live`` as soon as a silent stream would (the REST timeout alone is much longer).
    """

    transport = "poll"
    manages_auth = True  # REST calls refresh the token themselves

    def __init__(self, client: ServiceClient, accounts: list[str], interval: float) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._client = client
        self.accounts = accounts
        self.interval = float(interval)
        self.id = f"poll-{next(_poller_ids)}"
        self.description = f"the balance poll for {_describe_accounts(accounts)}"
        self.last_message_at: float | None = None
        self.progress = False
        self._on_data: DataCallback = _ignore
        self._on_error: ErrorCallback = _ignore
        self._pending: list[JSONObject] | None = None
        self._delivered: dict[str, JSONObject] = {}
        self._closed = False

    def set_callback(self, callback: DataCallback) -> None:
        self._on_data = callback

    def set_error_callback(self, callback: ErrorCallback) -> None:
        self._on_error = callback

    def set_status_callback(self, callback: StreamStatusCallback) -> None:
        """A poll has no stream statuses."""

    async def _poll(self) -> list[JSONObject]:
        balances: list[JSONObject] = []
        errors: dict[str, tuple[str, str]] = {}  # account -> (Error, Message)
        timeout = self._client.read_timeout
        for group in account_groups(self.accounts):
            # the timeout bounds the HTTP exchange only: the token it needs first may be a
            # refresh, which must not be cut off (tsdash.api.client.request)
            data = await get_balances_raw(self._client, group, timeout=timeout)
            balances.extend(b for b in (data.get("Balances") or []) if isinstance(b, dict))
            for error in data.get("Errors") or []:
                if isinstance(error, dict):
                    account = clean_server_text(error.get("AccountID", "?"), 60)
                    errors[account] = (clean_server_text(error.get("Error", "Error"), 100),
                                       clean_server_text(error.get("Message", "")))
        # reported on every poll it holds; its balance is delivered again once it clears (even
        # when unchanged), which is how a consumer knows the account is back
        for account, (code, text) in errors.items():
            self._delivered.pop(account, None)
            await self._on_error(StreamError(
                f"TradeStation could not give the balance of account {account}: "
                f"{code}: {text.rstrip('.')}." if text else
                f"TradeStation could not give the balance of account {account}: {code}.",
                error=code, account_id=account, raw=None, detail=text or None,
            ))
        return balances

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        self.progress = False
        self._pending = await self._poll()

    async def run(self) -> None:
        while True:
            balances, self._pending = self._pending, None
            if balances is not None:
                await self._deliver(balances)
            await asyncio.sleep(self.interval)
            self._pending = await self._poll()

    async def _deliver(self, balances: list[JSONObject]) -> None:
        self.last_message_at = time.monotonic()
        self.progress = True
        for balance in balances:
            account = str(balance.get("AccountID"))
            if self._delivered.get(account) == balance:
                continue
            self._delivered[account] = balance
            try:
                await self._on_data(balance)
            except Exception:
                log.exception("balance callback failed")

    async def disconnect(self) -> None:
        self._pending = None

    async def close(self) -> None:
        self._closed = True
        self._pending = None

    @property
    def closed(self) -> bool:
        return self._closed


class BrokerageService:
    """``client.brokerage``."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def get_accounts(self) -> list[JSONObject]:
        """The login's accounts (``GET brokerage/accounts``): dicts with AccountID, AccountType,
        Currency, Status, ..."""
        return await list_accounts(self._client)

    async def get_balances(self, accounts: str | Iterable[object] | None = None
                           ) -> list[JSONObject]:
        """Balances of the given accounts (all accounts when None), as sent. Per-account
        ``Errors`` are left out (logged)."""
        ids = await resolve_accounts(self._client, accounts)
        balances: list[JSONObject] = []
        for group in account_groups(ids):
            data = await get_balances_raw(self._client, group)
            balances.extend(data.get("Balances") or [])
            for error in data.get("Errors") or []:
                log.warning("balance error: %s", error)
        return balances

    async def get_positions(self, accounts: str | Iterable[object] | None = None
                            ) -> list[JSONObject]:
        """Positions of the given accounts (all when None), as sent (REST)."""
        return await self._get_listed(accounts, "positions", "Positions")

    async def get_orders(self, accounts: str | Iterable[object] | None = None, *,
                         page_size: int | None = None) -> list[JSONObject]:
        """Today's orders of the given accounts (all when None), as sent (REST), every page of
        them (TradeStation pages orders: ``page_size`` per request, its default when None)."""
        return await self._get_listed(accounts, "orders", "Orders", paged=True,
                                      page_size=page_size)

    async def _get_listed(self, accounts: str | Iterable[object] | None, path: str,
                          field: str, *, paged: bool = False,
                          page_size: int | None = None) -> list[JSONObject]:
        """GET brokerage/accounts/{ids}/{path} per group of accounts; the ``field`` lists joined.
        ``paged``: follow ``NextToken`` to the last page (at most MAX_PAGES)."""
        ids = await resolve_accounts(self._client, accounts)
        items: list[JSONObject] = []
        for group in account_groups(ids):
            params: dict[str, str] = {"pageSize": str(page_size)} if page_size else {}
            for _page in range(MAX_PAGES if paged else 1):
                data = await self._client.request(
                    "GET", f"brokerage/accounts/{path_segment(','.join(group))}/{path}",
                    params=params or None, what=f"the {path} of {_describe_accounts(group)}",
                )
                if not isinstance(data, dict):
                    break
                items.extend(data.get(field) or [])
                for error in data.get("Errors") or []:
                    log.warning("%s error: %s", path, error)
                token = data.get("NextToken")
                if not paged or not isinstance(token, str) or not token:
                    break
                params = {**params, "nextToken": token}
            else:
                log.warning("%s of %s: more than %d pages; the rest is left out", path,
                            _describe_accounts(group), MAX_PAGES)
        return items

    async def stream_position_changes(
        self,
        callback: DataCallback,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        accounts: str | Iterable[object] | None = None,
    ) -> Subscription:
        """Stream positions (``changes=true``: a snapshot up to EndSnapshot, then changed fields
        with PositionID; ``{"PositionID": ..., "Deleted": true}`` removes one)."""
        return await subscribe_account_streams(
            self._client, kind=SubscriptionKind.POSITIONS, path="positions",
            params={"changes": "true"},
            callback=callback, error_callback=error_callback, status_callback=status_callback,
            accounts=accounts, noun="position",
        )

    async def stream_balance_changes(
        self,
        callback: DataCallback,
        error_callback: ErrorCallback | None = None,
        status_callback: StatusCallback | None = None,
        accounts: str | Iterable[object] | None = None,
        interval: float = 5.0,
    ) -> Subscription:
        """Deliver a Balance dict whenever an account's balance changes (REST poll every
        ``interval`` seconds; the first poll delivers every account)."""
        client = self._client
        client.check_open()
        if callback is None:
            raise TypeError("stream_balance_changes() needs callback=")
        ids = await resolve_accounts(client, accounts)
        poller = BalancePoller(client, ids, interval)
        request = SubscriptionRequest(SubscriptionKind.BALANCES,
                                      f"balances for {_describe_accounts(ids)}",
                                      callback, error_callback, status_callback)
        return await client.subscribe_feeds([poller], request)


__all__ = ["BrokerageService", "BalancePoller", "MAX_ACCOUNTS_PER_REQUEST"]
