"""Which stored briefing an import revises: never a different article that happens to
share a file name, so no note lands on another article's text."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from briefing.core.rules import slugify
from briefing.store.facade import Store
from tests.conftest import BUNDLED, SLUG
from tests.conftest import run_cli as run

pytestmark = pytest.mark.system


def _page(folder: Path, title: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.md"
    path.write_text(f"# {title}\n\n## Summary\n\n{text}\n", "utf-8")
    return path


def _note_on(store: Store, slug: str) -> None:
    section = store.get(slug).body_sections[0]
    start = 0
    end = section.text.index(" ")
    store.add_annotation(slug, section.key, start, end, note="mine")


def test_a_same_named_file_of_another_article_is_refused_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    first = _page(tmp_path / "a", "UN sanctions monitoring", "Monitors watched the ports.")
    second = _page(tmp_path / "b", "Kim visits Vladivostok", "Kim arrived by train.")
    assert run(capsys, "import", str(first))[0] == 0
    _note_on(store, "report")
    before = store.get("report")
    code, out, err = run(capsys, "import", str(second))
    assert code == 1
    line = next(x for x in err.splitlines() if "refused" in x)
    assert "UN sanctions monitoring" in line and "Kim visits Vladivostok" in line
    assert "--slug" in line
    assert store.get("report") == before
    assert [n.note for n in store.annotations("report")] == ["mine"]
    # The way out: a name of the user's choosing.
    code, out, _ = run(capsys, "import", str(second), "--slug", "kim-visit")
    assert code == 0 and "new  kim-visit" in out
    assert store.get("report").title == "UN sanctions monitoring"
    # The same file again, revised, is a revision; so is the same title from elsewhere.
    first.write_text(first.read_text("utf-8") + "\nThey counted ships.\n", "utf-8")
    code, out, _ = run(capsys, "import", str(first))
    assert code == 0 and "updated  report" in out
    assert [n.note for n in store.annotations("report")] == ["mine"]


def test_slug_is_for_one_input(capsys: pytest.CaptureFixture[str], store: Store) -> None:
    code, _, err = run(capsys, "import", "a.md", "b.md", "--slug", "x")
    assert code == 2 and "--slug NAME is for one input" in err


def test_stdin_with_a_stored_title_revises_that_briefing(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BUNDLED.read_text("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), "utf-8"))
    code, out, err = run(capsys, "import", "-")
    assert code == 0, err
    assert f"  {SLUG}  " in out
    assert [b.slug for b in store.listings()] == [SLUG]


def test_a_file_named_index_takes_its_slug_from_its_title(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    for folder, title in (("a", "UN sanctions monitoring"), ("b", "Kim visits Vladivostok")):
        page = tmp_path / folder / "index.html"
        page.parent.mkdir()
        page.write_text(
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{'Some words of the article. ' * 20}</p></article></body></html>",
            "utf-8",
        )
        code, _out, err = run(capsys, "import", str(page))
        if "extra" in err:
            pytest.skip("the web extra is not installed")
        assert code == 0, err
    slugs = {b.slug for b in store.listings()}
    assert {"un-sanctions-monitoring", "kim-visits-vladivostok"} <= slugs


@pytest.mark.unit
@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "The Russia–North Korea Mutual Defence Treaty",
            "the-russia-north-korea-mutual-defence-treaty",
        ),
        ("Kim — Putin", "kim-putin"),
        ("Seoul/Tokyo «talks»", "seoul-tokyo-talks"),
        ("Café au lait", "cafe-au-lait"),
    ],
)
def test_dashes_and_punctuation_separate_words_in_a_slug(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("name", ["index.md", "report.md"])
def test_the_same_title_from_another_file_is_refused_and_keeps_the_notes(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path, name: str
) -> None:
    first, second = tmp_path / "a" / name, tmp_path / "f" / name
    for path, text in ((first, "Monitors watched the ports."), (second, "Kim arrived.")):
        path.parent.mkdir()
        path.write_text(f"# Alpha Report Revised\n\n## Summary\n\n{text}\n", "utf-8")
    assert run(capsys, "import", str(first))[0] == 0
    slug = next(b.slug for b in store.listings() if b.title == "Alpha Report Revised")
    _note_on(store, slug)
    before = store.get(slug)
    code, out, err = run(capsys, "import", str(second))
    assert code == 1, out
    line = next(x for x in err.splitlines() if "refused" in x)
    assert "Alpha Report Revised" in line and str(first.resolve()) in line
    assert f"--slug {slug}" in line and "updated" not in out
    assert store.get(slug) == before
    assert [n.note for n in store.annotations(slug)] == ["mine"]
    # The same file again is a revision; --slug says which one it revises.
    assert f"unchanged  {slug}" in run(capsys, "import", str(first))[1]
    code, out, _ = run(capsys, "import", str(second), "--slug", slug)
    assert code == 0 and f"updated  {slug}" in out
