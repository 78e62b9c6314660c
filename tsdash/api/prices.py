"""Prices by the symbol's own format (design.md "Symbols and prices").

TradeStation says how each symbol's prices are written in the ``PriceFormat`` of its
SymbolDetail (``GET /v3/marketdata/symbols/{symbols}``): ``Decimal`` with ``Decimals`` places
(the Euro FX future at ``1.08345``), ``Fraction`` in 1/F (a bond future at ``117'16``) or
``SubFraction`` in 1/F with S parts of each (a 5-year note at ``110'165``). Prices move in
``Increment`` steps, or by an ``IncrementSchedule`` whose step depends on the price.

    format_price("1.08345", detail)        # -> "1.08345"
    round_to_increment(6012.30, detail)    # -> Decimal("6012.25")

Arithmetic is in :class:`decimal.Decimal`, so 117.03125 is exactly 117 and 1/32. A detail with
missing or odd fields never raises: the price is shown plainly and the problem is logged once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Context,
    Decimal,
    InvalidOperation,
    localcontext,
)
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .text import clean_server_text

log = logging.getLogger("tsdash.api.prices")

__all__ = ["PriceFormatter", "PriceStyle", "format_price", "increment_problem", "parse_price",
           "round_to_increment", "step_price"]


class PriceStyle(StrEnum):
    """``PriceFormat.Format``: how a price is written."""

    DECIMAL = "Decimal"
    FRACTION = "Fraction"
    SUBFRACTION = "SubFraction"


@dataclass(frozen=True, slots=True)
class _Spec:
    """A PriceFormat read once: what :func:`format_price` needs, hashable for the cache.

    ``style`` None means the format could not be used and prices are shown plainly."""

    style: PriceStyle | None
    decimals: int = 0
    fraction: int = 0
    subfraction: int = 0


# a problem with a detail is logged once, not on every quote that is formatted with it
_LOGGED: set[str] = set()
_MAX_LOGGED = 1000

#: room for any price to its last place (the default 28 digits are not: 1e23 to 5 places);
#: past it, quantize raises and the price is shown as a plain number
_WIDE = Context(prec=60)


def _warn_once(message: str, *args: object) -> None:
    text = message % args
    if text in _LOGGED or len(_LOGGED) > _MAX_LOGGED:
        return
    _LOGGED.add(text)
    if len(_LOGGED) > _MAX_LOGGED:  # a flood of distinct problems: say so once, then stop
        text = f"{_MAX_LOGGED} price-format problems logged; further ones are not"
    log.warning("%s", text)


def _decimal(value: object) -> Decimal | None:
    """A finite Decimal from a number or TradeStation's numeric string, else None.

    A float goes through its shortest repr, so 1.08345 is 1.08345 and not its binary neighbour."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, str):
            number = Decimal(value.strip().replace(",", ""))
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _price_format(detail: object) -> dict[str, Any] | None:
    """The PriceFormat dict of a SymbolDetail, or the dict itself if it is a PriceFormat."""
    if not isinstance(detail, dict):
        return None
    inner = detail.get("PriceFormat")
    if isinstance(inner, dict):
        return inner
    if "Format" in detail or "Increment" in detail or "IncrementSchedule" in detail:
        return detail
    return None


def _whole(value: object) -> int | None:
    """A positive whole number from a field such as ``"32"``, else None."""
    number = _decimal(value)
    if number is None or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


def _symbol_of(detail: object) -> str:
    if isinstance(detail, dict) and isinstance(detail.get("Symbol"), str):
        return f" for {detail['Symbol'][:40]!r}"
    return ""


