"""LiveTable's row cursor (keys, shown only with focus) and mouse (click selects and focuses,
the wheel and the scrollbar scroll, a hovered row is highlighted)."""

from __future__ import annotations

from rich.color import Color
from table_app import TableApp, screen_rows

from tsdash.ui.widgets.table import LiveTable


def background(table: LiveTable, y: int) -> Color | None:
    """The background of the line's last cell (its padding to the table's edge)."""
    style = list(table.render_line(y))[-1].style
    assert style is not None
    return style.bgcolor


async def test_keys_move_the_cursor_and_it_is_shown_only_with_focus():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(30)
        await pilot.pause()
        plain = background(table, 2)
        assert background(table, 1) == plain  # not focused: no cursor drawn
        table.focus()
        await pilot.pause()
        assert background(table, 1) != background(table, 2)
        await pilot.press("down", "down")
        assert table.cursor_row_key() == "r2"
        await pilot.pause()
        assert background(table, 3) != background(table, 2)
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + 9  # a page: the nine rows under the header
        await pilot.press("end")
        assert table.cursor_row_key() == "r29"
        await pilot.pause()
        assert screen_rows(table)[-1][0] == "r29"  # scrolled to keep the cursor in view
        await pilot.press("pageup", "up")
        assert table.cursor_row == 29 - 9 - 1
        await pilot.press("home")
        assert table.cursor_row_key() == "r0" and table.scroll_offset.y == 0
        await pilot.press("up")
        assert table.cursor_row == 0
        await pilot.press("enter")
        assert [(type(m), m.key) for m in app.messages] == [(LiveTable.RowSelected, "r0")]


async def test_a_click_focuses_the_table_moves_the_cursor_and_selects_the_row():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await pilot.pause()
        assert not table.has_focus
        await pilot.click(table, offset=(2, 3))  # the third row
        assert table.has_focus and table.cursor_row_key() == "r2"
        assert [(type(m), m.key) for m in app.messages] == [(LiveTable.RowSelected, "r2")]
        await pilot.click(table, offset=(2, 8))  # under the last row: nothing
        assert len(app.messages) == 1


async def test_the_mouse_wheel_and_the_scrollbar_scroll_under_a_fixed_header():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(50)
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert table.max_scroll_y == 50 + 1 - 10  # the last row can come on screen
        await pilot.hover(table, offset=(2, 3))
        table.post_message(mouse_scroll_down(table))
        await pilot.pause()
        assert table.scroll_offset.y > 0
        rows = screen_rows(table)
        assert rows[0] == ["Name", "Value"]  # the header stays
        assert rows[1][0] == f"r{table.scroll_offset.y}"
        await pilot.click(table, offset=(table.size.width - 1, 9))  # the scrollbar's bottom
        await pilot.pause()
        assert table.scroll_offset.y > 3


def mouse_scroll_down(table: LiveTable):
    from textual.events import MouseScrollDown

    region = table.region
    return MouseScrollDown(table, 2, 3, 0, 1, 0, False, False, False,
                           screen_x=region.x + 2, screen_y=region.y + 3)


async def test_the_hovered_row_is_highlighted():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await pilot.pause()
        plain = background(table, 3)
        await pilot.hover(table, offset=(2, 3))
        await pilot.pause()
        assert background(table, 3) != plain and background(table, 2) == plain


async def test_the_cursor_stays_on_its_row_when_a_row_above_it_is_removed():
    """Traders act on the highlighted row: removing a row above must not shift the cursor onto
    its neighbour (before the sort reads it, or after)."""
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(10)
        table.focus()
        await pilot.press(*["down"] * 5)
        assert table.cursor_row_key() == "r5"
        app.remove("r1")
        assert table.cursor_row_key() == "r5"
        table.sort_rows(lambda key: int(key[1:]))
        assert table.cursor_row_key() == "r5" and table.cursor_row == 4
        app.remove("r5")  # the cursor's own row: it stays at that place, on the next row
        assert table.cursor_row_key() == "r6"
        app.remove("r8", "r9")
        app.remove("r7", "r6")  # the last rows: it comes up to the new last row
        assert table.cursor_row_key() == "r4"


async def test_the_positions_cursor_stays_on_its_row_when_one_above_is_deleted(settings):
    from ui_fakes import make_app, started

    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        positions = client.latest("positions")
        symbols = ["AAA", "BBB", "CCC", "DDD", "EEE"]
        await positions.snapshot(*({"PositionID": s, "Symbol": s, "Quantity": "1"}
                                   for s in symbols))
        app.tick()
        table = app.panels["positions"].table
        assert table.ordered_keys() == symbols
        table.focus()
        await pilot.press("down", "down")
        assert table.cursor_row_key() == "CCC"
        await positions.push({"PositionID": "AAA", "Deleted": True})
        app.tick()
        await pilot.pause()
        assert table.ordered_keys() == symbols[1:]
        assert table.cursor_row_key() == "CCC"


async def test_the_hover_highlight_does_not_stay_on_a_row_scrolled_from_under_the_pointer():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(50)
        await pilot.pause()
        plain = background(table, 5)
        await pilot.hover(table, offset=(2, 5))  # the fifth row: r4
        await pilot.pause()
        assert background(table, 5) != plain
        table.post_message(mouse_scroll_down(table))
        await pilot.pause()
        top = round(table.scroll_offset.y)
        assert 0 < top < 4  # r4 is still on screen, on another line than the pointer's
        highlighted = [y for y in range(1, 10) if background(table, y) != plain]
        assert highlighted in ([], [5])  # nothing, or the row now under the pointer
