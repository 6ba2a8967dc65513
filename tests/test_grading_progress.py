"""Progress file, lab.progress(), lab.hint(), lab.solution() and lab.check()'s record."""

from __future__ import annotations

import json

import pytest

from workshop_site import lab
from workshop_site.grading.progress import (
    ProgressTable,
    progress_file,
    read_events,
    read_progress,
    record,
    summarize,
    summarize_activities,
)
from workshop_site.lab.inspector import mode
from workshop_site.shop.models import Order


@pytest.fixture(autouse=True)
def progress_path(tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("WORKSHOP_PROGRESS", str(path))
    return path


def test_records_are_appended_and_read_back(progress_path):
    assert progress_file() == progress_path
    assert record({"event": "check", "exercise": "00.1", "status": "fail"})
    assert record({"event": "check", "exercise": "00.1", "status": "pass"})
    with progress_path.open("a") as file:
        file.write('{"event": "check", "exercise": "00.2", "sta')  # a kernel killed mid-line
    events = read_events()
    assert [e["status"] for e in events] == ["fail", "pass"]
    assert all(e["time"] and "user" in e for e in events)


def test_an_append_ends_a_line_cut_short_first(progress_path, capsys):
    record({"event": "check", "exercise": "00.1", "status": "fail"})
    with progress_path.open("a") as file:
        file.write('{"event": "check", "exercise": "00.1", "sta')  # a crash mid-line
    assert record({"event": "check", "exercise": "00.1", "status": "pass"})
    assert [e["status"] for e in read_events()] == ["fail", "pass"]
    assert lab.progress("00").rows[0].status == "passed", "the ✅ shown is the one kept"
    err = capsys.readouterr().err
    assert err.count("1 damaged line in") == 1, "said once, however often it is read"
    assert str(progress_path) in err


def test_undecodable_or_unparsable_lines_are_skipped_and_counted(
    progress_path, capsys, db_unblocked
):
    record({"event": "hint", "exercise": "01.3", "number": 1})
    with progress_path.open("ab") as file:
        file.write(b'{"event": "check", "exercise": "01.3", "status": "pass\xff"}\n')
        file.write(b"\x00\x01 not json\n")
        file.write(b'["a list"]\n{"event": "hint", "exercise": "01.3", "number": "2"}\n')
    record({"event": "check", "exercise": "01.3", "status": "fail", "reason": "wrong result"})
    found = read_progress()
    assert found.damaged == 3
    assert [e["event"] for e in found.events] == ["hint", "hint", "check"]
    assert "number" not in found.events[1], "a malformed field is dropped, not trusted"
    assert "3 damaged lines" in found.problem()
    # None of the learner's commands that read the file raises.
    table = lab.progress("01")
    assert table.rows[0].status == "attempted"
    lab.hint("01.3")
    assert "hint 2 of 3" in capsys.readouterr().out
    with mode(exercise=False):  # lab.exercises turns exercise mode on: not for later tests
        assert lab.exercises("01").rows[0].hints == 2


def test_a_progress_file_that_cannot_be_read_has_no_events(progress_path, capsys):
    progress_path.mkdir()  # not a file: reading it fails whoever runs the tests
    assert read_events() == []
    assert "could not read your progress" in capsys.readouterr().err
    assert not record({"event": "hint", "exercise": "01.1", "number": 1})


def test_summarize_says_passed_attempted_or_not_tried():
    events = [
        {"event": "check", "exercise": "01.1", "status": "todo", "reason": "not written yet"},
        {"event": "check", "exercise": "01.1", "status": "fail", "reason": "wrong result"},
        {"event": "hint", "exercise": "01.1", "number": 1},
        {"event": "hint", "exercise": "01.1", "number": 2},
        {"event": "check", "exercise": "01.1", "status": "pass", "queries": {"100": 1}},
        {"event": "check", "exercise": "01.2", "status": "todo"},
        {"event": "check", "exercise": "01.2", "status": "fail", "reason": "query count grows"},
        {"event": "solution", "exercise": "01.2"},
        {"event": "check", "exercise": "77.1", "status": "fail"},
    ]
    rows = summarize(events, [("01.1", "Labels"), ("01.2", "Totals"), ("01.3", "Later")])
    by_id = {row.exercise: row for row in rows}
    assert [row.exercise for row in rows] == ["01.1", "01.2", "01.3", "77.1"]
    assert by_id["01.1"].status == "passed"
    assert by_id["01.1"].attempts == 2  # the stub's check is no attempt
    assert by_id["01.1"].hints == 2
    assert by_id["01.2"].status == "attempted"
    assert by_id["01.2"].last_reason == "query count grows"
    assert by_id["01.2"].solution_seen
    assert by_id["01.3"].status == "not tried"
    assert by_id["77.1"].status == "retired"  # in the file, not in the course
    table = repr(ProgressTable(tuple(rows)))
    assert "1 of 3 passed, 1 attempted" in table
    assert "— 77.1  (retired: no longer in the course; you had attempted it, 1 attempt)" in table
    assert "✅ 01.1" in table
    assert "❌ 01.2" in table
    assert "· 01.3" in table
    assert "last: query count grows" in table
    assert "<table>" in ProgressTable(tuple(rows))._repr_html_()


def test_progress_lists_the_declared_exercises():
    record({"event": "check", "exercise": "00.1", "status": "pass"})
    everything = lab.progress()
    assert [row.exercise for row in everything.rows][:4] == ["00.1", "00.2", "01.3", "01.4"]
    lesson = lab.progress("00")
    assert [row.exercise for row in lesson.rows] == ["00.1", "00.2"]
    assert lesson.rows[0].status == "passed"
    assert "Lesson 00 exercises: 1 of 2 passed" in repr(lesson)


def test_hints_come_one_after_the_other(capsys):
    lab.hint("01.3")
    first = capsys.readouterr().out
    assert "hint 1 of 3" in first
    assert "lab.queries()" in first
    lab.hint("01.3")
    assert "hint 2 of 3" in capsys.readouterr().out
    lab.hint("01.3")
    lab.hint("01.3")
    last = capsys.readouterr().out
    assert last.count("hint 3 of 3") == 2
    assert 'That was the last hint. `lab.solution("01.3")`' in last
    lab.hint("01.3", number=1)
    assert "hint 1 of 3" in capsys.readouterr().out
    lab.hint("42.1")
    assert "there is no exercise '42.1'" in capsys.readouterr().out


def test_the_solution_asks_first(capsys, progress_path):
    lab.solution("01.3")
    asked = capsys.readouterr().out
    assert 'lab.solution("01.3", confirm=True)' in asked
    assert "len(q)" not in asked
    assert not read_events()
    lab.solution("01.3", confirm=True)
    shown = capsys.readouterr().out
    assert '"queries": len(q)' in shown
    assert [e["event"] for e in read_events()] == ["solution"]


@pytest.fixture
def db_unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def test_check_prints_the_verdict_and_records_the_attempt(capsys, progress_path, db_unblocked):
    def waiting():
        return Order.objects.filter(status="pending").count()

    def broken():
        return 1 / 0

    assert lab.check("00.1", waiting) is None
    assert lab.check("00.1", broken) is None
    out = capsys.readouterr().out
    assert "✅ 00.1" in out
    assert "❌ 00.1" in out
    assert "ZeroDivisionError" in out
    lines = [json.loads(line) for line in progress_path.read_text().splitlines()]
    assert [(e["exercise"], e["status"]) for e in lines] == [("00.1", "pass"), ("00.1", "fail")]
    assert lines[0]["queries"] == {"100": 1, "300": 1}
    assert lines[1]["kind"] == "raised"


def test_check_never_raises_whatever_the_learners_exception_holds(
    capsys, progress_path, db_unblocked
):
    def strange():
        raise ValueError("bad byte \udcff and a lone \ud800 surrogate")

    assert lab.check("00.1", strange) is None
    out = capsys.readouterr().out
    assert "❌ 00.1" in out
    assert "bad byte ? and a lone ? surrogate" in out
    (event,) = read_events()
    assert event["status"] == "fail"
    assert "bad byte ?" in event["message"]


def test_an_old_id_counts_for_its_new_one_and_a_retired_one_is_shown_apart(monkeypatch):
    from workshop_site.grading import renamed

    monkeypatch.setattr(renamed, "RENAMED", {"09.1": "09a.1", "09a.1": "09b.1"})
    monkeypatch.setattr(renamed, "RETIRED", {"09.5": "merged into 09c.1"})
    events = [
        {"event": "check", "exercise": "09.1", "status": "fail", "reason": "wrong result"},
        {"event": "check", "exercise": "09.1", "status": "pass"},
        {"event": "hint", "exercise": "09.1", "number": 1},
        {"event": "check", "exercise": "09.5", "status": "pass"},
    ]
    rows = {row.exercise: row for row in summarize(events, [("09b.1", "Indexes")])}
    assert (rows["09b.1"].status, rows["09b.1"].attempts, rows["09b.1"].hints) == ("passed", 2, 1)
    assert (rows["09.5"].status, rows["09.5"].title) == ("retired", "merged into 09c.1")
    table = ProgressTable(tuple(rows.values()))
    assert "1 of 1 passed" in repr(table)
    assert "09.5  (retired: merged into 09c.1; you had passed it, 1 attempt)" in repr(table)
    assert "Retired exercises" in table._repr_html_()
    monkeypatch.setattr(renamed, "RENAMED", {"a": "b", "b": "a"})
    with pytest.raises(ValueError, match="loops"):
        renamed.current_id("a")


def test_activities_are_counted_apart_from_the_exercises():
    events = [
        {"event": "activity", "exercise": "03.a", "form": "predict", "status": "todo"},
        {"event": "activity", "exercise": "03.a", "form": "predict", "status": "fail",
         "answer": "1", "measured": "1,001 queries"},
        {"event": "activity", "exercise": "03.a", "form": "predict", "status": "pass"},
        {"event": "activity", "exercise": "03.b", "form": "edit", "status": "fail"},
        {"event": "check", "exercise": "03.1", "status": "pass"},
    ]  # fmt: skip
    rows = summarize(events, [("03.1", "Envelopes")])
    assert [row.exercise for row in rows] == ["03.1"]
    found = summarize_activities(events, [("03.a", "Predict"), ("03.b", "Join"), ("03.c", "More")])
    assert [(a.activity, a.status, a.tries) for a in found] == [
        ("03.a", "right", 2),
        ("03.b", "tried", 1),
        ("03.c", "not tried", 0),
    ]
    table = ProgressTable(tuple(rows), activities=tuple(found))
    assert "1 of 1 passed, 0 attempted" in repr(table)
    assert "Your turn (not graded): 1 of 3 activities right, 1 tried" in repr(table)
    assert "✏️ 03.b Join: tried" in repr(table)
    assert "Your turn (not graded)" in table._repr_html_()


def test_lab_progress_lists_the_lessons_activities(progress_path):
    from workshop_site.grading.progress import progress

    record({"event": "activity", "exercise": "03.a", "form": "predict", "status": "pass"})
    table = progress("03")
    assert [a.activity for a in table.activities][:2] == ["03.a", "03.b"]
    assert table.activities[0].status == "right"
    assert all(a.activity.startswith("03.") for a in table.activities)
