"""The talk's final checklist, for the learner's own application (lesson 10).

The learner answers each item for their app — ``"yes"``, ``"partly"``, ``"no"`` or
``"n/a"``, alone or with a note — and keeps the result as Markdown::

    answers = {
        "monitoring": ("partly", "Sentry on the API, not on the admin"),
        "alerts": ...,  # not answered yet: shown as such, never ticked for you
    }
    mine = lab.self_assessment(answers, app="billing")
    mine.save()  # my-checklist.md in the workshop's folder; or mine.save("some/path.md")

Nothing is ticked before the learner says so. A value that is not one of the answers is
shown as a problem next to its item, never raised: the rest of the list still exports.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["ANSWERS", "ITEMS", "Item", "SelfAssessment", "self_assessment"]


@dataclass(frozen=True)
class Item:
    """One line of the talk's checklist, and where the course teaches it."""

    key: str
    text: str
    lesson: str  # the notebook that teaches it


#: The talk's final checklist, in the talk's order.
ITEMS: tuple[Item, ...] = (
    Item("monitoring", "I monitor the latency of my app in production", "02_measure_first"),
    Item("alerts", "I am alerted in case of error / latency issues in prod", "02_measure_first"),
    Item("toolbar", "Django Debug Toolbar is installed and used by everyone", "01_instruments"),
    Item(
        "top_views",
        "My top 5 views by server time spent are optimized (select_related, etc.)",
        "03_n_plus_one",
    ),
    Item(
        "timeouts",
        "All my external calls have a timeout aligned with the expected quality of service",
        "08_external_calls",
    ),
    Item(
        "query_tests",
        "All critical pages have a performance test on the number of queries made",
        "07_testing_performance",
    ),
    Item(
        "offloaded",
        "Any non mandatory external call / computation are off-loaded in crons or tasks",
        "08_external_calls",
    ),
    Item(
        "mocked",
        "All external calls are tested / mocked (tests can run offline)",
        "08_external_calls",
    ),
    Item(
        "load_less",
        "For critical views / long computations I load only the minimum needed data "
        "(values, only, defer)",
        "06_loading_less",
    ),
    Item(
        "long_jobs",
        "Long running tasks are optimized in terms of RAM usage (batches, iterator, etc.)",
        "09b_long_jobs",
    ),
)

#: What an item can be answered with, and its mark.
ANSWERS: dict[str, str] = {"yes": "☑", "partly": "◐", "no": "☐", "n/a": "–"}
_UNANSWERED = "☐"
#: Where :meth:`SelfAssessment.save` writes without a path (in the workshop's folder).
FILE_NAME = "my-checklist.md"


@dataclass(frozen=True)
class Line:
    """An item as the learner answered it."""

    item: Item
    answer: str | None  # one of ANSWERS; None: not answered (or not understood)
    note: str = ""
    problem: str = ""  # why the value given could not be read

    @property
    def mark(self) -> str:
        return ANSWERS[self.answer] if self.answer else _UNANSWERED

    @property
    def status(self) -> str:
        if self.problem:
            return f"not read: {self.problem}"
        return self.answer or "not answered yet"


@dataclass(frozen=True)
class SelfAssessment:
    """The learner's checklist for ``app``: one :class:`Line` per item."""

    app: str
    lines: tuple[Line, ...]
    problems: tuple[str, ...] = field(default=())  # keys that are not items
    saved_to: Path | None = None

    @property
    def answered(self) -> int:
        return sum(line.answer is not None for line in self.lines)

    def summary(self) -> str:
        counts = {answer: 0 for answer in ANSWERS}
        for line in self.lines:
            if line.answer:
                counts[line.answer] += 1
        done = ", ".join(f"{n} {answer}" for answer, n in counts.items() if n)
        return f"{self.answered} of {len(self.lines)} answered" + (f" ({done})" if done else "")

    def markdown(self, *, today: date | None = None) -> str:
        """The checklist as Markdown, to keep in the app's repository or wiki."""
        when = (today or date.today()).isoformat()
        out = [
            f"# Performance checklist: {self.app}",
            "",
            f"Filled in on {when}, after the Django performance workshop. {self.summary()}.",
            "",
        ]
        for line in self.lines:
            text = f"- {line.mark} **{line.item.text}** — {line.status}"
            if line.note:
                text += f": {line.note}"
            out.append(text)
        out += [
            "",
            f"Answers: {', '.join(f'{mark} {name}' for name, mark in ANSWERS.items())}; "
            f"{_UNANSWERED} not answered yet.",
        ]
        if self.problems:
            out += ["", *(f"Not an item of the checklist: {p}" for p in self.problems)]
        return "\n".join(out) + "\n"

    def save(self, path: str | Path | None = None) -> SelfAssessment:
        """Write :meth:`markdown` to ``path`` (default: ``my-checklist.md`` in the
        workshop's folder); the same assessment, which shows where it went."""
        if path is None:
            from workshop_site.lab.workspace import workspace

            target = workspace() / FILE_NAME
        else:
            target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.markdown(), encoding="utf-8")
        return SelfAssessment(self.app, self.lines, self.problems, target.resolve())

    def __repr__(self) -> str:
        text = self.markdown()
        if self.saved_to is not None:
            text += f"\nSaved to {self.saved_to}\n"
        return text.rstrip()

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{line.mark}</td><td style='text-align:left'>{html.escape(line.item.text)}"
            f"</td><td style='text-align:left'>{html.escape(line.status)}</td>"
            f"<td style='text-align:left'>{html.escape(line.note)}</td></tr>"
            for line in self.lines
        )
        extra = "".join(
            f"<p>Not an item of the checklist: {html.escape(p)}</p>" for p in self.problems
        )
        saved = (
            f"<p>Saved to <code>{html.escape(str(self.saved_to))}</code></p>"
            if self.saved_to
            else ""
        )
        return (
            f"<p><b>Performance checklist: {html.escape(self.app)}</b> — "
            f"{html.escape(self.summary())}</p><table><tr><th></th><th>item</th>"
            f"<th>your answer</th><th>note</th></tr>{rows}</table>{extra}{saved}"
        )


def _line(item: Item, value: Any) -> Line:
    if value is Ellipsis or value is None:
        return Line(item, None)
    answer, note = (value, "") if not isinstance(value, tuple) else (value + ("", ""))[:2]
    if not isinstance(answer, str) or answer.strip().lower() not in ANSWERS:
        return Line(
            item,
            None,
            str(note),
            f"{answer!r} is not one of {', '.join(repr(a) for a in ANSWERS)}",
        )
    return Line(item, answer.strip().lower(), str(note))


def self_assessment(answers: Mapping[str, Any], *, app: str = "my application") -> SelfAssessment:
    """The learner's answers, item by item (see the module's docstring). Never raises on
    an answer: an item left at ``...`` is "not answered yet", a value it cannot read is
    shown with what is expected."""
    if not isinstance(answers, Mapping):
        answers = {}
    known = {item.key for item in ITEMS}
    lines = tuple(_line(item, answers.get(item.key)) for item in ITEMS)
    problems = tuple(
        f"{key!r} (the items are {', '.join(sorted(known))})" for key in answers if key not in known
    )
    return SelfAssessment(str(app), lines, problems)
