"""The starting config's text: exactly the defaults, every setting documented, valid commented
examples."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from tsdash import config
from tsdash.config import BarsSettings, Settings, load_settings


REPO = Path(__file__).resolve().parents[2]


EXAMPLE = REPO / "config.example.toml"


# Where each Settings field lives in the file. A new field must be added here (and to the
# template), or test_every_field_has_a_place fails.
FIELD_PLACES: dict[str, tuple[str, ...]] = {
    "environment": ("environment",),
    "theme": ("theme",),
    "watchlists": ("watchlists",),
    "default_watchlist": ("default_watchlist",),
    "bars": ("bars",),
    "accounts": ("accounts",),
    "max_concurrent_streams": ("streams", "max_concurrent_streams"),
    "read_timeout": ("streams", "read_timeout"),
    "auto_reconnect": ("streams", "auto_reconnect"),
    "repaint_hz": ("ui", "repaint_hz"),
    "keys": ("keys",),
    "client_id": ("client_id",),
}


def uncommented(text: str) -> str:
    """The template with its commented-out optional settings switched on."""
    return re.sub(r"^# ((?:accounts|client_id) = .*)$", r"\1", text, flags=re.M)


def test_example_loads_to_exactly_the_defaults() -> None:
    settings = load_settings(EXAMPLE)
    assert settings == Settings()
    assert settings.path == EXAMPLE


def test_every_field_has_a_place() -> None:
    assert set(FIELD_PLACES) == set(config.settings_fields())


def test_example_mentions_every_setting() -> None:
    document = tomllib.loads(uncommented(EXAMPLE.read_text(encoding="utf-8")))
    for name, place in FIELD_PLACES.items():
        table = document
        for part in place:
            assert part in table, f"config.example.toml does not document {'.'.join(place)}"
            table = table[part]
    for field in dataclasses.fields(BarsSettings):
        assert field.name in document["bars"], f"bars.{field.name} is not documented"
    assert set(document["keys"]) == config.KNOWN_BINDING_IDS
    assert document["keys"] == config.DEFAULT_KEYS


def test_commented_examples_are_valid_settings(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(uncommented(config.starting_config_text()))
    settings = load_settings(path)
    assert settings.accounts and all(isinstance(a, str) for a in settings.accounts)
    assert settings.client_id
    # Only the commented-out lines changed things.
    assert dataclasses.replace(settings, accounts=None, client_id=None) == Settings()


def test_example_documents_each_setting_with_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    documented = [place[-1] for place in FIELD_PLACES.values()]
    documented += [f.name for f in dataclasses.fields(BarsSettings)]
    for name in documented:
        pattern = re.compile(rf"^(# )?({re.escape(name)} = |\[{re.escape(name)}\]$)")
        where = [i for i, line in enumerate(lines) if pattern.match(line)]
        assert len(where) == 1, f"{name} should appear once as a setting, found {len(where)}"
        above = lines[where[0] - 1]
        assert above.startswith("# ") and not pattern.match(above), (
            f"{name} (line {where[0] + 1}) needs an explanatory comment above it"
        )


def test_example_mentions_the_secret_rule_and_that_comments_are_lost() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "TS_CLIENT_SECRET" in text
    assert "NOT these comments" in text
    assert "client_secret =" not in text
