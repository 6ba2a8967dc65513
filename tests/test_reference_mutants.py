"""Every exercise's grading data tells its reference from the reference with one part of the
statement taken out: the generic mutation guard (issue 19).

The mutants come from the references' source (``tests/reference_mutants.py``): each
``filter``/``exclude`` dropped (and each of its conditions, when it has several), each
``order_by`` dropped and reversed, each ``distinct`` dropped, each slice's end moved. Every
mutant must fail its exercise at the grading sizes, with a "result" verdict, or be listed
in ``SAME_MEANING`` with the reason its meaning is the statement's and a test that shows
mutant and reference equal on data built to tell them apart.

Not mutated: the definitions named ``*_naive`` (the code the learner starts from, which a
measuring exercise such as 01.3 runs as it is) and the tests a learner writes
(``test_*``: their set-up picks a sample, and what such a test must catch is held by the
adversarial answers in test_ex07, test_ex08 and test_ex10). The mutants the generic
guard can't make (another filter, an order given elsewhere) are in test_mutations.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from reference_mutants import Mutant, mutants, mutants_of

from workshop_site.grading import grade, sandbox
from workshop_site.grading.exercises.ex06 import catalogue_page
from workshop_site.grading.reference_lookup import reference


def _not_mutated(exercise: str, definition: str) -> bool:
    return definition.endswith("_naive") or definition.startswith("test_")


MUTANTS = mutants(skip=_not_mutated)

_NO_ORDER = (
    '06.2 states no order ("the public products, for the catalogue page"): its check '
    "compares the page's lines, whatever their order"
)
#: Mutant id → why it means what the statement says (shown by SHOWN_EQUAL's test).
SAME_MEANING: dict[str, str] = {
    "06.2: order_by at line 38:9 dropped": _NO_ORDER,
    "06.2: order_by at line 38:9 reversed": _NO_ORDER,
}

#: Mutants that fail by raising rather than by a wrong result, and why that is the
#: failure a learner's answer would meet too.
RAISE: dict[str, str] = {
    "09c.1: filter at line 15:27 dropped": (
        "every listing is updated, and those with no cancelled line get stock + NULL, "
        "which the NOT NULL column refuses"
    ),
}


def _on_grading_data(fn: Callable[[], object], size: int) -> object:
    """``fn``'s value on the grading data (where SQLite returns unordered rows in reverse)."""
    ran = sandbox.run(fn, size=size, accept=lambda value: value, cap=5000, seconds=60)
    assert ran.problem is None, ran.problem
    return ran.value


def _same_page_in_another_order(mutant: Mutant) -> None:
    def page(answer: Callable[[], object]) -> Callable[[], list[str]]:
        return lambda: catalogue_page(answer())  # type: ignore[arg-type]

    expected = _on_grading_data(page(reference(mutant.exercise)), 300)
    got = _on_grading_data(page(mutant.make()), 300)
    assert got != expected, "the data can't tell the orders apart"
    assert sorted(got) == sorted(expected)  # type: ignore[type-var]


#: The tests that show each SAME_MEANING mutant equal to its reference on data that
#: tells the two apart: the grading data, where unordered rows come back reversed.
SHOWN_EQUAL: dict[str, Callable[[Mutant], None]] = {
    "06.2: order_by at line 38:9 dropped": _same_page_in_another_order,
    "06.2: order_by at line 38:9 reversed": _same_page_in_another_order,
}

CHANGED = [m for m in MUTANTS if m.id not in SAME_MEANING]


def test_the_guard_mutates_every_query_exercise():
    mutated = {m.exercise for m in MUTANTS}
    assert {"00.1", "00.2", "03.1", "04.3", "05.2", "06.1", "09c.1", "10.3"} <= mutated
    for change in ("filter at", "dropped", "reversed", "distinct=True", "slice's end", "="):
        assert any(change in m.change for m in MUTANTS), change


