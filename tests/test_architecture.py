"""The layering that keeps the core testable and the CLI fast.

core         pure: imports neither textual, tinydb nor asyncssh
store        the only tinydb importer
serve        asyncssh's room; never imports the reader (it starts it as a process)
tui          the only textual importer
cli.py       the argparse front; imports each subcommand's module only when it runs it
subcommands  the command bodies: use core, store and serve; reach the reader only
             through subcommands/opening.py, lazily; imported by cli.py alone
"""

from __future__ import annotations

import ast
import functools
import os
import re
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
        ("subcommands", ("briefing.cli",)),
    ],
)
def test_imports_run_down_the_layers_only(room: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in (PACKAGE / room).rglob("*.py")
        for name in _imports(path)
        if any(name == room or name.startswith(f"{room}.") for room in forbidden)
    ]
    assert offenders == []


def test_only_the_cli_imports_the_subcommands() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "cli.py" and _room(path) != "subcommands"
        for name in _imports(path)
        if name.startswith("briefing.subcommands")
    ]
    assert offenders == []


def _top_level_imports(path: Path) -> set[str]:
    """The modules imported at a module's top level (not inside a function)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_subcommands_reach_the_reader_only_through_opening_and_lazily() -> None:
    """A printing command never loads Textual: one module opens the reader, inside a function."""
    room = PACKAGE / "subcommands"
    users = sorted(
        path.name
        for path in room.rglob("*.py")
        if any(name.startswith("briefing.tui") for name in _imports(path))
    )
    assert users == ["opening.py"]
    assert not any(
        name.startswith("briefing.tui") for name in _top_level_imports(room / "opening.py")
    )


@pytest.mark.parametrize(
    ("command", "module"),
    [("list", "reading"), ("notes list", "notes"), ("config path", "admin")],
)
def test_the_cli_imports_only_the_chosen_commands_module(
    command: str, module: str, tmp_path: Path
) -> None:
    code = (
        "import io, sys, contextlib\n"
        "from briefing.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main({['--data-dir', str(tmp_path), '--user', 'u', *command.split()]!r})\n"
        "print(status, ','.join(sorted(m for m in sys.modules"
        " if m.startswith('briefing.subcommands.'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    status, loaded = result.stdout.split()
    assert status == "0"
    assert loaded.split(",") == sorted(
        ["briefing.subcommands.common", f"briefing.subcommands.{module}"]
    )


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
#: imports buy (each named module costs 5-130 ms to import; ``python -X importtime``).
#: Every command that prints stays out of the reader, the SSH server and TinyDB (reads go
#: straight to the JSON), takes no lock (filelock loads asyncio), converts no source (the
#: formats are for ``import``), places no note (anchoring is for ``notes add`` and
#: ``import``) and reads no config file when there is none (tomllib); those
#: that draw no Markdown also skip its parser and YAML. Names with a dot are our modules.
NEVER_FOR_PRINTING = {
    "textual",
    "tinydb",
    "asyncssh",
    "rapidfuzz",
    "rich",
    "filelock",
    "tomllib",
    "briefing.core.formats",
    "briefing.core.sections",
    "briefing.core.anchoring",
}
NO_MARKDOWN = NEVER_FOR_PRINTING | {"markdown_it", "mdit_py_plugins", "yaml"}
IMPORT_BUDGET = [
    ("list", NO_MARKDOWN),
    ("notes list", NO_MARKDOWN),
    ("search veto", NO_MARKDOWN),
    ("show russia-dprk-pact", NEVER_FOR_PRINTING),
    ("export russia-dprk-pact", NEVER_FOR_PRINTING),
    ("export russia-dprk-pact --format json", NO_MARKDOWN),
]
#: Nor does the reader need any of these for its first frame: a Markdown parser or YAML
#: (it draws stored blocks), a lock or TinyDB (it writes nothing before then), the
#: source formats, anchoring (for making and moving notes), or hashing and fuzzy matching.
NEVER_FOR_THE_FIRST_FRAME = {
    "markdown_it",
    "mdit_py_plugins",
    "yaml",
    "rapidfuzz",
    "tinydb",
    "filelock",
    "tomllib",
    "hashlib",
    "briefing.core.formats",
    "briefing.core.sections",
    "briefing.core.anchoring",
}


def _loaded_by(code: str, env: dict[str, str]) -> set[str]:
    """Every module (and each one's top package) a fresh interpreter has after ``code``;
    ``code`` prints its own last line first."""
    report = "print(' '.join(sorted(set(sys.modules) | {m.split('.')[0] for m in sys.modules})))"
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\n{report}"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    status, loaded = result.stdout.strip().split("\n")[-2:]
    assert status == "0", result.stderr
    return set(loaded.split())


def _data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str] | None = None
) -> tuple[Path, dict[str, str]]:
    """A data dir holding the bundled briefing, and an environment with no config file.
    With ``capsys`` the setup runs in this process (it is only setup); otherwise in another."""
    data = tmp_path / "data"
    env = {**os.environ, "BRIEFING_CONFIG": str(tmp_path / "no-config.toml")}
    if capsys is not None:
        assert run_cli(capsys, "--data-dir", str(data), "--user", "u", "list")[0] == 0
        return data, env
    setup = [sys.executable, "-m", "briefing", "--data-dir", str(data), "--user", "u", "list"]
    assert subprocess.run(setup, capture_output=True, env=env).returncode == 0
    return data, env


@pytest.mark.parametrize(("command", "unloaded"), IMPORT_BUDGET)
def test_printing_commands_load_only_what_they_use(
    command: str, unloaded: set[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, env = _data_dir(tmp_path, capsys)
    code = (
        "import io, contextlib\n"
        "from briefing.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main({['--data-dir', str(data), '--user', 'u', *command.split()]!r})\n"
        "print(status)"
    )
    assert sorted(unloaded & _loaded_by(code, env)) == []


@pytest.mark.ui
def test_the_reader_draws_its_first_frame_without_what_only_later_work_needs(
    tmp_path: Path,
) -> None:
    """Up to its first frame the reader loads only what it draws (see tui/launch.py and
    the app's after-first-frame work); the briefing it opened is remembered after it."""
    data, env = _data_dir(tmp_path)
    code = (
        "import asyncio\n"
        "from pathlib import Path\n"
        "from briefing.store.facade import Store\n"
        "from briefing.tui.app import make_app\n"
        f"store = Store(Path({str(data)!r}), 'u')\n"
        "first: set[str] = set()\n"
        "def first_frame():\n"
        "    first.update(sys.modules)\n"
        "    first.update(m.split('.')[0] for m in sys.modules)\n"
        "    first.add(f'remembered:{store.setting(\"last_briefing\")}')\n"
        "async def run():\n"
        "    app = make_app(store, 'russia-dprk-pact', after_first_frame=first_frame)\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        await pilot.pause()\n"
        "asyncio.run(run())\n"
        "print(' '.join(sorted(first)))\n"
        "print(0 if first else 1)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    at_first_frame, status = result.stdout.strip().split("\n")[-2:]
    assert status == "0", "no first frame"
    loaded = set(at_first_frame.split())
    assert sorted(NEVER_FOR_THE_FIRST_FRAME & loaded) == []
    assert "remembered:None" in loaded  # not yet: written just after the first frame
    reopened = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from pathlib import Path\nfrom briefing.store.facade import Store\n"
            f"print(Store(Path({str(data)!r}), 'u').setting('last_briefing'))",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert reopened.stdout.strip() == "russia-dprk-pact"  # and then it was


def test_counts_are_said_through_the_one_plural_rule() -> None:
    """``rules.counted`` says "1 note", "2 notes": no module spells a plural of its own
    (``'s' if n != 1``, ``key(s)``), which is how "1 notes moved" got in."""
    own_rule = re.compile(r"""['"](s|es)['"] if |else ['"](s|es)['"]|\{[^}]*\} \w+\(s\)""")
    offenders = [
        f"{path.relative_to(PACKAGE).as_posix()}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if own_rule.search(line)
    ]
    assert offenders == []
