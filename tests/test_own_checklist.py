"""lab.self_assessment: the learner's own checklist, nothing ticked for them, kept as
Markdown; a value it cannot read is shown, never raised."""

from __future__ import annotations

from datetime import date

from workshop_site.lab.own_checklist import ANSWERS, ITEMS, self_assessment

TALK_CHECKLIST = [
    "I monitor the latency of my app in production",
    "I am alerted in case of error / latency issues in prod",
    "Django Debug Toolbar is installed and used by everyone",
    "My top 5 views by server time spent are optimized (select_related, etc.)",
    "All my external calls have a timeout aligned with the expected quality of service",
    "All critical pages have a performance test on the number of queries made",
    "Any non mandatory external call / computation are off-loaded in crons or tasks",
    "All external calls are tested / mocked (tests can run offline)",
]


def test_the_items_are_the_talks_ten_in_its_order():
    assert len(ITEMS) == 10
    assert [item.text for item in ITEMS[:8]] == TALK_CHECKLIST
    assert ITEMS[8].text.startswith("For critical views / long computations I load only")
    assert ITEMS[9].text.startswith("Long running tasks are optimized in terms of RAM")
    assert len({item.key for item in ITEMS}) == 10


def test_nothing_is_ticked_before_the_learner_answers():
    blank = self_assessment({item.key: ... for item in ITEMS})
    assert blank.answered == 0
    text = blank.markdown()
    assert "☑" not in text.split("Answers:")[0]
    assert text.count("— not answered yet") == 10
    assert self_assessment({}).answered == 0


def test_answers_and_notes_are_kept_in_the_markdown():
    mine = self_assessment(
        {"monitoring": ("partly", "Sentry on the API only"), "alerts": "Yes", "mocked": "n/a"},
        app="billing",
    )
    text = mine.markdown(today=date(2026, 12, 7))
    assert text.startswith("# Performance checklist: billing\n")
    assert "Filled in on 2026-12-07" in text
    assert "3 of 10 answered (1 yes, 1 partly, 1 n/a)" in text
    assert (
        "- ◐ **I monitor the latency of my app in production** — partly: Sentry on the API only"
        in text
    )
    assert "- ☑ **I am alerted in case of error / latency issues in prod** — yes" in text
    assert set(ANSWERS) == {"yes", "partly", "no", "n/a"}


def test_a_value_it_cannot_read_is_shown_not_raised():
    mine = self_assessment({"toolbar": "maybe", "timeouts": 3, "tiemouts": "yes"})
    lines = {line.item.key: line for line in mine.lines}
    assert lines["toolbar"].answer is None
    assert "'maybe' is not one of 'yes', 'partly', 'no', 'n/a'" in lines["toolbar"].status
    assert lines["timeouts"].answer is None
    assert "Not an item of the checklist: 'tiemouts'" in mine.markdown()
    assert "tiemouts" in mine._repr_html_()
    assert self_assessment(None).answered == 0  # type: ignore[arg-type]


def test_save_writes_the_markdown_where_asked_and_in_the_workspace(tmp_path, monkeypatch):
    mine = self_assessment({"long_jobs": "yes"}, app="<b>shop</b>")
    saved = mine.save(tmp_path / "notes" / "checklist.md")
    assert saved.saved_to == (tmp_path / "notes" / "checklist.md").resolve()
    assert saved.saved_to.read_text(encoding="utf-8") == mine.markdown()
    assert f"Saved to {saved.saved_to}" in repr(saved)
    assert "&lt;b&gt;shop&lt;/b&gt;" in saved._repr_html_()
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path / "home"))
    default = mine.save()
    assert default.saved_to == (tmp_path / "home" / "my-checklist.md").resolve()
    assert default.saved_to.exists()
