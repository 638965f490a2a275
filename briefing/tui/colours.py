"""The reader's colours, derived from the current theme with their contrast checked.

Textual's ``auto`` text colours are resolved against the wrong background inside a span
style, and fixed colours (a highlight on #00005f) read on one theme only. So every colour
the reader draws text in or under is computed here from the theme's own variables, and
each text colour is pushed towards black or white until it reaches WCAG AA (4.5:1)
against the background it is drawn on. The app adds these as CSS variables
(``$reader-...``), so a theme change recomputes them all.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.color import Color

from briefing.core.model import COLORS

#: WCAG AA for body text, with a little room for Textual's 4% focus tint on a pane.
TEXT_CONTRAST = 4.5 + 0.3
#: WCAG for non-text marks (the colour bar of a note card).
MARK_CONTRAST = 3.0
#: The hue of each note colour, blended into the theme's background for its highlight.
HUES = {
    "yellow": "#d7af00",
    "green": "#2e9e44",
    "blue": "#3a7bd5",
    "pink": "#d0489b",
    "orange": "#e07b00",
}
#: How much of the hue a highlight's background takes: visible, yet text still reads on it.
HIGHLIGHT_MIX = 0.35
BLACK, WHITE = Color(0, 0, 0), Color(255, 255, 255)


def luminance(colour: Color) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(first: Color | str, second: Color | str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    a = Color.parse(first) if isinstance(first, str) else first
    b = Color.parse(second) if isinstance(second, str) else second
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(colour: Color, *backgrounds: Color, target: float = TEXT_CONTRAST) -> Color:
    """``colour``, or the least change of it towards black or white that reaches ``target``
    against every one of ``backgrounds``."""

    def worst(candidate: Color) -> float:
        return min(contrast(candidate, background) for background in backgrounds)

    if worst(colour) >= target:
        return colour
    best = colour
    for step in range(1, 21):
        for pole in (BLACK, WHITE):
            candidate = colour.blend(pole, step / 20)
            if worst(candidate) >= target:
                return candidate
            if worst(candidate) > worst(best):
                best = candidate
    return best


def _opaque(value: str, under: Color) -> Color:
    """A theme colour, with any transparency flattened onto ``under``."""
    colour = Color.parse(value)
    return under + colour if colour.a < 1 else colour


def _chrome(
    theme: Mapping[str, str], background: Color, surface: Color, foreground: Color
) -> dict[str, Color]:
    """The colours of the app around the text, each at AA: the key bar, a hint in an input
    field, the library's header and cursor row."""
    panel = _opaque(theme["panel"], background)
    bar = _opaque(theme["footer-background"], background)
    solid = _opaque(theme["block-cursor-background"], background)
    on_cursor = max((WHITE, BLACK), key=lambda pole: contrast(pole, solid))
    tinted = panel.blend(foreground, 0.05)  # a focused table's tint over its header
    return {
        "reader-bar": bar,
        "reader-key": readable(_opaque(theme["footer-key-foreground"], bar), bar),
        "reader-key-text": readable(_opaque(theme["footer-foreground"], bar), bar),
        "reader-hint": readable(foreground.blend(background, 0.45), background, surface, panel),
        "reader-header-text": readable(foreground, panel, tinted),
        "reader-cursor": readable(solid, on_cursor),
        "reader-cursor-text": on_cursor,
    }


def reader_variables(theme: Mapping[str, str]) -> dict[str, str]:
    """The ``reader-*`` CSS variables (and the selection's) for a theme's variables."""
    background = Color.parse(theme["background"])
    surface = _opaque(theme["surface"], background)
    foreground = _opaque(theme["foreground"], background)
    warning = _opaque(theme["warning"], background)
    primary = _opaque(theme["primary"], background)
    accent = _opaque(theme.get("text-accent", theme["accent"]), background)
    # The grounds text is drawn on: the screen, the panes, and a blurred cursor over them
    # (the highlighted note card's lines are drawn in these colours too).
    cursor = _opaque(theme["block-cursor-blurred-background"], surface)
    grounds = (background, surface, cursor)
    out_card = {"reader-card": cursor}  # the highlighted note card, opaque
    out = {
        "reader-text": readable(foreground, *grounds),
        "reader-muted": readable(foreground.blend(background, 0.35), *grounds),
        "reader-accent": readable(accent, *grounds),
    }
    out.update(out_card)
    out.update(_chrome(theme, background, surface, foreground))
    tinted = [ground.blend(foreground, 0.06) for ground in (background, surface)]  # focused
    out["reader-rule"] = readable(
        foreground.blend(surface, 0.6), surface, background, *tinted, target=MARK_CONTRAST
    )
    for name in COLORS:
        hue = Color.parse(HUES[name])
        fill = background.blend(hue, HIGHLIGHT_MIX)
        out[f"reader-hl-{name}"] = fill
        out[f"reader-hl-{name}-text"] = readable(foreground, fill)
        out[f"reader-hl-{name}-bar"] = readable(hue, *grounds, target=MARK_CONTRAST + 0.3)
    search = background.blend(warning, HIGHLIGHT_MIX)
    out["reader-search"] = search
    out["reader-search-text"] = readable(foreground, search)
    out["reader-current"] = warning
    out["reader-current-text"] = readable(background, warning)
    flash = background.blend(warning, 0.7)
    out["reader-flash"] = flash
    out["reader-flash-text"] = readable(foreground, flash)
    selection = background.blend(primary, 0.45)
    out["screen-selection-background"] = selection
    out["screen-selection-foreground"] = readable(foreground, selection)
    return {key: value.hex for key, value in out.items()}
