"""What the notebooks import: ``from workshop_site import lab; lab.start()``.

Names are loaded on first use (PEP 562's module ``__getattr__``), so importing ``lab`` is
cheap and never touches Django before ``start()`` has configured it. Each name lives in
a small module with one job, named for that job; ``_EXPORTS`` says which.
"""

from __future__ import annotations

from typing import Any

from workshop_site import lazy_exports

_EXPORTS: dict[str, str] = {
    # boot: the shop in this kernel
    "start": "boot",
    "row_counts": "boot",
    # environment: can this machine run the workshop?
    "check_environment": "environment",
    # capture: every SQL query a block runs
    "queries": "capture",
    "QueryLog": "capture",
    "Query": "capture",
    "Source": "capture",
    # inspector: name the N+1 and the fix
    "diagnose": "inspector",
    "Finding": "inspector",
    # measure and plot against row count
    "compare": "measure",
    "compare_databases": "across_databases",
    "plot": "plots",
    "plot_memory": "memory_plot",
    # the ladder: one page loaded several ways, at one size, in one run (lesson 06)
    "ladder": "loading_ladder",
    "plot_ladder": "loading_ladder",
    # a simulated network round trip per query
    "latency": "network_delay",
    # probes: the measures lab.compare and the grader share
    "best_time": "probes",
    "peak_memory": "probes",
    "rolled_back": "probes",
    # query plans and indexes (lesson 09, the capstone)
    "plan": "query_plans",
    "sent_plan": "query_plans",
    "grow_orders": "order_growth",
    "create_index": "indexes",
    "drop_index": "indexes",
    "index_on": "indexes",
    "index_sql": "indexes",
    "migration_code": "indexes",
    "plans_with": "indexes",
    "table_indexes": "indexes",
    "compare_indexes": "index_costs",
    "time_vs_rows": "index_costs",
    "insert_costs": "index_costs",
    "memory_vs_rows": "job_memory",
    "write_costs": "bulk_writes",
    # the columns a query selects (lesson 06)
    "selected_columns": "select_list",
    "columns_of": "select_list",
    # source_view: a lesson's example code, shown in the notebook
    "show_source": "source_view",
    # unit_tests: run TestCase classes written in a notebook (lesson 07)
    "run_tests": "unit_tests",
    # grading: the graded exercises (a full module path: they live in workshop_site.grading)
    "check": "workshop_site.grading.api",
    "exercises": "workshop_site.grading.api",
    "hint": "workshop_site.grading.hints",
    "solution": "workshop_site.grading.hints",
    "progress": "workshop_site.grading.progress",
    # "your turn": a lesson's own activities, checked on the spot (not graded)
    "predict": "workshop_site.grading.activities",
    "try_fix": "workshop_site.grading.activities",
    # traffic and monitoring: the shop under load (notebook 02)
    "traffic": "visitors",
    "TrafficRun": "visitors",
    "request_log": "routes",
    "route_stats": "routes",
    "compare_routes": "routes",
    "plot_routes": "route_charts",
    "plot_metrics": "route_charts",
    "trace": "request_trace",
    "otel_trace": "otel",
    "AlertRule": "alert_rules",
    "alert": "alert_rules",
    "alerts": "alert_rules",
    "serving": "deploys",
    "bad_deploy": "deploys",
    # the talk's checklist, for the learner's own application (lesson 10)
    "self_assessment": "own_checklist",
    # external calls: the partners on a local port, and a task queue's worker (notebook 08)
    "partners": "local_partners",
    "task_worker": "task_queue",
    "worker_pool": "busy_workers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    return lazy_exports.load(__name__, _EXPORTS, globals(), name)


def __dir__() -> list[str]:
    return __all__
