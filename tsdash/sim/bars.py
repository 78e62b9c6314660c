"""Bar charts: parameter rules, seeded history before the simulator started, live bars after.

Bars after step 0 are built from the market's own trade prints (per-minute aggregates kept by each
symbol), so a chart agrees with the quotes. Bars before step 0 are a seeded backwards random walk
that ends where the market began, cached per (symbol, unit, interval).
"""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from .clock import SimClock, iso
from .market import STEPS_PER_MINUTE, MinuteBar, SymbolState, add_trade, money, rng_for
from .universe import AssetType

UNITS = {"minute": "Minute", "daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}
MAX_BARSBACK = 57_600
MAX_MINUTE_INTERVAL = 1440
# US equity session templates: the part of the (Eastern) day their minute bars cover, in minutes
# after midnight. The simulator takes Eastern time as UTC-5 all year.
SESSION_TEMPLATES = {"useqpre": ("USEQPre", 240, 960), "useqpost": ("USEQPost", 570, 1200),
                     "useqpreandpost": ("USEQPreAndPost", 240, 1200),
                     "useq24hour": ("USEQ24Hour", 0, 1440), "default": ("Default", 570, 960)}
_ET_OFFSET = -5 * 3600
_MAX_SESSION_SCAN = 10 * 57_600  # minute bars looked back through for a session's barsback
_AVG_TRADE_SIZE = 180


class BarParamError(ValueError):
    """A bad interval / unit / barsback; the message is what the 400 answer says."""


MAX_DATE_RANGE_BARS = 100_000  # a firstdate so early the answer would be absurdly long


@dataclass(frozen=True, slots=True)
class BarSpec:
    symbol: str
    interval: int
    unit: str  # canonical: Minute, Daily, Weekly, Monthly
    barsback: int
    firstdate: float | None = None  # epoch seconds; bars ending at or after it
    lastdate: float | None = None  # epoch seconds; bars ending at or before it
    session: str | None = None  # a sessiontemplate key; None: every minute (no template given)

    def in_session(self, bar_end: float) -> bool:
        """Whether a minute bar ending then belongs to the template's session (weekdays only)."""
        if self.session is None or self.unit != "Minute":
            return True
        _, start, end = SESSION_TEMPLATES[self.session]
        day, second = divmod(int(bar_end) - 1 + _ET_OFFSET, 86_400)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        return weekday < 5 and start <= second // 60 < end

    @property
    def minutes(self) -> int:
        return self.interval if self.unit == "Minute" else 0

    @property
    def steps(self) -> int:
        """Steps per bar (minute units only)."""
        return self.interval * STEPS_PER_MINUTE


def parse_bar_params(symbol: str, query) -> BarSpec:
    """TradeStation's rules: unit is case-insensitive, interval 1..1440 for Minute, else 1;
    barsback excludes firstdate, and lastdate excludes its deprecated alias startdate."""
    query = {k.lower(): v for k, v in query.items()}
    if "barsback" in query and "firstdate" in query:
        raise BarParamError("barsback and firstdate are mutually exclusive: give one of them.")
    if "lastdate" in query and "startdate" in query:
        raise BarParamError("lastdate and startdate are mutually exclusive: give lastdate "
                            "(startdate is deprecated).")
    firstdate = _date(query, "firstdate")
    lastdate = _date(query, "lastdate")
    if lastdate is None:
        lastdate = _date(query, "startdate")
    if firstdate is not None and lastdate is not None and firstdate > lastdate:
        raise BarParamError(f"firstdate '{query['firstdate']}' is after lastdate: give a "
                            "firstdate before the lastdate.")
    unit_text = query.get("unit", "Daily")
    unit = UNITS.get(unit_text.lower())
    if unit is None:
        raise BarParamError(
            f"Invalid unit '{unit_text}'. Valid values are: Minute, Daily, Weekly, Monthly.")
    interval = _positive_int(query.get("interval", "1"), "interval")
    if unit == "Minute" and interval > MAX_MINUTE_INTERVAL:
        raise BarParamError(f"Invalid interval '{interval}'. For unit Minute the maximum is 1440.")
    if unit != "Minute" and interval != 1:
        raise BarParamError(
            f"Invalid interval '{interval}'. For unit {unit} the interval must be 1.")
    barsback = _positive_int(query.get("barsback", "1"), "barsback")
    if barsback > MAX_BARSBACK:
        raise BarParamError(f"Invalid barsback '{barsback}'. The maximum is {MAX_BARSBACK}.")
    template = query.get("sessiontemplate")
    session = None if template is None else template.lower()
    if session is not None and session not in SESSION_TEMPLATES:
        raise BarParamError(
            f"Invalid sessiontemplate '{template}'. Valid values are: USEQPre, USEQPost, "
            "USEQPreAndPost, USEQ24Hour, Default.")
    return BarSpec(symbol, interval, unit, barsback, firstdate, lastdate, session)


def _date(query, name: str) -> float | None:
    """`YYYY-MM-DD` or RFC 3339 `2020-04-20T18:00:00Z`, as epoch seconds. A bare date means
    the whole day: its start for firstdate, its end for lastdate/startdate."""
    text = query.get(name)
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC).timestamp()
    except ValueError:
        pass
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
        return day if name == "firstdate" else day + 86_399
    except ValueError:
        pass
    raise BarParamError(f"Invalid {name} '{text}'. Expected YYYY-MM-DD or "
                        "YYYY-MM-DDTHH:MM:SSZ, e.g. 2020-04-20T18:00:00Z.")


