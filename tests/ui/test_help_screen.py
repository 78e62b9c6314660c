"""The help screen lists the keys and closes again."""

from __future__ import annotations

from ui_helpers import wait_for
from ui_fakes import make_app, started
from tsdash.ui.screens.help import HelpScreen


async def test_help_screen_lists_the_keys_and_closes(settings):
    app, client = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, client)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        keys = dict((desc, key) for key, desc in app.key_help())
        assert keys["reconnect the focused panel's stream"] == "r"
        assert keys["reconnect every panel"] == "R"
        assert keys["this screen"] == "?"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help again")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed by ?")
