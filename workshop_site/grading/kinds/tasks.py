"""The kind that judges work moved out of a request into a task (lesson 08).

The learner's function is a view. The grader calls it once on the grading data, in the
sandbox (rolled back), with ``partner`` slow (its own partner service) and a task backend
that stores tasks without running them. It then checks, in that order: no request
reached the partner while the view ran (the response no longer waits for it); nothing was
enqueued before the transaction's commit; after the commit exactly one ``task`` was
enqueued, with the arguments the exercise expects; and the task, run as a worker runs it,
reaches the partner.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.tasks import Task, TaskResult
from django.tasks.signals import task_enqueued
from django.test import TestCase, override_settings

from workshop_site.external import PartnerService
from workshop_site.grading.compare import show
from workshop_site.grading.kinds.base import Check, Outcome, Stage, register
from workshop_site.grading.kinds.partners import partners_at

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["OffloadsToTask", "Offloaded", "STORE_ONLY"]

#: A task backend that stores what is enqueued and runs nothing: the grader plays the worker.
STORE_ONLY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@dataclass(frozen=True)
class Offloaded:
    """What one call of the learner's view did."""

    seconds: float  # the view's own time
    partner_calls_in_request: int
    enqueued_before_commit: list[TaskResult[Any, Any]]
    enqueued: list[TaskResult[Any, Any]]  # after the commit's callbacks ran
    expected: tuple[tuple[Any, ...], dict[str, Any]]  # the arguments the task should get
    ran: list[str]  # what each enqueued ``task`` returned (or raised), run as a worker would
    partner_calls_by_tasks: int


@contextmanager
def _enqueued() -> Iterator[list[TaskResult[Any, Any]]]:
    found: list[TaskResult[Any, Any]] = []

    def seen(sender: Any, *, task_result: TaskResult[Any, Any], **kwargs: Any) -> None:
        found.append(task_result)

    task_enqueued.connect(seen, weak=False)
    try:
        yield found
    finally:
        task_enqueued.disconnect(seen)


@register
@dataclass(frozen=True)
class OffloadsToTask(Check):
    """The view leaves ``partner``'s call to ``task`` (see the module's docstring).

    ``call(view)`` calls the learner's view once, on the grading data, and returns the
    arguments the task must be enqueued with, ``(args, kwargs)``; ``delay``: seconds the
    partner takes to answer.
    """

    task: Task[Any, Any]
    partner: str
    call: Callable[[Callable[..., Any]], tuple[tuple[Any, ...], dict[str, Any]]]
    delay: float = 0.5

    kind = "offloads-to-task"
    failure = "the slow call is not moved to a task"
    stage = Stage.RESULT
    uses_runs = False  # the learner's view is called here, with a request

    def evaluate(self, attempt: Attempt) -> Outcome:
        view = attempt.submitted
        with (
            PartnerService() as service,
            partners_at(service.url),
            service.behaving(self.partner, delay=self.delay),
            override_settings(TASKS=STORE_ONLY),
        ):
            run = attempt.measure(
                lambda: self._observe(view, service), size=attempt.sizes[0], raw=True
            )
        if (stopped := self.stopped(run, context="calling your view")) is not None:
            return stopped
        return self._judge(run.value)

    def _observe(self, view: Callable[..., Any], service: PartnerService) -> Offloaded:
        with _enqueued() as enqueued:
            with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
                began = time.perf_counter()
                expected = self.call(view)
                seconds = time.perf_counter() - began
            in_request = len(service.hits(self.partner))
            before_commit = list(enqueued)
            for callback in callbacks:  # the commit
                callback()
            ran = [_run_as_a_worker(result) for result in enqueued if self._mine(result)]
        return Offloaded(
            seconds=seconds,
            partner_calls_in_request=in_request,
            enqueued_before_commit=before_commit,
            enqueued=list(enqueued),
            expected=expected,
            ran=ran,
            partner_calls_by_tasks=len(service.hits(self.partner)) - in_request,
        )

    def _mine(self, result: TaskResult[Any, Any]) -> bool:
        return bool(result.task.module_path == self.task.module_path)

    def _judge(self, seen: Offloaded) -> Outcome:
        name = self.task.name
        if seen.partner_calls_in_request:
            return self.fail(
                f"your view still calls the {self.partner} partner itself: the response "
                f"waited {seen.seconds:.2f} s for it (the partner takes {self.delay:g} s)",
                fix=f"Enqueue `{name}` instead of calling the partner.",
            )
        if seen.enqueued_before_commit:
            return self.fail(
                "your view enqueues the task inside the transaction: a worker could run it "
                "before the new row is committed, or for a row that is then rolled back",
                fix="Enqueue it in `transaction.on_commit(...)`.",
            )
        mine = [result for result in seen.enqueued if self._mine(result)]
        if not mine:
            others = ", ".join(sorted({result.task.name for result in seen.enqueued}))
            return self.fail(
                f"nothing enqueued `{name}` after the commit"
                + (f" (enqueued: {others})" if others else "")
                + ": the work the customer need not wait for must still happen."
            )
        if len(mine) > 1:
            return self.fail(f"`{name}` was enqueued {len(mine)} times for one request")
        args, kwargs = seen.expected
        result = mine[0]
        if (tuple(result.args), dict(result.kwargs)) != (tuple(args), dict(kwargs)):
            return self.fail(
                f"`{name}` was enqueued with {_arguments(result.args, result.kwargs)}; "
                f"expected {_arguments(args, kwargs)}"
            )
        if seen.ran[0].startswith(_RAISED):
            return self.fail(f"run as the worker runs it, `{name}` {seen.ran[0]}")
        if not seen.partner_calls_by_tasks:
            return self.fail(
                f"run as the worker runs it, `{name}` did not reach the {self.partner} partner"
            )
        return self.passed(
            f"the view answered in {seen.seconds * 1000:.0f} ms with no call to the "
            f"{self.partner} partner (it takes {self.delay * 1000:.0f} ms)",
            f"`{name}` enqueued after the commit with {_arguments(args, kwargs)}",
            f"the worker ran it: the partner's answer {show(seen.ran[0])}",
        )


_RAISED = "raised "


def _run_as_a_worker(result: TaskResult[Any, Any]) -> str:
    """What the task returns, run with the arguments it was enqueued with; or what it raised
    (a worker records a failed task, it does not stop)."""
    try:
        return str(result.task.call(*result.args, **result.kwargs))
    except Exception as exc:
        return f"{_RAISED}{type(exc).__name__}: {exc}"


def _arguments(args: Any, kwargs: Any) -> str:
    parts = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
    return f"({', '.join(parts)})"
