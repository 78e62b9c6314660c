"""The six panels; each owns one tsdash.api Subscription (see base.StreamPanel)."""

from tsdash.ui.panels.account import BalancesPanel, OrdersPanel, PositionsPanel
from tsdash.ui.panels.bars import BarsPanel
from tsdash.ui.panels.base import StreamPanel
from tsdash.ui.panels.quotes import QuotesPanel
from tsdash.ui.panels.tape import TapePanel

__all__ = ["BalancesPanel", "BarsPanel", "OrdersPanel", "PositionsPanel", "QuotesPanel",
           "StreamPanel", "TapePanel"]
