""" "Your turn" activities: a lesson's own checks, on the spot, every 10–15 minutes.

Two forms, each with a lesson-local id (``03.a``, ``03.b``...), listed in the notebook's
metadata (``workshop.sections[].activities``):

- **predict**: the learner types a number or a name before running anything, and the
  check compares it with what it measures live::

      guess = ...  # ← your turn: how many queries?
      lab.predict("03.a", guess, price_list_one_hop)

  ``about=`` says what is measured on the function: ``"queries"`` (how many it runs, the
  default), ``"relation"`` (which relation repeats: ``"brand"``, ``"product.brand"``),
  ``"line"`` (the cell line that runs the repeated queries) or ``"value"`` (what it
  returns: a choice such as ``"LEFT OUTER"``).

- **edit**: the learner edits one line (a queryset) of a function typed in the cell, and
  the check runs it against the naive version at two data sizes: the same result, and a
  query count that does not grow (and, with ``queries=``, within that many)::

      def restock_list():
          low = Listing.objects.filter(stock__lt=3).order_by("id")  # ← your turn
          return [f"{listing}: {listing.stock} left" for listing in low]

      lab.try_fix("03.b", restock_list, like=restock_list_naive)

A check never raises: an unanswered ``...``, a wrong type, code that raises — each is a
message. It is recorded in the progress file as an ``activity`` event (apart from the
graded exercises: ``lab.progress()`` and the instructor report count them separately)
and kept in this kernel (:func:`last`), which is how the notebook tests try each activity
with a right and a wrong answer. Lessons show the inspector's findings without their fix
here: the learner is about to write it.
"""

from __future__ import annotations

import html
import re
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workshop_site.grading.kinds.answers import same_relation
from workshop_site.grading.output import show
from workshop_site.grading.progress import record

__all__ = ["ABOUT", "ActivityResult", "ACTIVITY_ID", "last", "predict", "try_fix"]

#: What a prediction can be about.
ABOUT = ("queries", "relation", "line", "value")
#: "03.a": the lesson's number (an episode's: "09a"), a dot, a letter.
ACTIVITY_ID = re.compile(r"^\d\d[a-z]?\.[a-z]$")
#: Data sizes (customers; every table in proportion) an edit is measured at.
SIZES = (10, 100)
_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "todo": "#757575", "error": "#ef6c00"}
_CODE = re.compile(r"`([^`]+)`")
_results: dict[str, ActivityResult] = {}


@dataclass(frozen=True)
class ActivityResult:
    """What an activity's check found: ``status`` is pass, fail, todo (not answered yet)
    or error (the check could not run)."""

    activity: str
    form: str  # "predict" or "edit"
    status: str
    headline: str
    message: str = ""
    answer: str = ""  # the learner's prediction, as typed
    measured: str = ""  # what the check measured
    queries: dict[int, int] = field(default_factory=dict)  # an edit's, per size

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def _mark(self) -> str:
        return {"pass": "✅", "fail": "❌", "todo": "📝"}.get(self.status, "⚠️")

    def __repr__(self) -> str:
        lines = [f"{self._mark()} {self.activity} — {self.headline}"]
        lines.extend(f"   {line}" for line in self.message.splitlines())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = _COLOURS.get(self.status, "#000")
        body = ""
        if self.message:
            text = _CODE.sub(r"<code>\1</code>", html.escape(self.message))
            body = f"<div style='white-space:pre-wrap;margin-top:4px'>{text}</div>"
        headline = _CODE.sub(r"<code>\1</code>", html.escape(self.headline))
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
            f"<b>{self._mark()} {html.escape(self.activity)} — {headline}</b>{body}</div>"
        )

    def as_record(self) -> dict[str, Any]:
        """The attempt as a progress-file record (``event: activity``)."""
        return {
            "event": "activity",
            "exercise": self.activity,
            "form": self.form,
            "status": self.status,
            "answer": self.answer,
            "measured": self.measured,
            "message": self.headline,
            "queries": {str(size): count for size, count in self.queries.items()},
        }


def last(activity_id: str) -> ActivityResult | None:
    """The last result of ``activity_id`` in this kernel (None: not run yet)."""
    return _results.get(activity_id)


def _finish(result: ActivityResult) -> None:
    _results[result.activity] = result
    show(result)
    if result.status != "error":
        record(result.as_record())


def _bad_id(activity_id: object, form: str) -> ActivityResult | None:
    if isinstance(activity_id, str) and ACTIVITY_ID.match(activity_id):
        return None
    return ActivityResult(
        str(activity_id),
        form,
        "error",
        "not an activity id",
        'An activity id is the lesson\'s number, a dot and a letter: "03.a".',
    )


# -- predict -------------------------------------------------------------------------------


