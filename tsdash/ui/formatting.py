"""Number and time formatting for the panels (plain strings; colour is the panels' job)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timezone, tzinfo
from functools import lru_cache
from typing import Any

# the quotes table reads the change in percent here, with the other cell values
from tsdash.alerts.notifications import parse_time as iso_time
from tsdash.alerts.rules import change_percent as change_percent
from tsdash.ui.models import to_float

DASH = "—"


def shown(value: Any) -> str:
    """A server's string as it may reach the terminal: escape sequences and control characters
    removed. Printable text (nearly every value) is returned as it is, so the check is cheap."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    # imported here, on the rare dirty string: tsdash.api loads the whole service layer, which
    # the first frame does not wait for (connect imports it in a thread)
    from tsdash.api.text import clean_server_text

    return clean_server_text(text)


def _exchange_tz() -> tuple[tzinfo, str]:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("America/New_York"), "ET"
    except Exception:  # no tz database: show UTC and say so
        return timezone.utc, "UTC"


EXCHANGE_TZ, EXCHANGE_TZ_NAME = _exchange_tz()


def price(value: Any, decimals: int | None = None) -> str:
    number = to_float(value)
    if number is None:
        return DASH
    if decimals is None:
        decimals = 2 if abs(number) >= 1 or number == 0 else 4
    return f"{number:,.{decimals}f}"


def symbol_price(value: Any, formatter: Callable[[Any], str] | None) -> str:
    """A price by its symbol's own format (``SymbolDetails.formatter``); the old rule,
    :func:`price`, while the symbol's details are not here yet."""
    if formatter is None or to_float(value) is None:
        return price(value)
    return formatter(value)


def symbol_change(value: Any, formatter: Callable[[Any], str] | None) -> str:
    """A change (``NetChange``) by its symbol's format, always signed; :func:`signed` until
    the symbol's details are here."""
    if formatter is None or to_float(value) is None:
        return signed(value)
    text = formatter(value)
    return text if text.startswith("-") else f"+{text}"


def signed(value: Any, decimals: int = 2) -> str:
    number = to_float(value)
    if number is None:
        return DASH
    return f"{number:+,.{decimals}f}"


def percent(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return DASH
    return f"{value:+.{decimals}f}%"


def money(value: Any) -> str:
    number = to_float(value)
    if number is None:
        return DASH
    return f"{number:,.2f}"


def compact(value: Any) -> str:
    """12345678 -> '12.35M'; sizes and volumes."""
    number = to_float(value)
    if number is None:
        return DASH
    n = abs(number)
    sign = "-" if number < 0 else ""
    if n >= 1e9:
        return f"{sign}{n / 1e9:.2f}B"
    if n >= 1e6:
        return f"{sign}{n / 1e6:.2f}M"
    if n >= 1e4:
        return f"{sign}{n / 1e3:.1f}K"
    return f"{sign}{n:,.0f}"


def quantity(value: Any) -> str:
    number = to_float(value)
    if number is None:
        return DASH
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.4g}"


#: an ISO time as an aware datetime (UTC when it names no zone), or None; cached, since a
#: table parses the same times over and over
parse_time = lru_cache(maxsize=4096)(iso_time)


@lru_cache(maxsize=4096)
def clock_time(value: Any) -> str:
    """'2026-11-25T14:30:05Z' -> '09:30:05' (exchange time)."""
    if not value:
        return DASH
    stamp = parse_time(str(value))
    if stamp is None:
        return shown(value)[:8]
    return stamp.astimezone(EXCHANGE_TZ).strftime("%H:%M:%S")


@lru_cache(maxsize=1024)
def short_time(value: Any) -> str:
    """'2026-11-25T14:30:00Z' -> '09:30' (exchange time)."""
    if not value:
        return ""
    stamp = parse_time(str(value))
    if stamp is None:
        return shown(value)[:5]
    return stamp.astimezone(EXCHANGE_TZ).strftime("%H:%M")


def age(seconds: float | None) -> str:
    if seconds is None:
        return DASH
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.0f}h"
