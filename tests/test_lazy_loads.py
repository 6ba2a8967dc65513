"""Lazy loads recorded through Django 6.1's fetch modes while ``lab.queries()`` is open."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db.models import FETCH_PEERS, FETCH_RAISE
from django.db.models import query as django_query
from django.db.models.fetch_modes import FetchOne, FetchPeers, FetchRaise

from workshop_site.lab import lazy_loads
from workshop_site.lab.capture import queries
from workshop_site.seed import seed
from workshop_site.shop.models import Address, Brand, Customer, Listing, Product

ORIGINALS = {cls: vars(cls)["fetch"] for cls in (FetchOne, FetchPeers, FetchRaise)}


def _wrapped() -> bool:
    return any(vars(cls)["fetch"] is not fetch for cls, fetch in ORIGINALS.items())


def test_a_forward_lazy_load_knows_its_relation(seeded):
    customer = Customer.objects.order_by("id").first()
    with queries() as log:
        assert customer.address.city
    (query,) = log
    lazy = query.lazy
    assert (lazy.model, lazy.attribute, lazy.kind, lazy.related) == (
        Customer,
        "address",
        "forward",
        Address,
    )
    assert lazy.pk == customer.pk
    assert lazy.parent is None


def test_a_deferred_field(seeded):
    with queries() as log:
        [p.description for p in Product.objects.only("title").order_by("id")[:2]]
    assert log[0].lazy is None  # the queryset itself
    assert [(q.lazy.model, q.lazy.attribute, q.lazy.kind) for q in log[1:]] == [
        (Product, "description", "deferred")
    ] * 2


def test_the_second_hop_knows_the_first(seeded):
    with queries() as log:
        [x.product.brand.name for x in Listing.objects.order_by("id")[:3]]
    brands = [q.lazy for q in log if q.lazy is not None and q.lazy.attribute == "brand"]
    assert len(brands) == 3
    assert all(lazy.parent == (Listing, "product") for lazy in brands)


def test_every_instance_is_reached_whatever_its_fetch_mode(seeded):
    before = list(Customer.objects.order_by("id")[:2])  # loaded before the recording
    made = Customer(pk=before[0].pk, address_id=before[0].address_id)  # no queryset at all
    peers = Customer.objects.fetch_mode(FETCH_PEERS).order_by("id")[:3]
    with queries() as log:
        loaded = [before[1].address, made.address, *(c.address for c in peers)]
    assert len(loaded) == 5
    lazy = [(q.lazy.attribute if q.lazy else None) for q in log]
    assert lazy == ["address", "address", None, "address"]  # FETCH_PEERS: one for three


def test_fetch_raise_still_raises(seeded):
    customer = Customer.objects.fetch_mode(FETCH_RAISE).order_by("id").first()
    with queries() as log, pytest.raises(FieldFetchBlocked):
        print(customer.address)
    assert len(log) == 0


def test_other_queries_are_not_lazy_loads(seeded):
    with queries() as log:
        list(Brand.objects.all())
        Customer.objects.get(pk=1)
    assert [q.lazy for q in log] == [None, None]


def test_the_fetch_modes_are_put_back_on_exit_on_error_and_after_nesting(seeded):
    default = django_query.DEFAULT_FETCH_MODE
    assert not _wrapped()
    with queries():
        assert _wrapped()
        assert lazy_loads.installed()
        with queries():
            assert _wrapped()
        assert _wrapped()  # the outer block still records
    assert not _wrapped()
    assert not lazy_loads.installed()

    def failing_block() -> None:
        with queries():
            assert _wrapped()
            raise RuntimeError("the learner's code failed")

    with pytest.raises(RuntimeError):
        failing_block()
    assert not _wrapped()
    assert django_query.DEFAULT_FETCH_MODE is default is FETCH_ONE_MODE()


def FETCH_ONE_MODE():
    from django.db.models import FETCH_ONE

    return FETCH_ONE


def test_another_thread_without_a_recording_is_left_alone(transactional_db):
    seed(size=10, seed=7)  # committed: the other thread's connection must see it
    found: list[object] = []

    def elsewhere() -> None:
        from django.db import connection

        try:
            customer = Customer.objects.order_by("id").first()
            assert customer.address.city
            found.append(lazy_loads.current())
        except Exception as exc:
            found.append(exc)
        finally:
            connection.close()

    with queries() as log:
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert found == [None]
    assert len(log) == 0
