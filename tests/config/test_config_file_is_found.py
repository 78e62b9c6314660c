"""Which config file is read: none, XDG, $TSDASH_CONFIG, or an explicit path."""

from __future__ import annotations

from tsdash import config
from tsdash.config import BarsSettings, Settings, load_settings


def test_no_file_gives_the_defaults_and_the_default_path(isolated_dirs, linux_only) -> None:
    settings = load_settings()
    assert settings == Settings()
    assert settings.environment == "demo"
    assert settings.theme == "tsdash-dark"
    assert list(settings.watchlists) == ["mega-caps", "etfs"]
    assert settings.watchlists["mega-caps"] == [
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO"
    ]
    assert settings.watchlists["etfs"] == ["SPY", "QQQ", "IWM", "DIA", "TLT", "GLD", "XLF", "XLE"]
    assert settings.default_watchlist == "mega-caps"
    assert settings.bars == BarsSettings(symbol="SPY", interval="1", unit="Minute", barsback=120)
    assert settings.accounts is None
    assert settings.max_concurrent_streams == 10
    assert settings.read_timeout == 30.0
    assert settings.auto_reconnect is False
    assert settings.repaint_hz == 8
    assert settings.keys["reconnect"] == "r"
    assert settings.keys["reconnect_all"] == "R"
    assert settings.keys["next_watchlist"] == "w"
    assert settings.keys["next_theme"] == "t"
    assert settings.keys["quit"] == "q"
    assert settings.keys["help"] == "question_mark"
    assert set(settings.keys) == config.KNOWN_BINDING_IDS
    assert settings.client_id is None
    assert settings.path == isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    assert not settings.path.exists()


def test_file_in_xdg_config_home_is_read(isolated_dirs, linux_only) -> None:
    path = isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('theme = "from-xdg"\n')
    settings = load_settings()
    assert settings.theme == "from-xdg"
    assert settings.path == path


def test_tsdash_config_env_var_beats_the_default(isolated_dirs, tmp_path, monkeypatch) -> None:
    default = isolated_dirs["CONFIG"] / "tsdash" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text('theme = "from-default"\n')
    env = tmp_path / "env.toml"
    env.write_text('theme = "from-env"\n')
    monkeypatch.setenv("TSDASH_CONFIG", str(env))
    settings = load_settings()
    assert settings.theme == "from-env"
    assert settings.path == env


def test_explicit_path_beats_env_var(tmp_path, monkeypatch) -> None:
    env = tmp_path / "env.toml"
    env.write_text('theme = "from-env"\n')
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('theme = "from-explicit"\n')
    monkeypatch.setenv("TSDASH_CONFIG", str(env))
    assert load_settings(explicit).theme == "from-explicit"
    assert load_settings(str(explicit)).path == explicit


def test_missing_explicit_file_gives_defaults_with_that_path(tmp_path) -> None:
    settings = load_settings(tmp_path / "nope.toml")
    assert settings == Settings()
    assert settings.path == tmp_path / "nope.toml"
