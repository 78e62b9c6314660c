"""tsdash: a terminal dashboard for TradeStation accounts, and the streaming layer under it."""

__version__ = "0.1.0"
