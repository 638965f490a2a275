"""`briefing import` of articles as they arrive: a raw news text, a saved page, a URL, stdin;
`briefing outline` and `briefing show --markdown`."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.core.ingest import plain_text
from briefing.store import importing
from briefing.store.facade import Store, content_hash
from tests.conftest import BUNDLED, ROOT, SLUG, snapshot_files
from tests.conftest import run_cli as run

ARTICLE_NAME = "russia-dprk-pact-article.txt"
HTML_PAGE = ROOT / "tests" / "data" / "web" / "harbour-article.html"


def shared_article() -> Path | None:
    """../shared/sources beside the clone (or beside the main clone, from a worktree)."""
    for folder in [ROOT, *ROOT.parents]:
        candidate = folder.parent / "shared" / "sources" / ARTICLE_NAME
        if candidate.is_file():
            return candidate
    return None


def words(text: str) -> list[str]:
    return text.split()


@pytest.mark.system
def test_the_raw_article_imports_with_no_flags(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    article = shared_article()
    if article is None:
        print(f"skipped: ../shared/sources/{ARTICLE_NAME} is not beside the repository")
        pytest.skip(f"../shared/sources/{ARTICLE_NAME} is not beside the repository")
    code, _out, err = run(capsys, "import", str(article))
    assert code == 0, err
    briefing = store.get("russia-dprk-pact-article")
    raw = article.read_text("utf-8")
    first_line, credit, title = raw.split("\n")[:3]
    assert briefing.title == title
    assert first_line == f"{title} News" and briefing.meta["category"] == "News"
    # The article carries no dateline: its date is the day the file was saved.
    saved = dt.date.fromtimestamp(article.stat().st_mtime).isoformat()
    assert briefing.date == saved
    assert len(briefing.body_sections) >= 3
    assert len({s.key for s in briefing.body_sections}) == len(briefing.body_sections)
    # The photo credit under the title is kept, as the image's credit, not as the lead.
    assert briefing.meta["image_credit"] == credit == "gfs_mizuta / Pixabay"
    assert "Image: gfs_mizuta / Pixabay" in briefing.facts
    assert not briefing.lead.strip()
    # Every word once, in order: the paragraphs.
    body = raw.split("\n\n", 1)[1]
    shown = [plain_text(briefing.lead), *(s.text for s in briefing.body_sections)]
    assert words("\n".join(shown)) == words(body)


@pytest.mark.system
def test_a_saved_page_keeps_only_the_article(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, err = run(capsys, "import", str(HTML_PAGE))
    assert code == 0, err
    assert "new  harbour-article  Port of Valmora reopens after storm damage" in out
    code, shown, _ = run(capsys, "show", "harbour-article")
    assert "Ines Marlow · The Coastal Ledger · 2024-03-14" in shown
    assert "https://ledger.example/news/valmora-port-reopens" in shown
    assert "four hundred metres of fendering" in shown
    for junk in ("Subscribe", "ADVERTISEMENT", "SPONSORED", "Seagull42", "Most read", "Cookie"):
        assert junk not in shown


class _Handler(http.server.BaseHTTPRequestHandler):
    """A few pages, good and bad, on 127.0.0.1."""

    def do_GET(self) -> None:
        if self.path == "/article":
            self._send(HTML_PAGE.read_bytes())
        elif self.path == "/empty":
            self._send(b"<html><head><title>Nothing</title></head><body></body></html>")
        elif self.path == "/image":
            self._send(b"\x89PNG\r\n\x1a\n\x00\x00", "image/png")
        elif self.path == "/slow":
            time.sleep(2.0)
            self._send(b"<html><body><p>late</p></body></html>")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_533 + b"</p>"
            try:
                for _ in range(6 * 1024 * 1024 // len(chunk) + 2):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self.send_error(404, "Not Found")

    def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the timeout and size tests) is no error here."""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """One server for the module's tests (its pages never change); it looks for the
    shutdown every 20 ms, not every 0.5 s."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.system
def test_a_url_is_fetched_and_imported_with_its_address(
    capsys: pytest.CaptureFixture[str], store: Store, site: str
) -> None:
    code, _out, err = run(capsys, "import", f"{site}/article")
    assert code == 0, err
    briefing = store.get("port-of-valmora-reopens-after-storm-damage")
    assert briefing.meta["url"] == "https://ledger.example/news/valmora-port-reopens"
    assert [s.title for s in briefing.body_sections] == ["Repairs and costs", "Effect on trade"]


@pytest.mark.system
@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/empty", "no article text found in the page"),
        ("/image", "not a web page (image/png)"),
        ("/slow", "no answer within 0.5 s"),
        ("/huge", "over the 5 MB limit"),
    ],
)
def test_a_bad_url_is_refused_in_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    data_dir: Path,
    site: str,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    reason: str,
) -> None:
    monkeypatch.setattr(importing, "FETCH_TIMEOUT", 0.5)
    before = snapshot_files(data_dir)
    code, out, err = run(capsys, "import", site + path)
    assert code == 1 and out == ""
    refusal, summary = err.splitlines()
    assert refusal == f"  refused  {site}{path}: {reason}" or (
        reason in refusal and refusal.startswith(f"  refused  {site}{path}: ")
    )
    assert summary == "0 imported, 1 refused"
    assert snapshot_files(data_dir) == before


@pytest.mark.system
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8", "binary data, not text"),
        ("empty.html", b"", "file is empty"),
        ("blank.txt", b"\n \n\t\n", "file is empty"),
        ("nothing.html", b"<html><head></head><body>\n</body></html>", "no article text found"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    data_dir: Path,
    tmp_path: Path,
    name: str,
    data: bytes,
    reason: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot_files(data_dir)
    code, out, err = run(capsys, "import", str(path))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 2, err
    refusal, summary = err.splitlines()
    assert refusal.startswith(f"  refused  {path}: ") and reason in refusal
    assert summary == "0 imported, 1 refused"
    assert snapshot_files(data_dir) == before


@pytest.mark.system
def test_a_huge_file_is_refused(
    capsys: pytest.CaptureFixture[str], store: Store, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * (1_100_000))
    before = snapshot_files(data_dir)
    code, _, err = run(capsys, "import", str(path))
    assert code == 1 and "over the 5 MB limit" in err
    assert snapshot_files(data_dir) == before


@pytest.mark.system
def test_html_without_the_web_extra_says_which_extra(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    code, _, err = run(capsys, "import", str(HTML_PAGE))
    assert code == 1
    assert f"{HTML_PAGE}: HTML and URLs need the web extra: pip install 'briefing[web]'" in err


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.system
def test_stdin_is_read_with_a_dash(
    capsys: pytest.CaptureFixture[str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "Harbour notes\n\nThe harbour reopened to ships on Thursday.\n\n"
        "Wheat prices rose as the valley harvest fell.\n"
    )
    _stdin(monkeypatch, text.encode())
    code, out, err = run(capsys, "import", "-", "--split", "none")
    assert code == 0, err
    assert "new  harbour-notes  Harbour notes" in out
    briefing = store.get("harbour-notes")
    assert len(briefing.body_sections) == 1
    assert briefing.date == dt.date.today().isoformat()


@pytest.mark.system
def test_sections_n_and_split_none_do_not_mix(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", "-", "--split", "none", "--sections", "2")
    assert code == 2 and "not both" in err


@pytest.mark.system
def test_a_folder_import_takes_markdown_and_text_files(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    (tmp_path / "a.markdown").write_text("# A\n\n## S\n\nx\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B title\n\nSome text.\n", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4")
    code, out, err = run(capsys, "import", str(tmp_path))
    assert code == 0, err
    assert "2 imported, 0 refused" in out


@pytest.mark.system
def test_outline_lists_sections_with_paragraph_openings(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, _ = run(capsys, "outline", SLUG)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "The Russia–North Korea Mutual Defence Treaty"
    assert re.fullmatch(r"4 sections · \d+ paragraphs, \d+ words", lines[1])
    assert any(re.fullmatch(r"\s+Lead  \(4 paragraphs, \d+ words\)", line) for line in lines)
    assert any(
        re.fullmatch(r"\s+1  Treaty terms  \(\d+ paragraphs, \d+ words\)  \[treaty-terms\]", line)
        for line in lines
    )
    assert "On Wednesday, 19 June 2024, North Korea’s leader, …" in out


@pytest.mark.system
def test_show_markdown_round_trips_the_bundled_briefing_byte_stably(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    original = store.get(SLUG)
    code, first, _ = run(capsys, "show", SLUG, "--markdown")
    assert code == 0
    path = tmp_path / f"{SLUG}.md"
    path.write_text(first, encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 0 and f"unchanged  {SLUG}" in out, err
    code, second, _ = run(capsys, "show", SLUG, "--markdown")
    assert second == first
    assert content_hash(store.get(SLUG)) == content_hash(original)
    assert first.split("\n---\n", 1)[1].strip().startswith("# The Russia–North Korea")
    assert BUNDLED.read_text("utf-8").split("## Treaty terms", 1)[1] in first


@pytest.mark.system
def test_an_edited_show_markdown_file_of_any_name_updates_its_briefing(
    capsys: pytest.CaptureFixture[str], store: Store, tmp_path: Path
) -> None:
    """The edit loop the README shows: show --markdown > FILE, edit, import FILE."""
    text = store.get(SLUG).section("un-veto").text  # type: ignore[union-attr]
    quote = "blocked the renewal of a UN panel of experts"
    start = text.index(quote)
    store.add_annotation(SLUG, "un-veto", start, start + len(quote), note="monitoring")
    code, markdown, _ = run(capsys, "show", SLUG, "--markdown")
    path = tmp_path / "edited.md"
    path.write_text(markdown.replace("## UN veto", "## The veto at the UN"), encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 0 and f"updated  {SLUG}" in out, (out, err)
    assert [b.slug for b in store.briefings()] == [SLUG]
    (note,) = store.annotations(SLUG)
    assert note.quote == quote and note.status == "anchored"
