"""Lesson 09's episodes (09a-09d): their examples (tests/corpus_lesson09*.py, the cells as
typed) on the tooling they call, at sizes the notebook runs do not reach, and on both
databases (``make test-postgres``). The notebooks' own figures are checked in their
kernels (tests/claims/09*.py).

These tests pin what the prose says about them: the
plans (read from SQLite's and PostgreSQL's own words), the query counts, which answers
agree, what grows with the rows and what stays flat. Timings are only compared with each
other, measured in the same test, where the notebook's claim has a wide margin.
"""

from __future__ import annotations

from datetime import timedelta

import corpus_lesson09a as indexes
import corpus_lesson09b as long_jobs
import corpus_lesson09c as work
import corpus_lesson09d as templates
import pytest
from django.db import connection
from django.db.models import Q

from workshop_site.lab import template_costs as template_tools
from workshop_site.lab.bulk_writes import write_costs
from workshop_site.lab.capture import queries
from workshop_site.lab.index_costs import compare_indexes, insert_costs, time_vs_rows
from workshop_site.lab.indexes import (
    index_on,
    index_sql,
    migration_code,
    plans_with,
    table_indexes,
)
from workshop_site.lab.job_memory import memory_vs_rows
from workshop_site.lab.order_growth import grow_orders
from workshop_site.lab.probes import best_time, rolled_back
from workshop_site.lab.query_plans import INDEX_ORDER, SEARCH, plan, read_plan
from workshop_site.seed import REFERENCE_NOW
from workshop_site.shop.models import Customer, Listing, Order, Product

#: Customers in the seeded test database (see conftest.py's ``seeded``).
SEED_SIZE = 200

SQLITE_ONLY = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="the SQLite planner's choice, without statistics"
)


@pytest.fixture
def big(seeded):
    """20,000 orders: enough for PostgreSQL's planner to prefer an index (after ANALYZE)."""
    grow_orders(20_000, progress=False)
    return Order.objects.count()


# -- plans: both dialects, read the same way ------------------------------------------------


def test_sqlite_plan_lines_read_as_scan_search_and_sort():
    scan = read_plan("sqlite", ["SCAN shop_order", "USE TEMP B-TREE FOR ORDER BY"])
    assert scan.reads_every_row("shop_order")
    assert scan.sorts
    assert scan.words() == "Reads every row of shop_order, then sorts the rows it found."
    search = read_plan("sqlite", ["SEARCH shop_order USING INDEX idx (status=?)"])
    assert search.step("shop_order").how == SEARCH
    assert search.index_used("shop_order") == "idx"
    assert not search.sorts
    assert not search.step("shop_order").covering
    walk = read_plan("sqlite", ["SCAN shop_order USING COVERING INDEX idx"])
    assert walk.step("shop_order").how == INDEX_ORDER
    assert walk.step("shop_order").covering
    by_pk = read_plan("sqlite", ["SEARCH shop_order USING INTEGER PRIMARY KEY (rowid=?)"])
    assert by_pk.step("shop_order").how == SEARCH
    assert by_pk.index_used("shop_order") is None


def test_postgresql_plan_text_reads_the_same_way():
    seq = read_plan(
        "postgresql",
        [
            "Limit  (cost=1.0..2.0 rows=20 width=8)",
            "  ->  Sort  (cost=1.0..2.0 rows=200 width=8)",
            "        Sort Key: created_at",
            "        ->  Seq Scan on shop_order  (cost=0.00..1.00 rows=200 width=8)",
            "              Filter: ((status)::text = 'pending'::text)",
        ],
    )
    assert seq.reads_every_row("shop_order")
    assert seq.sorts
    index = read_plan(
        "postgresql",
        [
            "Limit  (cost=0.29..1.00 rows=20 width=8)",
            "  ->  Index Scan using order_status_created_idx on shop_order  (cost=0.29..9.0 rows=200 width=8)",  # noqa: E501
            "        Index Cond: ((status)::text = 'pending'::text)",
        ],
    )
    step = index.step("shop_order")
    assert (step.how, step.index, index.sorts) == (SEARCH, "order_status_created_idx", False)
    assert "status" in step.condition
    walk = read_plan(
        "postgresql",
        ["Index Only Scan using idx on shop_order  (cost=0.29..900.0 rows=9000 width=8)"],
    )
    assert walk.step("shop_order").how == INDEX_ORDER
    assert walk.step("shop_order").covering
    bitmap = read_plan(
        "postgresql",
        [
            "Bitmap Heap Scan on shop_order  (cost=5.0..50.0 rows=200 width=8)",
            "  Recheck Cond: ((status)::text = 'pending'::text)",
            "  ->  Bitmap Index Scan on order_status_idx  (cost=0.00..5.0 rows=200 width=0)",
            "        Index Cond: ((status)::text = 'pending'::text)",
        ],
    )
    assert (bitmap.step("shop_order").how, bitmap.index_used("shop_order")) == (
        SEARCH,
        "order_status_idx",
    )


