"""The instructor's report: learner × exercise, from re-run notebooks or live progress."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from workshop_site.grading.__main__ import main
from workshop_site.grading.generate import planned
from workshop_site.grading.notebooks import STUB
from workshop_site.grading.report import learner_name, live, rerun

ROOT = Path(__file__).resolve().parent.parent


def _line(summary: str, start: str) -> str:
    return next(line for line in summary.splitlines() if line.startswith(start))


def _write_progress(path: Path, events: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))


def _check(exercise, status, reason="", queries=None):
    return {"event": "check", "exercise": exercise, "status": status, "reason": reason,
            "queries": queries or {"100": 1, "300": 1}}  # fmt: skip


def test_learner_names_come_from_the_folder_or_the_file(tmp_path):
    assert learner_name(tmp_path / "alice" / "01_instruments.ipynb", tmp_path) == "alice"
    assert learner_name(tmp_path / "bob.ipynb", tmp_path) == "bob"


def test_live_reads_progress_files_from_home_folders(tmp_path):
    grows = "query count grows with rows"
    _write_progress(
        tmp_path / "home" / "alice" / ".django-perf-workshop" / "progress.jsonl",
        [_check("00.1", "pass"), _check("01.3", "fail", grows, {"100": 11, "300": 26}),
         _check("01.3", "pass")],
    )  # fmt: skip
    _write_progress(
        tmp_path / "home" / "bob" / ".django-perf-workshop" / "progress.jsonl",
        [_check("00.1", "todo", "not written yet"), _check("00.1", "fail", "wrong result")]
        + [_check("01.3", "fail", grows, {"100": 11, "300": 26})] * 3,
    )
    report = live([str(tmp_path / "home" / "*" / ".django-perf-workshop" / "progress.jsonl")])
    assert report.learners == ["alice", "bob"]
    assert report.cell("alice", "01.3").status == "pass"
    bob = report.cell("bob", "01.3")
    assert (bob.status, bob.reason, bob.queries, bob.attempts) == ("fail", grows, "11/26", 3)
    assert report.cell("bob", "00.1").status == "fail"
    assert report.cell("bob", "01.4").status == "not tried"
    summary = report.summary()
    assert "2 learners" in summary
    assert "read 2 progress files" in summary
    assert _line(summary, "01.3 How many queries at N and N+20?").endswith(
        f"1/2 passed; most common failure: {grows} (1)"
    )
    assert f"bob on 01.3 (3 attempts, last: {grows})" in summary


def test_the_live_report_survives_a_bad_file_and_names_it(tmp_path):
    home = tmp_path / "home"
    _write_progress(home / "alice" / "progress.jsonl", [_check("00.1", "pass")])
    damaged = home / "bob" / "progress.jsonl"
    _write_progress(damaged, [_check("00.1", "fail", "wrong result")])
    with damaged.open("ab") as file:
        file.write(b'{"event": "check", "exercise": "00.1", "status": "pa\xff\xfe\n')
        file.write(b'{"event": "check", "exercise": "0x.1", "status": "fail"}\n')
    unreadable = home / "carol" / "progress.jsonl"
    unreadable.mkdir(parents=True)
    report = live([str(home / "*" / "progress.jsonl")])
    assert report.cell("alice", "00.1").status == "pass"
    assert report.cell("bob", "00.1").status == "fail"
    summary = report.summary()
    assert f"1 damaged line in {damaged}" in summary
    assert f"{unreadable}: not read" in summary
    assert "read 3 progress files" in summary


def test_the_live_report_follows_every_learner_and_says_what_each_is_on(tmp_path):
    home = tmp_path / "home"
    grows = "query count grows with rows"
    checks = [_check("03.1", "pass"), _check("03.2", "fail", grows), _check("03.2", "fail", grows)]
    checks[0]["time"] = "2026-12-07T10:00:00+00:00"
    checks[1]["time"] = "2026-12-07T10:04:00+00:00"
    checks[2]["time"] = "2026-12-07T10:06:30+00:00"
    _write_progress(home / "learner1" / ".django-perf-workshop" / "progress.jsonl", checks)
    (home / "learner2" / ".django-perf-workshop").mkdir(parents=True)  # logged in, no check
    report = live([str(home / "*" / ".django-perf-workshop" / "progress.jsonl")])
    assert report.learners == ["learner1", "learner2"]
    assert report.cell("learner2", "03.1").status == "not tried"
    report.made = datetime(2026, 12, 7, 10, 10, tzinfo=UTC)
    summary = report.summary()
    now = summary.split("Now (each learner's last check, at ", 1)[1].splitlines()
    assert now[1:] == [
        f"  learner1  03.2 FAIL 3 min ago: {grows} (2 attempts)",
        "  learner2  no check yet",
    ]


def test_the_command_follows_the_class_every_few_seconds(tmp_path, capsys, monkeypatch):
    _write_progress(tmp_path / "ann" / "progress.jsonl", [_check("00.1", "pass")])
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", sleep)
    pattern = str(tmp_path / "*" / "progress.jsonl")
    assert main(["report", "--live", pattern, "--every", "5"]) == 0
    assert capsys.readouterr().out.count("Exercises report: 1 learner") == 2
    assert sleeps == [5, 5]


def test_the_command_writes_a_csv(tmp_path, capsys):
    _write_progress(tmp_path / "carol" / "progress.jsonl", [_check("00.1", "pass")])
    out = tmp_path / "out.csv"
    assert (
        main(["report", "--live", str(tmp_path / "*" / "progress.jsonl"), "--csv", str(out)]) == 0
    )
    assert "Exercises report: 1 learner" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open()))
    assert rows[0] == {
        "learner": "carol", "exercise": "00.1",
        "title": "How many orders are pending?", "status": "pass",
        "reason": "", "queries": "1/1", "attempts": "1", "hints": "0", "message": "",
    }  # fmt: skip


def _answer(notebook, function: str, body: str) -> None:
    """Replace the stub of ``function`` with ``body`` (one line, indented by 4)."""
    cell = next(c for c in notebook.cells if f"def {function}(" in c.source)
    cell.source = cell.source.replace(STUB, body)


@pytest.mark.notebook
def test_rerun_two_learners_notebooks(tmp_path):
    submissions = tmp_path / "submissions"
    (submissions / "alice").mkdir(parents=True)
    for name in ("00_welcome_solutions.ipynb", "01_instruments_solutions.ipynb"):
        (submissions / "alice" / name).write_bytes((ROOT / "solutions" / name).read_bytes())
    bob = nbformat.reads(planned(ROOT)[ROOT / "exercises" / "01_instruments_exercises.ipynb"], 4)
    # A count typed in for 01.3; for 01.4, a cell that raises before its check runs.
    _answer(bob, "label_costs", 'return {"queries": 11, "labels": 10}')
    _answer(bob, "pending_totals_diagnosis", 'return {"relation": "Order.lines", "line": 3}')
    cell = next(c for c in bob.cells if "def pending_totals_diagnosis(" in c.source)
    cell.source = "undefined_name\n" + cell.source
    nbformat.write(bob, submissions / "bob.ipynb")

    report = rerun(submissions, jobs=2, timeout=60)

    assert report.learners == ["alice", "bob"]
    assert {c.exercise: c.status for c in report.cells if c.learner == "alice"} == {
        "00.1": "pass", "00.2": "pass", "01.3": "pass", "01.4": "pass",
    }  # fmt: skip
    typed = report.cell("bob", "01.3")
    assert (typed.status, typed.reason) == ("fail", "not what the instruments show")
    stopped = report.cell("bob", "01.4")
    assert (stopped.status, stopped.reason) == ("error", "the check did not run")
    assert "NameError" in stopped.message
    assert "undefined_name" in stopped.message
    assert report.cell("bob", "00.1").status == "not tried"
    summary = report.summary()
    assert "re-ran 3 notebooks" in summary
    assert _line(summary, "01.3 How many queries at N and N+20?").endswith(
        "1/2 passed; most common failure: not what the instruments show (1)"
    )


def test_the_report_counts_activities_apart_and_shows_retired_exercises(tmp_path, monkeypatch):
    from workshop_site.grading import renamed

    monkeypatch.setattr(renamed, "RENAMED", {"99.1": "00.1"})
    activity = {"event": "activity", "exercise": "03.a", "form": "predict"}
    _write_progress(
        tmp_path / "dana" / "progress.jsonl",
        [_check("99.1", "pass"), _check("42.7", "fail", "wrong result"),
         {**activity, "status": "fail"}, {**activity, "status": "pass"}],
    )  # fmt: skip
    _write_progress(tmp_path / "eve" / "progress.jsonl", [{**activity, "status": "fail"}])
    report = live([str(tmp_path / "*" / "progress.jsonl")])
    assert report.cell("dana", "00.1").status == "pass"  # recorded under its old id
    assert report.cell("dana", "42.7") is None
    assert [(c.learner, c.exercise) for c in report.retired] == [("dana", "42.7")]
    assert "03.a" not in [exercise for exercise, _ in report.exercises]
    summary = report.summary()
    assert "Your-turn activities (not graded):" in summary
    assert _line(summary, "  03.a").endswith("1/2 right, 2 tried")
    assert "  dana: 1 right of 1 tried" in summary
    assert "  dana on 42.7: no longer in the course" in summary
