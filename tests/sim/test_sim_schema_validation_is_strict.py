"""The schema check the simulator tests rely on refuses what it should."""

from __future__ import annotations

import pytest
from sim_helpers import validate


def test_schema_validation_is_strict():
    """The checks above can fail: invented fields and non-string prices are refused."""
    import jsonschema  # type: ignore[import-untyped]

    for payload, name in (({"Symbol": "A", "Invented": "x"}, "QuoteStream"),
                          ({"Symbol": "A", "Last": 5.0}, "QuoteStream"),
                          ({"PositionID": "1", "Extra": True}, "Position")):
        with pytest.raises(jsonschema.ValidationError):
            validate(payload, name)
