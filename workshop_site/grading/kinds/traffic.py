"""The kind that judges a route under traffic (lesson 02, measure first): the learner's fix.

The learner's function is a *view*. :class:`FixesRoute` serves it at the route's URL name
(``lab``'s ``serving``, as ``lab.traffic(views=...)`` does) and replays the route's
requests through Django's test client on the grading data, at each grading size, in the
sandbox (rolled back, query cap, time limit). The naive view is replayed in the same run,
in turns with the learner's, the collector paused; the reference view's page is replayed
once per kernel. The fix passes when its page shows the same main content as
the reference's, its queries per request stay flat as the data grows and within the
budget, and the route's queries and database time drop against the naive view's —
ratios measured in the same call, never an absolute time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.http import HttpResponseBase
from django.test import Client, override_settings

from workshop_site.grading.kinds.base import Check, Outcome, Stage, register
from workshop_site.grading.problems import WrongType
from workshop_site.grading.sandbox import GRADING_SEED
from workshop_site.lab.deploys import serving, view_for
from workshop_site.lab.probes import frozen_heap, quiet_gc

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt
    from workshop_site.grading.sandbox import Run

__all__ = ["FixesRoute", "Replay", "main_content"]

_SHOWN = 70  # characters of a differing line shown in a message
# The reference view's page never changes for a size: replayed once per kernel.
_replays: dict[tuple[Any, ...], Run] = {}


def main_content(html: str) -> str:
    """The page's ``<main>``, whitespace collapsed, CSRF tokens (random per render) removed.

    The header badge ("naive" / "optimized") sits outside ``<main>``: both forms of a page
    have the same main content.
    """
    found = re.search(r"<main>(.*)</main>", html, re.S)
    text = found.group(1) if found else html
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r"\s+", " ", text).strip()


class _Counter:
    """An execute wrapper: queries and seconds in the database, for the current request."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.queries += 1


@dataclass(frozen=True)
class Replay:
    """The route's requests, served by one view: what each request ran and showed."""

    status: int
    content: str  # the first response's main content
    per_request: tuple[int, ...]  # queries of each request
    # Seconds in the database, per request but the first (it warms the connection's caches).
    db_per_request: tuple[float, ...]

    @property
    def queries(self) -> int:
        return sum(self.per_request)

    @property
    def db_best(self) -> float:
        """The least time one request spent in the database: the request the least
        disturbed by the rest of the machine (a shared hub, parallel tests), as
        ``lab.probes.best_time`` takes the best run."""
        return min(self.db_per_request, default=0.0)

    @property
    def most(self) -> int:
        return max(self.per_request)


class NotAResponse(WrongType):
    """The view returned something that is not an ``HttpResponse``."""


