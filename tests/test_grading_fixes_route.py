"""The check kind ``FixesRoute``: a learner's fixed view of a route, replayed at two sizes
against the naive view. The grader accepts the reference and other right views, rejects
the naive view, a view that shows another page, a view that raises and one that returns
no response — each with its own words, naming the route and the counts — and leaves the
grading data as it was.

Declared here: the exercise that used it (the old 02.1, fix the home page with lesson
05's composed methods) was retired from lesson 02; the kind stays for the lessons that
fix routes."""

from __future__ import annotations

import pytest
from django.shortcuts import render
from django.template.response import TemplateResponse

from workshop_site.grading import Exercise, Rows, grade
from workshop_site.grading.integrity import file_digest
from workshop_site.grading.kinds import registered_kinds
from workshop_site.grading.kinds.traffic import FixesRoute, main_content
from workshop_site.grading.sandbox import working_copy
from workshop_site.shop import views
from workshop_site.shop.models import Category, Listing

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def reference_home(request):
    featured = Listing.objects.public().newest_first().optimize_for_list()[: views.FEATURED]
    roots = Category.objects.public().roots().with_public_children()
    menu = [(root, root.public_children) for root in roots]
    return TemplateResponse(request, "shop/home.html", {"featured": featured, "menu": menu})


HOME = Exercise(
    id="02.1",
    title="Fix the route that costs the most server time",
    reference=reference_home,
    rows=Rows("public listings", lambda: Listing.objects.public().count()),
    time_limit=10.0,
    checks=(FixesRoute(url_name="shop:home", path="/", naive=views.home_naive, queries=6),),
)


def graded(view):
    verdict = grade(HOME, view, progress=False)
    for size in HOME.sizes:
        target, source = working_copy(size, progress=False)
        assert file_digest(target) == file_digest(source), f"grading data changed at {size}"
    return verdict


def rejected(view, *fragments, status="fail", kind="fixes-route"):
    verdict = graded(view)
    assert (verdict.status, verdict.kind) == (status, kind), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"
    return verdict


def test_the_kind_is_registered_from_its_own_module():
    assert registered_kinds()["fixes-route"] is FixesRoute


def test_main_content_ignores_what_is_outside_main_and_csrf_tokens():
    page = (
        '<aside>naive</aside><main> <p>x</p>\n <input name="csrfmiddlewaretoken" value="a1"></main>'
    )
    assert main_content(page) == "<p>x</p> <input >"


@pytest.mark.slow
def test_the_reference_passes_with_the_route_and_the_counts():
    verdict = graded(reference_home)
    assert verdict.passed, repr(verdict)
    headline = verdict.headline()
    assert "`/`: " in headline
    assert "→ 5 and 5 with your view" in headline
    assert "of the naive view's queries" in headline


@pytest.mark.slow
def test_the_shops_own_optimized_view_passes_too():
    assert graded(views.home).passed


@pytest.mark.slow
def test_select_related_and_prefetch_named_directly_pass_too():
    def home(request):
        featured = (
            Listing.objects.filter(is_active=True, product__is_public=True)
            .order_by("-created_at", "-id")
            .select_related("product__brand")
            .prefetch_related("product__images", "product__categories")[:4]
        )
        roots = Category.objects.filter(
            is_public=True, ancestors_are_public=True, parent__isnull=True
        ).order_by("path")
        children = Category.objects.filter(is_public=True, ancestors_are_public=True)
        by_parent = {}
        for child in children.order_by("path"):
            by_parent.setdefault(child.parent_id, []).append(child)
        menu = [(root, by_parent.get(root.id, [])) for root in roots]
        return render(request, "shop/home.html", {"featured": featured, "menu": menu})

    verdict = graded(home)
    assert verdict.passed, repr(verdict)


@pytest.mark.slow
def test_the_naive_view_is_rejected_with_its_counts():
    verdict = rejected(views.home_naive, "`/`: ", "queries per request", "over the budget of 6")
    assert verdict.reason == "the route is not fixed"


def test_a_view_showing_another_page_is_rejected():
    def home(request):
        featured = Listing.objects.public().optimize_for_list().order_by("id")[:4]
        roots = Category.objects.public().roots().with_public_children()
        menu = [(root, root.public_children) for root in roots]
        return TemplateResponse(request, "shop/home.html", {"featured": featured, "menu": menu})

    rejected(home, "does not show the same page", "expected `", "got")


def test_a_view_that_raises_is_reported_with_the_learners_line():
    def home(request):
        featured = Listing.objects.public().optimize_for_lists()[:4]
        return TemplateResponse(request, "shop/home.html", {"featured": featured})

    rejected(
        home,
        "`/` served by your view failed",
        "AttributeError",
        "optimize_for_lists",
        kind="raised",
    )


@pytest.mark.slow
def test_a_view_that_returns_no_response_is_told_what_to_return():
    def home(request):
        Listing.objects.public().count()

    rejected(home, "your view returned None", "TemplateResponse", kind="type")


@pytest.mark.slow
def test_the_stub_is_not_written_yet():
    def home(request):
        raise NotImplementedError("write your answer here")

    verdict = graded(home)
    assert (verdict.status, verdict.kind) == ("todo", "todo"), repr(verdict)
