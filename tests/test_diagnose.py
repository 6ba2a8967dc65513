"""diagnose(): the relation behind each N+1, where its fix goes, the fix as data, and no
alarm where there is none. (The corpus in ``test_inspector_corpus.py`` applies the fixes.)"""

from __future__ import annotations

import pytest
from django.db.models import FETCH_PEERS, Prefetch

from workshop_site import lab
from workshop_site.lab.capture import queries
from workshop_site.lab.inspector import KINDS, Finding, Fix, diagnose, in_exercise_mode, mode
from workshop_site.shop.models import (
    Brand,
    Category,
    Customer,
    Listing,
    Order,
    OrderLine,
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
    assert str(finding.fix) == 'select_related("address")'
    assert finding.fix.model is Customer
    assert finding.model == "Customer"
    assert finding.source.filename == __file__
    assert finding.message.startswith("10 similar queries, one per customer: ")
    assert "reads customer.address." in finding.message
    assert 'Fix: add .select_related("address") to the queryset of customers' in finding.message
    assert "FETCH_PEERS" in finding.message  # fetch modes do help a forward relation
    assert "`" not in finding.message
    assert "<code>customer.address</code>" in finding.html


def test_the_fix_is_data_that_applies_to_a_queryset(seeded):
    finding = findings(lambda: [x.product.brand.name for x in Listing.objects.all()[:5]])[0]
    fixed = finding.fix.apply(Listing.objects.order_by("id"))
    with queries() as log:
        names = [x.product.brand.name for x in fixed[:5]]
    assert len(log) == 1
    assert len(names) == 5
    with pytest.raises(TypeError, match="for a queryset of Listing, not of Product"):
        finding.fix.apply(Product.objects.all())


def test_a_property_names_its_line_and_the_callers_queryset(seeded):
    def labels():
        customers = Customer.objects.order_by("id")[:5]
        return [c.mailing_label for c in customers]

    finding = only(findings(labels))
    assert finding.relation == "Customer.address"
    assert finding.source.short.startswith("shop/models.py:")
    assert "(in mailing_label)" in finding.message
    # The fix goes where the customers are loaded, not in models.py.
    assert finding.queryset.function == "labels"
    assert f"test_diagnose.py:{finding.queryset.lineno} (in labels)" in finding.message


def test_reverse_foreign_key(seeded):
    finding = only(findings(lambda: [list(p.images.all()) for p in Product.objects.all()[:8]]))
    assert (finding.relation, finding.kind, finding.count) == ("Product.images", "reverse", 8)
    assert str(finding.fix) == 'prefetch_related("images")'
    assert "reads product.images.all()." in finding.message
    assert "FETCH_PEERS" not in finding.message  # no fetch mode for related managers


def test_a_count_per_row_is_an_annotation_and_a_new_read(seeded):
    finding = only(findings(lambda: [p.images.count() for p in Product.objects.all()[:5]]))
    assert (finding.relation, finding.kind) == ("Product.images", "reverse")
    assert str(finding.fix) == 'annotate(images_count=Count("images", distinct=True))'
    assert finding.read.now == "product.images_count"
    product = finding.fix.apply(Product.objects.order_by("id")).first()
    assert finding.read.value(product) == product.images.count()
    assert "reads product.images.count()" in finding.message
    assert "then read product.images_count" in finding.message


def test_exists_per_row(seeded):
    finding = only(findings(lambda: [p.images.exists() for p in Product.objects.all()[:5]]))
    assert str(finding.fix) == (
        'annotate(has_images=Exists(ProductImage.objects.filter(product=OuterRef("pk"))))'
    )


def test_many_to_many_both_ways(seeded):
    forward = only(findings(lambda: [list(p.toppings.all()) for p in Pizza.objects.all()]))
    assert (forward.relation, forward.kind) == ("Pizza.toppings", "many_to_many")
    assert str(forward.fix) == 'prefetch_related("toppings")'
    assert "FETCH_PEERS" not in forward.message
    backward = only(findings(lambda: [list(t.pizzas.all()) for t in Topping.objects.all()[:6]]))
    assert (backward.relation, backward.kind) == ("Topping.pizzas", "many_to_many")
    assert str(backward.fix) == 'prefetch_related("pizzas")'


def test_nested_forward_relations_get_one_select_related(seeded):
    found = findings(lambda: [x.product.brand.name for x in Listing.objects.all()[:10]])
    assert [(f.relation, f.kind, f.count) for f in found] == [
        ("Listing.product", "forward", 10),
        ("Product.brand", "forward", 10),
    ]
    assert {str(f.fix) for f in found} == {'select_related("product__brand")'}
    assert [f.path for f in found] == ["product", "product__brand"]
    assert "reads listing.product.brand." in found[1].message


def test_one_fix_for_everything_a_loop_reads_from_one_queryset(seeded):
    def page():
        listings = Listing.objects.all()[:6]
        return [(x.product.brand.name, list(x.product.images.all())) for x in listings]

    found = findings(page)
    assert {f.relation for f in found} == {"Listing.product", "Product.brand", "Product.images"}
    assert {str(f.fix) for f in found} == {
        'select_related("product__brand").prefetch_related("product__images")'
    }


def test_reverse_then_forward_prefetches_the_whole_path(seeded):
    found = findings(
        lambda: [[line.listing.price for line in o.lines.all()] for o in Order.objects.all()[:5]]
    )
    assert {f.relation for f in found} == {"Order.lines", "OrderLine.listing"}
    assert {str(f.fix) for f in found} == {'prefetch_related("lines__listing")'}
    listing = next(f for f in found if f.relation == "OrderLine.listing")
    assert "reads order_line.listing." in listing.message


def test_a_relation_read_through_a_prefetch_is_prefetched_through_it(seeded):
    # The example 2: select_related("customer") on products would raise FieldError.
    def authors():
        products = Product.objects.prefetch_related("reviews")[:8]
        return [[r.customer.name for r in p.reviews.all()] for p in products]

    finding = only(findings(authors))
    assert finding.relation == "Review.customer"
    assert str(finding.fix) == 'prefetch_related("reviews__customer")'
    assert finding.fix.model is Product


def test_the_queryset_that_joined_the_first_hop_gets_the_second(seeded):
    def packing():
        lines = OrderLine.objects.select_related("listing")[:6]
        return [line.listing.product.title for line in lines]

    finding = only(findings(packing))
    assert finding.relation == "Listing.product"
    assert str(finding.fix) == 'select_related("listing__product")'
    assert finding.model == "OrderLine"


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
    assert str(finding.fix) == (
        'prefetch_related(Prefetch("reviews", queryset=Review.objects.filter(rating__gte=4), '
        'to_attr="filtered_reviews"))'
    )
    assert 'ignores the earlier prefetch_related("reviews")' in finding.message
    assert "then read product.filtered_reviews" in finding.message
    assert "FETCH_PEERS" not in finding.message


def test_filter_after_prefetch_on_a_many_to_many(seeded):
    def trap():
        pizzas = Pizza.objects.prefetch_related("toppings")
        return [list(p.toppings.filter(is_vegetarian=True)) for p in pizzas]

    finding = only(findings(trap))
    assert (finding.relation, finding.kind) == ("Pizza.toppings", "prefetch_filtered")
    assert "Topping.objects.filter(is_vegetarian=True)" in str(finding.fix)


def test_order_by_after_prefetch_keeps_the_order_and_the_slice(seeded):
    def trap():
        products = Product.objects.prefetch_related("reviews")[:10]
        return [list(p.reviews.order_by("-created_at")[:3]) for p in products]

    finding = only(findings(trap))
    assert finding.kind == "prefetch_filtered"
    assert str(finding.fix) == (
        'prefetch_related(Prefetch("reviews", queryset=Review.objects.order_by("-created_at"), '
        'to_attr="ordered_reviews"))'
    )
    assert finding.read.now == "product.ordered_reviews[:3]"
    assert "an .order_by() on a related manager ignores the earlier" in finding.message


def test_the_latest_row_per_owner_is_an_ordered_prefetch_read_in_python(seeded):
    # The example 1: a plain prefetch_related("orders") leaves the queries.
    def latest():
        return [c.orders.order_by("-created_at").first() for c in Customer.objects.all()[:8]]

    finding = only(findings(latest))
    assert 'Order.objects.order_by("-created_at"), to_attr="ordered_orders"' in str(finding.fix)
    assert finding.read.now == "next(iter(customer.ordered_orders), None)"


def test_an_order_by_without_a_prefetch_is_a_prefetch_object_too(seeded):
    def plain():
        return [list(p.reviews.order_by("-created_at")) for p in Product.objects.all()[:6]]

    finding = only(findings(plain))
    assert finding.kind == "reverse"
    assert 'Review.objects.order_by("-created_at")' in str(finding.fix)


def test_the_models_own_ordering_needs_no_order_by(seeded):
    finding = only(findings(lambda: [list(p.images.all()) for p in Product.objects.all()[:6]]))
    assert str(finding.fix) == 'prefetch_related("images")'  # ProductImage.Meta.ordering


def test_ordering_by_a_foreign_key_names_its_field(seeded):
    def trap():
        products = Product.objects.prefetch_related("reviews")[:6]
        return [list(p.reviews.order_by("customer", "-rating")) for p in products]

    finding = only(findings(trap))
    assert 'Review.objects.order_by("customer_id", "-rating")' in str(finding.fix)


def test_a_filter_the_reader_cannot_write_as_lookups_is_a_hint(seeded):
    def trap():
        return [list(p.reviews.filter(text__contains="a")) for p in Product.objects.all()[:6]]

    finding = only(findings(trap))
    assert finding.fix is None
    assert "Fix:" not in finding.message
    assert finding.hint.startswith("put the .filter() into a Prefetch(")
    assert "Hint: put the .filter() into a Prefetch(" in finding.message


def test_deferred_field(seeded):
    finding = only(findings(lambda: [p.summary for p in Product.objects.only("title")[:7]]))
    assert (finding.relation, finding.kind, finding.count) == (
        "Product.description",
        "deferred",
        7,
    )
    assert str(finding.fix) == 'only("title", "description")'
    assert "in place of its only()/defer()" in finding.message
    assert "(in summary)" in finding.message
    assert "FETCH_PEERS" in finding.message


def test_a_deferred_field_and_a_relation_get_one_combined_fix(seeded):
    # The issue's example 3: select_related("product") alone would raise "cannot be both
    # deferred and traversed".
    found = findings(lambda: [x.product.title for x in Listing.objects.only("price")[:5]])
    assert [f.relation for f in found] == ["Listing.product_id", "Listing.product"]
    assert {str(f.fix) for f in found} == {'select_related("product").only("price", "product")'}


def test_a_defer_undone_is_defer_none(seeded):
    finding = only(findings(lambda: [r.text for r in Review.objects.defer("text")[:5]]))
    assert (finding.relation, finding.kind) == ("Review.text", "deferred")
    assert str(finding.fix) == "defer(None)"


def test_self_referencing_foreign_key(seeded):
    finding = only(
        findings(lambda: [c.breadcrumb for c in Category.objects.filter(parent__isnull=False)])
    )
    assert (finding.relation, str(finding.fix)) == ("Category.parent", 'select_related("parent")')


@pytest.mark.parametrize(
    "fixed",
    [
        lambda: [c.address.city for c in Customer.objects.select_related("address")[:10]],
        lambda: [c.address.city for c in Customer.objects.fetch_mode(FETCH_PEERS)[:10]],
        lambda: [list(p.images.all()) for p in Product.objects.prefetch_related("images")[:10]],
        lambda: [x.product.brand.name for x in Listing.objects.select_related("product__brand")],
        lambda: [p.summary for p in Product.objects.all()[:10]],
        lambda: [
            p.good
            for p in Product.objects.prefetch_related(
                Prefetch("reviews", Review.objects.filter(rating__gte=4), to_attr="good")
            )[:10]
        ],
    ],
    ids=["select_related", "fetch_peers", "prefetch_related", "nested", "not_deferred", "to_attr"],
)
def test_no_finding_once_fixed(seeded, fixed):
    assert findings(fixed) == []


def test_distinct_gets_on_different_tables_are_not_an_n_plus_one(seeded):
    def gets():
        for model in (Customer, Product, Brand, Listing, Pizza, Topping):
            model.objects.get(pk=1)

    assert findings(gets) == []


def test_gets_of_fixed_ids_after_loading_rows_follow_no_relation(seeded):
    # The issue's example 7: once named Order.customer, from the orders' customer_id.
    def gets():
        list(Order.objects.all()[:5])
        return [Customer.objects.get(pk=pk) for pk in (1, 2, 3)]

    assert findings(gets) == []


def test_a_lookup_by_hand_names_the_foreign_key_it_follows(seeded):
    # The example 8.
    def names():
        orders = Order.objects.order_by("id")[:5]
        return [
            Customer.objects.values_list("name", flat=True).get(pk=o.customer_id) for o in orders
        ]

    finding = only(findings(names))
    assert (finding.relation, finding.kind) == ("Order.customer", "lookup")
    assert str(finding.fix) == 'select_related("customer")'
    assert finding.read.now == "order.customer.name"
    assert "looks up each Customer by order.customer_id" in finding.message


def test_the_relation_comes_from_django_not_from_the_last_query_with_that_column(seeded):
    # The example 5: reviews and orders both select a customer_id.
    def page():
        reviews, orders = list(Review.objects.all()[:5]), list(Order.objects.all()[:5])
        return [o.pk for o in orders], [r.customer.name for r in reviews]

    assert only(findings(page)).relation == "Review.customer"


def test_rows_loaded_before_recording_are_named_exactly(seeded):
    # The example 6: the lazy loads are recorded wherever the rows came from.
    customers = list(Customer.objects.all()[:5])
    with queries() as log:
        [c.address.city for c in customers]
    finding = only(diagnose(log))
    assert finding.relation == "Customer.address"
    assert finding.queryset is None
    assert "(loaded before the recording began)" in finding.message


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


def test_exercise_mode_names_the_relation_and_the_rows_but_not_the_fix(seeded):
    def labels():
        customers = Customer.objects.order_by("id")[:5]
        return [c.mailing_label for c in customers]

    with mode(exercise=True):
        finding = only(findings(labels))
    assert finding.fix is None
    assert finding.read is None
    assert finding.hint == ""
    assert "reads customer.address." in finding.message
    assert "The customers come from the queryset at test_diagnose.py:" in finding.message
    assert "select_related" not in finding.message
    assert "FETCH_PEERS" not in finding.message
    assert only(findings(labels, exercise=True)).message == finding.message
    assert only(findings(labels)).fix is not None  # the mode is back to lessons


def test_the_log_gives_its_findings_and_lab_exports_them(seeded):
    log = queries_log_of(lambda: [c.address.city for c in Customer.objects.all()[:4]])
    assert log.findings() == diagnose(log) == lab.diagnose(log)
    assert lab.Finding is Finding
    assert isinstance(log.findings()[0].fix, Fix)


def test_every_kind_is_documented():
    assert set(KINDS) == {
        "forward",
        "reverse",
        "many_to_many",
        "deferred",
        "prefetch_filtered",
        "lookup",
    }


def test_lab_exercises_turns_exercise_mode_on_for_the_kernel(monkeypatch):
    from workshop_site.grading import api

    monkeypatch.setattr(api, "prepare", lambda sizes: None)
    monkeypatch.setattr(api, "progress", lambda lesson: lesson)
    with mode(exercise=False):
        api.exercises("03")
        assert in_exercise_mode()
    assert not in_exercise_mode()
