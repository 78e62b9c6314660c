"""URL pieces for TradeStation's paths."""

from __future__ import annotations

from urllib.parse import quote


def path_segment(value: object) -> str:
    """One URL path segment (a symbol, an account ID, a comma-separated list of them)."""
    return quote(str(value), safe="$@.-_~!*:^,+")


__all__ = ["path_segment"]
