"""Every key of the reader, declared once, in the order help lists them.

The reader screen owns these bindings; its controllers (search, annotation) have none of
their own. Whether a key works now is decided in one place, ``ReaderScreen.check_action``.
Esc has one binding and one meaning, ``ReaderScreen.action_escape``: it undoes the
innermost thing (search line, tag filter, passage, search) and never leaves the reader;
``q`` does.
"""

from __future__ import annotations

from textual.binding import Binding


def _key(
    key: str,
    action: str,
    description: str,
    tooltip: str,
    *,
    show: bool = False,
    display: str | None = None,
) -> Binding:
    """One reader binding: its id is ``reader.<action>``; the tooltip is help's line."""
    return Binding(
        key,
        action,
        description,
        show=show,
        key_display=display,
        tooltip=tooltip,
        id=f"reader.{action}",
    )


READER_BINDINGS = [
    # Moving through the briefing.
    _key("right_square_bracket", "next_section", "Next §", "Next section", show=True, display="]"),
    _key(
        "left_square_bracket",
        "previous_section",
        "Prev §",
        "Previous section",
        show=True,
        display="[",
    ),
    _key("j", "scroll_down", "Down", "Scroll down a line"),
    _key("k", "scroll_up", "Up", "Scroll up a line"),
    _key("space", "page_down", "Page down", "Page down"),
    _key("b", "page_up", "Page up", "Page up"),
    _key("g", "top", "Top", "Top of the section"),
    _key("G", "bottom", "Bottom", "Bottom of the section", display="G"),
    _key("c", "toggle_contents", "Contents", "Show or hide the sections pane", show=True),
    _key("s", "toggle_notes", "Notes", "Show or hide the notes pane", show=True),
    # The passage cursor and notes.
    _key("l", "next_sentence", "Sentence", "Select the next sentence", show=True),
    _key("h", "previous_sentence", "Previous sentence", "Select the previous sentence"),
    _key(
        "L",
        "extend_forward",
        "Extend passage",
        "Extend the passage a sentence forward",
        display="L",
    ),
    _key(
        "H",
        "extend_back",
        "Extend passage back",
        "Extend the passage back (or shrink it)",
        display="H",
    ),
    _key("w", "word_end_out", "Word more", "Passage: take one more word at its end"),
    _key("W", "word_end_in", "Word less", "Passage: drop the last word", display="W"),
    _key(
        "less_than_sign",
        "word_start_out",
        "Word before",
        "Passage: take the word before it",
        display="<",
    ),
    _key(
        "greater_than_sign",
        "word_start_in",
        "Word after",
        "Passage: drop its first word",
        display=">",
    ),
    _key(
        "right_curly_bracket",
        "next_paragraph",
        "Next paragraph",
        "Select the next paragraph",
        display="}",
    ),
    _key(
        "left_curly_bracket",
        "previous_paragraph",
        "Previous paragraph",
        "Select the previous paragraph",
        display="{",
    ),
    _key("a", "annotate", "Annotate", "Annotate the passage or mouse selection", show=True),
    _key("e", "edit_note", "Edit", "Edit the note (highlighted, or under passage)", show=True),
    _key(
        "d", "delete_note", "Delete", "Delete the note (highlighted, or under passage)", show=True
    ),
    _key("u", "undo_delete", "Undo", "Undo the last delete", show=True),
    _key(
        "r",
        "reattach_note",
        "Re-attach",
        "Re-attach the highlighted orphan to the passage",
        show=True,
    ),
    _key(
        "v", "view_note", "View", "Read the whole note (highlighted, or under passage)", show=True
    ),
    _key(
        "S",
        "notes_scope",
        "Scope",
        "Notes pane: this section's notes, or the whole briefing's",
        show=True,
        display="S",
    ),
    _key("t", "filter_tags", "Tags", "Filter the notes by tag", show=True),
    _key(
        "o", "outline", "Outline", "Edit the outline: where sections start, their titles, the lead"
    ),
    _key("x", "export_notes", "Export", "Export the notes: save as Markdown, or copy", show=True),
    # Searching.
    _key(
        "slash",
        "open_search",
        "Search",
        "Search this briefing and its notes",
        show=True,
        display="/",
    ),
    _key("n", "next_match", "Next match", "Go to the next search match"),
    _key("N", "previous_match", "Previous match", "Go to the previous search match", display="N"),
    Binding(
        "ctrl+f",
        "app.search_all",
        "Search all briefings",
        show=False,
        tooltip="Search every briefing and all your notes",
        id="reader.search_all",
    ),
    # Leaving things.
    _key(
        "escape",
        "escape",
        "Back",
        "Close the search line or tag filter, else clear the"
        " passage, else the search; never leaves the reader",
        display="esc",
    ),
    _key("q", "library", "Library", "Back to the library", show=True),
]