def test_read_plan_names_the_vendors_it_reads():
    with pytest.raises(ValueError, match="not 'mysql'"):
        read_plan("mysql", [])


# -- 1. indexes ---------------------------------------------------------------------------


def test_only_the_primary_key_and_the_foreign_key_are_indexed(seeded):
    columns = table_indexes(Order).values()
    assert sorted(map(tuple, columns)) == [("customer_id",), ("id",)]


def test_a_unique_field_has_its_index_and_postgresql_a_like_twin(seeded):
    found = table_indexes(Product)
    slug = [name for name, columns in found.items() if columns == ["slug"]]
    if connection.vendor == "postgresql":
        assert len(slug) == 2
        assert any(name.endswith("_like") for name in slug)
    else:
        assert len(slug) == 1
    assert ["brand_id"] in found.values()


def test_insert_costs_times_each_set_and_leaves_the_table_as_it_was(seeded):
    before = Order.objects.count()

    def copy_orders():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO shop_order (customer_id, status, created_at)"
                " SELECT customer_id, status, created_at FROM shop_order LIMIT 200"
            )

    frame = insert_costs(
        {"none": [], "queue": [indexes.QUEUE_INDEX]},
        insert=copy_orders,
        repeat=2,
        progress=False,
    )
    assert list(frame["variant"]) == ["none", "queue"]
    assert list(frame["indexes"]) == [0, 1]
    assert frame["× none"].iloc[0] == 1.0
    assert (frame["ms"] > 0).all()
    assert Order.objects.count() == before
    assert "order_status_created_idx" not in table_indexes(Order)


def test_write_costs_counts_each_ways_statements_and_rolls_back(seeded):
    before = Order.objects.count()
    customer = Customer.objects.order_by("id").first()

    def new_orders():
        return [
            Order(customer=customer, status="pending", created_at=REFERENCE_NOW) for _ in range(30)
        ]

    frame = write_costs(
        {
            "save": lambda orders: [order.save() for order in orders],
            "bulk": lambda orders: Order.objects.bulk_create(orders, batch_size=10),
        },
        rows=new_orders,
        progress=False,
    )
    assert frame.set_index("method")["queries"].to_dict() == {"save": 30, "bulk": 3}
    assert list(frame["rows"]) == [30, 30]
    assert Order.objects.count() == before


@pytest.mark.slow
def test_the_queue_reads_every_order_then_sorts_them(big):
    found = plan(indexes.queue())
    assert found.reads_every_row("shop_order")
    assert found.sorts


@pytest.mark.slow
def test_the_queue_index_goes_straight_to_the_rows_in_order(big):
    with index_on(Order, indexes.QUEUE_INDEX):
        found = plan(indexes.queue())
    step = found.step("shop_order")
    assert (step.how, step.index, found.sorts) == (SEARCH, "order_status_created_idx", False)
    assert "order_status_created_idx" not in table_indexes(Order)  # dropped after


def test_the_index_is_declared_as_a_migration_writes_it(seeded):
    code = migration_code(Order, indexes.QUEUE_INDEX)
    assert code.startswith("migrations.AddIndex(")
    assert "fields=['status', 'created_at']" in code
    sql = index_sql(Order, indexes.QUEUE_INDEX)
    assert sql.startswith('CREATE INDEX "order_status_created_idx" ON "shop_order"')
    assert "WHERE" in index_sql(Order, indexes.PENDING_INDEX)


