"""Every kind of mistake ends in ONE ConfigError naming the file, the key (or line), what was
expected and what was found."""

from __future__ import annotations

import pytest

from tsdash.config import ConfigError, load_settings


def error_for(write_config, text: str) -> str:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"config error in {path}: "), message
    assert "\n" not in message  # one line, fit for the terminal
    return message


def test_wrong_type_names_file_key_expected_and_found(write_config) -> None:
    message = error_for(write_config, '[streams]\nread_timeout = "fast"\n')
    assert message.endswith(
        'key "streams.read_timeout": expected a number of seconds greater than 0, '
        'found "fast" (a string)'
    )


@pytest.mark.parametrize(
    ("text", "key", "expected", "found"),
    [
        # wrong types
        ('environment = 1\n', "environment", 'one of "demo", "sim" or "live"', "1 (an integer)"),
        ("theme = true\n", "theme", "a theme name", "true (a boolean)"),
        ('theme = ""\n', "theme", "a theme name", '"" (an empty string)'),
        ("bars = 5\n", "bars", "a table", "5 (an integer)"),
        ('watchlists = ["AAPL"]\n', "watchlists", "a table of named symbol lists",
         '["AAPL"] (a list)'),
        ('[watchlists]\ntech = "AAPL"\n', "watchlists.tech", "a list of symbols",
         '"AAPL" (a string)'),
        ('[watchlists]\ntech = ["AAPL", 3]\n', "watchlists.tech[1]", "a symbol", "3 (an integer)"),
        ('[streams]\nauto_reconnect = "yes"\n', "streams.auto_reconnect", "true or false",
         '"yes" (a string)'),
        ("[streams]\nmax_concurrent_streams = 2.5\n", "streams.max_concurrent_streams",
         "a whole number from 1 to 100", "2.5 (a number)"),
        ("[streams]\nread_timeout = true\n", "streams.read_timeout",
         "a number of seconds greater than 0", "true (a boolean)"),
        ('[ui]\nrepaint_hz = "8"\n', "ui.repaint_hz", "from 1 to 30", '"8" (a string)'),
        ("[bars]\nbarsback = 1.5\n", "bars.barsback", "from 1 to 57600", "1.5 (a number)"),
        ("accounts = 11111111\n", "accounts", "a list of account ids", "11111111 (an integer)"),
        ("accounts = [11111111]\n", "accounts[0]", "an account id as a string",
         "11111111 (an integer)"),
        ("accounts = []\n", "accounts", "a list of account ids", "[] (an empty list)"),
        ("client_id = 42\n", "client_id", "your TradeStation API key", "42 (an integer)"),
        ("[keys]\nquit = 1\n", "keys.quit", "a key name", "1 (an integer)"),
        ('[keys]\nquit = ""\n', "keys.quit", "a key name", '"" (an empty string)'),
        ('[keys]\nquit = "q,"\n', "keys.quit", "a key name", '"q," (a string)'),
        ("theme = 1979-05-27\n", "theme", "a theme name", "1979-05-27 (a date)"),
        # bad values
        ('environment = "paper"\n', "environment", 'one of "demo", "sim" or "live"',
         '"paper" (a string)'),
        ("[streams]\nread_timeout = 0\n", "streams.read_timeout",
         "a number of seconds greater than 0", "0 (an integer)"),
        ("[streams]\nread_timeout = -1.5\n", "streams.read_timeout",
         "a number of seconds greater than 0", "-1.5 (a number)"),
        ("[streams]\nread_timeout = nan\n", "streams.read_timeout",
         "a number of seconds greater than 0", "nan (a number)"),
        # reading the orders this often would run into TradeStation's rate limit
        ("[streams]\norders_reconcile_s = 0.01\n", "streams.orders_reconcile_s",
         "a number of seconds greater than 5", "0.01 (a number)"),
        ("[streams]\norders_reconcile_s = 5\n", "streams.orders_reconcile_s",
         "a number of seconds greater than 5", "5 (an integer)"),
        ("[streams]\nmax_concurrent_streams = 0\n", "streams.max_concurrent_streams",
         "from 1 to 100", "0 (an integer)"),
        ("[streams]\nmax_concurrent_streams = 101\n", "streams.max_concurrent_streams",
         "from 1 to 100", "101 (an integer)"),
        ("[ui]\nrepaint_hz = 0\n", "ui.repaint_hz", "from 1 to 30", "0 (an integer)"),
        ("[ui]\nrepaint_hz = 31\n", "ui.repaint_hz", "from 1 to 30", "31 (an integer)"),
        ('[bars]\nunit = "Hour"\n', "bars.unit", 'one of "Minute", "Daily", "Weekly" or "Monthly"',
         '"Hour" (a string)'),
        ('[bars]\ninterval = "0"\n', "bars.interval", 'from "1" to "1440"', '"0" (a string)'),
        ("[bars]\ninterval = 1441\n", "bars.interval", 'from "1" to "1440"', "1441 (an integer)"),
        ('[bars]\ninterval = "5m"\n', "bars.interval", 'from "1" to "1440"', '"5m" (a string)'),
        ('[bars]\nunit = "Daily"\ninterval = "5"\n', "bars.interval",
         '"1" (the only interval for unit "Daily")', '"5" (a string)'),
        ("[bars]\nbarsback = 0\n", "bars.barsback", "from 1 to 57600", "0 (an integer)"),
        ("[bars]\nbarsback = 57601\n", "bars.barsback", "from 1 to 57600", "57601 (an integer)"),
        ('[bars]\nsymbol = "spy"\n', "bars.symbol", "a symbol", '"spy" (a string)'),
        ('[bars]\nsymbol = ""\n', "bars.symbol", "a symbol", '"" (an empty string)'),
        ("[watchlists]\n", "watchlists", "at least one watchlist", "an empty table"),
        ('[watchlists]\ntech = []\n', "watchlists.tech", "a list of at least one symbol",
         "[] (an empty list)"),
        ('[watchlists]\ntech = ["AAPL", "BRK B"]\n', "watchlists.tech[1]",
         "a space only in options",
         '"BRK B" (a string)'),
        ('[watchlists]\ntech = [" AAPL"]\n', "watchlists.tech[0]",
         "a space only in options",
         '" AAPL" (a string)'),
        ('[watchlists]\ntech = [""]\n', "watchlists.tech[0]", "a symbol", '"" (an empty string)'),
        ('[watchlists]\ntech = ["aapl"]\n', "watchlists.tech[0]", "capital letters",
         '"aapl" (a string)'),
        ('[watchlists]\ntech = ["AA%PL"]\n', "watchlists.tech[0]", "A-Z, digits and . / $ ^ - @ #",
         '"AA%PL" (a string)'),
        ('[watchlists]\n"my list" = ["ok", "X"]\n', "watchlists.'my list'[0]", "a symbol",
         '"ok" (a string)'),
        ('[watchlists]\ntech = ["AAPL", "AAPL"]\n', "watchlists.tech[1]", "each symbol once",
         '"AAPL" (a string)'),
        ('default_watchlist = "tek"\n[watchlists]\ntech = ["AAPL"]\netfs = ["SPY"]\n',
         "default_watchlist", 'the name of a watchlist ("tech", "etfs")', '"tek" (a string)'),
        ('default_watchlist = "nope"\n', "default_watchlist",
         'the name of a watchlist ("mega-caps", "etfs")', '"nope" (a string)'),
        ('[keys]\nnext_theme = "r"\n', "keys.next_theme", "a key no other action uses",
         '"r" (a string)'),
    ],
)
def test_bad_setting(write_config, text, key, expected, found) -> None:
    message = error_for(write_config, text)
    assert f'key "{key}": expected ' in message
    assert expected in message.split(f'key "{key}": expected ', 1)[1].split(", found ")[0]
    assert f"found {found}" in message


