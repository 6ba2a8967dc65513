"""The monitoring middleware: one correct record per request, and a trace of spans."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from workshop_site import monitoring
from workshop_site.monitoring import STORE, RequestStore, span
from workshop_site.monitoring.middleware import sql_span_name
from workshop_site.monitoring.spans import Trace
from workshop_site.shop.models import Product


def _external(request):
    with span("partner.stock", kind="http", url="http://127.0.0.1/stock"):
        Product.objects.count()
    return HttpResponse("ok")


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("external/", _external, name="external"),
    path("broken/", _broken, name="broken"),
]


def _one(client, url: str, **kwargs):
    mark = STORE.mark()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    records = STORE.records(since=mark)
    assert len(records) == 1
    return response, records[0], len(captured)


def test_record_has_the_route_pattern_status_and_every_query(client, seeded):
    product = Product.objects.public().order_by("id").first()
    url = reverse("shop:product_detail_naive", kwargs={"slug": product.slug})
    response, record, queries = _one(client, url)
    assert record.route == "/products/<str:slug>/naive/"
    assert record.path == url
    assert record.view == "workshop_site.shop.views.product_detail_naive"
    assert (record.method, record.status) == ("GET", 200)
    assert record.queries == queries > 0
    assert 0 < record.db_ms < record.duration_ms
    assert record.cpu_ms > 0
    assert record.template_ms > 0
    assert record.release == STORE.release


def test_unmatched_and_not_found_requests(client, seeded):
    _, unmatched, _ = _one(client, "/no/such/page/")
    assert (unmatched.route, unmatched.status) == (monitoring.UNMATCHED, 404)
    _, missing, _ = _one(client, reverse("shop:product_detail", kwargs={"slug": "gone"}))
    assert (missing.route, missing.status) == ("/products/<str:slug>/", 404)


def test_trace_spans_nest_request_middleware_view_template_and_sql(client, seeded):
    _, record, queries = _one(client, reverse("shop:product_list_naive") + "?per_page=3")
    trace = STORE.trace(record.seq)
    kinds = [s.kind for s in trace.spans]
    assert kinds[:3] == ["request", "middleware", "view"]
    assert kinds.count("sql") == queries == 4 * 3 + 1
    assert kinds.count("template") == 1
    assert kinds[-1] == "middleware"
    by_id = {s.id: s for s in trace.spans}
    template = next(s for s in trace.spans if s.kind == "template")
    lazy = [s for s in trace.spans if s.kind == "sql" and s.parent == template.id]
    assert len(lazy) == 4 * 3  # the N+1 runs while the template renders
    assert all(s.end is not None and s.start <= s.end for s in trace.spans)
    for s in trace.spans[1:]:
        parent = by_id[s.parent]
        assert parent.start <= s.start
        assert s.end <= parent.end
    assert {s.name for s in lazy} >= {"SELECT shop_product", "SELECT shop_brand"}


@pytest.mark.urls("tests.test_monitoring")
def test_span_hook_adds_external_time_and_nests_its_queries(client, seeded):
    _, record, _ = _one(client, "/external/")
    trace = STORE.trace(record.seq)
    external = next(s for s in trace.spans if s.name == "partner.stock")
    assert external.kind == "http"
    assert external.attributes["url"].startswith("http://127.0.0.1")
    assert [s.kind for s in trace.spans if s.parent == external.id] == ["sql"]
    assert record.external_ms == pytest.approx(external.duration * 1000)


@pytest.mark.urls("tests.test_monitoring")
def test_a_failing_view_is_recorded_as_a_500(client, seeded):
    client.raise_request_exception = False
    _, record, _ = _one(client, "/broken/")
    assert (record.route, record.status) == ("/broken/", 500)


def test_span_outside_a_request_is_a_no_op():
    with span("partner.stock", kind="http") as opened:
        pass
    assert opened is None


def test_span_records_an_exception_and_closing_twice_is_harmless():
    trace = Trace()
    with trace.activate():
        with pytest.raises(ValueError, match="timeout"), span("call", kind="http"):
            raise ValueError("timeout")
    (call,) = trace.spans
    assert call.attributes["error"] == "ValueError: timeout"
    end = call.end
    trace.close(call)
    assert call.end == end
    assert trace.external_time == pytest.approx(call.duration)


def test_store_is_bounded_and_reads_since_a_mark():
    store = RequestStore(max_records=3, max_traces=1)
    for seq in range(1, 6):
        store.add(
            monitoring.RequestRecord(seq, 0.0, "GET", "/", "/", "v", 200, 1.0, 0, 0.0, 0.5),
            Trace(),
        )
    assert [r.seq for r in store.records()] == [3, 4, 5]
    assert [r.seq for r in store.records(since=4)] == [5]
    assert store.trace(5) is not None
    assert store.trace(4) is None
    assert list(store.frame().columns)[:4] == ["seq", "started_at", "method", "path"]


@pytest.mark.parametrize(
    ("sql", "name"),
    [
        ('SELECT "a"."id" FROM "shop_listing" INNER JOIN "shop_product"', "SELECT shop_listing"),
        ('INSERT INTO "django_session" ("k") VALUES (%s)', "INSERT django_session"),
        ('UPDATE "shop_order" SET "status" = %s', "UPDATE shop_order"),
        ("SAVEPOINT s1", "SAVEPOINT"),
    ],
)
def test_sql_span_names(sql, name):
    assert sql_span_name(sql) == name
