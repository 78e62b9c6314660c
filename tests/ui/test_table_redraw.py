"""LiveTable redraws only the lines whose content changed, and nothing when nothing changed."""

from __future__ import annotations

from table_app import TableApp, settle

from tsdash.ui.models import Changes


async def test_one_changed_cell_redraws_only_its_line():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await settle(pilot, table)
        app.values["r2"] = "99"
        app.sync("r2")
        await settle_counted(pilot)
        assert dict(table.drawn) == {3: 1}  # row r2 is line 3 (under the header and r0, r1)
        assert table.render_line(3).text.split() == ["r2", "99"]


async def settle_counted(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_a_sync_with_no_change_draws_nothing():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await settle(pilot, table)
        app.sync(*app.values)  # every row rendered again, all the same
        table.sync(Changes(), app.values.__contains__, app.render_row)
        await settle_counted(pilot)
        assert not table.drawn


async def test_a_change_to_a_row_off_screen_draws_nothing():
    app = TableApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.table
        app.add_rows(30)
        await settle(pilot, table)
        app.values["r25"] = "changed"
        app.sync("r25")
        await settle_counted(pilot)
        assert not table.drawn


async def test_sorting_redraws_only_the_lines_that_show_another_row():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(5)
        await settle(pilot, table)
        table.sort_rows(lambda key: {"r1": 3, "r3": 1}.get(key, int(key[1:])))  # swap r1, r3
        await settle_counted(pilot)
        assert set(table.drawn) == {2, 4}
        assert [table.render_line(y).text.split()[0] for y in (1, 2, 3, 4, 5)] == \
            ["r0", "r3", "r2", "r1", "r4"]


async def test_a_theme_change_draws_every_line_in_the_new_colours():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.theme = "textual-dark"
        app.add_rows(3)
        await settle(pilot, table)
        before = [table.render_line(y) for y in range(4)]
        app.theme = "textual-light"
        await settle_counted(pilot)
        assert {0, 1, 2, 3} <= set(table.drawn)
        after = [table.render_line(y) for y in range(4)]
        for old, new in zip(before, after):
            assert old.text == new.text
            assert list(old)[0].style.bgcolor != list(new)[0].style.bgcolor


async def test_a_long_table_keeps_lines_only_for_rows_near_the_screen():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.table
        app.add_rows(300)
        table.focus()
        await pilot.pause()
        for _ in range(40):  # page down to the end, as a user would
            await pilot.press("pagedown")
        app.values["r299"] = "changed"
        app.sync("r299")
        await pilot.pause()
        assert table.cursor_row_key() == "r299"
        assert 0 < table.cached_lines <= 3 * table.size.height
