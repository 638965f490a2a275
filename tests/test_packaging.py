"""The sdist carries everything the test suite needs, so `pytest` runs from it.

(.ci/run also installs the unpacked sdist in a fresh venv and runs the unit tests there.)
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = {"__pycache__", ".hypothesis", ".pytest_cache"}


def files_under(folder: str) -> set[str]:
    return {
        str(p.relative_to(ROOT))
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and not SKIP & set(p.parts) and p.suffix != ".pyc"
    }


@pytest.mark.system
def test_the_sdist_carries_the_tests_and_their_data(tmp_path: Path) -> None:
    pytest.importorskip("build")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (sdist,) = tmp_path.glob("briefing-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    needed = files_under("tests") | files_under("content")
    needed |= {"LICENSE", "README.md", "pyproject.toml", "tests/conftest.py"}
    assert not needed - names, sorted(needed - names)[:20]
    assert {"tests/golden/export-one.md", "tests/helpers/__init__.py"} <= names
    assert any(name.startswith("tests/__snapshots__/") for name in names)


def test_license_file_matches_the_metadata() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    assert "asyncssh" not in " ".join(project["dependencies"])
    assert any("asyncssh" in dep for dep in project["optional-dependencies"]["serve"])
    assert any(
        d.startswith("briefing[serve,template") for d in project["optional-dependencies"]["test"]
    )


def test_uv_lock_is_not_ignored() -> None:
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True
    )
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != ROOT.resolve():
        pytest.skip("not a git checkout of its own (an unpacked sdist)")
    result = subprocess.run(
        ["git", "check-ignore", "-q", "uv.lock"], cwd=ROOT, capture_output=True, check=False
    )
    assert result.returncode == 1, "uv.lock is ignored by .gitignore"


def test_every_package_is_listed_for_the_wheel() -> None:
    """A package missing from [tool.setuptools] packages works in an editable install
    and is missing from every real one (pipx, uv tool, a wheel)."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "briefing").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    styled = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "briefing").rglob("*.tcss")
    }
    assert styled <= set(data["package-data"]), sorted(styled - set(data["package-data"]))
