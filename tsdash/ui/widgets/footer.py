"""Textual's Footer, recomposed only when the keys it shows change.

Footer recomposes (unmounts its keys, mounts new ones, re-lays out the screen) after every focus
change and every bindings refresh, whether or not the keys differ: on each tab between panels,
whose keys are the same, that was all its keys unmounted and mounted again.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class DashFooter(Footer):
    _composed_keys: tuple[Any, ...] | None = None
    #: the screen has told the footer its bindings (Footer shows no keys before that)
    keys_ready = False

    def bindings_changed(self, screen: Screen) -> None:
        self.keys_ready = True
        super().bindings_changed(screen)

    def _keys(self) -> tuple[Any, ...]:
        """What the footer's compose() reads: the screen's bindings and how they are shown."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return (self.compact, self.show_command_palette, *(
            (key, binding.action, binding.description, binding.group, enabled, tooltip,
             self.app.get_key_display(binding))
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette))

    def compose(self) -> ComposeResult:
        self._composed_keys = self._keys() if self.keys_ready else None
        yield from super().compose()

    async def recompose(self) -> None:
        if self.is_attached and self._composed_keys is not None \
                and self._composed_keys == self._keys():
            return
        await super().recompose()
