"""Notes follow their passage anywhere in a revised briefing, and the user is told what moved."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.core.anchoring import make_anchor, reanchor_in_briefing
from briefing.core.anchoring.changes import classify, describe
from briefing.core.ingest import parse_briefing
from briefing.core.model import LEAD_KEY, Annotation, Briefing
from briefing.store.facade import Store
from tests.conftest import run_cli

pytestmark = pytest.mark.unit

SANCTIONS = (
    "The council agreed a sixth package of sanctions on Thursday, aimed at the banks that"
    " finance the oil trade."
)
TALKS = "Talks in Geneva resumed after a pause of three weeks, with both delegations present."


def briefing(body: str) -> Briefing:
    return parse_briefing(f"# Weekly brief\n\nThe lead paragraph.\n\n{body}", slug="weekly")


def note_on(doc: Briefing, key: str, quote: str) -> Annotation:
    section = doc.section(key)
    assert section is not None
    start = section.text.index(quote)
    return Annotation(
        id="n1",
        user="tester",
        briefing=doc.slug,
        section=key,
        anchor=make_anchor(section.text, start, start + len(quote)),
    )


def placed(note: Annotation, doc: Briefing) -> str:
    """The words the note covers in ``doc`` (asserting it is anchored)."""
    assert note.status == "anchored"
    section = doc.section(note.section)
    assert section is not None
    return section.text[note.start : note.end]


def test_a_renamed_section_keeps_its_notes() -> None:
    old = briefing(f"## Sanctions\n\nIntro words here.\n\n{SANCTIONS}\n\n## Talks\n\n{TALKS}\n")
    new = briefing(
        f"## Sanctions and export controls\n\nIntro words here.\n\n{SANCTIONS}\n\n"
        f"## Talks\n\n{TALKS}\n"
    )
    moved = reanchor_in_briefing(note_on(old, "sanctions", SANCTIONS), new)
    assert moved.section == "sanctions-and-export-controls"
    assert placed(moved, new) == SANCTIONS


def test_a_passage_moved_to_another_section_follows_it() -> None:
    old = briefing(f"## Sanctions\n\n{SANCTIONS}\n\nMore on banks.\n\n## Talks\n\n{TALKS}\n")
    new = briefing(f"## Sanctions\n\nMore on banks.\n\n## Talks\n\n{TALKS}\n\n{SANCTIONS}\n")
    moved = reanchor_in_briefing(note_on(old, "sanctions", SANCTIONS), new)
    assert moved.section == "talks"
    assert placed(moved, new) == SANCTIONS


def test_an_edited_passage_moved_to_another_section_follows_with_its_new_words() -> None:
    old = briefing(f"## Sanctions\n\n{SANCTIONS}\n\nMore on banks.\n\n## Talks\n\n{TALKS}\n")
    edited = SANCTIONS.replace("sixth", "seventh")
    new = briefing(f"## Sanctions\n\nMore on banks.\n\n## Talks\n\n{TALKS}\n\n{edited}\n")
    moved = reanchor_in_briefing(note_on(old, "sanctions", SANCTIONS), new)
    assert (moved.section, moved.quote) == ("talks", edited)


def test_a_deleted_passage_is_orphaned_even_when_its_section_is_gone() -> None:
    old = briefing(f"## Sanctions\n\n{SANCTIONS}\n\n## Talks\n\n{TALKS}\n")
    new = briefing(f"## Talks\n\n{TALKS}\n")
    orphan = reanchor_in_briefing(note_on(old, "sanctions", SANCTIONS), new)
    assert orphan.status == "orphaned"
    assert (orphan.section, orphan.quote) == ("sanctions", SANCTIONS)


CAPTION_6 = "Figure 6: A function that reads the configuration file and returns a dictionary."
CAPTION_7 = "Figure 7: A function that reads the configuration file and returns a dictionary."


def test_a_templated_near_duplicate_caption_does_not_capture_a_note() -> None:
    old = briefing(
        "## Listings\n\nThe loader is short.\n\n    def load(path): ...\n\n"
        f"{CAPTION_6}\n\nThe saver mirrors it.\n\n    def save(path, data): ...\n\n{CAPTION_7}\n"
    )
    # Figure 6 and its listing are cut; Figure 7 stays, with its own surroundings.
    new = briefing(
        f"## Listings\n\nThe saver mirrors it.\n\n    def save(path, data): ...\n\n{CAPTION_7}\n"
    )
    orphan = reanchor_in_briefing(note_on(old, "listings", CAPTION_6), new)
    assert orphan.status == "orphaned"


def test_a_renumbered_caption_in_its_own_surroundings_keeps_its_note() -> None:
    old = briefing(
        f"## Listings\n\nThe loader is short.\n\n    def load(path): ...\n\n{CAPTION_6}\n"
    )
    new = briefing(
        "## Listings\n\nThe loader is short.\n\n    def load(path): ...\n\n"
        f"{CAPTION_6.replace('6', '5')}\n"
    )
    kept = reanchor_in_briefing(note_on(old, "listings", CAPTION_6), new)
    assert placed(kept, new) == CAPTION_6.replace("6", "5")


def test_repeated_text_with_equal_short_context_goes_to_the_right_copy() -> None:
    # Two copies of a sentence with the same 32 characters either side; only the wider
    # context tells them apart. The note is on the second one.
    near = "Delegates then said this: "
    repeat = "The vote is postponed."
    after = " Nothing else was agreed."
    first = f"On Monday, in the northern capital. {near}{repeat}{after} Ministers left early."
    second = f"On Friday, at the southern harbour. {near}{repeat}{after} Reporters waited."
    old = briefing(f"## Votes\n\n{first}\n\n{second}\n")
    section = old.section("votes")
    assert section is not None
    start = section.text.rindex(repeat)
    note = Annotation(
        id="n1",
        user="tester",
        briefing="weekly",
        section="votes",
        anchor=make_anchor(section.text, start, start + len(repeat)),
    )
    # A new first paragraph puts the first copy where the second one was.
    opening = "x" * (section.text.rindex(repeat) - section.text.index(repeat) - 2)
    new = briefing(f"## Votes\n\n{opening}\n\n{first}\n\n{second}\n")
    moved = reanchor_in_briefing(note, new)
    new_section = new.section("votes")
    assert new_section is not None
    new_text = new_section.text
    assert new_text.index(repeat) == note.start  # the stale offset points at the wrong copy
    assert (moved.start, moved.end) == (new_text.rindex(repeat), new_text.rindex(repeat) + 22)


def test_a_passage_moved_into_the_lead_follows_it_there() -> None:
    old = briefing(f"## Sanctions\n\n{SANCTIONS}\n\n## Talks\n\n{TALKS}\n")
    new = parse_briefing(
        f"# Weekly brief\n\n{SANCTIONS}\n\n## Sanctions\n\nNothing yet.\n\n## Talks\n\n{TALKS}\n",
        slug="weekly",
    )
    moved = reanchor_in_briefing(note_on(old, "sanctions", SANCTIONS), new)
    assert moved.section == LEAD_KEY
    assert placed(moved, new) == SANCTIONS


def test_changes_are_classified_and_described() -> None:
    old = briefing(f"## Sanctions\n\n{SANCTIONS}\n\n## Talks\n\n{TALKS}\n")
    note = note_on(old, "sanctions", SANCTIONS)
    moved = note.with_changes(section="talks")
    change = classify(note, moved)
    assert change is not None and change.kind == "moved"
    assert "(now in Talks)" in describe(change, {"talks": "Talks"})
    edited = note.with_changes(anchor=make_anchor("A new text.", 0, 11))
    change = classify(note, edited)
    assert change is not None and change.kind == "edited"
    assert "“A new text.”" in describe(change)
    assert classify(note, note.with_changes(status="orphaned")).kind == "orphaned"  # type: ignore[union-attr]
    shifted = note.with_changes(anchor=make_anchor("x " + SANCTIONS, 2, 2 + len(SANCTIONS)))
    assert classify(note, shifted) is None


def _write(path: Path, body: str) -> Path:
    path.write_text(f"---\nslug: weekly\n---\n# Weekly brief\n\nLead.\n\n{body}", "utf-8")
    return path


def test_import_tells_the_user_which_notes_moved_were_edited_or_orphaned(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    source = _write(
        tmp_path / "weekly.md",
        f"## Sanctions\n\n{SANCTIONS}\n\n{TALKS}\n\n## Outlook\n\nRain later. Then sun.\n",
    )
    assert run_cli(capsys, "import", str(source))[0] == 0
    store = Store(data_dir, "tester")
    text = store.section("weekly", "sanctions").text
    for quote in (SANCTIONS, TALKS):
        start = text.index(quote)
        store.add_annotation("weekly", "sanctions", start, start + len(quote))
    outlook = store.section("weekly", "outlook").text
    store.add_annotation("weekly", "outlook", 0, outlook.index(" Then"))
    _write(
        source,
        f"## Measures\n\n{SANCTIONS.replace('sixth', 'seventh')}\n\n## Outlook\n\nThen sun.\n\n"
        f"## Diplomacy\n\n{TALKS}\n",
    )
    code, out, _ = run_cli(capsys, "import", str(source))
    assert code == 0
    assert "(notes: 1 moved, 1 edited, 1 orphaned)" in out
    assert "moved     “Talks in Geneva" in out and "(from Sanctions to Diplomacy)" in out
    assert "edited    “…council agreed a sixth package" in out  # cut at a word
    assert "-> “…council agreed a seventh package" in out
    assert "orphaned  “Rain later.” (was in Outlook)" in out
    # The reader is told once, then not again.
    kinds = sorted(c.kind for c in Store(data_dir, "tester").take_changes("weekly"))
    assert kinds == ["edited", "moved", "orphaned"]
    assert Store(data_dir, "tester").take_changes("weekly") == []


def test_a_renamed_section_is_said_as_a_rename_and_its_notes_have_not_moved(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    source = _write(
        tmp_path / "weekly.md", f"## Treaty terms\n\n{SANCTIONS}\n\n{TALKS}\n\n## Outlook\n\nSun.\n"
    )
    assert run_cli(capsys, "import", str(source))[0] == 0
    store = Store(data_dir, "tester")
    text = store.section("weekly", "treaty-terms").text
    for quote in (SANCTIONS, TALKS):
        start = text.index(quote)
        store.add_annotation("weekly", "treaty-terms", start, start + len(quote))
    _write(source, f"## Terms of the treaty\n\n{SANCTIONS}\n\n{TALKS}\n\n## Outlook\n\nSun.\n")
    code, out, _ = run_cli(capsys, "import", str(source))
    assert code == 0
    assert "section “Treaty terms” is now “Terms of the treaty”" in out
    assert "moved" not in out and "(notes:" not in out


# --- the revision a note was made on: copies of repeated text that stayed claim themselves

GUESS = 'println!("You guessed: {}", guess);'
PARSE = 'let guess: u32 = guess.trim().parse().expect("Please type a number!");'
MATCH = (
    "let guess: u32 = match guess.trim().parse() {\n"
    "        Ok(num) => num,\n        Err(_) => continue,\n    };"
)


def _listing(intro: str, parse: str) -> str:
    return f"{intro}\n\n```\nloop {{\n    {parse}\n\n    {GUESS}\n}}\n```\n"


def test_a_deleted_copy_of_a_repeated_line_is_orphaned_not_moved_to_a_copy_that_stayed() -> None:
    # A tutorial repeats a line in each listing; the final listing is cut, and the note
    # was on its copy. The copy that stayed is the first listing's own.
    first = _listing("Let us add a loop, so that the player may guess again:", PARSE)
    final = _listing("Here is the final program, which ignores a non-number:", MATCH)
    outro = "Run it with cargo run and try a few guesses."
    old = briefing(f"## Looping\n\n{first}\n{final}\n{outro}\n")
    new = briefing(f"## Looping\n\n{first}\n{outro}\n")
    section = old.section("looping")
    assert section is not None
    start = section.text.rindex(GUESS)
    note = Annotation(
        id="n1",
        user="tester",
        briefing="weekly",
        section="looping",
        anchor=make_anchor(section.text, start, start + len(GUESS)),
    )
    before = {s.key: s.text for s in old.sections}
    assert reanchor_in_briefing(note, new, before).status == "orphaned"
    # Without the old text the copy that stayed looks like the passage (the only one left).
    assert reanchor_in_briefing(note, new).status == "anchored"


def test_a_repeated_phrase_whose_copy_was_rewritten_is_not_taken_by_the_other_copy() -> None:
    # "In Bash," opens two tips; the first tip gains words, the second is untouched. The
    # second copy's surroundings now look more like the note's than the first's do.
    old = briefing(
        "## Everyday use\n\nIn Bash, use ctrl-r to search through command history.\n\n"
        "In Bash, use ctrl-w to delete the last word.\n"
    )
    new = briefing(
        "## Everyday use\n\nIn Bash, use Tab to complete file names and ctrl-r to search"
        " through command history.\n\nIn Bash, use ctrl-w to delete the last word.\n"
    )
    note = note_on(old, "everyday-use", "In Bash,")  # the first copy
    before = {s.key: s.text for s in old.sections}
    kept = reanchor_in_briefing(note, new, before)
    assert (kept.status, kept.start) == ("anchored", 0)


def test_reimport_orphans_a_note_on_a_deleted_copy_of_a_paragraph_kept_elsewhere(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    # A paragraph quoted in two sections; the editor deletes the copy the note is on.
    source = _write(
        tmp_path / "weekly.md",
        f"## Sanctions\n\nBackground first.\n\n{TALKS}\n\n## Talks\n\nThe latest.\n\n{TALKS}\n",
    )
    assert run_cli(capsys, "import", str(source))[0] == 0
    store = Store(data_dir, "tester")
    text = store.section("weekly", "sanctions").text
    start = text.index(TALKS)
    store.add_annotation("weekly", "sanctions", start, start + len(TALKS))
    _write(source, f"## Sanctions\n\nBackground first.\n\n## Talks\n\nThe latest.\n\n{TALKS}\n")
    code, out, _ = run_cli(capsys, "import", str(source))
    assert code == 0
    assert "(notes: 1 orphaned)" in out
    (note,) = Store(data_dir, "tester").annotations("weekly")
    assert (note.status, note.section) == ("orphaned", "sanctions")


USES = "use std::io;\nuse std::cmp::Ordering;\nuse rand::Rng;"
PROGRAM = f'```\n{USES}\n\nfn main() {{\n    println!("Guess the number!");\n}}\n```'


def test_a_repeated_passage_follows_its_context_when_a_line_was_inserted_before_each_copy() -> None:
    # Every listing gains a "Filename:" line, and the second listing's introduction is
    # reworded at its end: only its start, now further away, still tells the copies apart.
    read = "Next we read the guess from the player, and print it back. Here is how:"
    loop = "The loop keyword gives us an infinite loop. Let us add that in:"
    loop_now = (
        "The loop keyword gives us an infinite loop. We will add that in to give the player"
        " more chances at guessing the number:"
    )
    name = "Filename: src/main.rs"
    old = briefing(f"## Guessing\n\n{read}\n\n{PROGRAM}\n\n{loop}\n\n{PROGRAM}\n")
    new = briefing(
        "## Guessing\n\nA short opening paragraph, new in this version of the tutorial.\n\n"
        f"{read}\n\n{name}\n\n{PROGRAM}\n\n{loop_now}\n\n{name}\n\n{PROGRAM}\n"
    )
    section = old.section("guessing")
    assert section is not None
    start = section.text.rindex(USES)  # the note is on the second listing
    note = Annotation(
        id="n1",
        user="tester",
        briefing="weekly",
        section="guessing",
        anchor=make_anchor(section.text, start, start + len(USES)),
    )
    moved = reanchor_in_briefing(note, new)
    new_section = new.section("guessing")
    assert new_section is not None
    assert moved.start == new_section.text.rindex(USES)


def test_a_repeated_label_wrapped_in_markup_keeps_its_note_on_the_same_copy() -> None:
    # Each listing's "Filename:" label gains inline markup on both sides, which hides the
    # near context of every copy (the same code follows each, the same words precede it);
    # the old context still reads, a little further off, around the right one.
    label = "Filename: src/main.rs"
    common = " Enter it into src/main.rs as shown:"
    intros = [
        "To start, we allow the player to input a guess." + common,
        "Next, we compare the guess with the secret number." + common,
        "Finally, we quit the game when the player wins." + common,
    ]
    code = "extern crate rand;\n\nuse std::io;\nuse std::cmp::Ordering;\nuse rand::Rng;"

    def doc(wrap: str) -> Briefing:
        listings = [
            f"{intro}\n\n{wrap.format(label)}\n\n```\n{code}\n\nfn main() {{}}\n```"
            for intro in intros
        ]
        return briefing("## Listings\n\n" + "\n\n".join(listings) + "\n")

    old, new = doc("{}"), doc('<span class="filename">{}</span>')
    section = old.section("listings")
    assert section is not None
    start = section.text.index(label, section.text.index(intros[1]))
    note = Annotation(
        id="n1",
        user="tester",
        briefing="weekly",
        section="listings",
        anchor=make_anchor(section.text, start, start + len(label)),
    )
    kept = reanchor_in_briefing(note, new)
    new_section = new.section("listings")
    assert new_section is not None
    assert kept.status == "anchored"
    assert kept.start == new_section.text.index(label, new_section.text.index(intros[1]))


def test_a_short_phrase_unique_before_and_after_follows_its_paragraph_to_a_new_section() -> None:
    # The lead is split under a new heading; a 17-character phrase, the only one of its kind
    # in both versions, follows though the words after it were rewritten.
    old = parse_briefing(
        "# Weekly brief\n\nA guide to the command line.\n\n"
        "The focus is on Bash, though many tips apply to other shells.\n\n"
        "To keep this to one page, include content by reference whenever possible.\n\n"
        f"## Talks\n\n{TALKS}\n",
        slug="weekly",
    )
    new = parse_briefing(
        "# Weekly brief\n\nA guide to the command line.\n\n## Meta\n\n"
        "The focus is on Bash, though many tips apply to other shells.\n\n"
        "Notes:\n\nTo keep this to one page, content is implicitly included by reference.\n\n"
        f"## Talks\n\n{TALKS}\n",
        slug="weekly",
    )
    note = note_on(old, LEAD_KEY, "this to one page,")
    before = {s.key: s.text for s in old.sections}
    moved = reanchor_in_briefing(note, new, before)
    assert (moved.status, moved.section) == ("anchored", "meta")
    assert placed(moved, new) == "this to one page,"
    # Without the old text, a phrase this short is not followed out of its section.
    assert reanchor_in_briefing(note, new).status == "orphaned"


def test_a_deleted_copy_of_a_paragraph_with_the_same_surroundings_as_another_is_orphaned() -> None:
    # A tip is printed, with the same words around it, in two sections; the copy the note
    # is on is cut. The other copy fits the note exactly as well: its place decides.
    tip = "Use xargs or parallel whenever you can; try xargs echo first to see what it does."
    old = briefing(
        f"## Everyday use\n\nA few habits.\n\n{tip}\n\n## One-liners\n\nA few habits.\n\n{tip}\n"
    )
    new = briefing(f"## Everyday use\n\nA few habits.\n\n{tip}\n\n## One-liners\n\nA few habits.\n")
    note = note_on(old, "one-liners", tip)
    before = {s.key: s.text for s in old.sections}
    assert reanchor_in_briefing(note, new, before).status == "orphaned"
    # The note on the copy that stayed keeps its place.
    kept = reanchor_in_briefing(note_on(old, "everyday-use", tip), new, before)
    assert (kept.status, kept.section) == ("anchored", "everyday-use")


def test_a_short_label_paragraph_unique_before_and_after_follows_into_a_new_section() -> None:
    # "Scope:" heads a list in the lead; the list moves under a new heading and the
    # paragraph before the label is rewritten. Six characters are too few to judge by their
    # surroundings, but a paragraph found once in both versions is the same paragraph.
    old = parse_briefing(
        "# Weekly brief\n\nPlease report an error (after reading the scope below).\n\n"
        "Scope:\n\nThe goals are breadth, specificity and brevity.\n\n"
        f"## Talks\n\n{TALKS}\n",
        slug="weekly",
    )
    new = parse_briefing(
        "# Weekly brief\n\nPlease report an error (see Meta first).\n\n## Meta\n\n"
        "Scope:\n\nThis guide is for everyone. The goals are breadth, specificity and brevity.\n\n"
        f"## Talks\n\n{TALKS}\n",
        slug="weekly",
    )
    note = note_on(old, LEAD_KEY, "Scope:")
    before = {s.key: s.text for s in old.sections}
    moved = reanchor_in_briefing(note, new, before)
    assert (moved.status, moved.section, moved.start) == ("anchored", "meta", 0)
    assert reanchor_in_briefing(note, new).status == "orphaned"


def test_a_line_repeated_in_every_listing_and_edited_alike_keeps_its_note_on_its_own_copy() -> None:
    # The same two lines in three listings with the same surroundings; a revision
    # capitalises a word in all of them. The note on the second copy stays on the second.
    line = 'io::stdin().read_line(&mut guess)\n        .expect("failed to read line");'
    listing = (
        '```\nloop {\n    println!("Please input your guess.");\n\n'
        "    let mut guess = String::new();\n\n"
        f"{line}\n\n"
        '    let guess: u32 = guess.trim().parse().expect("Please type a number!");\n\n'
        '    println!("You guessed: {}", guess);\n}\n```'
    )
    body = "\n\n".join(
        f"Step {n}: we read the guess again, as before.\n\n{listing}" for n in (1, 2, 3)
    )
    old = briefing(f"## Looping\n\n{body}\n")
    new = briefing(f"## Looping\n\n{body.replace('failed', 'Failed')}\n")
    section = old.section("looping")
    assert section is not None
    start = section.text.index(line, section.text.index("Step 2"))
    note = Annotation(
        id="n1",
        user="tester",
        briefing="weekly",
        section="looping",
        anchor=make_anchor(section.text, start, start + len(line)),
    )
    kept = reanchor_in_briefing(note, new, {s.key: s.text for s in old.sections})
    new_section = new.section("looping")
    assert new_section is not None
    edited = line.replace("failed", "Failed")
    assert kept.start == new_section.text.index(edited, new_section.text.index("Step 2"))
    assert kept.quote == edited
