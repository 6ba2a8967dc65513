"""lab.queries(): exact counts, grouping, no 9,000 cap, and the line behind each query."""

from __future__ import annotations

import inspect
import json

import nbformat
import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from workshop_site import lab
from workshop_site.lab.capture import Query, QueryLog, Source, queries
from workshop_site.notebook_runner import execute_notebook
from workshop_site.shop.models import Customer, Listing, Product


def _models_line(function, needle: str) -> int:
    lines, first = inspect.getsourcelines(function)
    return first + next(i for i, line in enumerate(lines) if needle in line)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (lambda: [c.address.city for c in Customer.objects.order_by("id")[:10]], 11),
        (
            lambda: [c.address.city for c in Customer.objects.select_related("address")[:10]],
            1,
        ),
        (lambda: [list(p.images.all()) for p in Product.objects.prefetch_related("images")], 2),
        (lambda: [x.product.brand.name for x in Listing.objects.order_by("id")[:10]], 21),
        (
            lambda: [
                (x.product.brand.name, [i.url for i in x.product.images.all()])
                for x in Listing.objects.select_related("product__brand").prefetch_related(
                    "product__images"
                )
            ],
            2,
        ),
    ],
    ids=["n+1", "select_related", "prefetch_related", "nested n+1", "optimize_for_list"],
)
def test_exact_query_counts_for_known_patterns(seeded, pattern, expected):
    with queries() as q:
        pattern()
    assert len(q) == expected, q.report()


def test_the_log_is_a_sequence_of_queries_with_sql_params_and_time(seeded):
    with lab.queries() as q:
        Customer.objects.get(pk=3)
    assert len(q) == q.count == 1
    query = q[0]
    assert isinstance(query, Query)
    assert list(q) == [query]
    assert q[:1] == [query]
    assert '"shop_customer"."id" = %s' in query.sql
    assert tuple(query.params) == (3,)
    assert query.duration > 0
    assert query.error is None
    assert query.alias == "default"
    assert q.db_time == pytest.approx(query.duration)
    assert q.wall_time >= q.db_time


def test_duplicates_and_similar_queries_are_grouped(seeded):
    with queries() as q:
        Customer.objects.get(pk=1)
        Customer.objects.get(pk=1)
        Customer.objects.get(pk=2)
        Product.objects.get(pk=1)
    duplicates, similar = q.duplicates(), q.similar()
    assert [len(group) for group in duplicates] == [2]
    assert all(tuple(query.params) == (1,) for query in duplicates[0])
    assert [len(group) for group in similar] == [3]  # the product query is alone
    assert {tuple(query.params) for query in similar[0]} == {(1,), (2,)}


def test_in_lists_of_other_lengths_are_similar(seeded):
    with queries() as q:
        list(Customer.objects.filter(pk__in=[1, 2]))
        list(Customer.objects.filter(pk__in=[1, 2, 3]))
    assert q[0].sql != q[1].sql
    assert [len(group) for group in q.similar()] == [2]
    assert q.duplicates() == []


def test_more_than_9000_queries_are_counted(db):
    # Django's CaptureQueriesContext keeps only the last 9,000: the recorder keeps them all.
    with CaptureQueriesContext(connection) as django_log, queries() as q:
        with connection.cursor() as cursor:
            for _ in range(9_500):
                cursor.execute("SELECT 1")
    with pytest.warns(UserWarning, match="only the last 9000 queries"):
        assert len(django_log) == 9_000
    assert len(q) == 9_500


def test_a_failing_query_is_recorded_with_its_error(db):
    with queries() as q, pytest.raises(DatabaseError):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
    assert len(q) == 1
    assert "no_such_table" in q[0].error  # SQLite: "no such table: …", PostgreSQL: "relation …"


def test_nested_recorders_both_record_and_unwind(seeded):
    before = list(connection.execute_wrappers)
    with queries() as outer:
        Customer.objects.get(pk=1)
        with queries() as inner:
            Customer.objects.get(pk=2)
    assert (len(outer), len(inner)) == (2, 1)
    assert connection.execute_wrappers == before


def test_source_is_the_line_here_for_a_query_run_here(seeded):
    with queries() as q:
        line = inspect.currentframe().f_lineno + 1
        Customer.objects.get(pk=1)
    source = q[0].source
    assert source.filename == __file__
    assert source.lineno == line
    assert source.function == "test_source_is_the_line_here_for_a_query_run_here"
    assert source.short == f"test_capture.py:{line}"


def test_source_of_a_lazy_load_in_a_model_property_is_the_models_line(seeded):
    customer = Customer.objects.get(pk=1)
    with queries() as q:
        customer.mailing_label  # noqa: B018
    expected = _models_line(Customer.mailing_label.fget, "{self.address")
    assert len(q) == 1
    assert q[0].source.short == f"shop/models.py:{expected}"
    assert q[0].source.function == "mailing_label"
    assert "self.address" in q[0].source.code


def test_source_short_names_a_notebook_cell_by_its_line():
    source = Source("/tmp/ipykernel_4242/1234567.py", 3, "<module>")
    assert source.in_notebook
    assert source.short == "cell line 3"


def test_an_empty_log_reports_zero():
    log = QueryLog()
    assert len(log) == 0
    assert log.similar() == []
    assert log.duplicates() == []
    assert log.report().startswith("0 queries")


NOTEBOOK_CELLS = [
    "from workshop_site import lab\nlab.start(size=20, quiet=True)",
    (
        "from workshop_site.shop.models import Customer\n"
        "with lab.queries() as q:\n"
        "    cities = [c.address.city for c in Customer.objects.order_by('id')[:5]]"
    ),
    (
        "import json\n"
        "print(json.dumps({'short': q[1].source.short, 'code': q[1].source.code,\n"
        "                  'in_notebook': q[1].source.in_notebook, 'count': len(q)}))"
    ),
    "%%queries log\nlabels = [c.mailing_label for c in Customer.objects.order_by('id')[:4]]",
    (
        "print(json.dumps({'count': len(log), 'first': log[0].source.short,\n"
        "                  'second': log[1].source.short, 'relation': log.findings()[0].relation}))"
    ),
]


@pytest.mark.notebook
def test_source_lines_and_the_magic_inside_an_executed_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    path = tmp_path / "attribution.ipynb"
    nbformat.write(notebook, path)
    run = execute_notebook(path, timeout=120)

    def printed(index: int) -> dict:
        return json.loads(run.notebook.cells[index].outputs[0]["text"])

    plain = printed(2)
    assert plain == {
        "short": "cell line 3",
        "code": "cities = [c.address.city for c in Customer.objects.order_by('id')[:5]]",
        "in_notebook": True,
        "count": 6,
    }
    magic = printed(4)
    expected = _models_line(Customer.mailing_label.fget, "{self.address")
    assert magic == {
        "count": 5,
        "first": "cell line 1",
        "second": f"shop/models.py:{expected}",
        "relation": "Customer.address",
    }
    shown = run.notebook.cells[3].outputs[-1]["data"]
    assert "N+1 found" in shown["text/html"]
    assert "<details>" in shown["text/html"]
    assert shown["text/plain"].startswith("5 queries")
