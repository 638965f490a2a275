"""The layering that keeps the core testable and the CLI fast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"
CORE = ["model", "ingest", "anchoring", "export", "search"]


def test_core_modules_import_neither_textual_nor_tinydb() -> None:
    code = (
        "import sys\n"
        + "".join(f"import briefing.{name}\n" for name in CORE)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'tinydb'})\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_store_imports_tinydb_and_only_tui_imports_textual() -> None:
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        imports = _imports(path)
        if "tinydb" in imports:
            assert relative == "store.py", relative
        if "textual" in imports:
            assert relative.startswith("tui/"), relative


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
