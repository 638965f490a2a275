"""Notes through the user's own Jinja2 template (``briefing export --template FILE``).

Jinja2 is an optional extra (``pip install 'briefing[template]'``); without it
:func:`render_template` raises :class:`TemplateUnavailable` naming the extra. The
template runs sandboxed (it cannot reach Python objects' internals) and without
HTML autoescaping (the output is Markdown). It sees:

* ``briefings``: the JSON export's briefings (see :mod:`briefing.core.jsonshape`),
  each note with ``block_id`` (its Obsidian id), ``obsidian_tags`` and ``callout``
  (the callout type for its colour) added;
* ``exported``, ``tool``, ``notes`` (how many);
* filters ``quote`` (a passage as escaped Markdown quote lines), ``inline`` (text
  escaped for one Markdown line) and ``tag`` (a stored tag as an Obsidian tag).

Pure: the caller reads the template file and writes the result.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from briefing.core import export
from briefing.core.export import ExportItem

EXTRA = "briefing[template]"


class TemplateUnavailable(RuntimeError):
    """Jinja2 is not installed; the message names the extra to install."""


class TemplateFailed(ValueError):
    """The template has a syntax error or failed while rendering; one line."""


def render_template(
    source: str, items: Sequence[ExportItem], *, exported_at: str, version: str, name: str = ""
) -> str:
    """``source`` (a Jinja2 template) rendered over ``items``; see the module docstring."""
    try:
        import jinja2
        from jinja2.sandbox import SandboxedEnvironment
    except ImportError:
        raise TemplateUnavailable(f"--template needs Jinja2: pip install '{EXTRA}'") from None
    data = json.loads(export.export_json(items, exported_at=exported_at, version=version))
    for briefing in data["briefings"]:
        for note in briefing["notes"]:
            note["block_id"] = export.block_id(note["id"])
            note["obsidian_tags"] = [t for t in map(export.obsidian_tag, note["tags"]) if t]
            note["callout"] = export.callout_type(note["color"])
    env = SandboxedEnvironment(
        autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    env.filters |= {
        "quote": export.markdown_quote,
        "inline": export.markdown_inline,
        "tag": export.obsidian_tag,
    }
    context: dict[str, Any] = {
        "briefings": data["briefings"],
        "exported": exported_at,
        "tool": f"briefing {version}",
        "notes": sum(len(b["notes"]) for b in data["briefings"]),
    }
    where = f"{name}: " if name else ""
    try:
        return env.from_string(source).render(context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateFailed(f"{where}line {error.lineno}: {error.message}") from None
    except jinja2.TemplateError as error:
        raise TemplateFailed(f"{where}{error}") from None