def _spec(detail: object) -> _Spec:
    fmt = _price_format(detail)
    where = _symbol_of(detail)
    if fmt is None:
        _warn_once("no PriceFormat in the symbol details%s; prices are shown plainly", where)
        return _Spec(None)
    style_text = fmt.get("Format")
    try:
        style = PriceStyle(style_text if isinstance(style_text, str) else "")
    except ValueError:
        _warn_once("unknown PriceFormat.Format %r%s; prices are shown plainly",
                   str(style_text)[:40], where)
        return _Spec(None)
    if style is PriceStyle.DECIMAL:
        decimals = _decimal(fmt.get("Decimals"))
        if decimals is None or decimals != decimals.to_integral_value() or not 0 <= decimals <= 12:
            _warn_once("PriceFormat.Decimals %r%s is not a whole number 0-12; prices are shown "
                       "plainly", str(fmt.get("Decimals"))[:40], where)
            return _Spec(None)
        return _Spec(style, decimals=int(decimals))
    fraction = _whole(fmt.get("Fraction"))
    if fraction is None or fraction < 2 or fraction > 10_000:
        _warn_once("PriceFormat.Fraction %r%s is not a denominator of 2 or more; prices are "
                   "shown plainly", str(fmt.get("Fraction"))[:40], where)
        return _Spec(None)
    if style is PriceStyle.FRACTION:
        return _Spec(style, fraction=fraction)
    subfraction = _whole(fmt.get("SubFraction"))
    if subfraction == 1:  # one part of each 1/F: nothing to show beyond the fraction
        return _Spec(PriceStyle.FRACTION, fraction=fraction)
    if subfraction is None or subfraction > 10:
        # one digit holds at most ten parts; beyond that the digit would be a lie
        _warn_once("PriceFormat.SubFraction %r%s is not 1-10; prices are shown in 1/%d",
                   str(fmt.get("SubFraction"))[:40], where, fraction)
        return _Spec(PriceStyle.FRACTION, fraction=fraction)
    return _Spec(style, fraction=fraction, subfraction=subfraction)