def _positive_int(text: str, name: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise BarParamError(f"Invalid {name} '{text}'. Expected a positive whole number.") from None
    if value < 1:
        raise BarParamError(f"Invalid {name} '{text}'. Expected a positive whole number.")
    return value


class WorkingBar:
    """OHLCV accumulator, in cents, that renders as TradeStation's Bar object."""

    __slots__ = ("open", "high", "low", "close", "volume", "up_ticks", "down_ticks", "up_volume",
                 "down_volume", "end_epoch", "traded")

    def __init__(self, price: int, end_epoch: float) -> None:
        self.open = self.high = self.low = self.close = price
        self.volume = self.up_ticks = self.down_ticks = self.up_volume = self.down_volume = 0
        self.end_epoch = end_epoch
        self.traded = False

    def add(self, price: int, size: int, direction: int) -> None:
        add_trade(self, price, size, direction, not self.traded)
        self.traded = True

    def add_minute(self, m: MinuteBar) -> None:
        if m.up_ticks + m.down_ticks == 0:
            return
        if not self.traded:
            self.open, self.high, self.low = m.open, m.high, m.low
            self.traded = True
        self.high = max(self.high, m.high)
        self.low = min(self.low, m.low)
        self.close = m.close
        self.volume += m.volume
        self.up_ticks += m.up_ticks
        self.down_ticks += m.down_ticks
        self.up_volume += m.up_volume
        self.down_volume += m.down_volume

    def to_dict(self, status: str, realtime: bool, end_of_history: bool,
                text: Callable[[int], str] = money) -> dict:
        """`text` formats the symbol's ticks (SymbolState.text); cents by default."""
        return {
            "High": text(self.high),
            "Low": text(self.low),
            "Open": text(self.open),
            "Close": text(self.close),
            "TimeStamp": iso(self.end_epoch),
            "TotalVolume": str(self.volume),
            "DownTicks": self.down_ticks,
            "DownVolume": self.down_volume,
            "OpenInterest": "0",
            "IsRealtime": realtime,
            "IsEndOfHistory": end_of_history,
            "TotalTicks": self.up_ticks + self.down_ticks,
            "UnchangedTicks": 0,
            "UnchangedVolume": 0,
            "UpTicks": self.up_ticks,
            "UpVolume": self.up_volume,
            "Epoch": int(self.end_epoch * 1000),
            "BarStatus": status,
        }


class _Synthetic:
    """Seeded bars before step 0, generated backwards (most recent first) and extended on demand."""

    def __init__(self, state: SymbolState, seed: int, spec: BarSpec, last_close: int) -> None:
        self.rng = rng_for(seed, "bars", state.symbol, spec.unit, spec.interval)
        info = state.info
        if spec.unit == "Minute":
            fraction = spec.interval / 390
        else:
            fraction = {"Daily": 1, "Weekly": 5, "Monthly": 21}[spec.unit]
        self.sigma = info.volatility * math.sqrt(fraction)
        self.mean_volume = info.avg_volume * fraction
        self.next_close = last_close
        self.bars: list[tuple[int, int, int, int, int, int, int, int, int]] = []

    def take(self, count: int) -> list[tuple[int, int, int, int, int, int, int, int, int]]:
        rng = self.rng
        while len(self.bars) < count:
            close = self.next_close
            open_ = max(1, round(close * math.exp(-rng.gauss(0, self.sigma))))
            high = round(max(open_, close) * (1 + abs(rng.gauss(0, self.sigma * 0.5))))
            low = max(1, round(min(open_, close) * (1 - abs(rng.gauss(0, self.sigma * 0.5)))))
            volume = max(100, int(self.mean_volume * math.exp(rng.gauss(-0.1, 0.45))))
            ticks = max(1, volume // _AVG_TRADE_SIZE)
            up_share = min(0.9, max(0.1, 0.5 + (close - open_) / max(1, high - low) * 0.3
                                    + rng.uniform(-0.1, 0.1)))
            up_ticks = int(ticks * up_share)
            up_volume = int(volume * up_share)
            self.bars.append((open_, high, low, close, volume, up_ticks, ticks - up_ticks,
                              up_volume, volume - up_volume))
            self.next_close = open_
        return self.bars[:count]


def _period_end(start_epoch: float, unit: str, back: int) -> float:
    """Close time (21:00Z) of the daily/weekly/monthly bar `back` periods before the current one."""
    day = datetime.fromtimestamp(start_epoch, UTC).replace(hour=21, minute=0, second=0,
                                                            microsecond=0)
    if unit == "Daily":
        while back:
            day -= timedelta(days=1)
            if day.weekday() < 5:
                back -= 1
        return day.timestamp()
    if unit == "Weekly":
        friday = day + timedelta(days=(4 - day.weekday()) % 7)
        return (friday - timedelta(weeks=back)).timestamp()
    year, month = day.year, day.month - back
    while month < 1:
        month += 12
        year -= 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=last).timestamp()


def _period_ends(start_epoch: float, unit: str):
    """Close times of the current daily/weekly/monthly bar and each one before it, newest first."""
    back = 0
    if unit != "Daily":
        while True:
            yield _period_end(start_epoch, unit, back)
            back += 1
    day = datetime.fromtimestamp(_period_end(start_epoch, unit, 0), UTC)
    while True:
        yield day.timestamp()
        day -= timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)


