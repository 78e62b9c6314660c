"""Order status codes map to a category and to the words shown."""

from __future__ import annotations

import pytest

from tsdash.ui.models import OrderCategory, order_status_category, order_status_text
from tsdash.ui.palette import STATUS_TONES, Tone


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


def test_each_category_is_a_string_with_its_own_colour():
    """The categories are StrEnum members that read as the strings panels compare with, and
    each has an ``order--<category>`` component class to be painted in."""
    assert [str(c) for c in OrderCategory] == [
        "working", "partial", "filled", "cancelled", "rejected", "other"]
    assert order_status_category("FLL") is OrderCategory.FILLED
    assert {category: STATUS_TONES[category] for category in OrderCategory} == {
        category: Tone(f"order--{category}") for category in OrderCategory}
