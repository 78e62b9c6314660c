"""Tab order between panels, zooming the focused panel, and the layout at small and large sizes."""

from __future__ import annotations

import pytest

from ui_fakes import make_app, started
from tsdash.ui.app import TsdashApp


async def test_tab_and_shift_tab_move_between_panels_in_order(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, client)
        order = list(TsdashApp.PANEL_ORDER)
        assert app.focused_panel().KEY == "quotes"
        seen = []
        for _ in range(len(order)):
            await pilot.press("tab")
            seen.append(app.focused_panel().KEY)
        assert seen == order[1:] + order[:1]
        await pilot.press("shift+tab")
        assert app.focused_panel().KEY == order[-1]
        await pilot.press("shift+tab")
        assert app.focused_panel().KEY == order[-2]


async def test_zoom_maximizes_the_focused_panel(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, client)
        await pilot.press("tab")  # bars
        await pilot.press("z")
        assert app.screen.maximized is app.bars_panel
        await pilot.press("z")
        assert app.screen.maximized is None


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_layout_modes(settings, size):
    app, client = make_app(settings)
    async with app.run_test(size=size) as pilot:
        await started(pilot, client)
        assert app.screen.has_class("-compact") == (size == (80, 24))
        for panel in app.panels.values():
            assert panel.region.height >= 3 and panel.region.width >= 20, panel.KEY
