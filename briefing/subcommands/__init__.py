"""The command line's subcommands: one module per noun, each command a function that
prints.

``briefing.cli`` parses the arguments and imports only the chosen command's module, so
``briefing list`` never loads what ``import`` or ``serve`` need. A command takes its
:class:`~briefing.subcommands.common.Context` (or the data dir's ``Paths``, or the parser)
and the parsed arguments, calls core, store or serve to do the work, prints, and returns
the exit code. Logic that is not printing lives in core or store, not here.

common        what every command shares: Failure, UsageError, Output, Context, JSON
reading       list, show, outline, search
notes         notes add, list, edit, rm
import_export import (briefings in), export (notes out)
admin         doctor, config, completion, man
ssh           serve, users (need the serve extra)
opening       the reader: the one path from the command line to the TUI
"""