def predict(
    activity_id: str, answer: Any, measured: Callable[[], Any], /, *, about: str = "queries"
) -> None:
    """Compare the learner's prediction with what ``measured()`` does, measured now.

    Never raises; shows the result and records it (see the module's docstring)."""
    _finish(_predict(activity_id, answer, measured, about))


def _predict(
    activity_id: str, answer: Any, measured: Callable[[], Any], about: str
) -> ActivityResult:
    if (bad := _bad_id(activity_id, "predict")) is not None:
        return bad
    if about not in ABOUT:
        return ActivityResult(
            activity_id, "predict", "error", f"`about={about!r}`: one of {', '.join(ABOUT)}"
        )
    if answer is Ellipsis or answer is None:
        return ActivityResult(
            activity_id,
            "predict",
            "todo",
            "your prediction first",
            "Replace `...` with your prediction, then run the cell again. Guess: the "
            "point is to think before you measure.",
        )
    expected_type = "a number" if about in ("queries", "line") else "a name"
    typed = _as_number(answer) if about in ("queries", "line") else answer
    if typed is None:
        return ActivityResult(
            activity_id,
            "predict",
            "todo",
            f"type {expected_type}",
            f"You typed {answer!r}; this prediction is {expected_type}, e.g. `guess = 3`.",
            answer=repr(answer),
        )
    try:
        log, value = _run(measured)
    except Exception as exc:
        return _raised(activity_id, "predict", exc)
    return _judge(activity_id, about, typed, log, value)


def _as_number(answer: Any) -> int | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int):
        return answer
    if isinstance(answer, float) and answer.is_integer():
        return int(answer)
    if isinstance(answer, str) and answer.strip().replace(",", "").isdigit():
        return int(answer.strip().replace(",", ""))
    return None


class _Enough(BaseException):
    """Raised past a query cap: the log so far tells the story (never the learner's to
    catch: not an Exception)."""


def _run(measured: Callable[[], Any], *, cap: int | None = None) -> tuple[Any, Any]:
    """Run ``measured()`` once on this kernel's data, rolled back, with its queries;
    with ``cap``, stop after that many queries (the value is then None)."""
    from django.db import connection

    from workshop_site.lab.capture import queries
    from workshop_site.lab.measure import evaluated
    from workshop_site.lab.probes import rolled_back

    seen = 0

    def stop_past_cap(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        seen += 1
        if cap is not None and seen > cap:
            raise _Enough
        return execute(sql, params, many, context)

    value = None
    with rolled_back(), queries() as log, connection.execute_wrapper(stop_past_cap):
        try:
            value = evaluated(measured())
        except _Enough:
            pass
    return log, value


def _story(log: Any) -> str:
    """What the queries were, without the fix: "1 query, then ..." from the inspector."""
    from workshop_site.lab.inspector import diagnose

    findings = diagnose(log, exercise=True)
    if not findings:
        return "No query repeats once per row."
    return "\n".join(finding.message for finding in findings)


def _judge(activity_id: str, about: str, typed: Any, log: Any, value: Any) -> ActivityResult:
    from workshop_site.lab.inspector import diagnose

    findings = diagnose(log, exercise=True) if about in ("relation", "line") else []
    if about == "queries":
        truth: Any = len(log)
        right = typed == truth
        measured = f"{truth:,} {'query' if truth == 1 else 'queries'}"
    elif about == "value":
        truth = value
        right = _same_choice(typed, value)
        measured = repr(value)
    elif not findings:
        truth, right, measured = None, False, "no query repeats once per row"
    elif about == "relation":
        truth = [finding.relation for finding in findings]
        right = any(same_relation(typed, relation) for relation in truth)
        measured = ", ".join(truth)
    else:  # line
        truth = [finding.source.lineno for finding in findings if finding.source]
        right = typed in truth
        measured = ", ".join(f"line {line}" for line in truth)
    story = _story(log) if about != "value" else ""
    if right:
        return ActivityResult(
            activity_id, "predict", "pass", f"right: {measured}", story, str(typed), measured
        )
    return ActivityResult(
        activity_id,
        "predict",
        "fail",
        f"you predicted {typed!r}; measured: {measured}",
        story,
        str(typed),
        measured,
    )


def _same_choice(typed: Any, value: Any) -> bool:
    if isinstance(typed, str) and isinstance(value, str):
        return " ".join(typed.split()).lower() == " ".join(value.split()).lower()
    return bool(typed == value)


# -- edit ----------------------------------------------------------------------------------


def try_fix(
    activity_id: str,
    yours: Callable[[], Any],
    /,
    *,
    like: Callable[[], Any],
    queries: int | None = None,
    sizes: Sequence[int] = SIZES,
) -> None:
    """Run the learner's edited function against ``like`` (the naive one) at ``sizes``:
    the same result, a query count that does not grow, within ``queries`` if given.

    Never raises; shows the result and records it (see the module's docstring)."""
    _finish(_try_fix(activity_id, yours, like, queries, tuple(sizes)))


def _try_fix(
    activity_id: str,
    yours: Callable[[], Any],
    like: Callable[[], Any],
    budget: int | None,
    sizes: tuple[int, ...],
) -> ActivityResult:
    if (bad := _bad_id(activity_id, "edit")) is not None:
        return bad
    if not callable(yours) or not callable(like):
        return ActivityResult(
            activity_id,
            "edit",
            "error",
            "give the functions themselves",
            'Pass the function, not its result: `lab.try_fix("03.b", my_function, '
            "like=naive_function)`, without parentheses after the names.",
        )
    from workshop_site.lab.measure import ResultMismatchWarning, compare

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResultMismatchWarning)
            frame = compare(
                {"before": like, "yours": yours}, sizes=sizes, repeat=1, budget=0, progress=False
            )
    except Exception as exc:
        return _raised(activity_id, "edit", exc)
    rows: dict[tuple[str, int], Any] = {
        (str(row.variant), int(str(row.rows))): row for row in frame.itertuples()
    }
    counts = {size: int(rows[("yours", size)].queries) for size in sizes}
    before = {size: int(rows[("before", size)].queries) for size in sizes}
    name = getattr(like, "__name__", "the naive version")
    at = _sizes_text(counts)
    was = " → ".join(str(before[size]) for size in sizes)
    for size in sizes:
        if not rows[("yours", size)].matches_first:
            return ActivityResult(
                activity_id,
                "edit",
                "fail",
                f"not the same result as `{name}`",
                f"With {size:,} customers in the shop the results differ; on this notebook's "
                f"data: {_result_difference(like, yours)}. A faster wrong answer is not a "
                "fix: change how the rows load, not which.",
                queries=counts,
            )
    flat = len(set(counts.values())) == 1
    if not flat:
        return ActivityResult(
            activity_id,
            "edit",
            "fail",
            f"the query count still grows: {at}",
            _story_of(yours),
            queries=counts,
        )
    count = next(iter(counts.values()))
    if budget is not None and count > budget:
        return ActivityResult(
            activity_id,
            "edit",
            "fail",
            f"flat, but {count} queries where {budget} will do",
            f"{at}: it no longer grows. The relations it reads can come with fewer queries.",
            queries=counts,
        )
    return ActivityResult(
        activity_id,
        "edit",
        "pass",
        f"the same result as `{name}`, and {at} (it took {was})",
        queries=counts,
    )


