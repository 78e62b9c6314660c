"""The actions a user can remap under ``[keys]``, and Textual's key names, without Textual.

:data:`ACTIONS` declares each remappable action once: its binding id (the ``[keys]`` name and
the app's ``Binding(id=...)``), its default key, its description (the help screen, the command
palette and the config template) and how the footer shows it. The app builds its ``BINDINGS``
from it and applies ``settings.keys`` with Textual's ``App.set_keymap``; the config checks
``[keys]`` against it. A new remappable action is one new :class:`Action` (and its
``action_<id>`` method on the app).

The key-name checks mirror Textual's names so that the config can refuse a key Textual would
never report; a test in tests/ui keeps these lists in step with Textual's own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tsdash.settings_schema import did_you_mean

__all__ = [
    "ACTIONS",
    "CHARACTER_KEY_NAMES",
    "DEFAULT_KEYS",
    "FIXED_KEYS",
    "KEY_ALIASES",
    "KEY_EXAMPLES",
    "KEY_MODIFIERS",
    "KNOWN_BINDING_IDS",
    "NAMED_KEYS",
    "SCROLL_KEYS",
    "TABLE_KEYS",
    "Action",
    "TableKey",
    "canonical_key",
    "character_key_name",
    "fixed_keys_text",
    "key_problem",
]


@dataclass(frozen=True)
class Action:
    """One remappable action. ``id`` is the binding id and the app's action name; ``key`` the
    default (Textual key names, several separated by commas); ``label`` the footer's word;
    ``command`` the command palette's title (None: not in the palette); ``about`` the
    description where it is not read on the help screen (the config, the palette), if
    ``description`` would not do. ``panel``: the panel (its KEY) that shows the key in the
    footer while it has focus, for an action about that panel's highlighted row; the key works
    everywhere (and says what to highlight) but is only shown where it applies."""

    id: str
    key: str
    description: str
    label: str
    show: bool = False
    priority: bool = False
    key_display: str | None = None
    command: str | None = None
    about: str | None = None
    panel: str | None = None


#: in the order the footer shows them and the config template lists them
ACTIONS: tuple[Action, ...] = (
    Action("quit", "q", "quit: unsubscribe, close the client, stop the simulator", "Quit",
           show=True, command="Quit"),
    Action("help", "question_mark", "this screen", "Help", show=True, key_display="?",
           command="Show keys", about="the help screen: every key and what it does"),
    Action("reconnect", "r", "reconnect the focused panel's stream", "Reconnect", show=True,
           command="Reconnect focused panel"),
    Action("reconnect_all", "R", "reconnect every panel", "Reconnect all", show=True,
           key_display="R", command="Reconnect all panels"),
    Action("buy", "b", "buy ticket for the highlighted quote row (or the chart's symbol)",
           "Buy", show=True, command="Buy (order ticket)"),
    Action("sell", "s", "sell ticket for the highlighted quote row (or the chart's symbol)",
           "Sell", show=True, command="Sell (order ticket)"),
    Action("next_watchlist", "w", "next watchlist (quotes resubscribe)", "Watchlist",
           show=True, command="Next watchlist"),
    Action("next_theme", "t", "next colour theme (remembered in the config)", "Theme",
           show=True, command="Next theme"),
    Action("add_symbol", "a", "add a symbol to the watchlist (saved in the config)",
           "Add symbol", command="Add symbol to watchlist"),
    Action("remove_symbol", "d", "remove the highlighted symbol from the watchlist",
           "Remove symbol"),
    Action("next_panel", "tab", "focus the next panel", "Next panel", priority=True),
    Action("previous_panel", "shift+tab", "focus the previous panel", "Previous panel",
           priority=True),
    Action("close_position", "x", "close the highlighted position (a ticket for the whole "
           "quantity, opposite side)", "Close position", command="Close highlighted position",
           panel="positions"),
    Action("replace_order", "e", "replace (edit) the highlighted working order",
           "Replace order", command="Replace highlighted order",
           panel="orders"),
    Action("cancel_order", "c", "cancel the highlighted working order (asks once)",
           "Cancel order", command="Cancel highlighted order",
           panel="orders"),
    Action("add_alert", "exclamation_mark", "alert on the highlighted quote row's symbol "
           "(prefilled with its last price; saved in the config)", "Alert", key_display="!",
           command="Add an alert", panel="quotes"),
    Action("alerts", "A", "the alerts screen: rules, their state, re-arm, delete, and the "
           "notifications given", "Alerts", key_display="A", command="Show alerts"),
    Action("sort", "o", "cycle the quotes sort (or click a column header)", "Sort",
           command="Sort quotes"),
    Action("zoom", "z", "maximize / restore the focused panel", "Zoom",
           command="Zoom focused panel"),
)

#: binding id -> default key (Textual key names; several keys separated by commas).
DEFAULT_KEYS: dict[str, str] = {action.id: action.key for action in ACTIONS}
KNOWN_BINDING_IDS: frozenset[str] = frozenset(DEFAULT_KEYS)

# -- key names (Textual's) ---------------------------------------------------------------------

#: keys with a name, as Textual calls them
NAMED_KEYS: frozenset[str] = frozenset(
    ["enter", "return", "escape", "tab", "space", "backspace", "insert", "delete", "home", "end",
     "pageup", "pagedown", "up", "down", "left", "right"]
    + [f"f{n}" for n in range(1, 25)]
)
#: terminals send one code for both keys of each pair, so Textual takes them as one key
KEY_ALIASES: dict[str, str] = {
    "ctrl+i": "tab",
    "ctrl+m": "enter",
    "ctrl+left_square_brace": "escape",
    "ctrl+space": "ctrl+at",
    "newline": "ctrl+j",
}
KEY_MODIFIERS: tuple[str, ...] = ("ctrl", "alt", "shift", "meta", "super", "hyper")
#: Textual's names for punctuation ("?" is "question_mark"), from the Unicode names it uses
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
KEY_EXAMPLES = '"q", "ctrl+q", "f10" or "question_mark"'


def character_key_name(character: str) -> str:
    """Textual's name for the key that types ``character`` ("?" -> "question_mark")."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _KEY_NAME_REPLACEMENTS.get(name, name)


