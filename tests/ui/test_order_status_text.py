"""Order status codes map to a category and to the words shown."""

from __future__ import annotations

import pytest

from tsdash.ui.models import order_status_category, order_status_text


@pytest.mark.parametrize(
    ("code", "category"),
    [("OPN", "working"), ("ACK", "working"), ("DON", "working"), ("FLL", "filled"),
     ("FPR", "partial"), ("FLP", "partial"), ("CAN", "cancelled"), ("EXP", "cancelled"),
     ("TSC", "cancelled"), ("UCN", "cancelled"), ("REJ", "rejected"), ("opn", "working"),
     ("ZZZ", "other"), (None, "other"), ("", "other")],
)
def test_order_status_mapping(code, category):
    assert order_status_category(code) == category


def test_order_status_text_prefers_description():
    assert order_status_text({"Status": "FLL", "StatusDescription": "Filled"}) == "Filled"
    assert order_status_text({"Status": "REJ"}) == "Rejected"
    assert order_status_text({"Status": "QQQ"}) == "QQQ"
