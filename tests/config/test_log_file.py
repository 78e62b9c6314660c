"""The log goes to a rotating file in the user log dir at the chosen level, never to the
terminal."""

from __future__ import annotations

import logging
import logging.handlers
import re

import pytest

from tsdash import locations, logs
from tsdash.config import ConfigError
from tsdash.logs import setup_logging
from config_helpers import flush, our_handlers


pytestmark = pytest.mark.usefixtures("clean_logging")


def test_writes_time_level_and_logger_name_to_the_file(tmp_path) -> None:
    path = setup_logging("INFO", tmp_path / "logs" / "t.log")
    assert path == tmp_path / "logs" / "t.log"
    logging.getLogger("tsdash.api.streams").info("stream %s is live", "q1")
    flush()
    line = path.read_text().strip().splitlines()[-1]
    assert re.match(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO +tsdash\.api\.streams: stream q1 is live$",
        line,
    ), line


def test_default_path_is_the_user_log_dir(isolated_dirs, linux_only) -> None:
    path = setup_logging(None)
    assert path == locations.log_file()
    assert isolated_dirs["STATE"] in path.parents
    logging.getLogger("tsdash").info("hello")
    flush()
    assert "hello" in path.read_text()


def test_level_filters_records(tmp_path) -> None:
    path = setup_logging("warning", tmp_path / "t.log")
    logging.getLogger("tsdash").info("quiet info")
    logging.getLogger("tsdash").warning("loud warning")
    flush()
    text = path.read_text()
    assert "loud warning" in text
    assert "quiet info" not in text


def test_default_level_is_info(tmp_path) -> None:
    path = setup_logging(None, tmp_path / "t.log")
    logging.getLogger("tsdash").debug("debug detail")
    logging.getLogger("tsdash").info("info line")
    flush()
    assert "info line" in path.read_text()
    assert "debug detail" not in path.read_text()


def test_debug_level(tmp_path) -> None:
    path = setup_logging("DEBUG", tmp_path / "t.log")
    logging.getLogger("tsdash").debug("debug detail")
    flush()
    assert "debug detail" in path.read_text()


@pytest.mark.parametrize("bad", ["loud", "", "INFOO", "10x"])
def test_bad_level_is_a_clear_error(tmp_path, bad) -> None:
    with pytest.raises(ConfigError) as info:
        setup_logging(bad, tmp_path / "t.log")
    message = str(info.value)
    assert message.startswith("--log-level: expected one of DEBUG, INFO, WARNING, ERROR")
    assert f'found "{bad}"' in message
    assert not (tmp_path / "t.log").exists()
    assert our_handlers() == []


def test_rotating_handler_1mib_3_backups(tmp_path) -> None:
    path = setup_logging("INFO", tmp_path / "t.log")
    (handler,) = our_handlers()
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == 1024 * 1024
    assert handler.backupCount == 3
    logger = logging.getLogger("tsdash.test")
    chunk = "x" * 1000
    for _ in range(1200):  # ~1.2 MB
        logger.info(chunk)
    flush()
    assert (tmp_path / "t.log.1").is_file()
    assert path.stat().st_size < 1024 * 1024
    assert (tmp_path / "t.log.1").stat().st_size <= 1024 * 1024


def test_calling_twice_does_not_duplicate_records(tmp_path) -> None:
    setup_logging("INFO", tmp_path / "a.log")
    path = setup_logging("INFO", tmp_path / "b.log")
    assert len(our_handlers()) == 1
    logging.getLogger("tsdash").info("once")
    flush()
    assert path.read_text().count("once") == 1
    assert "once" not in (tmp_path / "a.log").read_text()


def test_nothing_goes_to_the_terminal(tmp_path, capfd) -> None:
    setup_logging("DEBUG", tmp_path / "t.log")
    logging.getLogger("tsdash").error("an error while the TUI runs")
    logging.getLogger("aiohttp.client").warning("a library warning")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    flush()
    assert "a library warning" in (tmp_path / "t.log").read_text()