#: punctuation key name -> the character it types
CHARACTER_KEY_NAMES: dict[str, str] = {
    character_key_name(chr(code)): chr(code)
    for code in range(0x21, 0x7F)
    if not chr(code).isalnum()
}


def key_problem(key: str) -> str | None:
    """None if ``key`` is one key Textual knows (``"q"``, ``"?"``, ``"ctrl+shift+f5"``,
    ``"question_mark"``), else a short reason it is not."""
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else f"{key!r} is not a key name"
    *modifiers, base = key.split("+")
    for modifier in modifiers:
        if modifier not in KEY_MODIFIERS:
            close = did_you_mean(modifier, KEY_MODIFIERS)
            return (f'"{modifier}" is not a modifier (they are {", ".join(KEY_MODIFIERS)})'
                    + (f'; did you mean "{close}"?' if close else ""))
    if len(modifiers) != len(set(modifiers)):
        return "a modifier is named twice"
    if not base:
        return 'nothing follows the last "+" (the + key itself is "plus")'
    if len(base) == 1 and base.isupper():  # Textual reports ctrl+shift+q, never ctrl+Q
        return f'a capital after a modifier never matches (did you mean "{key.lower()}"?)'
    if (len(base) == 1 and base.isprintable() and not base.isspace()) or base in NAMED_KEYS \
            or base in CHARACTER_KEY_NAMES:
        return None
    close = did_you_mean(base, [*NAMED_KEYS, *CHARACTER_KEY_NAMES])
    return "not a key name" + (f' (did you mean "{"+".join([*modifiers, close])}"?)'
                               if close else "")


def canonical_key(key: str) -> str:
    """The name Textual gives a key press ("?" is "question_mark"), so that two spellings of
    one key are seen as the same key when bindings are compared."""
    if len(key) == 1:
        return character_key_name(key)
    *modifiers, base = key.split("+")
    if len(base) == 1:
        base = character_key_name(base)
    name = "+".join([*modifiers, base])
    return KEY_ALIASES.get(name, name)


@dataclass(frozen=True)
class TableKey:
    """A key the tables bind for themselves: ``LiveTable.BINDINGS`` is made from these, and
    FIXED_KEYS keeps them from the remappable actions (a focused table would take the key
    first). ``key`` in Textual's names (several separated by commas), ``action`` the table's,
    ``what`` what the config says the key is kept for."""

    key: str
    action: str
    description: str
    what: str = "moving in the tables"


#: the tables' own keys, in the order the table binds them
TABLE_KEYS: tuple[TableKey, ...] = (
    TableKey("enter", "select_cursor", "Select", what="charting the highlighted quote row"),
    TableKey("up", "cursor_up", "Cursor up"),
    TableKey("down", "cursor_down", "Cursor down"),
    TableKey("pageup", "page_up", "Page up"),
    TableKey("pagedown", "page_down", "Page down"),
    TableKey("home,ctrl+home", "first_row", "First row"),
    TableKey("end,ctrl+end", "last_row", "Last row"),
)
#: keys the table's scrolling base (Textual's ScrollView) binds: sideways scrolling
SCROLL_KEYS: tuple[str, ...] = ("left", "right")

#: keys the dashboard or Textual itself uses, not remappable: key -> what it does (and the
#: binding id that may share it because it does the same)
FIXED_KEYS: dict[str, tuple[str, str | None]] = {
    "ctrl+q": ("quit (Textual's own key)", "quit"),
    "ctrl+c": ("copy / how to quit (Textual's own key)", None),
    "ctrl+p": ("the command palette", None),
    "escape": ("closing a prompt or the help", None),
    **{key: (table_key.what, None)
       for table_key in TABLE_KEYS for key in table_key.key.split(",")},
    **{key: ("moving in the tables", None) for key in SCROLL_KEYS},
}


def fixed_keys_text() -> str:
    """FIXED_KEYS as prose for the config's help: keys kept for the same thing together."""
    groups: dict[str, list[str]] = {}
    for key, (what, _shared_with) in FIXED_KEYS.items():
        groups.setdefault(what, []).append(key)
    return "; ".join(f"{', '.join(keys)} for {what}" for what, keys in groups.items())
