"""Lesson 08's new exercises: 08.3, a test that mocks the recommendation call and still
checks it, and 08.4, a review posted without waiting for the CRM. Each with the reference,
other right answers, wrong and adversarial ones, and the lesson's closest cells pasted as
the answer (issue 21: they must not pass)."""

from __future__ import annotations

import contextlib
import io
import threading
from functools import partial
from unittest import mock

import pytest
import requests
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from workshop_site.external import client
from workshop_site.external.client import PartnerClient
from workshop_site.grading import grade
from workshop_site.grading.references import ref08
from workshop_site.shop import tasks
from workshop_site.shop.models import Customer, Product, Review

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def rejected(exercise_id, fn, *fragments, kind):
    verdict = grade(exercise_id, fn, progress=False)
    assert (verdict.status, verdict.kind) == ("fail", kind), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"
    return verdict


# -- 08.3: the recommendation call, mocked ---------------------------------------------------

MOCKED = "mocked-call-test"


def test_the_mock_reference_passes():
    verdict = grade("08.3", ref08.test_recommendations, progress=False)
    assert verdict.passed, repr(verdict)
    assert "no request to the recommendations partner" in verdict.figures[0]


def test_a_mock_of_the_session_passes_too():
    def test_at_the_http_level(recommendations):
        answer = requests.Response()  # what the session returns: a real response
        answer.status_code, answer.raw = 200, io.BytesIO(b'{"items": [3, 5]}')
        with mock.patch.object(requests.Session, "request", return_value=answer) as sent:
            assert recommendations(7) == [3, 5]
        assert sent.call_args.args[1].endswith("/recommendations/7")
        assert sent.call_args.kwargs["params"] == {"limit": 4}

    assert grade("08.3", test_at_the_http_level, progress=False).passed


def test_a_test_without_a_mock_reaches_the_partner():
    def test_for_real(recommendations):
        assert isinstance(recommendations(7), list)

    rejected("08.3", test_for_real, "reach the recommendations partner", kind=MOCKED)


def test_a_mock_whose_call_is_not_checked_is_rejected():
    def test_only_the_result(recommendations):
        with mock.patch.object(PartnerClient, "call", return_value={"items": [3, 5]}):
            recommendations(7)

    rejected("08.3", test_only_the_result, "returns nothing without calling", kind=MOCKED)


def test_checking_only_that_it_was_called_is_rejected():
    def test_called(recommendations):
        with mock.patch.object(PartnerClient, "call", return_value={"items": [3]}) as call:
            assert recommendations(7) == [3]
        assert call.called

    rejected("08.3", test_called, "asks for another product", kind=MOCKED)


def test_checking_the_path_but_not_the_parameters_is_rejected():
    def test_path_only(recommendations):
        with mock.patch.object(PartnerClient, "call", return_value={"items": [3]}) as call:
            assert recommendations(7) == [3]
        assert call.call_args.args == ("recommendations", "GET", "/recommendations/7")

    rejected("08.3", test_path_only, "another number of items", kind=MOCKED)


def test_a_wrong_expectation_fails_on_the_right_code():
    def test_wrong_path(recommendations):
        with mock.patch.object(PartnerClient, "call", return_value={"items": [3]}) as call:
            recommendations(7)
        call.assert_called_once_with("recommendations", "GET", "/recommend/7")

    rejected("08.3", test_wrong_path, "fails on the shop's own `recommendations`", kind=MOCKED)


def test_the_lessons_stock_mock_pasted_does_not_pass():
    def test_as_in_the_lesson(recommendations):  # lesson 08, "unittest.mock", on stock
        with mock.patch.object(PartnerClient, "call", return_value={"available": 7}) as call:
            level = client.stock_level(1, fallback=0)
        call.assert_called_once_with("stock", "GET", "/stock/1")
        assert level.available == 7

    rejected("08.3", test_as_in_the_lesson, "returns nothing without calling", kind=MOCKED)