class BarFactory:
    """History and live-bar helpers for every (symbol, unit, interval) asked for."""

    def __init__(self, seed: int, clock: SimClock) -> None:
        self.seed = seed
        self.clock = clock
        self._synthetic: dict[tuple[str, str, int], _Synthetic] = {}

    def _synth(self, state: SymbolState, spec: BarSpec) -> _Synthetic:
        key = (state.symbol, spec.unit, spec.interval)
        synth = self._synthetic.get(key)
        if synth is None:
            if spec.unit == "Minute":
                last_close = round(state.anchor)
            elif spec.unit == "Daily":
                last_close = state.prev_close
            else:
                last_close = self._period_partial(state, spec.unit)[0]
            synth = self._synthetic[key] = _Synthetic(state, self.seed, spec, last_close)
        return synth

    def _period_partial(self, state: SymbolState, unit: str) -> tuple[int, int, int, int]:
        """The part of the current week/month before today: (open, high, low, volume)."""
        rng = rng_for(self.seed, "bars", state.symbol, unit, "partial")
        days = 2 if unit == "Weekly" else 9
        sigma = state.info.volatility * math.sqrt(days)
        open_ = max(1, round(state.prev_close * math.exp(rng.gauss(0, sigma))))
        high = round(max(open_, state.prev_close) * (1 + abs(rng.gauss(0, sigma * 0.4))))
        low = max(1, round(min(open_, state.prev_close) * (1 - abs(rng.gauss(0, sigma * 0.4)))))
        volume = int(state.info.avg_volume * days * rng.uniform(0.8, 1.2))
        return open_, high, low, volume

    # -- minute bars ----------------------------------------------------------------------------

    def bar_end(self, spec: BarSpec, index: int) -> float:
        return self.clock.start_epoch + (index + 1) * spec.interval * 60

    def live_minute_bar(self, state: SymbolState, spec: BarSpec, index: int) -> WorkingBar:
        """Bar `index` (0 = the one the simulator started in) built from the market's minutes."""
        first = index * spec.interval
        minutes = state.minutes
        prev_close = round(state.anchor)
        for m in reversed(minutes[:min(first, len(minutes))]):
            if m.up_ticks + m.down_ticks:
                prev_close = m.close
                break
        bar = WorkingBar(prev_close, self.bar_end(spec, index))
        for m in minutes[first:first + spec.interval]:
            bar.add_minute(m)
        return bar

    def period_bar(self, state: SymbolState, spec: BarSpec) -> WorkingBar:
        """Today's daily bar, or the current week/month including today, from the live quote."""
        bar = WorkingBar(state.open, _period_end(self.clock.start_epoch, spec.unit, 0))
        bar.traded = True
        bar.high, bar.low, bar.close, volume = state.high, state.low, state.last, state.volume
        if spec.unit != "Daily":
            open_, high, low, extra = self._period_partial(state, spec.unit)
            bar.open, bar.high, bar.low = open_, max(high, bar.high), min(low, bar.low)
            volume += extra
        bar.volume = volume
        share = 0.5 + 0.3 * (bar.close - bar.open) / max(1, bar.high - bar.low)
        bar.up_volume = int(volume * share)
        bar.down_volume = volume - bar.up_volume
        ticks = volume // _AVG_TRADE_SIZE
        bar.up_ticks = int(ticks * share)
        bar.down_ticks = ticks - bar.up_ticks
        return bar

    # -- history --------------------------------------------------------------------------------

    def bar_end_back(self, spec: BarSpec, back: int) -> float:
        """Close time of the bar `back` bars before the current one (0: the current bar)."""
        if spec.unit == "Minute":
            return self.bar_end(spec, int(self.clock.step // spec.steps) - back)
        return _period_end(self.clock.start_epoch, spec.unit, back)

    def date_window(self, spec: BarSpec) -> tuple[int, int]:
        """(newest, oldest) `back` of the bars firstdate/lastdate select; barsback otherwise.

        newest > oldest means no bar falls in the window.
        """
        if spec.unit == "Minute":
            seconds = spec.interval * 60
            now_end = self.bar_end_back(spec, 0)

            def back_at_or_before(epoch: float) -> int:  # newest bar ending at or before epoch
                return max(0, math.ceil((now_end - epoch) / seconds))

            newest = 0 if spec.lastdate is None else back_at_or_before(spec.lastdate)
            if spec.firstdate is None:
                return newest, newest + spec.barsback - 1
            oldest = math.floor((now_end - spec.firstdate) / seconds)
        else:
            ends = _period_ends(self.clock.start_epoch, spec.unit)
            newest = 0
            if spec.lastdate is not None:
                while next(ends) > spec.lastdate:
                    newest += 1
                    if newest > MAX_DATE_RANGE_BARS:
                        break
            if spec.firstdate is None:
                return newest, newest + spec.barsback - 1
            ends = _period_ends(self.clock.start_epoch, spec.unit)
            oldest = -1
            while next(ends) >= spec.firstdate and oldest <= MAX_DATE_RANGE_BARS:
                oldest += 1
        if oldest - newest + 1 > MAX_DATE_RANGE_BARS:
            raise BarParamError(f"firstdate selects more than {MAX_DATE_RANGE_BARS} bars: give a "
                                "later firstdate or a larger interval.")
        return newest, oldest

    @staticmethod
    def effective(state: SymbolState, spec: BarSpec) -> BarSpec:
        """Session templates apply to US equities' minute bars and are ignored for the rest."""
        if spec.session is not None and (state.info.asset_type is not AssetType.STOCK
                                         or spec.unit != "Minute"):
            return replace(spec, session=None)
        return spec

    def history(self, state: SymbolState, spec: BarSpec) -> list[dict]:
        """The bars barsback or firstdate/lastdate select, oldest first; without a lastdate the
        final one is the current (open) bar. A session template (US stocks, minute bars) keeps
        only its session's bars: the walk goes on outside it, so sessions open with a gap."""
        spec = self.effective(state, spec)
        newest, oldest = self.date_window(spec)
        if spec.session is not None and spec.firstdate is None:
            oldest, found = newest - 1, 0
            while found < spec.barsback and oldest - newest < _MAX_SESSION_SCAN:
                oldest += 1
                found += spec.in_session(self.bar_end_back(spec, oldest))
        if oldest < newest:
            return []
        bars = self._history(state, replace(spec, barsback=oldest + 1))
        bars = bars[:len(bars) - newest]
        if spec.session is not None:
            bars = [b for b in bars if spec.in_session(b["Epoch"] / 1000)]
        return bars

    def _history(self, state: SymbolState, spec: BarSpec) -> list[dict]:
        """The last `barsback` bars, oldest first; the final one is the current (open) bar."""
        if spec.unit == "Minute":
            current = int(self.clock.step // spec.steps)
            live = [self.live_minute_bar(state, spec, k) for k in
                    range(max(0, current - spec.barsback + 1), current + 1)]
            first_index = current + 1 - len(live)
            end = lambda back: self.bar_end(spec, first_index - back)  # noqa: E731
        else:
            live = [self.period_bar(state, spec)]
            ends = list(itertools.islice(_period_ends(self.clock.start_epoch, spec.unit),
                                         spec.barsback + 1))
            end = ends.__getitem__
        wanted = spec.barsback - len(live)
        out: list[dict] = []
        if wanted > 0:
            synth = self._synth(state, spec).take(wanted)
            for back in range(wanted, 0, -1):
                o, h, lo, c, v, ut, dt, uv, dv = synth[back - 1]
                bar = WorkingBar(o, end(back))
                bar.high, bar.low, bar.close, bar.volume = h, lo, c, v
                bar.up_ticks, bar.down_ticks, bar.up_volume, bar.down_volume = ut, dt, uv, dv
                out.append(bar.to_dict("Closed", False, False, state.text))
        for i, bar in enumerate(live):
            out.append(bar.to_dict("Open" if i == len(live) - 1 else "Closed", False, False,
                                   state.text))
        return out

