"""The starting config's text: exactly the defaults, every setting documented, valid commented
examples."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from config_helpers import declared, setting_lines

from tsdash import config
from tsdash.config import Settings, load_settings


REPO = Path(__file__).resolve().parents[2]


EXAMPLE = REPO / "config.example.toml"


#: keys left out by default (None), written as commented-out examples
OPTIONAL = [place.path[-1] for place in declared() if place.default is None]


#: arrays of tables, empty by default, written as a commented-out example ([[alerts]])
ARRAYS = [place.path[-1] for place in declared() if place.key.kind is config.Kind.ALERTS]


def uncommented(text: str) -> str:
    """The template with its commented-out optional settings and examples switched on."""
    names = "|".join(re.escape(name) for name in OPTIONAL)
    text = re.sub(rf"^# ((?:{names}) = .*)$", r"\1", text, flags=re.M)
    for name in ARRAYS:  # the example table: its header and the key lines below it
        text = re.sub(rf"^# (\[\[{re.escape(name)}\]\]\n)((?:# \S+ = .*\n)+)",
                      lambda m: m.group(1) + re.sub(r"^# ", "", m.group(2), flags=re.M),
                      text, flags=re.M)
    return text


def test_example_loads_to_exactly_the_defaults() -> None:
    settings = load_settings(EXAMPLE)
    assert settings == Settings()
    assert settings.path == EXAMPLE


def test_example_holds_every_declared_setting_and_nothing_else() -> None:
    document = tomllib.loads(uncommented(EXAMPLE.read_text(encoding="utf-8")))
    written: set[tuple[str, ...]] = set()
    for place in declared():
        table = document
        for part in place.path:
            assert part in table, f"config.example.toml does not document {'.'.join(place.path)}"
            table = table[part]
        written.add(place.path)
    # and every key the example holds is declared ([watchlists] and [keys] hold free names)
    fixed_tables = {place.path[0] for place in declared() if len(place.path) > 1}
    in_file: set[tuple[str, ...]] = {(name,) for name in document if name not in fixed_tables}
    in_file |= {(table, name) for table in fixed_tables for name in document.get(table, {})}
    assert in_file == {path for path in written
                       if path[0] not in fixed_tables or len(path) > 1}
    assert set(document["keys"]) == config.KNOWN_BINDING_IDS
    assert document["keys"] == config.DEFAULT_KEYS


def test_commented_examples_are_valid_settings(tmp_path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(uncommented(config.starting_config_text()))
    settings = load_settings(path)
    assert settings.accounts and all(isinstance(a, str) for a in settings.accounts)
    assert settings.client_id
    assert [rule.describe() for rule in settings.alerts] == ["AAPL last at or above 230"]
    # Only the commented-out lines changed things.
    assert dataclasses.replace(settings, accounts=None, client_id=None, alerts=[]) == Settings()


def test_example_documents_each_setting_with_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for place in declared():
        name = place.path[-1]
        where = setting_lines(lines, place.path)
        assert len(where) == 1, f"{name} should appear once as a setting, found {len(where)}"
        above = lines[where[0] - 1]
        assert above.startswith("# ") and where[0] - 1 not in setting_lines(lines, place.path), (
            f"{name} (line {where[0] + 1}) needs an explanatory comment above it"
        )


def test_example_mentions_the_secret_rule_and_that_comments_are_lost() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "TS_CLIENT_SECRET" in text
    assert "NOT these comments" in text
    assert "client_secret =" not in text