def _checked(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view``, refusing to return anything but a response."""

    def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseBase):
            shown = "None" if response is None else f"a {type(response).__name__}"
            raise NotAResponse(
                f"your view returned {shown}: a view returns a response, e.g. "
                f'`render(request, "shop/home.html", context)` or a `TemplateResponse`'
            )
        return response

    checked.__name__ = checked.__qualname__ = getattr(view, "__name__", "view")
    return checked


def _replay(
    views: Sequence[Callable[..., Any]], *, url_name: str, path: str, requests: int
) -> tuple[Replay, ...]:
    """Send ``requests`` GETs to ``path`` with each of ``views`` served at ``url_name``, in
    turns (one request of each, then the next round): views whose times are compared are
    measured under the same conditions, whatever the rest of the machine does meanwhile."""
    served = [_checked(view) for view in views]
    clients = [Client(raise_request_exception=True) for _ in served]
    counts: list[list[int]] = [[] for _ in served]
    seconds: list[list[float]] = [[] for _ in served]
    firsts: list[tuple[int, str]] = [(0, "")] * len(served)
    # The collector paused, as for every timed run (lab.probes): a collection landing in
    # one query would be noise in its time.
    with override_settings(DEBUG=False), frozen_heap(), quiet_gc():
        for index in range(requests):
            for turn, view in enumerate(served):
                counter = _Counter()
                with serving({url_name: view}), connection.execute_wrapper(counter):
                    response = clients[turn].get(path)
                counts[turn].append(counter.queries)
                if index == 0:
                    firsts[turn] = (response.status_code, main_content(response.content.decode()))
                else:
                    seconds[turn].append(counter.seconds)
    return tuple(
        Replay(status, content, tuple(counts[turn]), tuple(seconds[turn]))
        for turn, (status, content) in enumerate(firsts)
    )


def _first_difference(expected: str, got: str) -> str:
    """Where two main contents part: a short excerpt of each."""
    at = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
        min(len(expected), len(got)),
    )
    start = max(0, at - 20)

    def excerpt(text: str) -> str:
        part = text[start : start + _SHOWN]
        return ("…" if start else "") + (part or "(nothing)")

    return f"expected `{excerpt(expected)}`\n   got      `{excerpt(got)}`"


def _per_request(replay: Replay) -> str:
    low, high = min(replay.per_request), replay.most
    return str(high) if low == high else f"{low}–{high}"


@register
@dataclass(frozen=True)
class FixesRoute(Check):
    """The learner's view, served at ``url_name``, fixes the route ``path``.

    ``naive`` is the view (or URL name) the route is served by before the fix; ``queries``
    the budget per request; ``at_most`` the largest share of the naive view's queries (and
    of its database time) the fix may keep, over the same replayed requests.
    """

    url_name: str
    path: str
    naive: Callable[..., Any] | str
    queries: int
    requests: int = 8  # the first warms the caches: 7 are timed
    at_most: float = 0.5

    kind = "fixes-route"
    failure = "the route is not fixed"
    stage = Stage.RESULT
    uses_runs = False  # the learner's function is a view: it is served here

    def _measure(self, attempt: Attempt, views: Sequence[Callable[..., Any]], size: int) -> Run:
        def replay() -> tuple[Replay, ...]:
            return _replay(views, url_name=self.url_name, path=self.path, requests=self.requests)

        return attempt.measure(replay, size=size, raw=True)

    def _reference(self, attempt: Attempt, size: int) -> Replay:
        """The reference view's replay (its page never changes for a size): cached."""
        view = attempt.exercise.reference
        key = (self.url_name, self.path, self.requests, view, size, GRADING_SEED)
        cached = _replays.get(key)
        if cached is None:
            cached = self._measure(attempt, [view], size)
            if cached.problem is not None:
                raise RuntimeError(
                    f"{attempt.exercise.id}: the exercise's own view "
                    f"`{getattr(view, '__name__', view)}` failed: {cached.problem.message}"
                )
            _replays[key] = cached
        replay: Replay = cached.value[0]
        return replay

    def _naive_view(self) -> Callable[..., Any]:
        return view_for(self.naive) if isinstance(self.naive, str) else self.naive

    def evaluate(self, attempt: Attempt) -> Outcome:
        mine: dict[int, Replay] = {}
        naive: dict[int, Replay] = {}
        for size in attempt.sizes:
            # The naive view and the learner's in turns, the naive one first (so the
            # learner's never pays for a cold connection): their database times are
            # compared, so they are measured together, never at two moments when the
            # machine was more or less busy.
            run = self._measure(attempt, [self._naive_view(), attempt.submitted], size)
            failed = f"`{self.path}` served by your view failed {attempt.where(size)}"
            if (stopped := self.stopped(run, context=failed)) is not None:
                return stopped
            naive[size], mine[size] = run.value
            if mine[size].status != 200:
                return self.fail(
                    f"`{self.path}` served by your view answered {mine[size].status}, "
                    f"not 200, {attempt.where(size)}"
                )
            expected = self._reference(attempt, size)
            if mine[size].content != expected.content:
                return self.fail(
                    f"`{self.path}` with your view does not show the same page "
                    f"{attempt.where(size)}:\n   "
                    + _first_difference(expected.content, mine[size].content)
                    + "\n   Fix the queries, not the page: pass the template the same "
                    "context, loaded in fewer queries."
                )
        return self._judge(attempt, mine, naive)

    def _judge(
        self, attempt: Attempt, mine: dict[int, Replay], naive: dict[int, Replay]
    ) -> Outcome:
        sizes = attempt.sizes
        small, large = sizes[0], sizes[-1]
        counts = (
            f"`{self.path}`: {_per_request(naive[small])} queries per request "
            f"{attempt.where(small)}, {_per_request(naive[large])} {attempt.where(large)} → "
            f"{_per_request(mine[small])} and {_per_request(mine[large])} with your view"
        )
        if mine[large].most > mine[small].most:
            return self.fail(f"{counts}: the count grows with the data, an N+1 is left.")
        if mine[large].most > self.queries:
            return self.fail(f"{counts}: over the budget of {self.queries} per request.")
        query_ratio = mine[large].queries / naive[large].queries
        naive_best = naive[large].db_best
        time_ratio = mine[large].db_best / naive_best if naive_best else 0.0
        if query_ratio > self.at_most or time_ratio >= 1.0:
            return self.fail(
                f"{counts}: over {self.requests} requests {attempt.where(large)} the route "
                f"ran {query_ratio:.0%} of the naive view's queries and spent "
                f"{time_ratio:.0%} of its database time (best request); at most "
                f"{self.at_most:.0%} of the queries is the fix."
            )
        return self.passed(
            counts,
            f"over {self.requests} requests: {query_ratio:.0%} of the naive view's queries, "
            f"{time_ratio:.0%} of its database time (best request)",
        )
