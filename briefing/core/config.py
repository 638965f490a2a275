"""``config.toml``: the user's settings, in the platform's config folder.

Where: ``$BRIEFING_CONFIG`` if set, else ``platformdirs.user_config_path("briefing")
/ "config.toml"`` (``~/.config/briefing/config.toml`` on Linux). A missing file
means defaults. Every key is optional::

    [export]
    folder = "~/Vault/Briefings"   # `export SLUG` with no -o writes FOLDER/SLUG.md
    template = "~/notes.md.j2"     # the default --template (needs briefing[template])

    [notes]
    default_tags = ["inbox"]       # added to every note made with `notes add`

    [reader]
    theme = "textual-light"        # the reader's theme until you pick one with ctrl+t

A file that is not TOML, a key of the wrong type or an unknown key is a
:class:`ConfigError` with one line naming the file and the key: a typo must
not be ignored in silence. Reading is pure apart from reading the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.core.safetext import BIDI

APP = "briefing"
ENV = "BRIEFING_CONFIG"

#: section -> key -> (type, description) -- also what `briefing config show` lists.
KEYS: dict[str, dict[str, tuple[type, str]]] = {
    "export": {
        "folder": (str, "export SLUG without -o writes FOLDER/SLUG.md (a vault folder)"),
        "template": (str, "a Jinja2 template used when --template is not given"),
    },
    "notes": {"default_tags": (list, "tags added to every note made with `notes add`")},
    "reader": {"theme": (str, "the reader's theme until one is picked in the reader")},
}


#: The reader's themes: Textual's built-in ones (the core may not import Textual; a test
#: holds this equal to ``textual.theme.BUILTIN_THEMES``).
THEMES = (
    "ansi-dark",
    "ansi-light",
    "atom-one-dark",
    "atom-one-light",
    "catppuccin-frappe",
    "catppuccin-latte",
    "catppuccin-macchiato",
    "catppuccin-mocha",
    "dracula",
    "flexoki",
    "gruvbox",
    "monokai",
    "nord",
    "rose-pine",
    "rose-pine-dawn",
    "rose-pine-moon",
    "solarized-dark",
    "solarized-light",
    "textual-dark",
    "textual-light",
    "tokyo-night",
)


def theme_problem(config: Config) -> str:
    """One line saying the config's theme is no theme (the reader then uses its
    default), or "" when it is one or is not set."""
    if not config.theme or config.theme in THEMES:
        return ""
    return (
        f"config {config.path}: reader.theme {config.theme!r} is not a theme; the reader"
        " uses its default (see `briefing config show` for the themes)"
    )


class ConfigError(ValueError):
    """A config file that cannot be used; the message is one line naming the file."""


@dataclass(frozen=True)
class Config:
    """The settings; empty values mean "not set"."""

    path: Path
    export_folder: Path | None = None
    export_template: Path | None = None
    default_tags: tuple[str, ...] = ()
    theme: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The config file's path (it need not exist)."""
    env = os.environ if environ is None else environ
    if env.get(ENV):
        return Path(env[ENV]).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default :func:`config_path`); defaults when it is missing."""
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"cannot read config {path}: {reason}") from None
    import tomllib  # only when there is a file to parse: most starts have none

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {path} is not valid TOML: {error}") from None
    for section, values in raw.items():
        if section not in KEYS or not isinstance(values, dict):
            known = ", ".join(f"[{name}]" for name in KEYS)
            raise ConfigError(f"config {path}: unknown section [{section}] (known: {known})")
        for key, value in values.items():
            if key not in KEYS[section]:
                known = ", ".join(KEYS[section])
                raise ConfigError(f"config {path}: unknown key {section}.{key} (known: {known})")
            kind = KEYS[section][key][0]
            if not isinstance(value, kind) or (
                isinstance(value, list) and not all(isinstance(v, str) for v in value)
            ):
                wanted = "a list of strings" if kind is list else "a string"
                raise ConfigError(f"config {path}: {section}.{key} must be {wanted}")
    export = raw.get("export", {})
    folder, template = export.get("folder"), export.get("template")
    return Config(
        path,
        export_folder=_user_path(folder, path),
        export_template=_user_path(template, path),
        default_tags=tuple(raw.get("notes", {}).get("default_tags", ())),
        theme=raw.get("reader", {}).get("theme", ""),
        raw=raw,
    )


def _user_path(value: str | None, config: Path) -> Path | None:
    """``~`` expanded; a relative path is relative to the config file's folder."""
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else config.parent / path


def describe(config: Config) -> list[str]:
    """``briefing config show``: the file's path, then every key with its value, a key
    not set as a comment. Valid TOML: read back, it gives the file's settings."""
    state = "" if config.path.exists() else "  (no file yet: defaults)"
    lines = [f"# {_toml(str(config.path))[1:-1]}{state}"]
    for section, keys in KEYS.items():
        lines += ["", f"[{section}]"]
        for key, (_, help_text) in keys.items():
            value = config.raw.get(section, {}).get(key)
            if value is None:
                lines.append(f"# {key} = (not set)  # {help_text}")
            else:
                lines.append(f"{key} = {_toml(value)}  # {help_text}")
            if (section, key) == ("reader", "theme") and theme_problem(config):
                lines.append(
                    f"# ^ not a theme: the reader uses its default. Themes: {', '.join(THEMES)}"
                )
    return lines


#: What a TOML basic string must escape (quote, backslash, controls but tab), and what a
#: terminal must not receive raw (C1 controls, bidi, line separators): all as escapes.
_TOML_ESCAPE = re.compile(f'["\\\\\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI}]')
_TOML_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml(value: Any) -> str:
    """A string or a list of strings (all a config holds) as TOML."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _TOML_SHORT.get(char) or f"\\u{ord(char):04X}"

    return '"' + _TOML_ESCAPE.sub(escape, str(value)) + '"'