def test_bad_environment_suggests(write_config) -> None:
    assert message_has(error_for(write_config, 'environment = "liv"\n'), 'did you mean "live"?')


def test_lowercase_symbol_suggests_capitals(write_config) -> None:
    message = error_for(write_config, '[watchlists]\ntech = ["msft"]\n')
    assert message_has(message, '"MSFT"')


def test_symbol_with_spaces_says_so(write_config) -> None:
    message = error_for(write_config, '[watchlists]\ntech = ["BRK B"]\n')
    assert message_has(message, "cannot contain spaces")


def test_bad_default_watchlist_suggests(write_config) -> None:
    message = error_for(write_config, 'default_watchlist = "etf"\n')
    assert message_has(message, 'did you mean "etfs"?')


def test_key_conflict_names_both_bindings(write_config) -> None:
    message = error_for(write_config, '[keys]\nnext_theme = "w"\n')
    assert message_has(message, '"w" is already the key for "next_watchlist" (by default); '
                       "choose another key")
    # Moving the other binding away resolves it.
    load_settings(write_config('[keys]\nnext_theme = "w"\nnext_watchlist = "n"\n', "ok.toml"))


def message_has(message: str, fragment: str) -> bool:
    assert fragment in message, message
    return True


# -- unknown keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        ("[streams]\nread_timout = 5\n", "streams.read_timout", "streams.read_timeout"),
        ('enviroment = "sim"\n', "enviroment", "environment"),
        ('[bars]\nsymbl = "SPY"\n', "bars.symbl", "bars.symbol"),
        ("[ui]\nrepaint_hertz = 5\n", "ui.repaint_hertz", "ui.repaint_hz"),
        ('[keys]\nreconect = "x"\n', "keys.reconect", "keys.reconnect"),
        ('[watchlist]\ntech = ["AAPL"]\n', "watchlist", "watchlists"),
    ],
)
def test_unknown_key_with_suggestion(write_config, text, key, suggestion) -> None:
    message = error_for(write_config, text)
    assert f'unknown key "{key}"' in message or f'unknown binding id "{key}"' in message
    assert f'(did you mean "{suggestion}"?' in message
    assert "expected one of: " in message