def _sizes_text(counts: dict[int, int]) -> str:
    sizes = list(counts)
    if len(set(counts.values())) == 1:
        count = counts[sizes[0]]
        shops = " and ".join(f"{size:,}" for size in sizes)
        return f"{count} {'query' if count == 1 else 'queries'} with {shops} customers alike"
    parts = [f"{counts[size]} with {size:,} customers" for size in sizes]
    return ", ".join(parts)


#: Queries the diagnosis of a failed edit reads: enough for the inspector to name the
#: repeated relation, few enough to stay quick on the lesson's data.
_STORY_CAP = 60


def _story_of(yours: Callable[[], Any]) -> str:
    try:
        log, _ = _run(yours, cap=_STORY_CAP)
    except Exception:  # it ran at both sizes already; a second failure says nothing new
        return ""
    capped = len(log) >= _STORY_CAP
    head = f"In the first {_STORY_CAP} queries on this notebook's data:\n" if capped else ""
    return head + _story(log)


def _result_difference(like: Callable[[], Any], yours: Callable[[], Any]) -> str:
    from workshop_site.lab.measure import difference

    try:
        _, expected = _run(like)
        _, actual = _run(yours)
    except Exception:
        return "the results differ"
    return difference(expected, actual)


def _raised(activity_id: str, form: str, exc: Exception) -> ActivityResult:
    """The learner's code raised: its exception and its own line, never a traceback."""
    from workshop_site.lab.boot import ShopNotStarted

    if isinstance(exc, ShopNotStarted):
        return ActivityResult(activity_id, form, "error", "run `lab.start()` first", str(exc))
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if "ipykernel_" in f.filename or f.filename.startswith("<ipython")]
    where = f" (cell line {mine[-1].lineno}: `{(mine[-1].line or '').strip()}`)" if mine else ""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return ActivityResult(
        activity_id,
        form,
        "fail",
        f"your code raised {type(exc).__name__}",
        f"{type(exc).__name__}: {text}{where}",
    )
