"""While a check runs, the learner's code reaches the grading data only, in every thread,
and every statement it runs there is counted (workshop_site/grading/confine.py).

Right answers that use threads pass; wrong ones fail on what they do; answers that try
to write from a thread, reach another database or hide their queries are refused — and
the learner's own database and the grading data are intact after each of them.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from labels_exercise import LABELS

from workshop_site.grading import grade
from workshop_site.grading.integrity import file_digest
from workshop_site.grading.registry import get
from workshop_site.grading.sandbox import working_copy
from workshop_site.lab.workspace import workspace
from workshop_site.shop.models import Customer, Review

pytestmark = pytest.mark.usefixtures("grading_sandbox")


def graded(exercise_id, fn):
    mine = connections["default"]
    verdict = grade(exercise_id, fn, progress=False)
    assert connections["default"] is mine
    declared = get(exercise_id) if isinstance(exercise_id, str) else exercise_id
    for size in declared.sizes:
        target, source = working_copy(size, progress=False)
        assert file_digest(target) == file_digest(source), f"grading data changed at {size}"
    return verdict


def failed(verdict, kind, *fragments):
    assert (verdict.status, verdict.kind) == ("fail", kind), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"


def _waiting():
    return Customer.objects.filter(welcome_letter_sent=False)


def _labels():
    return [c.mailing_label for c in _waiting().select_related("address")]


# -- right answers with threads: they see the grading data, their queries count ---------


def labels_in_a_pool():
    with ThreadPoolExecutor(max_workers=2) as pool:
        return pool.submit(_labels).result()


def labels_in_a_thread():
    found = []
    thread = threading.Thread(target=lambda: found.extend(_labels()))
    thread.start()
    thread.join()
    return found


def test_a_right_answer_computed_in_threads_passes_with_its_queries_counted():
    for answer in (labels_in_a_pool, labels_in_a_thread):
        verdict = graded(LABELS, answer)
        assert verdict.passed, repr(verdict)
        assert verdict.queries == {100: 1, 300: 1}, verdict.queries


def labels_naive_in_a_pool():
    with ThreadPoolExecutor(max_workers=2) as pool:
        return pool.submit(lambda: [c.mailing_label for c in _waiting()]).result()


def test_an_n_plus_one_in_a_thread_is_counted():
    verdict = graded(LABELS, labels_naive_in_a_pool)
    failed(verdict, "scaling", "waiting customers")
    assert verdict.queries[300] > verdict.queries[100] > 2, verdict.queries


# -- writes from a thread: refused, reported, nothing lost --------------------------------


def labels_deleting_reviews_in_a_pool():
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: Review.objects.all().delete()).exception()
    return _labels()


def _delete_reviews():
    try:
        Review.objects.all().delete()
    except Exception:  # refused: what the learner's thread sees
        pass


def labels_deleting_reviews_in_a_thread():
    thread = threading.Thread(target=_delete_reviews)
    thread.start()
    thread.join()
    return _labels()


@pytest.mark.django_db
def test_a_write_from_a_thread_is_refused_and_reported(seeded):
    reviews = Review.objects.count()
    for answer in (labels_deleting_reviews_in_a_pool, labels_deleting_reviews_in_a_thread):
        verdict = graded(LABELS, answer)
        failed(verdict, "writes", "from another thread", "shop_review", "refused")
    assert Review.objects.count() == reviews  # the learner's own database


def test_a_thread_left_running_does_not_touch_the_grading_data_after_the_check():
    started = threading.Event()
    release = threading.Event()
    outcome = []

    def later():
        started.set()
        release.wait(10)
        try:
            Review.objects.all().delete()
            outcome.append("deleted")
        except Exception as exc:
            outcome.append(type(exc).__name__)

    def labels_leaving_a_thread():
        threading.Thread(target=later, daemon=True).start()
        started.wait(5)
        return _labels()

    verdict = grade(LABELS, labels_leaving_a_thread, progress=False)
    release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("Thread-") and thread is not threading.current_thread():
            thread.join(5)
    assert verdict.passed, repr(verdict)
    # The thread's first query came after the check: on this process's own database (the
    # test database here), never on the grading data, which is intact.
    for size in LABELS.sizes:
        target, source = working_copy(size, progress=False)
        assert file_digest(target) == file_digest(source)


# -- other databases: a connection opened before the check, a raw sqlite3 connection -----


@pytest.mark.django_db(transaction=True)
def test_a_connection_a_thread_opened_before_the_check_is_refused():
    pool = ThreadPoolExecutor(max_workers=1)
    pool.submit(lambda: Customer.objects.count()).result()  # opens the worker's connection

    def labels_through_the_old_pool():
        return pool.submit(_labels).result()

    try:
        verdict = graded(LABELS, labels_through_the_old_pool)
    finally:
        pool.shutdown()
    assert verdict.kind == "raised", repr(verdict)
    assert "DatabaseBlocked" in verdict.message
    assert "connection opened before the check" in verdict.message


def labels_through_raw_sqlite():
    path = connection.settings_dict["NAME"]
    raw = sqlite3.connect(path)
    try:
        raw.execute("SELECT count(*) FROM shop_customer").fetchall()
    finally:
        raw.close()
    return _labels()


def labels_through_a_workspace_file():
    raw = sqlite3.connect(str(workspace() / "any.sqlite3"))
    raw.close()
    return _labels()


def test_a_raw_sqlite3_connection_to_the_grading_data_or_the_workspace_is_refused():
    failed(graded(LABELS, labels_through_raw_sqlite), "raised", "DatabaseBlocked", "refused")
    failed(graded(LABELS, labels_through_a_workspace_file), "raised", "DatabaseBlocked")


def labels_swallowing_the_refusal():
    try:
        labels_through_raw_sqlite()
    except Exception:
        pass
    return _labels()


def test_a_refusal_the_code_swallowed_is_still_reported():
    failed(
        graded(LABELS, labels_swallowing_the_refusal),
        "other-database",
        "sqlite3.connect",
        "was refused",
    )


# -- queries hidden from the query log are counted all the same ----------------------------


def labels_raw_sql_per_row():
    raw = connection.connection if connection.connection else None
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    labels = []
    for _pk, name, address_id in raw.execute(
        "SELECT id, name, address_id FROM shop_customer WHERE NOT welcome_letter_sent"
    ).fetchall():
        street, postcode, city = raw.execute(
            "SELECT street, postcode, city FROM shop_address WHERE id = ?", (address_id,)
        ).fetchone()
        labels.append(f"{name}\n{street}\n{postcode} {city}")
    return labels


def test_queries_on_the_raw_connection_are_counted():
    verdict = graded(LABELS, labels_raw_sql_per_row)
    assert verdict.queries[300] > verdict.queries[100] > 2, repr(verdict)
    failed(verdict, "scaling")


def labels_without_execute_wrappers():
    connection.execute_wrappers.clear()
    return [c.mailing_label for c in _waiting()]


def test_removing_the_query_recorder_is_tampering():
    verdict = graded(LABELS, labels_without_execute_wrappers)
    failed(verdict, "tampered", "execute_wrappers", "put it back")
    # The N+1 was counted below Django: the first size already ran far over the budget.
    assert verdict.queries[100] > 2, verdict.queries
