"""The text of one section, drawn from the same blocks the anchors live in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static

from briefing.ingest import section_blocks
from briefing.model import Annotation, Block, Briefing, Section
from briefing.safetext import visible

INLINE_STYLES = {"em": "italic", "strong": "bold", "code": "reverse", "strike": "strike"}
#: Backgrounds per note colour. Underline as well, so a highlight still shows
#: on 16-colour terminals and under NO_COLOR.
HIGHLIGHT_STYLES = {
    "yellow": "underline on #5f5f00",
    "green": "underline on #005f00",
    "blue": "underline on #00005f",
    "pink": "underline on #5f005f",
    "orange": "underline on #5f3700",
}


@dataclass(frozen=True)
class Mark:
    """A range of the section's plain text to draw in a given style."""

    start: int
    end: int
    style: str


def block_content(block: Block, marks: Sequence[Mark] = ()) -> Content:
    """Block text as Content; never parsed as markup, controls made visible."""
    content = Content(visible(block.text))
    for span in block.spans:
        if span.style == "link":
            content = content.stylize("underline $text-accent", span.start, span.end)
        else:
            content = content.stylize(INLINE_STYLES[span.style], span.start, span.end)
    for mark in marks:
        start, end = max(mark.start, block.start), min(mark.end, block.end)
        if start < end:
            content = content.stylize(mark.style, start - block.start, end - block.start)
    return content


class BlockText(Static):
    """One block's text; knows where it sits in the section's plain text."""

    def __init__(self, block: Block, content: Content, *, classes: str = "") -> None:
        super().__init__(content, classes=classes)
        self.block = block


class SectionView(VerticalScroll, can_focus=True):
    """Scrollable section text with the briefing's title and metadata on top."""

    DEFAULT_CSS = """
    SectionView { padding: 0 1; scrollbar-size-vertical: 1; }
    SectionView > #column { height: auto; max-width: 80; }
    SectionView #blocks { height: auto; }
    SectionView .block { margin-bottom: 1; height: auto; }
    SectionView .heading { text-style: bold; }
    SectionView .quote { border-left: outer $primary; padding-left: 1; color: $text-muted; }
    SectionView .code { background: $boost; padding: 0 1; }
    SectionView .rule { height: 1; border-top: solid $primary-muted; }
    SectionView .item { layout: horizontal; height: auto; }
    SectionView .item > .marker { width: auto; padding-right: 1; color: $text-accent; }
    SectionView .item > .body { width: 1fr; }
    SectionView #title { text-style: bold; color: $text-accent; }
    SectionView #meta { color: $text-muted; margin-bottom: 1; }
    SectionView #section-title { text-style: bold underline; margin-bottom: 1; }
    """

    class EndSeen(Message):
        """The end of the section has been on screen: it counts as read."""

        def __init__(self, section: str) -> None:
            super().__init__()
            self.section = section

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.section: Section | None = None
        self._marks: list[Mark] = []
        self._end_reported = False

    def compose(self):  # type: ignore[no-untyped-def]
        with Vertical(id="column"):
            yield Static(id="title", markup=False)
            yield Static(id="meta", markup=False)
            yield Static(id="section-title", markup=False)
            yield Vertical(id="blocks")

    def show(
        self,
        briefing: Briefing,
        section: Section,
        annotations: Sequence[Annotation] = (),
        scroll_y: float = 0.0,
    ) -> None:
        """Replace the text; keep the scroll position only when asked to."""
        self.section = section
        self._end_reported = False
        self._marks = [
            Mark(a.start, a.end, HIGHLIGHT_STYLES.get(a.color, HIGHLIGHT_STYLES["yellow"]))
            for a in annotations
            if a.status == "anchored"
        ]
        facts = [briefing.source, briefing.date, " ".join(f"#{t}" for t in briefing.tags)]
        self.query_one("#title", Static).update(Content(visible(briefing.title)))
        self.query_one("#meta", Static).update(Content(visible(" · ".join(f for f in facts if f))))
        self.query_one("#section-title", Static).update(Content(visible(section.title)))
        blocks = self.query_one("#blocks", Vertical)
        with self.app.batch_update():
            blocks.remove_children()
            blocks.mount_all(self._block_widgets(section))
        self.call_after_refresh(self._settle, scroll_y)

    def _settle(self, scroll_y: float) -> None:
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self._check_end()
        # Layout of freshly mounted blocks can land after this refresh; look again.
        self.set_timer(0.1, self._check_end)

    def _block_widgets(self, section: Section) -> list[Static | Horizontal]:
        widgets: list[Static | Horizontal] = []
        for block in section_blocks(section.markdown):
            content = block_content(block, self._marks)
            if block.kind == "item":
                indent = "  " * (block.level - 1)
                widgets.append(
                    Horizontal(
                        Static(indent + (block.marker or " "), classes="marker"),
                        BlockText(block, content, classes="body"),
                        classes="block item",
                    )
                )
            else:
                widgets.append(BlockText(block, content, classes=f"block {block.kind}"))
        return widgets

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self._check_end)  # geometry is updated on refresh

    def on_resize(self) -> None:
        self.call_after_refresh(self._check_end)

    def _check_end(self) -> None:
        """Report once when the last block's final line is inside the window."""
        if self.section is None or self._end_reported or not self.is_attached:
            return
        blocks = self.query_one("#blocks", Vertical).children
        if not blocks:
            return
        try:
            geometry = self.screen.find_widget(blocks[-1])
        except NoMatches:  # not laid out yet
            return
        region, clip = geometry.region, geometry.clip
        if region.height and clip.y < region.bottom <= clip.bottom:
            self._end_reported = True
            self.post_message(self.EndSeen(self.section.key))
