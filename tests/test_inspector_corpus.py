"""The inspector on its corpus (``inspector_corpus.py``): no missed and no extra finding,
every finding backed by a growing query count, every suggested fix applied and proven.

Runs on SQLite and on PostgreSQL (``scripts/with-postgres .venv/bin/python -m pytest
tests/test_inspector_corpus.py``).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.inspector_corpus import SIZES, SNIPPETS, Outcome, Snippet, run, seeded

# django_db makes pytest-django set up the test database the module fixture uses. slow:
# the fixture runs the whole corpus, about 6 s in each xdist worker that gets one of the
# module's tests, so `make check` leaves it to `make test`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL, LARGE = sorted(SIZES)
NAMES = [item.name for item in SNIPPETS]


Runs = dict[str, tuple[list[Outcome], list[Outcome], list[Outcome]]]


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker) -> Runs:
    """Every snippet, naive at both sizes, then with the fixes of its findings, then with
    their FETCH_PEERS alternatives where the findings offer one."""
    sizes = (SMALL, LARGE)
    naive: dict[str, list[Outcome]] = {item.name: [] for item in SNIPPETS}
    fixed: dict[str, list[Outcome]] = {item.name: [] for item in SNIPPETS}
    peers: dict[str, list[Outcome]] = {item.name: [] for item in SNIPPETS}
    with django_db_blocker.unblock():
        for size in sizes:
            with seeded(size):
                for item in SNIPPETS:
                    naive[item.name].append(run(item, size))
        for index, size in enumerate(sizes):
            with seeded(size):
                for item in SNIPPETS:
                    found = naive[item.name]
                    findings = found[index].findings
                    if any(outcome.findings for outcome in found):
                        fixed[item.name].append(run(item, size, fixed_by=findings))
                    if any(f.alternative for outcome in found for f in outcome.findings):
                        peers[item.name].append(
                            run(item, size, fixed_by=findings, alternative=True)
                        )
    return {item.name: (naive[item.name], fixed[item.name], peers[item.name]) for item in SNIPPETS}


def _snippet(name: str) -> Snippet:
    return next(item for item in SNIPPETS if item.name == name)


def test_the_corpus_is_large_and_varied():
    assert len(SNIPPETS) >= 60
    assert len(set(NAMES)) == len(NAMES)
    kinds = Counter(item.kind for item in SNIPPETS)
    assert set(kinds) == {"lesson", "exercise", "page", "trap"}, kinds
    assert sum(1 for item in SNIPPETS if item.expect) >= 35
    assert sum(1 for item in SNIPPETS if not item.expect) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_exactly_the_expected_findings(corpus, name):
    expected = sorted(_snippet(name).expect)
    for outcome in corpus[name][0]:
        assert not outcome.error, outcome.error
        assert outcome.relations == expected, f"at size {outcome.size}: " + "\n".join(
            f"{f.relation}: {f.message}" for f in outcome.findings
        )


@pytest.mark.parametrize("name", NAMES)
def test_findings_grow_with_the_data_and_clean_code_stays_flat(corpus, name):
    small, large = corpus[name][0]
    if not _snippet(name).expect:
        assert small.queries == large.queries, (small.queries, large.queries)
        return
    assert small.queries < large.queries, (small.queries, large.queries)
    for before, after in zip(_counts(small), _counts(large), strict=True):
        assert before[0] == after[0], (before, after)
        assert before[1] < after[1], (before, after)


def _counts(outcome: Outcome) -> list[tuple[str, int]]:
    return sorted((finding.relation, finding.count) for finding in outcome.findings)


@pytest.mark.parametrize("name", [item.name for item in SNIPPETS if item.expect])
def test_every_suggested_fix_works(corpus, name):
    naive, fixed, _ = corpus[name]
    for finding in naive[-1].findings:
        assert finding.fix is not None, f"{finding.relation}: only a hint: {finding.message}"
        assert "Fix: add ." in finding.message
    _proven(naive, fixed, _fixes(naive[0]))


@pytest.mark.parametrize("name", [item.name for item in SNIPPETS if item.expect])
def test_every_fetch_peers_alternative_works(corpus, name):
    """Offered only where every load from the queryset is a lazy load (a related manager
    ignores fetch modes), and then proven like the fix."""
    naive, _, peers = corpus[name]
    offered = [f for f in naive[-1].findings if f.alternative is not None]
    if not offered:
        assert all("FETCH_PEERS" not in f.message for f in naive[-1].findings)
        return
    assert all("Or .fetch_mode(FETCH_PEERS) on that queryset" in f.message for f in offered)
    _proven(naive, peers, _fixes(naive[0], alternative=True))


def _proven(naive: list[Outcome], fixed: list[Outcome], fixes: str) -> None:
    for before, after in zip(naive, fixed, strict=True):
        assert not after.error, f"at size {after.size}, with {fixes}: {after.error}"
        assert after.result == before.result, f"at size {after.size}, with {fixes}"
        assert after.findings == [], [f.message for f in after.findings]
    assert fixed[0].queries == fixed[1].queries, (
        f"not flat with {fixes}: {fixed[0].queries} then {fixed[1].queries} queries"
    )


def _fixes(outcome: Outcome, *, alternative: bool = False) -> str:
    return " and ".join(
        sorted(
            {
                f"{f.model}: {f.alternative if alternative and f.alternative else f.fix}"
                for f in outcome.findings
            }
        )
    )


def test_tally(corpus, capsys):
    """Found, missed and extra findings over the corpus (printed with ``-s``)."""
    found = missed = extra = 0
    for item in SNIPPETS:
        expected = Counter(item.expect)
        got = Counter(corpus[item.name][0][-1].relations)
        found += sum((expected & got).values())
        missed += sum((expected - got).values())
        extra += sum((got - expected).values())
    with capsys.disabled():
        print(
            f"\ninspector corpus: {len(SNIPPETS)} snippets, "
            f"{sum(len(item.expect) for item in SNIPPETS)} expected findings: "
            f"found {found}, missed {missed}, extra {extra}"
        )
    assert (missed, extra) == (0, 0)
