import pytest

from workshop_site.lab.across_databases import compare_databases
from workshop_site.pgserver import find_bindir


def letters_naive():
    from workshop_site.shop.models import Customer

    return [(c.name, c.address.city) for c in Customer.objects.order_by("pk")]


def letters_fixed():
    from workshop_site.shop.models import Customer

    return [(c.name, c.address.city) for c in Customer.objects.select_related("address")]


def _counts(frame):
    return {
        (r.database.split()[0], r.variant.split()[0], r.rows): r.queries for r in frame.itertuples()
    }


@pytest.mark.slow
def test_sqlite_in_its_own_process():
    frame = compare_databases(
        {"naive": letters_naive, "select_related": letters_fixed},
        sizes=[10, 30],
        databases=["sqlite"],
        repeat=1,
    )
    assert _counts(frame) == {
        ("SQLite", "naive", 10): 11,
        ("SQLite", "naive", 30): 31,
        ("SQLite", "select_related", 10): 1,
        ("SQLite", "select_related", 30): 1,
    }
    assert frame["matches_first"].all()


def test_a_lambda_is_refused_with_the_reason():
    with pytest.raises(TypeError, match="lambda"):
        compare_databases({"x": lambda: 1}, sizes=[10], databases=["sqlite"])


def test_unknown_database_is_refused():
    with pytest.raises(ValueError, match="mysql"):
        compare_databases({"x": letters_naive}, sizes=[10], databases=["mysql"])


@pytest.mark.postgres
@pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL's server binaries are not installed")
def test_both_databases_in_one_table():
    frame = compare_databases(
        {"naive": letters_naive, "select_related": letters_fixed}, sizes=[10], repeat=1
    )
    counts = _counts(frame)
    assert counts[("SQLite", "naive", 10)] == counts[("PostgreSQL", "naive", 10)] == 11
    assert (
        counts[("SQLite", "select_related", 10)]
        == counts[("PostgreSQL", "select_related", 10)]
        == 1
    )
