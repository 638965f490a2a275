"""What the reader's controllers need from the screen that holds them, said once.

:class:`~briefing.tui.screens.annotating.AnnotationController` and
:class:`~briefing.tui.screens.searching.SearchController` are plain objects: they hold no
keys and receive no events. The reader screen owns the widgets, routes keys and messages to
them, and offers them this: the open briefing, the section shown, and a few things only the
screen can do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from briefing.core.model import Briefing, Section
    from briefing.store.facade import Store


class ReaderHost(Protocol):
    """The reader screen, as its controllers see it."""

    store: Store
    briefing: Briefing
    #: The section shown now.
    current: Section

    @property
    def app(self) -> App[Any]: ...

    @property
    def focused(self) -> Widget | None: ...

    def go_to_section(self, key: str) -> None:
        """Show another section of the briefing."""

    def refresh_counts(self) -> None:
        """Redraw the per-section note counts after notes changed."""

    def notes_changed(self, highlight: str | None = None) -> None:
        """Notes were written: redraw them (highlighting note ``highlight`` in the pane),
        and search again what they match."""

    def briefing_moved(self) -> Briefing:
        """A save was refused as based on an old revision: take up the new one, return it."""

    def show_notes_pane(self) -> None:
        """Make sure the notes pane is on screen."""

    def refresh_bindings(self) -> None:
        """What the keys can do may have changed."""

    def clear_selection(self) -> None:
        """Drop the mouse selection."""

    def failed(self, error: Exception, title: str) -> None:
        """Tell the user a store operation failed and why; nothing was changed."""

    def tell(
        self, message: str, title: str, *, warning: bool = False, timeout: float | None = None
    ) -> None:
        """A short notification."""
