"""The demo trader: a seeded bot that keeps the simulated accounts busy.

It places market orders (filled at once), limit orders near the market (which work for a while,
then fill or get cancelled), the occasional order the book rejects, and now and then closes a
position, so the orders, positions and balances panels move within seconds of starting the demo.
"""

from __future__ import annotations

from .book import CASH_ACCOUNT, MARGIN_ACCOUNT, Book, OrderError
from .clock import STEP_SECONDS
from .market import Market, rng_for

TRADED = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "SPY", "QQQ", "IWM", "AMD",
          "NFLX", "JPM", "COIN", "PLTR")
ACTIONS_PER_SECOND = 0.8


class DemoTrader:
    """Acts on the shared clock: at most one decision per step, all from one seeded generator."""

    def __init__(self, book: Book, market: Market, seed: int) -> None:
        self.book = book
        self.market = market
        self.rng = rng_for(seed, "trader")
        self._expiry: dict[str, int] = {}  # working limit order -> step at which it is cancelled
        self._place_opening_orders()

    def _place_opening_orders(self) -> None:
        """A few orders from 'earlier today' so the orders panel is not empty at step 0."""
        self._market_order(MARGIN_ACCOUNT, "AAPL", "BUY", 10)
        self._limit_order(CASH_ACCOUNT, "QQQ", "BUY", 5, offset_bp=40, lifetime_steps=150)
        self._limit_order(MARGIN_ACCOUNT, "MSFT", "SELL", 10, offset_bp=30, lifetime_steps=300)

    def on_step(self, step: int) -> None:
        for order_id, expires in list(self._expiry.items()):
            if step >= expires:
                del self._expiry[order_id]
                order = self.book.orders[order_id]
                if order.is_open:
                    self.book.cancel(order_id)
        rng = self.rng
        if rng.random() >= ACTIONS_PER_SECOND * STEP_SECONDS:
            return
        account_id = MARGIN_ACCOUNT if rng.random() < 0.65 else CASH_ACCOUNT
        symbol = TRADED[rng.randrange(len(TRADED))]
        held = self.book.accounts[account_id].positions.get(symbol)
        qty_held = held.quantity if held else 0
        what = rng.random()
        if what < 0.05:
            # Something the book will refuse: far too big, or a short sale in the cash account.
            if account_id == CASH_ACCOUNT and qty_held == 0:
                self._market_order(account_id, symbol, "SELLSHORT", 10)
            else:
                self._market_order(account_id, symbol, "BUY", 1_000_000)
            return
        if what < 0.13 and qty_held:
            action = "SELL" if qty_held > 0 else "BUYTOCOVER"
            self._market_order(account_id, symbol, action, abs(qty_held))
            return
        if qty_held > 0 and rng.random() < 0.45:
            action, max_qty = "SELL", qty_held
        elif qty_held < 0 and rng.random() < 0.45:
            action, max_qty = "BUYTOCOVER", -qty_held
        elif qty_held == 0 and account_id == MARGIN_ACCOUNT and rng.random() < 0.15:
            action, max_qty = "SELLSHORT", 60
        elif qty_held >= 0:
            action, max_qty = "BUY", 60
        else:
            action, max_qty = "SELLSHORT", 60
        lots = (1, 5, 10, 15, 20, 25, 40, 50, 60)
        qty = min(max_qty, lots[rng.randrange(len(lots))])
        if action in ("BUY", "SELLSHORT"):
            # Stay within half the buying power: rejections are meant to be occasional.
            price = max(1, self.market.states[symbol].ask)
            qty = min(qty, int(self.book.buying_power(account_id) * 0.5 // price))
            if qty < 1:
                return
        if what < 0.45:
            self._market_order(account_id, symbol, action, qty)
        else:
            self._limit_order(account_id, symbol, action, qty, offset_bp=rng.uniform(0, 6),
                              lifetime_steps=rng.randint(30, 200))

    def _market_order(self, account_id: str, symbol: str, action: str, qty: int) -> None:
        try:
            self.book.place(account_id, symbol, action, qty, "Market", "DAY", None, source="trader")
        except OrderError:
            pass

    def _limit_order(self, account_id: str, symbol: str, action: str, qty: int, offset_bp: float,
                     lifetime_steps: int) -> None:
        state = self.market.states[symbol]
        buying = action in ("BUY", "BUYTOCOVER")
        reference = state.bid if buying else state.ask
        offset = round(reference * offset_bp / 10_000)
        limit = max(1, reference - offset if buying else reference + offset)
        try:
            order = self.book.place(account_id, symbol, action, qty, "Limit", "DAY", limit,
                                    source="trader")
        except OrderError:
            return
        if order.is_open:
            self._expiry[order.order_id] = self.market.clock.step + lifetime_steps
