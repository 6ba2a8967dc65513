"""How a QueryLog shows itself: the HTML in a notebook, plain text elsewhere."""

from __future__ import annotations

import re

from workshop_site import lab
from workshop_site.lab.capture import QueryLog, queries
from workshop_site.lab.display import format_sql, html_report, short_sql, text_report
from workshop_site.lab.inspector import mode
from workshop_site.shop.models import Customer


def n_plus_one(count: int = 6) -> QueryLog:
    with queries() as log:
        [c.address.city for c in Customer.objects.order_by("id")[:count]]
    return log


def test_text_summary_counts_times_and_groups(seeded):
    log = n_plus_one()
    text = text_report(log)
    first = text.splitlines()[0]
    assert first.startswith("7 queries · database ")
    assert f"{log.db_time * 1000:,.1f} ms" in first
    assert "0 duplicates · 1 group of similar queries" in first
    assert "Simulated" not in text
    assert repr(log) == text == str(log.report())


def test_duplicates_count_the_repeats_beyond_the_first(seeded):
    with queries() as log:
        for _ in range(3):
            Customer.objects.get(pk=1)
    assert "3 queries · database" in text_report(log)
    assert "2 duplicates · 1 group of similar queries" in text_report(log)
    assert "<b>2</b> duplicates" in html_report(log)


def test_text_names_the_n_plus_one_and_its_fix(seeded):
    text = text_report(n_plus_one())
    assert "N+1:" in text
    assert "✗ Customer.address: 6 similar queries, one per customer" in text
    assert 'select_related("address")' in text
    assert "`" not in text  # plain text: no markdown backticks
    assert re.search(r"\s6×\s+test_display\.py:\d+\s+SELECT … FROM \"shop_address\"", text)


def test_text_lists_only_the_first_queries(seeded):
    text = text_report(n_plus_one(30), limit=5)
    assert "Queries (5 of 31):" in text
    numbered = [line for line in text.splitlines() if re.match(r"\s+\d+\s+[\d.]+ ms", line)]
    assert len(numbered) == 5


def test_html_summary_findings_and_collapsed_formatted_queries(seeded):
    log = n_plus_one()
    page = html_report(log)
    assert "<b>7</b> queries" in page
    assert "N+1 found" in page
    assert "<b>Customer.address</b> (forward)" in page
    assert "<code>.select_related(&quot;address&quot;)</code>" in page
    assert page.count("<li><small>") == 7  # every query, inside...
    assert "<details><summary>All 7 queries</summary>" in page  # ...a collapsed list
    assert "WHERE &quot;shop_address&quot;.&quot;id&quot; = %s\nLIMIT 21" in page  # sqlparse
    assert log._repr_html_() == page


def test_exercise_mode_shows_the_finding_without_its_fix(seeded):
    with mode(exercise=True):
        text, page = text_report(n_plus_one()), html_report(n_plus_one())
    assert "✗ Customer.address: 6 similar queries, one per customer" in text
    assert "select_related" not in text
    assert "select_related" not in page
    assert "<b>Customer.address</b> (forward)" in page


def test_html_caps_the_list_but_says_where_the_rest_is(seeded):
    page = html_report(n_plus_one(12), limit=10)
    assert page.count("<li><small>") == 10
    assert "3 more not shown" in page
    assert "<code>q[10:]</code>" in page


def test_html_escapes_what_it_shows(db):
    with queries() as log:
        Customer.objects.filter(name="<script>alert(1)</script>").exists()
    page = html_report(log)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_no_n_plus_one_says_so(seeded):
    with queries() as log:
        list(Customer.objects.select_related("address")[:5])
    assert "No N+1." in html_report(log)
    assert "N+1:" not in text_report(log)


def test_similar_queries_without_a_relation_are_not_called_an_n_plus_one(seeded):
    with queries() as log:
        [Customer.objects.get(pk=i) for i in range(1, 6)]
    page = html_report(log)
    assert "N+1 found" not in page
    assert "none loads a relation row by row" in page


def test_simulated_latency_is_shown(seeded):
    with lab.latency(1), queries() as log:
        Customer.objects.get(pk=1)
    assert "Simulated network latency on: +1 ms per query" in text_report(log)
    assert "⏱ Simulated network latency on: +1 ms per query" in html_report(log)


def test_sql_formatting_helpers():
    sql = 'SELECT "t"."a", "t"."b", "t"."c", "t"."d", "t"."e" FROM "t" WHERE "t"."id" = %s'
    assert format_sql(sql).splitlines() == [
        'SELECT "t"."a",',
        '       "t"."b",',
        '       "t"."c",',
        '       "t"."d",',
        '       "t"."e"',
        'FROM "t"',
        'WHERE "t"."id" = %s',
    ]
    assert short_sql(sql) == 'SELECT … FROM "t" WHERE "t"."id" = %s'
    assert short_sql("SELECT 1") == "SELECT 1"
    assert len(short_sql("SELECT " + "x" * 300, width=50)) == 50


def test_a_long_in_list_is_shortened_before_formatting():
    from workshop_site.lab.display import format_sql

    sql = 'SELECT "t"."id" FROM "t" WHERE "t"."x" IN (' + ", ".join(["%s"] * 1000) + ")"
    formatted = format_sql(sql)
    assert "1,000 parameters" in formatted
    assert formatted.count("%s") == 3, formatted
    short = format_sql('SELECT 1 FROM "t" WHERE "t"."x" IN (%s, %s)')
    assert short.count("%s") == 2
    assert "in all" not in short