@pytest.mark.slow
@pytest.mark.timing
def test_time_vs_rows_grows_without_the_index_and_not_with_it(seeded):
    timings = time_vs_rows(
        [2_000, 30_000],
        query=indexes.oldest_pending,
        indexes=[indexes.QUEUE_INDEX],
        progress=False,
    )
    assert timings["same_result"].all()
    assert sorted(set(timings["rows"])) == [2_000, 30_000]
    ms = timings.set_index(["rows", "variant"])["ms"]
    assert ms[(30_000, "no index")] > 3 * ms[(30_000, "order_status_created_idx")]
    if connection.vendor == "sqlite":
        # The notebook's backend. On PostgreSQL a round trip to the server weighs more at
        # 2,000 rows: the growth shows at the notebook's 100,000, not by 30,000.
        assert ms[(30_000, "no index")] > 2 * ms[(2_000, "no index")]
    assert Order.objects.count() == 30_000


@pytest.mark.slow
@SQLITE_ONLY
def test_the_column_order_decides_which_queries_an_index_serves(big):
    last_week = REFERENCE_NOW - timedelta(days=7)
    plans = plans_with(
        Order,
        indexes.QUEUE_INDEX,
        {
            "status": lambda: Order.objects.filter(status="pending"),
            "both": lambda: Order.objects.filter(status="pending", created_at__gte=last_week),
            "date": lambda: Order.objects.filter(created_at__gte=last_week),
        },
    ).set_index("query")["plan"]
    assert plans["status"].startswith("Goes straight to the matching rows")
    assert plans["both"].startswith("Goes straight to the matching rows")
    assert plans["date"] == "Reads every row of shop_order."


@pytest.mark.slow
@pytest.mark.timing
@SQLITE_ONLY
def test_the_four_candidates_read_the_way_the_notebook_says(big):
    candidates = compare_indexes(
        [
            indexes.STATUS_INDEX,
            indexes.WRONG_ORDER_INDEX,
            indexes.QUEUE_INDEX,
            indexes.PENDING_INDEX,
        ],
        queries=indexes.QUERIES,
    )
    assert candidates["same_result"].all()
    plans = candidates.set_index(["query", "variant"])["plan"]
    queue, count = "20 oldest pending", "count of pending"
    assert plans[(queue, "order_status_idx")].endswith("then sorts the rows it found.")
    assert plans[(queue, "order_created_status_idx")].startswith(
        "Reads index order_created_status_idx from start to end"
    )
    assert plans[(count, "order_created_status_idx")] == (
        "Reads index order_created_status_idx from start to end, in its order "
        "(the index alone answers: no row of the table is read)."
    )
    for query in (queue, count):
        assert plans[(query, "order_status_created_idx")].startswith("Goes straight")
        assert plans[(query, "order_pending_created_idx")].startswith(
            "Reads index order_pending_created_idx from start to end"
        )
    assert plans[(count, "order_status_idx")].endswith(
        "(the index alone answers: no row of the table is read)."
    )
    assert plans[(queue, "no index")] == (
        "Reads every row of shop_order, then sorts the rows it found."
    )
    # The partial index walked for a count is no sure win (measured both ways): no claim.
    ms = candidates.set_index(["query", "variant"])["ms"]
    # faster, as the lesson says; 3x held on a quiet machine and failed at 2.7x right
    # after the parallel suite: the lesson claims no ratio, so neither does this test
    assert ms[(count, "order_status_created_idx")] < ms[(count, "no index")]


def test_grow_orders_adds_orders_of_existing_customers_and_ids_keep_counting(seeded):
    added = grow_orders(3_000, progress=False)
    assert added == 3_000 - 400
    assert Order.objects.count() == 3_000
    assert grow_orders(2_000, progress=False) == 0
    assert not Order.objects.exclude(customer__in=Customer.objects.all()).exists()
    pending = Order.objects.filter(status="pending").count()
    assert 150 < pending < 450  # one in ten, as the seed's mix
    created = Order.objects.create(
        customer_id=1, created_at=REFERENCE_NOW, status=Order.Status.PENDING
    )
    assert created.pk == 3_001  # PostgreSQL's sequence was moved past the new ids


