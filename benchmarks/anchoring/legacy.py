"""The anchorer as it was before issue 19, to score "before" against "after".

Not a copy: the module is read from this repository's history (``briefing/core/anchoring.py``
at :data:`BEFORE`, the last commit before the whole-briefing anchorer) and run against the
current model, so the "before" column always measures exactly the code that shipped.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

BEFORE = "3f133b51b7c74bf806d9e59362d23b4ea0ed76bb"
_PATH = "briefing/core/anchoring.py"
_ROOT = Path(__file__).resolve().parents[2]


def _load() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:{_PATH}"], cwd=_ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(__name__ + "_before", f"{_PATH} at {BEFORE[:7]}")
    sys.modules[module.__name__] = module
    exec(compile(source, f"{BEFORE[:7]}:{_PATH}", "exec"), module.__dict__)
    return module


_before = _load()
CONTEXT: int = _before.CONTEXT
reanchor_in_briefing = _before.reanchor_in_briefing
