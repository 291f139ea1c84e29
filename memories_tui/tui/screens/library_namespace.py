"""Switching namespace from the filter bar: LibraryScreen's part for it.

The known namespaces are read once the namespace field is first used (never at start-up)
and offered as completions. A name the server does not know is confirmed first: the
server would create it, and names are case-sensitive, so a typo opens a new, empty one.

`LibraryNamespaceMixin` is a plain mixin of `LibraryScreen` (library.py), which holds the
filter bar's message handlers that call it (Textual registers `@on` handlers only for the
classes of its own DOM types) and applies the filters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Input

from memories_tui.tui.widgets.filter_bar import FilterBar, Filters

if TYPE_CHECKING:
    from memories_tui.services.library import VideoQuery
    from memories_tui.tui.screens.base import ViewScreen

    _ScreenBase = ViewScreen
else:
    _ScreenBase = object


class LibraryNamespaceMixin(_ScreenBase):
    """The namespace completions, the check of a typed name, the switch to it."""

    if TYPE_CHECKING:  # what this part uses of LibraryScreen
        query_state: VideoQuery

        def _apply_filters(self, filters: Filters) -> None: ...

    @work(group="namespaces", exclusive=True, exit_on_error=False)
    async def load_namespaces(self) -> None:
        """Read the known namespaces (once: the service keeps them) and offer them as
        completions; only when the namespace field is first used, never at start-up."""
        names = await self.app.library.load_namespaces()
        if names is not None:
            self.query_one(FilterBar).offer_namespaces(names)

    @work(group="namespace-check", exclusive=True, exit_on_error=False)
    async def check_namespace(self, name: str) -> None:
        """Switch to `name` if the server knows it; otherwise ask first (the server would
        create it, and names are case-sensitive: a typo opens a new, empty one)."""
        library = self.app.library
        if library.namespace_is_known(name) is None and name != self.query_state.unique_id:
            await library.load_namespaces()
        if name == self.query_state.unique_id or library.namespace_is_known(name):
            self._use_namespace(name)
            return
        from memories_tui.tui.modals.confirm_namespace import ConfirmNamespaceModal

        def decided(use_it: bool | None) -> None:
            if use_it:
                self._use_namespace(name)
            else:
                self.query_one("#namespace", Input).focus()

        self.app.push_screen(
            ConfirmNamespaceModal(
                name,
                similar=library.similar_namespaces(name),
                error=library.namespaces_error,
            ),
            decided,
        )

    def _use_namespace(self, name: str) -> None:
        bar = self.query_one(FilterBar)
        bar.use_namespace(name)
        library = self.app.library
        library.namespace_used(name)
        if library.namespaces is not None:
            bar.offer_namespaces(library.namespaces)
        self._apply_filters(bar.filters)
