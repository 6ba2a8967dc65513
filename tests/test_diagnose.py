"""diagnose(): the relation behind each N+1 and the fix, and no alarm where there is none."""

from __future__ import annotations

import pytest
from django.db.models import FETCH_PEERS, Prefetch

from workshop_site.lab.capture import queries
from workshop_site.lab.diagnose import KINDS, Finding, diagnose
from workshop_site.shop.models import (
    Brand,
    Category,
    Customer,
    Listing,
    Order,
    Pizza,
    Product,
    Review,
    Topping,
)


def findings(pattern, **options) -> list[Finding]:
    with queries() as log:
        pattern()
    return diagnose(log, **options)


def only(found: list[Finding]) -> Finding:
    assert len(found) == 1, [f.relation for f in found]
    return found[0]


def test_forward_foreign_key(seeded):
    finding = only(findings(lambda: [c.address.city for c in Customer.objects.all()[:10]]))
    assert (finding.relation, finding.kind, finding.count) == ("Customer.address", "forward", 10)
    assert finding.fix == 'select_related("address")'
    assert finding.source.filename == __file__
    assert "10 similar queries, one per customer" in finding.message
    assert "`customer.address`" in finding.message
    assert 'try `select_related("address")`' in finding.message
    assert "FETCH_PEERS" in finding.message  # fetch modes do help a forward relation


def test_forward_foreign_key_in_a_model_property_names_the_property(seeded):
    finding = only(findings(lambda: [c.mailing_label for c in Customer.objects.all()[:5]]))
    assert finding.relation == "Customer.address"
    assert finding.source.short.startswith("shop/models.py:")
    assert "(in `mailing_label`)" in finding.message


def test_reverse_foreign_key(seeded):
    finding = only(findings(lambda: [list(p.images.all()) for p in Product.objects.all()[:8]]))
    assert (finding.relation, finding.kind, finding.count) == ("Product.images", "reverse", 8)
    assert finding.fix == 'prefetch_related("images")'
    assert "`product.images.all()`" in finding.message
    assert "FETCH_PEERS" not in finding.message  # no fetch mode for related managers


def test_reverse_foreign_key_count_suggests_an_annotation(seeded):
    finding = only(findings(lambda: [p.images.count() for p in Product.objects.all()[:5]]))
    assert (finding.relation, finding.kind) == ("Product.images", "reverse")
    assert finding.fix == 'annotate(images_count=Count("images"))'
    assert "`product.images.count()`" in finding.message


def test_many_to_many_both_ways(seeded):
    forward = only(findings(lambda: [list(p.toppings.all()) for p in Pizza.objects.all()]))
    assert (forward.relation, forward.kind) == ("Pizza.toppings", "many_to_many")
    assert forward.fix == 'prefetch_related("toppings")'
    assert "FETCH_PEERS" not in forward.message
    backward = only(findings(lambda: [list(t.pizzas.all()) for t in Topping.objects.all()[:6]]))
    assert (backward.relation, backward.kind) == ("Topping.pizzas", "many_to_many")
    assert backward.fix == 'prefetch_related("pizzas")'


def test_nested_forward_relations_get_one_select_related(seeded):
    found = findings(lambda: [x.product.brand.name for x in Listing.objects.all()[:10]])
    assert [(f.relation, f.kind, f.count) for f in found] == [
        ("Listing.product", "forward", 10),
        ("Product.brand", "forward", 10),
    ]
    assert {f.fix for f in found} == {'select_related("product__brand")'}
    assert "`listing.product.brand`" in found[1].message


def test_nested_forward_then_reverse_joins_then_prefetches(seeded):
    def page():
        listings = Listing.objects.all()[:6]
        return [(x.product.brand.name, list(x.product.images.all())) for x in listings]

    found = findings(page)
    assert {f.relation for f in found} == {"Listing.product", "Product.brand", "Product.images"}
    assert {f.fix for f in found} == {
        'select_related("product__brand").prefetch_related("product__images")'
    }


def test_reverse_then_forward_prefetches_the_whole_path(seeded):
    found = findings(
        lambda: [[line.listing.price for line in o.lines.all()] for o in Order.objects.all()[:5]]
    )
    assert {f.relation for f in found} == {"Order.lines", "OrderLine.listing"}
    assert {f.fix for f in found} == {'prefetch_related("lines__listing")'}
    listing = next(f for f in found if f.relation == "OrderLine.listing")
    assert "`order_line.listing`" in listing.message


def test_filter_after_prefetch_is_the_prefetch_trap(seeded):
    def trap():
        products = Product.objects.prefetch_related("reviews")[:10]
        return [list(p.reviews.filter(rating__gte=4)) for p in products]

    finding = only(findings(trap))
    assert (finding.relation, finding.kind, finding.count) == (
        "Product.reviews",
        "prefetch_filtered",
        10,
    )
    assert finding.fix == (
        'Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4), '
        'to_attr="filtered_reviews")'
    )
    assert 'ignores the earlier `prefetch_related("reviews")`' in finding.message
    assert "`product.filtered_reviews`" in finding.message
    assert "FETCH_PEERS" not in finding.message


def test_filter_after_prefetch_on_a_many_to_many(seeded):
    def trap():
        pizzas = Pizza.objects.prefetch_related("toppings")
        return [list(p.toppings.filter(is_vegetarian=True)) for p in pizzas]

    finding = only(findings(trap))
    assert (finding.relation, finding.kind) == ("Pizza.toppings", "prefetch_filtered")
    assert "Topping.objects.filter(is_vegetarian=True)" in finding.fix