@pytest.mark.slow
def test_the_partial_index_holds_only_the_pending_orders(big):
    assert indexes.PENDING_INDEX.condition == Q(status="pending")
    with index_on(Order, indexes.PENDING_INDEX):
        assert plan(indexes.queue()).index_used("shop_order") == "order_pending_created_idx"


# -- 2. long jobs -------------------------------------------------------------------------------


def test_the_three_exports_agree_and_count_their_queries(recorded, seeded):
    orders = Order.objects.count()
    plain, plain_log = recorded(long_jobs.export_all)
    streamed, streamed_log = recorded(long_jobs.export_iterator)
    batched, batched_log = recorded(lambda: long_jobs.export_batches(batch_size=100))
    assert plain == streamed == batched
    assert plain[0] == orders
    assert (len(plain_log), len(streamed_log)) == (1, 1)
    assert len(batched_log) == orders // 100 + 1


@pytest.mark.slow
def test_peak_memory_grows_with_a_plain_loop_and_stays_flat_otherwise(seeded):
    jobs = memory_vs_rows(
        [2_000, 8_000],
        {
            "plain": long_jobs.export_all,
            "iterator": long_jobs.export_iterator,
            "batches": long_jobs.export_batches,
        },
        progress=False,
    )
    assert jobs["same_result"].all()
    peak = jobs.set_index(["rows", "variant"])["peak_mb"]
    assert peak[(8_000, "plain")] > 3 * peak[(2_000, "plain")]
    for flat in ("iterator", "batches"):
        assert peak[(8_000, flat)] < 1.3 * peak[(2_000, flat)], flat
    assert peak[(8_000, "plain")] > 5 * peak[(8_000, "iterator")]


@pytest.mark.slow
@pytest.mark.timing
def test_writing_many_rows_counts_statements_by_batch(seeded):
    writes = long_jobs.write_costs(n=500, batch_sizes=(10, 100, None), progress=False)
    counts = writes.set_index(["step", "method", "batch_size"])["queries"]
    assert counts[("create", "save() in a loop", "—")] == 500
    assert counts[("create", "bulk_create", "10")] == 50
    assert counts[("create", "bulk_create", "100")] == 5
    assert counts[("update", "bulk_update", "100")] == 5
    assert counts[("update", "update()", "—")] == 1
    ms = writes.set_index(["step", "method", "batch_size"])["ms"]
    assert ms[("create", "bulk_create", "100")] * 3 < ms[("create", "save() in a loop", "—")]
    # bulk_update: 100 times fewer statements, nothing like 100 times less time.
    assert ms[("update", "bulk_update", "100")] * 10 > ms[("update", "save() in a loop", "—")]
    assert ms[("update", "update()", "—")] * 3 < ms[("update", "bulk_update", "100")]
    assert ms[("update", "update()", "—")] * 3 < ms[("update", "save() in a loop", "—")]
    assert Order.objects.count() == 400  # every run rolled back


@pytest.mark.slow
@pytest.mark.timing
def test_across_a_network_each_insert_pays_its_round_trip(seeded):
    from workshop_site.lab.network_delay import latency

    with latency(1):
        writes = long_jobs.write_costs(n=200, batch_sizes=(100,), progress=False)
    ms = writes.set_index(["step", "method", "batch_size"])["ms"]
    assert ms[("create", "save() in a loop", "—")] >= 200  # 200 INSERTs × 1 ms at least
    assert ms[("create", "bulk_create", "100")] * 3 < ms[("create", "save() in a loop", "—")]


# -- 3. work in the database ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("python", "database", "python_queries"),
    [
        (work.pending_count_len, work.pending_count, "1"),
        (work.has_cancelled_truthy, work.has_cancelled_exists, "1"),
        (work.revenue_python, work.revenue, "1"),
        (work.orders_per_status_python, work.orders_per_status, "1"),
        (work.customers_with_pending_python, work.customers_with_pending_exists, "1+N"),
        (work.last_order_dates_python, work.last_order_dates_subquery, "1+N"),
    ],
)
def test_each_pair_agrees_and_the_database_needs_one_query(
    seeded, recorded, python, database, python_queries
):
    slow, slow_log = recorded(python)
    fast, fast_log = recorded(database)
    assert slow == fast
    assert len(fast_log) == 1
    customers = Customer.objects.count()
    assert len(slow_log) == (1 if python_queries == "1" else 1 + customers)