SAMPLE = """
def newest(n):
    rows = Row.objects.filter(a=1, b=2).exclude(c=3).order_by("-made", "id").distinct()
    return list(rows.annotate(k=Count("x", distinct=True))[1:n])


def helper_naive():
    return Row.objects.filter(a=1)


REFERENCES = {"99.1": newest}
"""


def test_each_part_of_a_query_is_taken_out_alone():
    found = mutants_of(SAMPLE, {"99.1": ("newest", "helper_naive")}, "sample", skip=_not_mutated)
    changed = {
        m.change: _line(m.source, "rows =") + " / " + _line(m.source, "return") for m in found
    }
    query = 'Row.objects.filter(a=1, b=2).exclude(c=3).order_by("-made", "id").distinct()'
    assert changed == {
        "filter at line 3:23 dropped": _expect(query.replace(".filter(a=1, b=2)", ".all()")),
        "filter at line 3:23: a=1 dropped": _expect(query.replace("a=1, ", "")),
        "filter at line 3:23: b=2 dropped": _expect(query.replace(", b=2", "")),
        "exclude at line 3:40 dropped": _expect(query.replace(".exclude(c=3)", ".all()")),
        "order_by at line 3:53 dropped": _expect(
            query.replace('.order_by("-made", "id")', ".all()")
        ),
        "order_by at line 3:53 reversed": _expect(query.replace('"id")', '"id").reverse()')),
        "distinct at line 3:77 dropped": _expect(query.replace(".distinct()", ".all()")),
        "Count at line 4:32 distinct=True dropped": _expect(query, count='Count("x")'),
        "slice's end moved one row earlier at line 4:59": _expect(query, end="1:n - 1"),
        "slice's start moved one row later at line 4:59": _expect(query, end="1 + 1:n"),
    }
    assert len({m.id for m in found}) == len(found)


def _expect(query: str, count: str = 'Count("x", distinct=True)', end: str = "1:n") -> str:
    return f"rows = {query} / return list(rows.annotate(k={count})[{end}])".replace('"', "'")


def _line(source: str, start: str) -> str:
    return next(line.strip() for line in source.splitlines() if line.strip().startswith(start))


def test_a_mutant_is_compiled_apart_from_the_module_it_changes():
    mutant = mutants_of(
        "def f():\n    return X.filter(a=1)\nREFERENCES = {'9.1': f}\n", {"9.1": ("f",)}, "m"
    )[0]
    function = mutant.make()
    assert function.__module__ == "m__mutant"
    assert mutant.id == "9.1: filter at line 2:13 dropped"


def test_every_same_meaning_exemption_names_a_mutant_and_is_shown():
    ids = {m.id for m in MUTANTS}
    assert sorted(set(SAME_MEANING) - ids) == [], "exemptions for mutants that no longer exist"
    assert sorted(set(RAISE) - ids) == [], "RAISE names mutants that no longer exist"
    assert sorted(SAME_MEANING) == sorted(SHOWN_EQUAL)


@pytest.mark.slow
@pytest.mark.usefixtures("grading_sandbox")
@pytest.mark.parametrize("mutant", CHANGED, ids=[m.id for m in CHANGED])
def test_a_mutant_of_the_reference_fails(mutant):
    verdict = grade(mutant.exercise, mutant.make(), progress=False)
    assert verdict.status == "fail", f"{mutant.id}: {verdict!r}"
    # told apart by its result, not by a count or a budget (or it raises, where RAISE says
    # a learner's answer would too)
    kind = "raised" if mutant.id in RAISE else "result"
    assert verdict.kind == kind, f"{mutant.id}: {verdict!r}"


SAME = [m for m in MUTANTS if m.id in SAME_MEANING]


@pytest.mark.slow
@pytest.mark.usefixtures("grading_sandbox")
@pytest.mark.parametrize("mutant", SAME, ids=[m.id for m in SAME])
def test_a_same_meaning_mutant_passes_and_is_shown_equal_where_it_could_differ(mutant):
    SHOWN_EQUAL[mutant.id](mutant)
    verdict = grade(mutant.exercise, mutant.make(), progress=False)
    assert verdict.status == "pass", f"{mutant.id}: {verdict!r}"