def test_order_by_after_prefetch_is_the_prefetch_trap_too(seeded):
    def trap():
        products = Product.objects.prefetch_related("reviews")[:10]
        return [list(p.reviews.order_by("-created_at")[:3]) for p in products]

    finding = only(findings(trap))
    assert (finding.relation, finding.kind, finding.count) == (
        "Product.reviews",
        "prefetch_filtered",
        10,
    )
    assert finding.fix == (
        'Prefetch("reviews", queryset=Review.objects.order_by("-created_at"), '
        'to_attr="ordered_reviews")'
    )
    assert "calls `product.reviews.order_by(...)`" in finding.message
    assert (
        'an `.order_by()` on a related manager ignores the earlier `prefetch_related("reviews")`'
        in (finding.message)
    )


def test_an_order_by_without_a_prefetch_is_a_plain_n_plus_one(seeded):
    def plain():
        return [list(p.reviews.order_by("-created_at")) for p in Product.objects.all()[:6]]

    finding = only(findings(plain))
    assert (finding.kind, finding.fix) == ("reverse", 'prefetch_related("reviews")')


def test_ordering_a_prefetched_relation_by_a_foreign_key_names_its_field(seeded):
    def trap():
        products = Product.objects.prefetch_related("reviews")[:6]
        return [list(p.reviews.order_by("customer", "-rating")) for p in products]

    finding = only(findings(trap))
    assert 'Review.objects.order_by("customer_id", "-rating")' in finding.fix


def test_a_filter_without_a_prefetch_is_a_plain_n_plus_one_with_a_prefetch_object(seeded):
    finding = only(
        findings(lambda: [list(p.reviews.filter(rating=5)) for p in Product.objects.all()[:6]])
    )
    assert (finding.relation, finding.kind) == ("Product.reviews", "reverse")
    assert finding.fix.startswith('Prefetch("reviews", queryset=Review.objects.filter(rating=5)')


def test_the_prefetch_object_fix_really_removes_the_n_plus_one(seeded):
    wanted = Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4), to_attr="good")
    with queries() as log:
        [p.good for p in Product.objects.prefetch_related(wanted)[:10]]
    assert len(log) == 2
    assert diagnose(log) == []


def test_deferred_field(seeded):
    finding = only(findings(lambda: [p.summary for p in Product.objects.only("title")[:7]]))
    assert (finding.relation, finding.kind, finding.count) == (
        "Product.description",
        "deferred",
        7,
    )
    assert '"description"' in finding.fix
    assert "defer" in finding.fix
    assert "(in `summary`)" in finding.message
    assert "FETCH_PEERS" in finding.message


def test_deferred_field_of_a_model_nothing_points_to(seeded):
    finding = only(findings(lambda: [r.text for r in Review.objects.defer("text")[:5]]))
    assert (finding.relation, finding.kind) == ("Review.text", "deferred")


def test_self_referencing_foreign_key(seeded):
    finding = only(
        findings(lambda: [c.breadcrumb for c in Category.objects.filter(parent__isnull=False)])
    )
    assert (finding.relation, finding.fix) == ("Category.parent", 'select_related("parent")')


@pytest.mark.parametrize(
    "fixed",
    [
        lambda: [c.address.city for c in Customer.objects.select_related("address")[:10]],
        lambda: [c.address.city for c in Customer.objects.fetch_mode(FETCH_PEERS)[:10]],
        lambda: [list(p.images.all()) for p in Product.objects.prefetch_related("images")[:10]],
        lambda: [x.product.brand.name for x in Listing.objects.select_related("product__brand")],
        lambda: [p.summary for p in Product.objects.all()[:10]],
    ],
    ids=["select_related", "fetch_peers", "prefetch_related", "nested", "not_deferred"],
)
def test_no_finding_once_fixed(seeded, fixed):
    assert findings(fixed) == []


def test_distinct_gets_on_different_tables_are_not_an_n_plus_one(seeded):
    def gets():
        for model in (Customer, Product, Brand, Listing, Pizza, Topping):
            model.objects.get(pk=1)

    assert findings(gets) == []


def test_a_loop_of_gets_by_id_follows_no_relation(seeded):
    assert findings(lambda: [Customer.objects.get(pk=i) for i in range(1, 8)]) == []


def test_below_the_threshold_is_quiet(seeded):
    def two():
        return [c.address.city for c in Customer.objects.all()[:2]]

    assert findings(two) == []
    assert only(findings(two, threshold=2)).relation == "Customer.address"
    with pytest.raises(ValueError, match="threshold must be at least 2"):
        diagnose(queries_log_of(two), threshold=1)


def queries_log_of(pattern):
    with queries() as log:
        pattern()
    return log


def test_rows_loaded_before_recording_are_named_by_the_line(seeded):
    customers = list(Customer.objects.all()[:5])
    with queries() as log:
        [c.address.city for c in customers]
    assert only(diagnose(log)).relation == "Customer.address"


def test_two_loops_on_two_lines_are_two_findings(seeded):
    def twice():
        [c.address.city for c in Customer.objects.all()[:4]]
        [c.address.city for c in Customer.objects.all()[4:9]]

    found = findings(twice)
    assert [(f.relation, f.count) for f in found] == [
        ("Customer.address", 5),
        ("Customer.address", 4),
    ]
    assert found[0].source.lineno == found[1].source.lineno + 1


def test_the_log_gives_its_findings(seeded):
    log = queries_log_of(lambda: [c.address.city for c in Customer.objects.all()[:4]])
    assert log.findings() == diagnose(log)


def test_every_kind_is_documented():
    assert set(KINDS) == {"forward", "reverse", "many_to_many", "deferred", "prefetch_filtered"}
