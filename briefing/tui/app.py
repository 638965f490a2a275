"""The application shell: screens, theme, and where a session starts.

Screens hold the behaviour; this module only wires them to the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from briefing.core.paths import is_served
from briefing.store.facade import DataError, Store
from briefing.tui import hangup
from briefing.tui.colours import reader_variables
from briefing.tui.focus_keys import KeysInOrderApp
from briefing.tui.screens.reader import ReaderScreen
from briefing.tui.services import ThreadedIndex

# The library, help and palette screens load when first opened: start-up draws the
# reader alone, and each module loaded costs start-up time.
if TYPE_CHECKING:
    from textual.command import Provider

    from briefing.tui.screens.library import LibraryScreen
    from briefing.tui.screens.search import Chosen

LAST_BRIEFING = "last_briefing"


def _briefing_commands() -> type[Provider]:
    from briefing.tui.commands import BriefingCommands

    return BriefingCommands


def _library(store: Store) -> LibraryScreen:
    from briefing.tui.screens.library import LibraryScreen

    return LibraryScreen(store)


class BriefingApp(KeysInOrderApp[int]):  # keys typed fast follow the focus
    """A reader for briefings, with highlights and notes."""

    CSS_PATH = "briefing.tcss"
    TITLE = "briefing"
    COMMANDS = App.COMMANDS | {_briefing_commands}
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="app.help", key_display="?"),
    ]

    def __init__(
        self,
        store: Store,
        slug: str | None = None,
        section: str | None = None,
        *,
        after_first_frame: Callable[[], None] | None = None,
    ):
        super().__init__()
        self.store = store
        self._start = (slug, section)
        self.default_theme = ""  # config.toml's theme, used while none is remembered
        self._after_first_frame_hook = after_first_frame
        self._index: ThreadedIndex | None = None  # see _search_index
        self._remember_first: str | None = None  # the briefing start-up opened

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, plus the reader's colours derived from them."""
        variables = super().get_css_variables()
        variables.update(reader_variables(variables))
        self.theme_variables = variables
        return variables

    def get_default_screen(self) -> Screen[Any]:
        """The screen the user asked for, at the bottom of the stack.

        Not an empty default screen with this one pushed over it: a screen underneath
        is resized and repainted with the one on top, one more full frame at start-up.
        """
        slug, section = self._start
        slugs = self.store.slugs()
        if slug is None:
            slug = self.store.setting(LAST_BRIEFING)
            if slug is None and len(slugs) == 1:
                slug = slugs[0]  # first run: the bundled briefing
        screen: Screen[Any]
        if slug is not None and slug in slugs:
            # The library is built only when the user goes back to it: start-up
            # draws one screen, not two.
            screen = self._reader(slug, section, remember=False)
            self._remember_first = slug  # after the first frame: a write, under a lock
        else:
            screen = _library(self.store)
        # Textual gives the default screen no result callback, and switching away from
        # it fails popping one (https://github.com/Textualize/textual/issues/2650): give
        # it the no-op callback that switch_screen gives every screen it switches to.
        screen._push_result_callback(self, None)
        return screen

    def on_mount(self) -> None:
        theme = self.store.setting("theme") or self.default_theme
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        # After the theme just set is published: only a theme the user picks is saved,
        # so config.toml's theme keeps taking effect until then.
        self.call_next(self.theme_changed_signal.subscribe, self, self._remember_theme)
        self.call_after_refresh(self._after_first_frame)
        hangup.install(self)  # SIGHUP/SIGTERM keep open drafts and the position

    def on_unmount(self) -> None:
        hangup.uninstall()

    def _after_first_frame(self) -> None:
        """Once the first frame is out: the start-up hook (see :mod:`briefing.tui.launch`),
        then the work that frame did not need."""
        if self._after_first_frame_hook is not None:
            self._after_first_frame_hook()
        if self._remember_first is not None:
            self._remember(self._remember_first)

    def _remember(self, slug: str) -> None:
        """The briefing to open next time; a refused write is said, the reader stays."""
        try:
            self.store.set_setting(LAST_BRIEFING, slug)
        except DataError as error:
            self.notify(str(error), title="Not remembered", severity="error", markup=False)

    @on(ReaderScreen.Leave)
    def show_library(self) -> None:
        """Leave the reader for the library, building the library on first use."""
        if len(self.screen_stack) > 1:  # opened from the library, which is underneath
            self.pop_screen()
        else:
            self.switch_screen(_library(self.store))

    def on_library_screen_open(self, event: LibraryScreen.Open) -> None:
        self.open_briefing(event.slug)

    def _remember_theme(self, theme: Theme) -> None:
        self.store.set_setting("theme", theme.name)

    def open_briefing(
        self, slug: str, section: str | None = None, result: Chosen | None = None, *, note: str = ""
    ) -> None:
        """Read a briefing; at a global search ``result``, with its query searched there too;
        at the passage of the ``note`` with that id."""
        reader = self._reader(slug, section, result)
        reader.opening_note = note
        if isinstance(self.screen, ReaderScreen):
            self.switch_screen(reader)
        else:
            self.push_screen(reader)

    def _reader(
        self,
        slug: str,
        section: str | None = None,
        result: Chosen | None = None,
        *,
        remember: bool = True,
    ) -> ReaderScreen:
        if remember:
            self._remember(slug)
        index = self._search_index()
        return ReaderScreen(self.store, self.store.get(slug), section, index=index, result=result)

    def _search_index(self) -> ThreadedIndex:
        """The session's one search index, for every search screen: made again only when the
        library changed. Cheap: nothing is indexed before the first search."""
        library = self.store.library()
        if self._index is None or not self._index.built_from(library):
            self._index = ThreadedIndex(self.store, library)
        return self._index

    def action_help(self) -> None:
        from briefing.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_search_all(self) -> None:
        from briefing.tui.screens.search import SearchScreen  # loaded on first use, not at start

        if isinstance(self.screen, SearchScreen):
            return
        try:
            index = self._search_index()
        except DataError as error:
            self.notify(str(error), title="Search failed", severity="error", markup=False)
            return
        self.push_screen(SearchScreen(self.store, index), self._open_found)

    def _open_found(self, chosen: Chosen | None) -> None:
        """Open a global search result, with its query searched in the reader too."""
        if chosen is not None:
            self.open_briefing(chosen.hit.briefing, chosen.hit.section, chosen)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Never start a browser: the reader may be running on a server, over SSH."""
        self.copy_to_clipboard(url)
        self.notify(f"Link copied to clipboard: {url}", title="Link", markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        served = is_served()  # served: no "Screenshot", which writes outside briefing-notes/
        for command in super().get_system_commands(screen):
            if not (served and command.title == "Screenshot"):
                yield command
        yield SystemCommand("Help", "Show every key and what it does", self.action_help)


def make_app(
    store: Store,
    slug: str | None = None,
    section: str | None = None,
    *,
    after_first_frame: Callable[[], None] | None = None,
) -> BriefingApp:
    """The factory the CLI and the tests share."""
    return BriefingApp(store, slug, section, after_first_frame=after_first_frame)


def run_reader(
    store: Store,
    slug: str | None = None,
    section: str | None = None,
    *,
    after_first_frame: Callable[[], None] | None = None,
    theme: str = "",
) -> int:
    """Check everything the reader will read, then run it.

    A damaged data file, an unknown slug or section fails here, as one line naming
    the file or the key, instead of as a traceback from inside the running app.
    """
    store.slugs()  # reads the library index
    store.note_counts()  # reads every notes file of this user
    store.setting("theme")  # reads the state file
    if slug is not None and section is not None:
        store.section(slug, section)
    elif slug is not None:
        store.get(slug)
    app = make_app(store, slug, section, after_first_frame=after_first_frame)
    app.default_theme = theme  # config.toml's, until the user picks one
    app.run()
    return app.return_code or 0  # non-zero when the app crashed