def test_count_and_exists_ask_for_a_number_and_one_row(recorded, seeded):
    _, counted = recorded(work.pending_count)
    assert "COUNT(*)" in counted[0].sql
    _, exists = recorded(work.has_cancelled_exists)
    assert "LIMIT 1" in exists[0].sql


def test_restock_loop_is_one_update_per_listing_and_update_is_one(recorded, seeded):
    with rolled_back():
        count, log = recorded(work.restock_loop)
        assert count > 0
        assert len(log) == 1 + count
    with rolled_back():
        updated, log = recorded(work.restock)
        assert updated == count
        assert len(log) == 1
        assert log[0].sql.startswith('UPDATE "shop_listing" SET "stock" = ("shop_listing"."stock"')
        assert not Listing.objects.filter(is_active=True, stock__lt=work.RESTOCK_BELOW).exists()


def test_two_saves_lose_a_sale_two_f_updates_do_not(seeded):
    start = Listing.objects.get(pk=1).stock
    with rolled_back():
        result = work.lost_update(listing_id=1)
        assert Listing.objects.get(pk=1).stock == start
    assert result == {
        "start": start,
        "after two save()": start - 1,
        "after two F() updates": start - 2,
    }


# -- 4. templates -------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_naive_table_runs_the_queries_its_docstring_counts(recorded, seeded):
    html, log = recorded(templates.pending_orders_naive)
    orders = list(templates.pending_page())
    lines = sum(order.lines.count() for order in orders)
    assert len(log) == 1 + 3 * len(orders) + 2 * lines
    fixed, fixed_log = recorded(templates.pending_orders)
    assert fixed == html
    assert len(fixed_log) == 2


@pytest.mark.slow
@pytest.mark.timing
def test_split_render_separates_database_and_python_time(seeded):
    split = template_tools.split_render(templates.pending_orders)
    assert split["queries"] == 2
    assert split["total_ms"] == pytest.approx(split["db_ms"] + split["python_ms"])
    naive = template_tools.split_render(templates.pending_orders_naive)
    if connection.vendor == "sqlite":  # the lesson's claim; PostgreSQL's round trips cost more
        assert naive["python_ms"] > naive["db_ms"]  # each lazy query also builds instances


@pytest.mark.slow
@pytest.mark.timing
def test_the_catalogue_runs_no_query_and_its_filters_cost_most(recorded, seeded):
    cards, log = recorded(template_tools.catalogue_rows)
    assert len(log) == 1
    ready = template_tools.light_rows(cards)
    with queries() as rendering:
        heavy = template_tools.catalogue("catalogue_includes", cards)
        inline = template_tools.catalogue("catalogue_inline", cards)
        light = template_tools.catalogue("catalogue_light", ready)
    assert len(rendering) == 0
    assert template_tools.same_html(heavy, light)
    assert template_tools.same_html(inline, light)
    slow = best_time(lambda: template_tools.catalogue("catalogue_inline", cards))
    fast = best_time(lambda: template_tools.catalogue("catalogue_light", ready))
    assert slow > 3 * fast


@pytest.mark.timing
def test_an_include_in_a_loop_costs_more_than_the_same_lines_inline(seeded):
    cards = template_tools.catalogue_rows()
    inline = template_tools.render("examples/lines_inline.html", {"rows": cards})
    included = template_tools.render("examples/lines_includes.html", {"rows": cards})
    assert template_tools.same_html(inline, included)
    costs = template_tools.include_costs(cards)
    assert costs["include_us"] > costs["inline_us"]


@pytest.mark.timing
def test_the_shop_uses_the_cached_loader_and_it_saves_the_compile(seeded):
    loader, _inner = template_tools.shop_loaders()[0]
    assert loader == "django.template.loaders.cached.Loader"
    costs = template_tools.compile_costs()
    assert costs["uncached_ms"] > 10 * costs["cached_ms"]


def test_a_cached_fragment_hides_the_queries_only_on_a_hit(recorded, seeded):
    _, naive_log = recorded(templates.pending_orders_naive)
    miss, hit = template_tools.fragment_cache_costs(templates.pending_page)
    assert miss["queries"] == len(naive_log)
    assert hit["queries"] == 0
