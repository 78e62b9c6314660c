"""The `A` screen: each rule with its state (armed, fired when and re-arms when, not watched and
why), the notifications newest first, delete / re-arm / add asked of the app as messages for the
highlighted rule, and the view read again (repainted only when it changed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from alert_hosts import FakeAlertsView, ScreenHost, iso_utc
from ui_helpers import wait_for

from tsdash.alerts.notifications import Notification, NotificationKind
from tsdash.alerts.rules import Condition, make_rule
from tsdash.alerts.state import RuleState
from tsdash.ui.alerting import RuleRow
from tsdash.ui.screens.alerts import AlertsScreen

NOW = datetime.now().astimezone().replace(microsecond=0)
ABOVE = make_rule("AAPL", Condition.ABOVE, 231.5)
BELOW = make_rule("MSFT", Condition.BELOW, 410)
CHANGE = make_rule("NVDA", Condition.CHANGE_PCT_ABOVE, 3)
VOLUME = make_rule("TSLA", Condition.VOLUME_ABOVE, 1_000_000)
FIRED_TODAY = NOW - timedelta(seconds=30)
FIRED_BEFORE = NOW - timedelta(days=2)


def rows() -> list[RuleRow]:
    """In the config's order (not the ids' alphabetical one)."""
    return [RuleRow(BELOW, RuleState(False, iso_utc(FIRED_TODAY), 409.9)),
            RuleRow(ABOVE, RuleState()),
            RuleRow(CHANGE, RuleState(False, iso_utc(FIRED_BEFORE), 3.2)),
            RuleRow(VOLUME, RuleState(), "over the stream limit (3 of 3 in use)")]


def history() -> list[Notification]:
    """Oldest first, as the view gives it."""
    return [Notification(NotificationKind.ALERT, "MSFT", "MSFT last at or below 410: 409.90",
                         iso_utc(NOW - timedelta(minutes=3))),
            Notification(NotificationKind.FILL, "AAPL", "Bought 10 AAPL at 231.40",
                         iso_utc(NOW - timedelta(minutes=2))),
            Notification(NotificationKind.REJECT, "IBM", "Order 1240 rejected: buying power",
                         iso_utc(NOW - timedelta(minutes=1)))]


async def opened(pilot) -> AlertsScreen:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen is app.opened, what="the alerts screen")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, AlertsScreen)
    return screen


def states(screen: AlertsScreen) -> dict[str, str]:
    table = screen.rules_table
    return {table.get_cell(key, "symbol").plain: table.get_cell(key, "state").plain
            for key in table.ordered_keys()}


def history_lines(screen: AlertsScreen) -> list[str]:
    """The history as it shows on screen, line by line."""
    region = screen.history_list.content_region
    lines = [line.text.rstrip() for line in
             screen.history_list.render_lines(region.reset_offset)]  # public Widget API
    return [line for line in lines if line]


async def test_rules_are_listed_with_their_state():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        table = screen.rules_table
        assert table.ordered_keys() == [BELOW.id, ABOVE.id, CHANGE.id, VOLUME.id]
        assert table.get_cell(BELOW.id, "condition").plain == "last at or below 410"
        assert states(screen) == {
            "MSFT": f"fired {FIRED_TODAY.strftime('%H:%M:%S')} · re-arms when last is above 410",
            "AAPL": "armed",
            "NVDA": f"fired {FIRED_BEFORE.strftime('%Y-%m-%d %H:%M:%S')} · re-arms when "
                    "change % is below 3%",
            "TSLA": "not watched: over the stream limit (3 of 3 in use)",
        }
        assert table.has_focus and table.cursor_row_key() == BELOW.id
        assert not screen.empty_line.has_class("-shown")
        # the warning colour for a rule that is not watched, not the armed one's
        unwatched = table.get_cell(VOLUME.id, "state").style
        assert unwatched == screen.palette.warning
        assert table.get_cell(ABOVE.id, "state").style != unwatched


async def test_history_is_newest_first():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        shown = history_lines(screen)
        texts = [note.text for note in reversed(history())]
        assert [next(i for i, line in enumerate(shown) if text in line) for text in texts] \
            == [0, 1, 2]
        newest = history()[-1]
        assert shown[0].split()[:2] == [
            (NOW - timedelta(minutes=1)).strftime("%H:%M:%S"), "reject"]
        assert newest.text in shown[0]


async def test_delete_and_rearm_ask_the_app_about_the_highlighted_rule():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r")  # MSFT, fired
        await pilot.press("d")
        await pilot.pause()
        asked = [m for m in app.messages
                 if isinstance(m, (AlertsScreen.DeleteRequested, AlertsScreen.RearmRequested))]
        assert [(type(m), m.rule) for m in asked] == [
            (AlertsScreen.RearmRequested, BELOW), (AlertsScreen.DeleteRequested, BELOW)]
        await pilot.press("down", "delete")
        await pilot.pause()
        deleted = [m.rule for m in app.messages if isinstance(m, AlertsScreen.DeleteRequested)]
        assert deleted == [BELOW, ABOVE]
        assert app.screen is screen  # nothing closes it: the app does what was asked


async def test_rearm_of_an_armed_rule_says_it_is_already_armed():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        await opened(pilot)
        await pilot.press("down", "r")  # AAPL, armed
        await pilot.pause()
        assert not [m for m in app.messages if isinstance(m, AlertsScreen.RearmRequested)]
        assert app.toasts == ["AAPL last at or above 231.5 is already armed."]


async def test_add_asks_the_app_and_escape_closes():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        await pilot.press("exclamation_mark")
        await pilot.press("n")
        await pilot.pause()
        assert len([m for m in app.messages if isinstance(m, AlertsScreen.AddRequested)]) == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.results == [None], what="closed")
        assert app.screen is not screen


async def test_a_view_that_changes_is_picked_up_and_an_unchanged_one_not_repainted():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        painted = screen.repaints
        screen.refresh_from_view()
        screen.refresh_from_view()
        assert screen.repaints == painted  # the same data: nothing repainted
        # the app re-armed MSFT, deleted NVDA, and AAPL fired (and the config's order changed)
        view.rows = [RuleRow(ABOVE, RuleState(False, iso_utc(NOW), 232.0)),
                     RuleRow(BELOW, RuleState()), view.rows[3]]
        view.notes = [*history(), Notification(NotificationKind.ALERT, "AAPL",
                                               "AAPL last at or above 231.5: 232",
                                               iso_utc(NOW))]
        screen.refresh_from_view()
        await pilot.pause()
        assert screen.rules_table.ordered_keys() == [ABOVE.id, BELOW.id, VOLUME.id]
        assert states(screen)["MSFT"] == "armed"
        assert states(screen)["AAPL"].startswith(f"fired {NOW.strftime('%H:%M:%S')} · ")
        assert "AAPL last at or above 231.5: 232" in history_lines(screen)[0]


async def test_the_screen_reads_the_view_each_second_by_itself():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        view.rows = [RuleRow(VOLUME, RuleState())]
        await wait_for(pilot, lambda: screen.rules_table.ordered_keys() == [VOLUME.id],
                       timeout=3.0, what="the interval's read")
        assert states(screen) == {"TSLA": "armed"}


async def test_with_no_rules_a_line_says_how_to_add_one():
    view = FakeAlertsView([], [])
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        assert screen.empty_line.has_class("-shown")
        assert screen.rules_table.has_class("-empty")
        text = str(screen.empty_line.content)
        assert "!" in text and "[[alerts]]" in text
        await pilot.press("d")
        await pilot.pause()
        assert not [m for m in app.messages if isinstance(m, AlertsScreen.DeleteRequested)]
        view.rows = [RuleRow(ABOVE, RuleState())]
        screen.refresh_from_view()
        await pilot.pause()
        assert not screen.empty_line.has_class("-shown")
        assert screen.highlighted_rule() == ABOVE


async def test_shift_a_closes_it_as_it_opened_it():
    view = FakeAlertsView(rows(), history())
    app = ScreenHost(lambda: AlertsScreen(view))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        await pilot.press("A")
        await wait_for(pilot, lambda: app.results == [None], what="closed")
        assert app.screen is not screen


async def test_the_app_may_ask_for_a_refresh_before_the_screen_is_shown():
    view = FakeAlertsView(rows(), history())

    def make() -> AlertsScreen:
        screen = AlertsScreen(view)
        screen.refresh_from_view()  # not mounted yet: nothing to paint, nothing read
        assert view.reads == 0
        return screen

    app = ScreenHost(make)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await opened(pilot)
        assert screen.rules_table.row_count == 4
