"""What the command line says about itself: each command's description and example,
the global flags accepted after a command too, shell completion and the man page.

All of it is derived from the one argparse parser (``briefing.cliparser.build_parser``),
so ``--help``, ``briefing completion bash|zsh|fish`` and ``briefing man`` cannot
drift apart. Completion scripts come from shtab: static scripts generated from the
parser, so a TAB press runs no Python (argcomplete would start the interpreter and
import the CLI on every press); shtab is small, pure Python and has no dependencies.
The man page is roff written here from the parser (a build-time tool such as
argparse-manpage would not help a user who installed a wheel).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re

from briefing import __version__

#: command -> (description, example). A command without an entry fails the tests.
DOCS: dict[str, tuple[str, str]] = {
    "list": ("List the briefings in the library, with their sections and notes.",
             "briefing list --json"),
    "show": ("Print a briefing, or one of its sections, as plain text; --markdown prints\n"
             "the whole briefing as Markdown that imports back to the same briefing.",
             "briefing show russia-dprk-pact --markdown > edited.md"),
    "outline": ("Print a briefing's sections, each paragraph's first words, and counts.",
                "briefing outline russia-dprk-pact"),
    "open": ("Open the reader on a briefing, or on one of its sections.",
             "briefing open russia-dprk-pact un-veto"),
    "import": ("Import briefings from Markdown, text or HTML files, folders (every .md,\n"
               ".markdown, .txt, .html and .htm in them), http(s) URLs, or '-' for stdin.\n"
               "Text without '##' headings gets sections proposed.",
               "briefing import article.txt https://example.org/news/story --sections 4"),
    "notes": ("Add, list, edit and remove your notes from the shell.",
              "briefing notes list russia-dprk-pact"),
    "notes add": ("Note a passage of a section, given by its exact quote.",
                  "briefing notes add russia-dprk-pact un-veto"
                  ' --quote "panel of experts" --tag un'),
    "notes list": ("List your notes, on one briefing or on all of them.",
                   "briefing notes list --json"),
    "notes edit": ("Change a note's text, tags or colour. --add-tag and --remove-tag change\n"
                   "some tags; --tag sets them all, replacing the note's tags.",
                   'briefing notes edit 1a2b3c4d5e --note "Checked." --add-tag done'),
    "notes rm": ("Delete a note.", "briefing notes rm 1a2b3c4d5e"),
    "export": ("Export notes as Markdown for an Obsidian vault, as JSON, or through a "
               "Jinja2 template. Without -o, to stdout (or to the config's export folder).",
               "briefing export russia-dprk-pact -o ~/Vault/russia-dprk-pact.md"),
    "search": ("Search the briefings and your notes: words, \"a phrase\", tag:NAME.\n"
               "One line per match, a section's lines together; exit 1 when nothing matches.",
               'briefing search "mutual assistance" veto'),
    "doctor": ("Check every data file; restore damaged ones from the newest good backup.",
               "briefing doctor --restore"),
    "serve": ("Serve the reader over SSH, public keys only.",
              "briefing serve --host 0.0.0.0 --port 2222"),
    "users": ("Who may read over SSH: add, list and remove users' public keys.",
              "briefing users add alice ~/alice.pub"),
    "users add": ("Let NAME log in with the public key in PUBKEY_FILE.",
                  "briefing users add alice alice.pub"),
    "users list": ("List users and their keys.", "briefing users list"),
    "users rm": ("Remove every key of NAME; their notes are kept.", "briefing users rm alice"),
    "config": ("Where the config file is, and what it holds.", "briefing config show"),
    "config path": ("Print the config file's path.", "briefing config path"),
    "config show": ("Print every setting as TOML, a setting not set as a comment:\n"
                    "the output is a valid config file.", "briefing config show"),
    "completion": ("Print a shell completion script.",
                   "briefing completion fish > ~/.config/fish/completions/briefing.fish"),
    "man": ("Print the manual page (roff).", "briefing man | man -l -"),
}  # fmt: skip

SHELLS = ("bash", "zsh", "fish")


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every command and sub-command by its full name (``"notes add"``), in order."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{sub.prog.split(' ', 1)[1]}" if " " in sub.prog else name
                found[full] = sub
                found |= subcommands(sub)
    return found


def finish(parser: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """Give every command its description and example (``DOCS``), and the global
    flags of ``common`` (so ``briefing list --data-dir D`` works as
    ``briefing --data-dir D list``)."""
    for name, sub in subcommands(parser).items():
        description, example = DOCS.get(name, ("", ""))
        sub.description = sub.description or description
        sub.epilog = f"example:\n  {example}" if example else sub.epilog
        sub.formatter_class = argparse.RawDescriptionHelpFormatter
        taken = {o for a in sub._actions for o in a.option_strings}
        for action in common._actions:
            if not set(action.option_strings) & taken:
                sub._add_action(action)


def completion(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for ``shell`` (bash, zsh or fish)."""
    import shtab  # only for this command

    return str(shtab.complete(parser, shell=shell, root_prefix="briefing"))


