"""Tokens are redacted from log records and tracebacks; the rest of the message stays."""

from __future__ import annotations

import logging
import logging.handlers

import pytest

from tsdash import logs
from tsdash.logs import redact, setup_logging
from config_helpers import flush


pytestmark = pytest.mark.usefixtures("clean_logging")


SECRETS = ["s3cr3tAccess", "r3fr3shTok", "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl", "cl13ntS3cret"]


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ("Authorization: Bearer s3cr3tAccess", ()),
        ("headers %s", ({"Authorization": "Bearer s3cr3tAccess"},)),
        ("token response %s", ({"access_token": "s3cr3tAccess", "refresh_token": "r3fr3shTok",
                                "expires_in": 1200},)),
        ('raw body {"access_token":"s3cr3tAccess","token_type":"Bearer"}', ()),
        ("POST form grant_type=refresh_token&refresh_token=r3fr3shTok&client_id=abc", ()),
        ("client_secret=cl13ntS3cret", ()),
        ("id_token: eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl", ()),
        ("a bare jwt eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl in text", ()),
        ("TokenManager(access_token='s3cr3tAccess')", ()),
    ],
)
def test_tokens_are_redacted_in_the_file(tmp_path, message, args) -> None:
    path = setup_logging("DEBUG", tmp_path / "t.log")
    logging.getLogger("tsdash.api.auth").info(message, *args)
    flush()
    text = path.read_text()
    assert "[REDACTED]" in text
    for secret in SECRETS:
        assert secret not in text, text


def test_redaction_keeps_the_rest_of_the_message(tmp_path) -> None:
    path = setup_logging("DEBUG", tmp_path / "t.log")
    logging.getLogger("tsdash.api.auth").info(
        "refreshed for client_id=abc: %s, expires_in=%d", {"access_token": "s3cr3tAccess"}, 1200
    )
    flush()
    line = path.read_text().strip()
    assert line.endswith(
        "tsdash.api.auth: refreshed for client_id=abc: {'access_token': '[REDACTED]'}, "
        "expires_in=1200"
    ), line


def test_tokens_in_tracebacks_are_redacted(tmp_path) -> None:
    path = setup_logging("DEBUG", tmp_path / "t.log")
    try:
        raise RuntimeError("bad response: Bearer s3cr3tAccess")
    except RuntimeError:
        logging.getLogger("tsdash.api").exception("request failed")
    flush()
    text = path.read_text()
    assert "Traceback" in text and "RuntimeError" in text
    assert "s3cr3tAccess" not in text


def test_records_without_tokens_are_untouched() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "quote %s at %.2f", ("AAPL", 1.5),
                               None)
    assert logs.RedactTokensFilter().filter(record) is True
    assert record.getMessage() == "quote AAPL at 1.50"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bearer abc.def-ghi", "Bearer [REDACTED]"),
        ("bearer abc", "bearer [REDACTED]"),
        ('{"refresh_token": "abc", "x": 1}', '{"refresh_token": "[REDACTED]", "x": 1}'),
        ("access_token=abc&x=1", "access_token=[REDACTED]&x=1"),
        ("nothing secret here", "nothing secret here"),
        ("token_type=Bearer", "token_type=Bearer"),
    ],
)
def test_redact(text, expected) -> None:
    assert redact(text) == expected


def test_redact_is_idempotent() -> None:
    once = redact('{"access_token": "abc"} Bearer xyz refresh_token=q eyJa.eyJb.c')
    assert redact(once) == once
