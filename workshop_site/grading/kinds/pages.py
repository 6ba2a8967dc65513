"""The kind that judges a diagnosis of the shop's pages: :class:`WorstPage` (lesson 05,
checklist item 3: the Debug Toolbar, or the inspector, used on the running site).

The learner's function returns an answer, not code to run: ``(page, relation)``, the
page of a list (the names of ``pages()``: the shop's guide at ``/guide/``) that runs the
most queries, and a relation whose lazy loads repeat on it. At each grading size the
check opens every page of the list through Django's test client, counts its queries and
asks the inspector which relations repeat on it. Only counts are compared, so a verdict
never depends on the machine. A wrong answer is told what it got wrong, never the
page or relation that is right: finding them is the exercise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workshop_site.grading.kinds.base import Check, Outcome, Stage, register

if TYPE_CHECKING:
    from workshop_site.grading.attempt import Attempt

__all__ = ["PageSurvey", "WorstPage", "survey", "same_relation"]


@dataclass(frozen=True)
class PageSurvey:
    """One page opened once: its queries, and the relations that repeat on it (the
    inspector's findings, most queries first)."""

    name: str
    url: str
    status: int
    queries: int
    relations: tuple[tuple[str, int], ...]  # ("Listing.product", 20), ...


def survey(pages: Sequence[tuple[str, str]]) -> list[PageSurvey]:
    """Open each ``(name, url)`` with Django's test client, as a browser would."""
    from django.test import Client

    from workshop_site.lab.capture import queries
    from workshop_site.lab.inspector import diagnose

    client = Client()
    found = []
    for name, url in pages:
        with queries() as log:
            response = client.get(url)
        findings = diagnose(log, exercise=True)
        relations = tuple((finding.relation, finding.count) for finding in findings)
        found.append(PageSurvey(name, url, response.status_code, len(log), relations))
    return found


def same_relation(typed: str, relation: str) -> bool:
    """Does ``typed`` name ``relation``? ``"Listing.product"``, ``"listing.product"``,
    ``"product"`` and ``"listing__product"`` all name ``Listing.product``."""
    words = typed.strip().lower().replace("__", ".").split(".")
    owner, _, name = relation.lower().partition(".")
    return words[-1] == name and (len(words) == 1 or words[-2] in (owner, ""))


def _same_page(typed: str, page: PageSurvey) -> bool:
    text = " ".join(typed.strip().lower().split())
    return text in (page.name.lower(), page.url.lower(), page.url.lower().rstrip("/"))


@register
@dataclass(frozen=True)
class WorstPage(Check):
    """The answer names the page of ``pages()`` that runs the most queries, and a
    relation that repeats on it."""

    #: The pages to compare on the data at hand: ``[(name, url), ...]``.
    pages: Callable[[], Sequence[tuple[str, str]]] = lambda: ()

    kind = "worst-page"
    failure = "not the worst page, or not its cause"
    stage = Stage.RESULT

    def evaluate(self, attempt: Attempt) -> Outcome:
        figures = []
        for run in attempt.runs:
            if (stopped := self.stopped(run, context=attempt.where(run.size))) is not None:
                return stopped
            answer = _answer(run.value)
            if isinstance(answer, str):
                return self.fail(answer)
            measured = attempt.measure(lambda: survey(self.pages()), size=run.size, raw=True)
            if (stopped := self.stopped(measured, context="opening the pages")) is not None:
                return stopped
            pages: list[PageSurvey] = measured.value
            verdict = self._judge(answer, pages, attempt.where(run.size))
            if verdict is not None:
                return verdict
            worst = max(pages, key=lambda page: page.queries)
            figures.append(f"{worst.name}: {worst.queries} queries {attempt.where(run.size)}")
        return self.passed(*figures)

    def _judge(
        self, answer: tuple[str, str], pages: list[PageSurvey], where: str
    ) -> Outcome | None:
        typed_page, typed_relation = answer
        names = ", ".join(f"`{page.name}`" for page in pages)
        chosen = next((page for page in pages if _same_page(typed_page, page)), None)
        if chosen is None:
            return self.fail(
                f"`{typed_page}` is not one of the pages to compare: answer with one of "
                f"{names} (or its URL)."
            )
        most = max(page.queries for page in pages)
        if chosen.queries < most:
            return self.fail(
                f"`{chosen.name}` runs {chosen.queries} queries {where}, and another page of "
                f"the list runs more. Open every page ({names}) with the Debug Toolbar or "
                "`lab.queries()`, and compare their counts."
            )
        if not chosen.relations:
            return self.fail(f"`{chosen.name}` repeats no relation {where}.")
        top = max(count for _, count in chosen.relations)
        causes = [relation for relation, count in chosen.relations if count == top]
        if any(same_relation(typed_relation, relation) for relation in causes):
            return None
        repeats = [relation for relation, _ in chosen.relations]
        if any(same_relation(typed_relation, relation) for relation in repeats):
            return self.fail(
                f"`{typed_relation}` repeats on `{chosen.name}`, but another relation "
                f"repeats more: its group of similar queries is the largest {where}."
            )
        return self.fail(
            f"`{chosen.name}` is the worst page, right. But `{typed_relation}` is not a "
            f"relation whose queries repeat on it {where}: read its groups of similar "
            "queries (the toolbar's SQL panel, or the inspector) and name the relation "
            'each one loads, as the inspector writes it ("Model.field").'
        )


def _answer(value: Any) -> tuple[str, str] | str:
    """The answer as ``(page, relation)``, or what is wrong with it."""
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(part, str) and part.strip() for part in value)
    ):
        return str(value[0]), str(value[1])
    return (
        f"expected a page and a relation, two strings such as "
        f'`("Home", "Category.children")`; got {value!r:.80}.'
    )
