"""Rebuild the anchoring benchmark's revision pairs from public git histories.

    python benchmarks/anchoring/build.py MIRRORS_DIR

MIRRORS_DIR holds bare or normal clones named ``owner+name`` (or ``owner+name/repo``). Each
source below is one long prose Markdown file with many revisions; its versions are taken along
its history (oldest first) every ``stride`` commits, and consecutive chosen versions form the
old -> new pairs. The result, ``data/revisions.json.xz``, is committed, so ``run.py`` needs no
network; this script says exactly where it came from (repository, path, commits).
"""

from __future__ import annotations

import json
import lzma
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "revisions.json.xz"

#: (name, repository, path, stride, up to this many pairs)
SOURCES = [
    ("art-of-command-line", "jlevy/the-art-of-command-line", "README.md", 7, 60),
    ("system-design-primer", "donnemartin/system-design-primer", "README.md", 4, 50),
    ("ydkjs-coercion", "getify/You-Dont-Know-JS", "types & grammar/ch4.md", 2, 45),
    ("rust-book-guessing-game", "rust-lang/book", "src/ch02-00-guessing-game-tutorial.md", 2, 65),
]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _repo_dir(mirrors: Path, repo: str) -> Path:
    base = mirrors / repo.replace("/", "+")
    return base / "repo" if (base / "repo").exists() else base


def build(mirrors: Path) -> dict[str, object]:
    docs = []
    for name, repo, path, stride, limit in SOURCES:
        git_dir = _repo_dir(mirrors, repo)
        commits = _git(git_dir, "log", "--format=%H", "--reverse", "--", path).split()
        versions: list[dict[str, str]] = []
        last = None
        for commit in commits:
            try:
                text = _git(git_dir, "show", f"{commit}:{path}")
            except subprocess.CalledProcessError:
                continue  # the commit deleted or renamed the file
            if text != last:
                versions.append({"commit": commit, "text": text})
                last = text
        chosen = versions[::stride][: limit + 1]
        docs.append({"name": name, "repo": repo, "path": path, "versions": chosen})
        print(f"{name}: {len(versions)} versions, kept {len(chosen)}", file=sys.stderr)
    return {"docs": docs}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = build(Path(sys.argv[1]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
    OUT.write_bytes(lzma.compress(payload, preset=9 | lzma.PRESET_EXTREME))
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB, {len(payload) // 1024} KB raw)")


if __name__ == "__main__":
    main()