def _plain(number: Decimal) -> str:
    """The fallback: two places from 1 up (and for 0), four below, no thousands separator."""
    places = 2 if abs(number) >= 1 or number == 0 else 4
    return _signed(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _signed(number: Decimal) -> str:
    text = f"{number:f}"
    # -0.00 is just 0.00: a price rounded to zero has no sign
    return text[1:] if text.startswith("-") and number == 0 else text


def _format(number: Decimal, spec: _Spec) -> str:
    if spec.style is None:
        return _plain(number)
    if spec.style is PriceStyle.DECIMAL:
        exponent = Decimal(1).scaleb(-spec.decimals)
        return _signed(number.quantize(exponent, rounding=ROUND_HALF_UP))
    parts = spec.fraction * (spec.subfraction if spec.style is PriceStyle.SUBFRACTION else 1)
    # nearest displayable step, so a price sent as 117.0312 (for 117 1/32) still reads 117'01
    units = int((abs(number) * parts).to_integral_value(rounding=ROUND_HALF_UP))
    whole, rest = divmod(units, parts)
    sign = "-" if number < 0 and units else ""
    width = len(str(spec.fraction - 1))
    if spec.style is PriceStyle.FRACTION:
        return f"{sign}{whole}'{rest:0{width}d}"
    numerator, sub = divmod(rest, spec.subfraction)
    # CME style: the part of a 1/F as one tenths digit, truncated (1/4 -> 2, 1/2 -> 5, 3/4 -> 7)
    digit = sub * 10 // spec.subfraction
    return f"{sign}{whole}'{numerator:0{width}d}{digit}"


@lru_cache(maxsize=8192)
def _format_cached(value: str | int | float | Decimal, spec: _Spec) -> str | None:
    """A dashboard formats the same few prices all day: the text per (value as sent, format).
    Values equal as numbers (1, 1.0, Decimal("1")) format alike, so sharing a slot is right."""
    number = _decimal(value)
    if number is None:
        return None
    try:
        with localcontext(_WIDE):
            return _format(number, spec)
    except ArithmeticError:  # a magnitude no price has (1e30): shown, not formatted
        _warn_once("price %s is out of any price's range; shown as a number", f"{number:.6g}")
        return f"{number:.6g}"


def _format_value(value: object, spec: _Spec) -> str:
    if isinstance(value, (str, int, float, Decimal)) and not isinstance(value, bool):
        text = _format_cached(value, spec)
        if text is not None:
            return text
    shown = "" if value is None else str(value)
    _warn_once("price %r is not a number; shown as sent", shown[:40])
    return clean_server_text(shown)


def format_price(value: object, detail: object) -> str:
    """``value`` (a number or TradeStation's numeric string) written by ``detail``'s PriceFormat.

    ``detail`` is the SymbolDetail dict or just its PriceFormat dict. A value that is not a
    number comes back as its text (logged); a detail that cannot be used shows the price plainly
    (logged once)."""
    return _format_value(value, _spec(detail))


class PriceFormatter:
    """``format_price`` with the detail read once: ``PriceFormatter(detail)(value)``, for a
    screen that formats one symbol's prices many times a second."""

    __slots__ = ("_spec",)

    def __init__(self, detail: object) -> None:
        self._spec = _spec(detail)

    def __call__(self, value: object) -> str:
        return _format_value(value, self._spec)


def _schedule(fmt: dict[str, Any], where: str) -> list[tuple[Decimal, Decimal]]:
    """IncrementSchedule rows as (StartsAt, Increment), ascending; unusable rows are skipped."""
    rows = fmt.get("IncrementSchedule")
    if not isinstance(rows, list):
        return []
    bands: list[tuple[Decimal, Decimal]] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        increment = _decimal(row.get("Increment"))
        starts = _decimal(row.get("StartsAt"))
        if starts is None and row.get("StartsAt") in (None, ""):
            starts = Decimal(0)
        if increment is None or increment <= 0 or starts is None:
            _warn_once("IncrementSchedule row %r%s is not usable; skipped", str(row)[:80], where)
            continue
        bands.append((starts, increment))
    bands.sort()
    return bands


def _nearest(magnitude: Decimal, start: Decimal, increment: Decimal,
             ceiling: Decimal | None) -> Decimal:
    """The grid point start + k*increment nearest ``magnitude`` (half up); never past
    ``ceiling``, the next band's start, which is a valid price of its own."""
    steps = ((magnitude - start) / increment).to_integral_value(rounding=ROUND_FLOOR)
    low = start + steps * increment
    high = low + increment
    if ceiling is not None and high > ceiling:
        high = ceiling
    return high if magnitude - low >= high - magnitude else low


def _bands(detail: object) -> list[tuple[Decimal, Decimal]] | None:
    """The (StartsAt, Increment) bands of a detail, ascending; one band from 0 for a simple
    Increment; None when it has no usable increment (logged once)."""
    fmt = _price_format(detail)
    where = _symbol_of(detail)
    if fmt is None:
        _warn_once("no PriceFormat in the symbol details%s; prices are not rounded", where)
        return None
    style = fmt.get("IncrementStyle")
    increment = _decimal(fmt.get("Increment"))
    bands: list[tuple[Decimal, Decimal]] = []
    if style == "Schedule" or (style is None and fmt.get("IncrementSchedule")):
        bands = _schedule(fmt, where)
        if not bands:
            _warn_once("PriceFormat.IncrementSchedule%s is missing or empty; using Increment",
                       where)
    elif style not in (None, "Simple"):
        _warn_once("unknown PriceFormat.IncrementStyle %r%s; using Increment",
                   str(style)[:40], where)
    if not bands:
        if increment is None or increment <= 0:
            _warn_once("PriceFormat.Increment %r%s is missing or not above zero; prices are not "
                       "rounded", str(fmt.get("Increment"))[:40], where)
            return None
        bands = [(Decimal(0), increment)]
    return bands


def round_to_increment(value: object, detail: object) -> Decimal | None:
    """The valid price nearest ``value`` by ``detail``'s increment (or increment schedule).

    Returns a Decimal written to the increment's places (``str()`` of it is what to send), the
    value unchanged if the detail has no usable increment (logged once), None if the value is
    not a number (logged)."""
    number = _decimal(value)
    if number is None:
        _warn_once("price %r is not a number; it cannot be rounded to an increment",
                   ("" if value is None else str(value))[:40])
        return None
    bands = _bands(detail)
    if bands is None:
        return number
    try:
        with localcontext(_WIDE):
            return _round(number, bands)
    except ArithmeticError:  # a magnitude no price has (1e30)
        _warn_once("price %s is out of any price's range; it is not rounded", f"{number:.6g}")
        return number


def _places(number: Decimal) -> int:
    """Digits after the point of a finite Decimal, trailing zeros dropped (negative for 1E+2)."""
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def _round(number: Decimal, bands: list[tuple[Decimal, Decimal]]) -> Decimal:
    magnitude = abs(number)
    index = 0
    for i, (starts, _) in enumerate(bands):
        if magnitude >= starts:
            index = i
    start, step = bands[index]
    if magnitude < start:  # below the first band: its step, counted from zero
        start = Decimal(0)
    ceiling = bands[index + 1][0] if index + 1 < len(bands) else None
    rounded = _nearest(magnitude, start, step, ceiling)
    places = max(_places(step), 0)
    for other_start, other_step in bands:
        places = max(places, _places(other_step), _places(other_start))
    rounded = rounded.quantize(Decimal(1).scaleb(-places))
    return -rounded if number < 0 and rounded else rounded


def _grid_places(bands: list[tuple[Decimal, Decimal]]) -> int:
    """The places a price on these bands is written to (those of the finest step or start)."""
    places = 0
    for start, step in bands:
        places = max(places, _places(step), _places(start))
    return places


# ------------------------------------------------------------------------------------------------
# What a person types: parse_price, step_price, increment_problem

_PLAIN = re.compile(r"(\d+\.?\d*|\.\d+)")
_FRACTIONAL = re.compile(r"(\d+)'(\d+)")
_MAX_TYPED = 40  # longer text is no price a person typed


def parse_price(text: str, detail: object) -> Decimal | None:
    """A price a person typed, read by ``detail``'s PriceFormat; None if it is not one.

    A plain decimal ("6012.25", "117.5") is read for every format. A Fraction symbol also takes
    ``117'16`` (16/32), a SubFraction one ``110'165`` (16.5/32, CME's digit: 2, 5, 7 for the
    quarters): the inverse of :func:`format_price`. A leading minus is kept. Whether the price is
    on the increment is :func:`increment_problem`'s question, not this one's."""
    if not isinstance(text, str):
        return None
    typed = text.strip()
    if not typed or len(typed) > _MAX_TYPED:
        return None
    negative = typed.startswith("-")
    body = typed[1:].strip() if negative else typed
    if _PLAIN.fullmatch(body):
        number = Decimal(body)
    else:
        number_or_none = _parse_fractional(body, _spec(detail))
        if number_or_none is None:
            return None
        number = number_or_none
    return -number if negative and number else number


def _parse_fractional(body: str, spec: _Spec) -> Decimal | None:
    match = _FRACTIONAL.fullmatch(body)
    if match is None or spec.style not in (PriceStyle.FRACTION, PriceStyle.SUBFRACTION):
        return None
    whole, digits = int(match.group(1)), match.group(2)
    width = len(str(spec.fraction - 1))
    sub = 0
    if spec.style is PriceStyle.SUBFRACTION and len(digits) == width + 1:
        wanted = int(digits[-1])
        # the part whose truncated tenths digit is the one typed (format_price's inverse)
        found = [s for s in range(spec.subfraction) if s * 10 // spec.subfraction == wanted]
        if not found:
            return None
        sub, digits = found[0], digits[:-1]
    if not 1 <= len(digits) <= width:
        return None
    numerator = int(digits)
    if numerator >= spec.fraction:
        return None
    parts = spec.subfraction if spec.style is PriceStyle.SUBFRACTION else 1
    with localcontext(_WIDE):
        return Decimal(whole) + (Decimal(numerator * parts + sub)
                                 / Decimal(spec.fraction * parts))


def _step_once(value: Decimal, bands: list[tuple[Decimal, Decimal]], up: bool) -> Decimal:
    """The next grid price above (``up``) or below a non-negative ``value`` on the grid.

    Down from a band's start uses the band below, whose step it is on the way down."""
    if up:
        index = max((i for i, (start, _) in enumerate(bands) if value >= start), default=0)
    else:
        index = max((i for i, (start, _) in enumerate(bands) if value > start), default=0)
    start, step = bands[index]
    if value < start or (not up and value <= start):
        start = Decimal(0)
    units = (value - start) / step
    if up:
        moved = start + (units.to_integral_value(rounding=ROUND_FLOOR) + 1) * step
        ceiling = bands[index + 1][0] if index + 1 < len(bands) else None
        return ceiling if ceiling is not None and moved > ceiling else moved
    return start + (units.to_integral_value(rounding=ROUND_CEILING) - 1) * step


def step_price(value: object, detail: object, steps: int) -> Decimal | None:
    """``value`` rounded to the increment, then moved ``steps`` increments (down if negative),
    band by band on an IncrementSchedule. None if the value is not a number or the detail has no
    usable increment (logged once)."""
    rounded = round_to_increment(value, detail)
    bands = _bands(detail)
    if rounded is None or bands is None:
        return None
    current = rounded
    try:
        with localcontext(_WIDE):
            for _ in range(abs(steps)):
                up = steps > 0
                if current > 0 or (current == 0 and up):
                    current = _step_once(current, bands, up)
                else:  # below zero the grid is the mirror image of the one above
                    current = -_step_once(-current, bands, not up)
            current = current.quantize(Decimal(1).scaleb(-_grid_places(bands)))
    except ArithmeticError:  # a magnitude no price has (1e30)
        return None
    return current if current else abs(current)


def _step_text(step: Decimal, spec: _Spec) -> str:
    """An increment as a trader reads it: 0.25, or 1/32 and 1/64 for a bond future."""
    if spec.style in (PriceStyle.FRACTION, PriceStyle.SUBFRACTION) and step < 1:
        ratio = Fraction(step)
        return f"{ratio.numerator}/{ratio.denominator}"
    if spec.style is PriceStyle.DECIMAL and _places(step) < spec.decimals:
        return f"{step.quantize(Decimal(1).scaleb(-spec.decimals)):f}"  # 0.10, as prices read
    return f"{step.normalize():f}"


def _shown(value: Decimal, detail: object) -> str:
    """``value`` in the symbol's format when that writes it exactly, else as a plain decimal
    (6012.255 must not read as 6012.26 in a message that says it is wrong)."""
    text = format_price(value, detail)
    return text if parse_price(text, detail) == value else f"{value:f}"


def increment_problem(value: Decimal, detail: object) -> str | None:
    """None when ``value`` is a valid price of the symbol, else why not, naming the two nearest
    valid prices in the symbol's format. None too when the detail has no usable increment: there
    is nothing to check against (logged once)."""
    bands = _bands(detail)
    rounded = round_to_increment(value, detail)
    if bands is None or rounded is None or rounded == value:
        return None
    low: Decimal | None
    high: Decimal | None
    if rounded < value:
        low, high = rounded, step_price(rounded, detail, 1)
    else:
        low, high = step_price(rounded, detail, -1), rounded
    magnitude = abs(value)
    step = next(s for start, s in reversed(bands) if magnitude >= start or start == bands[0][0])
    symbol = detail.get("Symbol") if isinstance(detail, dict) else None
    name = clean_server_text(symbol[:40]) if isinstance(symbol, str) and symbol else "this symbol"
    nearest = " or ".join(format_price(p, detail) for p in (low, high) if p is not None)
    return (f"{_shown(value, detail)} is not a price of {name}: it moves in steps of "
            f"{_step_text(step, _spec(detail))} (nearest {nearest})")
