"""The text of one section, drawn from the same blocks the anchors live in.

Over 400 lines as one cohesive thing: the scrolling view of a section and everything drawn
over it (highlights, search marks, the passage cursor, a flash) and kept in place as it
scrolls, resizes and reflows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.errors import NoWidget
from textual.geometry import Region, Spacing
from textual.message import Message
from textual.timer import Timer

from briefing.core.model import Annotation, Briefing, Section
from briefing.core.sentences import paragraphs, sentences
from briefing.tui.passage import PassageCursor, by_word, word_spans
from briefing.tui.widgets.section_body import HEADING, Mark, SectionBody

#: Backgrounds per note colour, from the theme (see briefing.tui.colours). Underline as
#: well, so a highlight still shows on 16-colour terminals and under NO_COLOR.
HIGHLIGHT_STYLES = {
    colour: f"underline $reader-hl-{colour}-text on $reader-hl-{colour}"
    for colour in ("yellow", "green", "blue", "pink", "orange")
}
#: The keyboard passage. Reverse video reads on every terminal, over any highlight.
CURSOR_STYLE = "reverse"
#: A passage jumped to from the notes pane, briefly, so the eye finds it.
FLASH_STYLE = "bold $reader-flash-text on $reader-flash"
FLASH_SECONDS = 1.0
#: Refreshes to wait for a just-shown section's layout before giving up on a scroll.
LAYOUT_TRIES = 10
#: Search matches, and the one n/N went to. Bold and underline or reverse as well as
#: the tint, so they show on 16-colour terminals, under NO_COLOR and over a highlight.
SEARCH_STYLE = "bold underline $reader-search-text on $reader-search"
SEARCH_CURRENT_STYLE = "bold reverse $reader-current on $reader-current-text"
#: The headings search covers, by their style: the briefing title and the section title.
SEARCHED_HEADINGS = frozenset({".section-body--title", ".section-body--section-title"})


class SectionView(VerticalScroll, can_focus=True):
    """Scrollable section text with the briefing's title and metadata on top."""

    DEFAULT_CSS = """
    SectionView { scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    """
    BINDINGS = [
        Binding(
            "enter",
            "copy_link",
            "Copy link",
            id="text.copy_link",
            tooltip="Copy the target of the link in the passage (links are never opened)",
        ),
    ]

    class EndSeen(Message):
        """The end of the section has been on screen: it counts as read."""

        def __init__(self, section: str) -> None:
            super().__init__()
            self.section = section

    class PassageChanged(Message):
        """The keyboard passage moved or was cleared: what can be annotated changed."""

    def __init__(self, briefing: Briefing, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.briefing = briefing
        self.section: Section | None = None
        self.cursor = PassageCursor((), ())
        self._highlights: list[Mark] = []
        self._flash: Mark | None = None
        self._search: dict[str, tuple[Mark, ...]] = {}  # section key -> its matches
        self._search_current: tuple[str, Mark] | None = None  # section key, the match
        self._search_query = ""  # also marked in the headings, which are not section text
        self._heading_marks_for: tuple[object, dict[int, tuple[Mark, ...]]] = (None, {})
        self._flash_timer: Timer | None = None
        self._end_reported = False
        self._words: tuple[str, list[tuple[int, int]]] | None = None  # section key, its words
        self.body = SectionBody(id="body")
        self._pending_scroll: float | None = None
        # The text offset on the window's top line, kept across resizes (None: the top).
        self._place: int | None = None
        self._links_told: tuple[str, ...] = ()  # the link targets last shown for the passage

    def compose(self) -> ComposeResult:
        yield self.body

    def show(
        self, section: Section, annotations: Sequence[Annotation] = (), scroll_y: float = 0.0
    ) -> None:
        """Replace the text; keep the scroll position only when asked to."""
        self.section = section
        self._end_reported = False
        self.cursor = PassageCursor(sentences(section.text), paragraphs(section.text))
        self._flash = None
        self._highlights = self._highlight_marks(annotations)
        if self.is_mounted and self.body.text_selection is not None:
            self.screen.clear_selection()  # it was of the old text: a to annotate it would miss
        self.body.show(self._headings(section), section.text, section.blocks, self.marks)
        self.body.set_marks(self.marks, self._heading_marks())  # this section's title
        self._pending_scroll = scroll_y
        self._place = None
        self.call_after_refresh(self._settle)
        self.post_message(self.PassageChanged())

    def _headings(self, section: Section) -> list[tuple[str, str]]:
        """The lines above the text: the briefing's title and facts, the section's title."""
        briefing = self.briefing
        facts = [*briefing.facts, " ".join(f"#{t}" for t in briefing.tags)]
        return [
            (briefing.title, ".section-body--title"),
            (" · ".join(f for f in facts if f), ".section-body--facts"),
            ("", ""),
            (section.title, ".section-body--section-title"),
            ("", ""),
        ]

    def set_search(
        self,
        matches: Mapping[str, Sequence[tuple[int, int]]],
        current: tuple[str, int, int] | None = None,
        query: str = "",
    ) -> None:
        """Mark search matches, per section key, and the current one (section, start, end).

        Kept for every section, so a section switched to shows its matches at once. The marks
        are made here, once per search, not on every redraw. ``query`` is searched in the
        headings too: the briefing title and the section title.
        """
        self._search_query = query
        self._search = {
            key: tuple(Mark(start, end, SEARCH_STYLE) for start, end in spans)
            for key, spans in matches.items()
        }
        self.set_search_current(current)

    def set_search_current(self, current: tuple[str, int, int] | None) -> None:
        """Mark the current search match (section, start, end) alone: n and N change no other."""
        if current is None:
            self._search_current = None
        else:
            key, start, end = current
            self._search_current = (key, Mark(start, end, SEARCH_CURRENT_STYLE))
        self._redraw()

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Redraw the highlights after notes changed, keeping scroll and cursor."""
        self._highlights = self._highlight_marks(annotations)
        self._redraw()

    @staticmethod
    def _highlight_marks(annotations: Sequence[Annotation]) -> list[Mark]:
        return [
            Mark(a.start, a.end, HIGHLIGHT_STYLES.get(a.color, HIGHLIGHT_STYLES["yellow"]))
            for a in annotations
            if a.status == "anchored"
        ]

    @property
    def marks(self) -> list[Mark]:
        """Everything drawn over the text, later marks on top: highlights, search, cursor,
        flash."""
        marks = list(self._highlights)
        key = self.section.key if self.section is not None else ""
        marks.extend(self._search.get(key, ()))
        if self._search_current is not None and self._search_current[0] == key:
            marks.append(self._search_current[1])
        span = self.cursor.span
        if span is not None:
            marks.append(Mark(*span, CURSOR_STYLE))
        if self._flash is not None:
            marks.append(self._flash)
        return marks

    def _redraw(self) -> None:
        self.body.set_marks(self.marks, self._heading_marks())

    def _heading_marks(self) -> dict[int, tuple[Mark, ...]]:
        """Search matches in the briefing title and the section title, the headings that
        search finds (not the facts line under the title), by heading number."""
        if self.section is None or not self._search_query.strip():
            return {}
        key = (self.section.key, self._search_query)
        if self._heading_marks_for[0] != key:  # not again at every move of the cursor
            from briefing.core.search.index import find_matches  # loaded with the first search

            marks = {
                number: tuple(
                    Mark(s, e, SEARCH_STYLE) for s, e in find_matches(text, self._search_query)
                )
                for number, (text, style) in enumerate(self._headings(self.section))
                if style in SEARCHED_HEADINGS
            }
            self._heading_marks_for = (key, marks)
        return self._heading_marks_for[1]

    def _settle(self) -> None:
        """Apply the scroll position asked for by ``show``, unless a reveal came first."""
        if self._pending_scroll is not None:
            self.scroll_to(y=self._pending_scroll, animate=False, immediate=True)
            self._pending_scroll = None
        # Not at once: until the next refresh the geometry is the old section's scroll, and
        # leaving one at its end would mark the next one read.
        self.call_after_refresh(self._check_end)

    def watch_virtual_size(self) -> None:
        """Freshly mounted blocks get their height here: the end may now be in view."""
        self.call_after_refresh(self._check_end)

    # -- the passage: keyboard cursor and mouse selection -----------------

    @property
    def passage(self) -> tuple[int, int] | None:
        """The keyboard-selected sentences, as an offset span of the section text."""
        return self.cursor.span

    def move_passage(self, delta: int, *, extend: bool = False) -> None:
        """Select the next/previous sentence, or grow/shrink the selection by one."""
        # Where a fresh cursor appears; measuring the window costs, so only then.
        start = 0 if self.cursor.active else self._first_visible_sentence()
        if extend:
            self.cursor.extend(delta, start)
        else:
            self.cursor.move(delta, start)
        self._passage_moved()

    def move_word_edge(self, edge: str, delta: int) -> None:
        """Move the passage's ``edge`` ("start" or "end") a word out or in (see
        :func:`~briefing.tui.passage.by_word`). With no passage yet, the first word on
        screen is selected."""
        if self.section is None:
            return
        words = self._words
        if words is None or words[0] != self.section.key:
            words = self._words = (self.section.key, word_spans(self.section.text))
        spans = words[1]
        span = self.cursor.span
        if span is None:
            self.cursor.place(self._first_visible_sentence())
            span = self.cursor.span
            if span is None:
                return
            first = next(((s, e) for s, e in spans if s >= span[0]), None)
            if first is None:
                return
            self.cursor.set_words(first)
        else:
            start, end = self.cursor.block_of(span[0])  # never into the next block
            inside = [(s, e) for s, e in spans if s >= start and e <= end]
            self.cursor.set_words(by_word(span, inside, edge, delta, self.section.text))
        self._passage_moved()

    def select_paragraph(self, delta: int) -> None:
        self.cursor.select_paragraph(
            delta, 0 if self.cursor.active else self._first_visible_sentence()
        )
        self._passage_moved()

    def clear_passage(self) -> None:
        self.cursor.clear()
        self._passage_moved()

    # -- links ----------------------------------------------------------

    def passage_links(self) -> tuple[str, ...]:
        """The targets of the links the keyboard passage runs over, in text order."""
        span = self.cursor.span
        if span is None:
            return ()
        start, end = span
        targets: list[str] = []
        for block in self.body.blocks:
            if block.end < start or block.start > end:
                continue
            for link in block.spans:
                inside = block.start + link.start < end and block.start + link.end > start
                if link.style == "link" and link.href and inside and link.href not in targets:
                    targets.append(link.href)
        return tuple(targets)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_link":
            return bool(self.passage_links())
        return True

    def action_copy_link(self) -> None:
        """Copy the passage's link target: the app's ``open_url`` copies, never opens."""
        for href in self.passage_links()[:1]:
            self.app.open_url(href)

    def _tell_links(self) -> None:
        """Show the targets of the links a newly selected passage holds."""
        links = self.passage_links()
        if links and links != self._links_told:
            more = f" (and {len(links) - 1} more)" if len(links) > 1 else ""
            self.notify(f"{links[0]}{more}", title="Link: enter copies it", markup=False, timeout=4)
        self._links_told = links
        self.refresh_bindings()

    def _passage_moved(self) -> None:
        self._tell_links()
        self._redraw()
        span = self.cursor.span
        if span is not None:
            # Keep the moving end in view: the head sentence, not the whole run.
            head = self.cursor.sentences[self.cursor.head or 0]
            self.scroll_to_span(*head)
        self.post_message(self.PassageChanged())

    def selected_span(self) -> tuple[int, int] | None:
        """The text selected with the mouse, as an offset span of the section text."""
        selection = self.screen.selections.get(self.body)
        return None if selection is None else self.body.selected_span(selection)

    def flash(self, start: int, end: int) -> None:
        """Scroll a passage into view and mark it for a moment."""
        self._flash = Mark(start, end, FLASH_STYLE)
        self._redraw()
        self.reveal(start, end, center=True)
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(FLASH_SECONDS, self._end_flash)

    def _end_flash(self) -> None:
        self._flash = None
        self._flash_timer = None
        self._redraw()

    # -- geometry ---------------------------------------------------------

    def line_y(self, offset: int, *, through: bool = False) -> int | None:
        """The virtual y (in this view's scrollable area) of the line drawing ``offset``.

        ``through`` asks for the line of the character before ``offset`` instead: where
        a span ending there ends. None while the text is not laid out.
        """
        body = self.body
        if not body.size.width:
            return None
        line = body.line_of(offset - 1 if through else offset)
        if line is None:
            return None
        top = body.content_region.y - self.scrollable_content_region.y + round(self.scroll_y)
        return top + line

    def reveal(
        self, start: int, end: int, *, center: bool = False, tries: int = LAYOUT_TRIES
    ) -> None:
        """Scroll to a span as soon as its block is laid out: a section that was just
        shown is laid out over the next refreshes, and scrolling measures wrapped lines."""
        if self.scroll_to_span(start, end, center=center):
            self._pending_scroll = None  # the section's opening position no longer applies
        elif tries > 0:
            self.call_after_refresh(self.reveal, start, end, center=center, tries=tries - 1)
        else:  # the text stays where it is: worth a look in the log, not an error for the user
            self.log.warning(f"reveal({start}, {end}): its block was never laid out; not scrolled")

    def scroll_to_span(self, start: int, end: int, *, center: bool = False) -> bool:
        """Scroll the least needed (or to the middle) to show the span, a line of context.

        False if the span's block is not laid out yet (a section just shown): nothing moved.
        """
        top = self.line_y(start)
        bottom = self.line_y(max(start + 1, end), through=True)
        if top is None or bottom is None or bottom >= self.virtual_size.height:
            return False  # the blocks are placed, but the scrollable size is not yet
        self.scroll_to_region(
            Region(0, top, 1, max(bottom - top + 1, 1)),
            spacing=Spacing(1, 0, 1, 0),
            animate=False,
            center=center,
            immediate=True,
        )
        return True

    def _first_visible_sentence(self) -> int:
        """Where a fresh cursor starts: the first sentence starting inside the window, or
        else (a long paragraph fills it) the one running through its top line."""
        top = round(self.scroll_y)
        bottom = top + self.scrollable_content_region.height
        before = 0
        for index, (start, _) in enumerate(self.cursor.sentences):
            y = self.line_y(start)
            if y is None:
                continue
            if y >= top:
                return index if y < bottom else before
            before = index
        return before

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self._check_end)  # geometry is updated on refresh
        self.call_after_refresh(self._remember_place, self.size)

    #: Below this many rows the headings are compacted (:meth:`SectionBody.set_compact`).
    COMPACT_BELOW = 16

    def on_resize(self) -> None:
        self.body.set_compact(0 < self.size.height < self.COMPACT_BELOW)
        self.call_after_refresh(self._check_end)
        if self._place is not None:  # the text reflows: bring the same words back to the top
            self.call_after_refresh(self._restore_place, self._place, LAYOUT_TRIES)

    def _top_offset(self) -> int | None:
        """The text offset at the start of the window's top line; None above the text."""
        body = self.body
        lines = body.lines
        if not body.size.width or not lines:
            return None
        top = body.content_region.y - self.scrollable_content_region.y + round(self.scroll_y)
        index = min(round(self.scroll_y) - top, len(lines) - 1)
        if index <= 0 or lines[index].block == HEADING:
            return None
        return lines[index].start

    def _remember_place(self, size: object) -> None:
        """After a scroll, at the size it happened at (a resize's own clamping is not a
        place the reader chose)."""
        if self.size == size and self._pending_scroll is None:
            self._place = self._top_offset()

    def _restore_place(self, place: int, tries: int) -> None:
        """Scroll ``place`` back to the top line, and again after each refresh until the
        reflowed text has settled (its blocks are re-measured over several)."""
        self._place = place
        y = self.line_y(place)
        if y is not None and y < self.virtual_size.height and y != round(self.scroll_y):
            self.scroll_to(y=y, animate=False, immediate=True)
        elif y is not None and y == round(self.scroll_y) and tries < LAYOUT_TRIES - 2:
            return  # in place, and stayed there across a refresh
        if tries > 0:
            self.call_after_refresh(self._restore_place, place, tries - 1)

    def _check_end(self) -> None:
        """Report once when the last block's final line is inside the window."""
        if self.section is None or self._end_reported or not self.is_attached:
            return
        if not self.body.blocks:  # nothing to read: its end is on screen with its title
            self._end_reported = True
            self.post_message(self.EndSeen(self.section.key))
            return
        try:
            geometry = self.screen.find_widget(self.body)
        except (NoMatches, NoWidget):  # removed, or not laid out yet
            return
        region, clip = geometry.region, geometry.clip
        bottom = region.bottom - 1  # the body ends in a blank line, the last block's margin
        if region.height > 1 and clip.y < bottom <= clip.bottom:
            self._end_reported = True
            self.post_message(self.EndSeen(self.section.key))
