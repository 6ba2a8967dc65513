"""Notebook 02's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

#: Run once, after the first cell: helpers the checks below use.
SETUP = """
def _p99_between_two_slowest(run, stats):
    log = run.frame()
    for route, row in stats.iterrows():
        if row["requests"] < 2 or row["requests"] >= 100:
            continue
        slowest = sorted(log[log["route"] == route]["duration_ms"])
        if not slowest[-2] <= row["p99_ms"] <= slowest[-1]:
            return route, slowest[-2:], row["p99_ms"]
    return True


def _naive_routes(run):
    views = run.frame().groupby("route")["view"].first()
    return {route for route, view in views.items() if view.endswith("_naive")}
"""

CLAIMS = {
    "slowest": [
        Claim(
            "lies between a route's two slowest requests",
            "_p99_between_two_slowest(run, stats) is True and (stats.requests < 100).any()",
            show="_p99_between_two_slowest(run, stats)",
        ),
    ],
    "top-vs-slow": [
        Claim(
            "a fast route called very often can cost more server time than a slow route"
            " called rarely",
            "top != slow and stats.loc[top, 'p50_ms'] < stats.loc[slow, 'p50_ms']"
            " and stats.loc[top, 'requests'] > stats.loc[slow, 'requests']"
            " and stats.loc[top, 'total_ms'] > stats.loc[slow, 'total_ms']",
            show="stats.loc[[top, slow], ['requests', 'p50_ms', 'total_ms']]",
        ),
    ],
    "db-share": [
        Claim(
            "The naive routes stand out on queries per request",
            "set(stats.sort_values('queries_per_request', ascending=False).index[:3])"
            " <= _naive_routes(run)",
            show="stats['queries_per_request'].sort_values(), _naive_routes(run)",
        ),
        Claim(
            "how small the database's share is",
            "everything['db_ms'].sum() / total < 0.5",
            show="everything['db_ms'].sum() / total",
        ),
    ],
    "repeated": [
        Claim(
            "each card reads its product, brand, images and categories lazily",
            "len(trace.repeated()) >= 4",
            show="trace.repeated()",
        ),
    ],
    "search-alert": [
        Claim(
            "`bad_deploy_at=150` serves release v2 from request #150 on",
            "deployed_at == 150 and list(bad.frame()['release'].iloc[149:151]) == ['v1', 'v2']",
            show="bad.releases",
        ),
        Claim(
            "flat under the threshold while v1 serves",
            "(search_alert.windows.loc[search_alert.windows.release == 'v1', 'value']"
            " <= rules[0].threshold).all()",
            show="search_alert.windows",
        ),
        Claim(
            "counted in the same request numbers as the deploy",
            "search_alert.fired_at is not None and search_alert.fired_at >= deployed_at"
            " and bad.frame()['release'].iloc[search_alert.fired_at] == 'v2'"
            " and f'#{search_alert.fired_at}' in search_alert.message()",
            show="search_alert.fired_at, search_alert.message()",
        ),
    ],
}

ANSWERS = {
    "02.a": Answers(right='guess = "/"', wrong='guess = "/api/cart/"'),
    "02.b": Answers(right='guess = "/categories/<str:slug>/"', wrong='guess = "/products/"'),
    "02.c": Answers(right="guess = True", wrong="guess = False"),
}
