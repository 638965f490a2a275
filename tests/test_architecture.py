"""The layering that keeps the core testable and the CLI fast.

core   pure: imports neither textual, tinydb nor asyncssh
store  the only tinydb importer
serve  asyncssh's room; never imports the reader (it starts it as a process)
tui    the only textual importer
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"
pytestmark = pytest.mark.unit


def _modules(folder: str = "") -> list[str]:
    root = PACKAGE / folder if folder else PACKAGE
    names = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for all the tests that read it."""
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _imports(path: Path) -> frozenset[str]:
    """Every absolute module an import statement names, and each one's top package."""
    tree = _tree(path)
    names: set[str] = set()
    for node in ast.walk(tree):
        found: list[str] = []
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in found:  # the module, and its top package (for third-party names)
            names.update((name, name.split(".")[0]))
    return frozenset(names)


def _room(path: Path) -> str:
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 else relative[0].removesuffix(".py")


def test_the_core_imports_no_framework_even_indirectly() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in _modules("core"))
        + "bad = sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'textual', 'tinydb', 'asyncssh'}"
        " or m.startswith(('briefing.store', 'briefing.serve', 'briefing.tui')))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    ("library", "allowed_rooms"),
    [("tinydb", {"store"}), ("textual", {"tui"}), ("asyncssh", {"serve"})],
)
def test_each_framework_is_imported_in_its_own_room(library: str, allowed_rooms: set[str]) -> None:
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if library in _imports(path) and _room(path) not in allowed_rooms
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("core", ("briefing.store", "briefing.serve", "briefing.tui", "briefing.cli")),
        ("store", ("briefing.serve", "briefing.tui", "briefing.cli")),
        ("serve", ("briefing.tui", "briefing.cli")),
        ("tui", ("briefing.serve", "briefing.cli")),
    ],
)
def test_imports_run_down_the_layers_only(room: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in (PACKAGE / room).rglob("*.py")
        for name in _imports(path)
        if name.startswith(forbidden)
    ]
    assert offenders == []


def _module_edges(path: Path, known: set[str]) -> set[str]:
    """The package modules a file imports: ``from pkg import mod`` names ``pkg.mod``."""
    edges: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            edges.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            edges.update(submodules or {node.module})
    return edges & known


def test_there_is_no_import_cycle_between_modules() -> None:
    """Type-only imports count too: a cycle is a cycle for the reader of the code."""
    known = set(_modules())
    graph: dict[str, set[str]] = {}
    for name in known:
        path = PACKAGE.parent / (name.replace(".", "/") + ".py")
        if not path.exists():
            path = PACKAGE.parent / name.replace(".", "/") / "__init__.py"
        graph[name] = _module_edges(path, known) - {name, "briefing"}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for child in sorted(graph[node]):
            if state.get(child) == 1:
                cycles.append([*trail[trail.index(child) :], child])
            elif child not in state:
                visit(child, [*trail, child])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_cli_commands_do_not_load_textual() -> None:
    code = "import sys, briefing.cli; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_the_reader_draws_stored_blocks_and_parses_no_markdown() -> None:
    """Data flows content -> ingest -> store -> tui: the reader never parses Markdown, so it
    starts without markdown-it (nor rapidfuzz, needed only when a note's text changed)."""
    code = (
        "import sys, briefing.cli, briefing.tui.app\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'markdown_it', 'mdit_py_plugins', 'rapidfuzz', 'yaml'})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


#: What each printing command may leave unloaded: the start-up budget that the deferred
#: imports buy (each named module costs 10-130 ms to import; ``python -X importtime``).
#: Every command that prints stays out of the reader, the SSH server and TinyDB (reads go
#: straight to the JSON); those that draw no Markdown also skip its parser and YAML.
NEVER_FOR_PRINTING = {"textual", "tinydb", "asyncssh", "rapidfuzz", "rich"}
NO_MARKDOWN = NEVER_FOR_PRINTING | {"markdown_it", "mdit_py_plugins", "yaml"}
IMPORT_BUDGET = [
    ("list", NO_MARKDOWN),
    ("notes list", NO_MARKDOWN),
    ("search veto", NO_MARKDOWN),
    ("show russia-dprk-pact", NEVER_FOR_PRINTING),
    ("export russia-dprk-pact", NEVER_FOR_PRINTING),
]


@pytest.mark.parametrize(("command", "unloaded"), IMPORT_BUDGET)
def test_printing_commands_load_only_what_they_use(
    command: str, unloaded: set[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    setup = ("--data-dir", str(data), "--user", "u", "list")
    assert run_cli(capsys, *setup)[0] == 0  # imports the bundled one (in-process: only setup)
    code = (
        "import io, sys, contextlib\n"
        "from briefing.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main({['--data-dir', str(data), '--user', 'u', *command.split()]!r})\n"
        "print(status, ','.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    status, loaded = result.stdout.split()
    assert status == "0", result.stderr
    assert sorted(unloaded & set(loaded.split(","))) == []