def _roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.MULTILINE)


def man_page(parser: argparse.ArgumentParser) -> str:
    """The manual page, briefing(1), in roff; dated by $SOURCE_DATE_EPOCH if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch.isdigit() else None
    day = (when or _dt.datetime.now(_dt.UTC)).strftime("%Y-%m-%d")
    lines = [
        f'.TH BRIEFING 1 "{day}" "briefing {__version__}" "User Commands"',
        ".SH NAME",
        "briefing \\- " + _roff(parser.description or ""),
        ".SH SYNOPSIS",
        ".B briefing",
        _roff("[--data-dir DIR] [--user NAME] [COMMAND] [ARGS]"),
        ".SH DESCRIPTION",
        _roff((parser.epilog or "").strip()),
        ".SH GLOBAL OPTIONS",
    ]
    lines += _options(parser)
    lines.append(".SH COMMANDS")
    for name, sub in subcommands(parser).items():
        usage = " ".join(sub.format_usage().split()[1:])
        lines += [".SS " + _roff(name), ".B " + _roff(usage), ".PP", _roff(sub.description or "")]
        lines += _options(sub, skip={"-h", "--data-dir", "--user"})
        if sub.epilog:
            example = sub.epilog.split("\n", 1)[1].strip()
            lines += [".PP", "Example:", ".RS", ".EX", _roff(example), ".EE", ".RE"]
    lines += [
        ".SH ENVIRONMENT",
        ".TP\n.B BRIEFING_HOME\nthe data folder (as \\-\\-data\\-dir)",
        ".TP\n.B BRIEFING_USER\nwhose notes (as \\-\\-user)",
        ".TP\n.B BRIEFING_CONFIG\nthe config file (default: the platform's config folder)",
        ".TP\n.B SOURCE_DATE_EPOCH\nthe time written as \\fIexported\\fR in exports",
        ".TP\n.B NO_COLOR\nno colour in the reader",
        ".SH EXIT STATUS",
        "0 on success, 1 on failure (and for a search with no match), 2 for a usage error.",
        ".SH SEE ALSO",
        "briefing config path; https://help.obsidian.md for the export format's callouts.",
    ]
    return "\n".join(lines) + "\n"


def _options(parser: argparse.ArgumentParser, skip: set[str] | None = None) -> list[str]:
    lines: list[str] = []
    for action in parser._actions:
        if not action.option_strings or set(action.option_strings) & (skip or set()):
            continue
        if action.help == argparse.SUPPRESS:
            continue
        flags = ", ".join(action.option_strings)
        if action.metavar or action.nargs != 0:
            flags += " " + str(action.metavar or action.dest.upper())
        lines += [".TP", ".B " + _roff(flags), _roff(action.help or "")]
    return lines
