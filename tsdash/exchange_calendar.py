"""The exchange's calendar: which trading day a moment belongs to (New York's date, not the
machine's: a machine in Tokyo is a day ahead of it). A GTD order's date and an alert's day are
read on it."""

from __future__ import annotations

from datetime import date, datetime, timezone

EXCHANGE_TIMEZONE = "America/New_York"


def exchange_date(moment: datetime | None = None) -> date:
    """The exchange's date at ``moment`` (an aware datetime; now when None)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    moment = moment if moment is not None else datetime.now(timezone.utc)
    try:
        return moment.astimezone(ZoneInfo(EXCHANGE_TIMEZONE)).date()
    except ZoneInfoNotFoundError:  # no time zone database (Windows without tzdata)
        return moment.astimezone().date()