# -- 08.4: a review posted without waiting for the CRM ---------------------------------------

TASK = "offloads-to-task"


def _save_review(request, slug):
    product = get_object_or_404(Product, slug=slug)
    customer = get_object_or_404(Customer, pk=request.POST["customer"])
    return Review.objects.create(
        product=product,
        customer=customer,
        rating=int(request.POST["rating"]),
        text=request.POST["text"],
        created_at=timezone.now(),
    )


def test_the_task_reference_passes():
    verdict = grade("08.4", ref08.post_review, progress=False)
    assert verdict.passed, repr(verdict)
    assert "enqueued after the commit" in verdict.figures[1]
    assert "the worker ran it" in verdict.figures[2]


def test_the_naive_view_waits_for_the_crm():
    def post_review(request, slug):
        review = _save_review(request, slug)
        client.crm_event("review.posted", review=review.pk, customer=review.customer.email)
        return JsonResponse({"review": review.pk}, status=201)

    rejected("08.4", post_review, "still calls the crm partner itself", kind=TASK)


def test_enqueuing_inside_the_transaction_is_rejected():
    def post_review(request, slug):
        review = _save_review(request, slug)
        tasks.sync_review_to_crm.enqueue(review.pk)
        return JsonResponse({"review": review.pk}, status=201)

    rejected("08.4", post_review, "inside the transaction", "on_commit", kind=TASK)


def test_the_wrong_arguments_are_named():
    def post_review(request, slug):
        review = _save_review(request, slug)
        transaction.on_commit(partial(tasks.sync_review_to_crm.enqueue, review.product_id))
        return JsonResponse({"review": review.pk}, status=201)

    rejected("08.4", post_review, "was enqueued with (", "expected (", kind=TASK)


def test_dropping_the_call_is_rejected():
    def post_review(request, slug):
        review = _save_review(request, slug)
        return JsonResponse({"review": review.pk}, status=201)

    rejected("08.4", post_review, "nothing enqueued", kind=TASK)


def test_another_task_is_named():
    def post_review(request, slug):
        review = _save_review(request, slug)
        transaction.on_commit(partial(tasks.send_order_confirmation.enqueue, review.pk))
        return JsonResponse({"review": review.pk}, status=201)

    rejected("08.4", post_review, "nothing enqueued", "send_order_confirmation", kind=TASK)


def test_a_thread_is_no_task():
    def post_review(request, slug):
        review = _save_review(request, slug)

        def event():
            with contextlib.suppress(client.PartnerUnavailable):  # the check is over by then
                client.crm_event("review.posted", review=review.pk)

        threading.Thread(target=event, daemon=True).start()
        return JsonResponse({"review": review.pk}, status=201)

    rejected("08.4", post_review, "nothing enqueued", kind=TASK)


def test_a_view_that_answers_an_error_is_told():
    def post_review(request, slug):
        return JsonResponse({"error": "no"}, status=400)

    verdict = grade("08.4", post_review, progress=False)
    assert verdict.status == "fail", repr(verdict)
    assert "400" in verdict.message


def test_the_lessons_checkout_pasted_does_not_pass():
    def post_review(request, slug):  # lesson 08's checkout: the order's tasks on commit
        review = _save_review(request, slug)
        transaction.on_commit(partial(tasks.send_order_confirmation.enqueue, review.pk))
        transaction.on_commit(partial(tasks.sync_order_to_crm.enqueue, review.pk))
        return JsonResponse({"review": review.pk}, status=201)

    assert not grade("08.4", post_review, progress=False).passed


def test_the_stubs_are_not_written_yet():
    def test_recommendations(recommendations):
        raise NotImplementedError("write your answer here")

    def post_review(request, slug):
        raise NotImplementedError("write your answer here")

    for exercise, stub in (("08.3", test_recommendations), ("08.4", post_review)):
        verdict = grade(exercise, stub, progress=False)
        assert (verdict.status, verdict.kind) == ("todo", "todo"), repr(verdict)