def test_unknown_key_lists_what_is_expected(write_config) -> None:
    message = error_for(write_config, "[streams]\nzzz = 5\n")
    assert 'unknown key "streams.zzz"' in message
    assert "did you mean" not in message
    assert message.endswith("expected one of: max_concurrent_streams, read_timeout, auto_reconnect, "
                            "orders_reconcile_s")


def test_key_in_the_wrong_table_says_where_it_belongs(write_config) -> None:
    message = error_for(write_config, "read_timeout = 5\n")
    assert 'unknown key "read_timeout"' in message
    assert 'did you mean "streams.read_timeout"? it belongs in the [streams] table' in message
    message = error_for(write_config, '[ui]\ntheme = "x"\n')
    assert 'did you mean "theme"? it goes at the top of the file' in message


def test_a_key_after_a_table_header_belongs_to_that_table(write_config) -> None:
    # The classic TOML trap: a top-level key written below [bars].
    message = error_for(write_config, '[bars]\nsymbol = "SPY"\nenvironment = "sim"\n')
    assert 'unknown key "bars.environment"' in message
    assert "it goes at the top of the file" in message


def test_unknown_binding_id(write_config) -> None:
    message = error_for(write_config, '[keys]\nlaunch_rockets = "x"\n')
    assert 'unknown binding id "keys.launch_rockets"' in message
    assert "reconnect_all" in message  # the known ids are listed


# -- TOML syntax errors -------------------------------------------------------------------------


def test_syntax_error_keeps_tomllib_line_and_column(write_config) -> None:
    message = error_for(write_config, 'environment = "demo"\n\ntheme = \n')
    assert "invalid TOML" in message
    assert "(at line 3, column 9)" in message
    assert "line 3 reads: theme =" in message


def test_syntax_error_unclosed_table(write_config) -> None:
    message = error_for(write_config, '[bars\nsymbol = "SPY"\n')
    assert "at line 1" in message
    assert "Expected ']'" in message


def test_syntax_error_duplicate_key(write_config) -> None:
    message = error_for(write_config, 'theme = "a"\ntheme = "b"\n')
    assert "at line 2" in message


def test_syntax_error_unterminated_string_at_end(write_config) -> None:
    message = error_for(write_config, 'theme = "abc')
    assert "invalid TOML" in message


# -- the client secret ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('client_id = "id"\nclient_secret = "s3cr3t"\n', "client_secret"),
        ('[streams]\nclient_secret = "s3cr3t"\n', "streams.client_secret"),
        ('[auth]\nclient_secret = "s3cr3t"\n', "auth.client_secret"),
    ],
)
def test_client_secret_is_rejected(write_config, text, key) -> None:
    message = error_for(write_config, text)
    assert f'key "{key}"' in message
    assert "TS_CLIENT_SECRET" in message
    assert "prompt" in message
    assert "s3cr3t" not in message  # never echo the secret back
