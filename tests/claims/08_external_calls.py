"""Notebook 08's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

SETUP = """
def _queued(run):
    return sorted(s.queued for s in run.served if s.path == "/partner/")
"""

CLAIMS = {
    "delays": [
        Claim(
            "The request takes **the sum of the partners' times**",
            "slow.record.external_ms >= 0.95 * sum(DELAYS.values()) * 1000",
            show="slow.record.external_ms, sum(DELAYS.values())",
        ),
    ],
    "hung": [
        Claim(
            "**`requests` has no default timeout**",
            "inspect.signature(requests.Session.request).parameters['timeout'].default is None",
        ),
        Claim(
            "ours lets go after `hang_limit` seconds",
            "hung.record.duration_ms >= partners.hang_limit * 1000",
            show="hung.record.duration_ms",
        ),
    ],
    "pool-naive": [
        Claim(
            "Two requests take the two workers and hang; the other two wait in the queue",
            "_queued(stuck)[1] < 0.5 * partners.hang_limit <= 0.8 * partners.hang_limit"
            " <= _queued(stuck)[2]",
            show="stuck.frame()",
        ),
        Claim(
            "`/ping/`, which needs a millisecond of work, waits for a worker like everyone else",
            "stuck.ping.queued >= 0.8 * partners.hang_limit",
            show="stuck.frame()",
        ),
    ],
    "pool-client": [
        Claim(
            "Each worker is back after the read timeout, and `/ping/` gets one sooner",
            "freed.ping.queued < stuck.ping.queued"
            " and max(s.total for s in freed.served) < partners.hang_limit",
            show="freed.frame()",
        ),
    ],
    "trickle": [
        Claim(
            "The timeout never fired",
            "answer.status_code == 200 and trickled > 3 * 0.3",
            show="answer.status_code, trickled",
        ),
    ],
    "deadline": [
        Claim(
            "give up once the call has taken too long",
            "0.5 <= cut < trickled and cut < 0.5 + 0.3 + 0.2",
            show="cut, trickled",
        ),
    ],
    "bounds": [
        Claim(
            "Now the longest a call can take has a bound",
            "(bound_table.bound_s >= bound_table.silent_partner_s).all()"
            " and (bound_table.bound_s > bound_table.deadline_s).all()",
            show="bound_table",
        ),
    ],
    "payment-down": [
        Claim(
            "The naive page is an error page",
            "naive_page.status_code == 500 and fixed_page.status_code == 200"
            " and 'not confirmed yet' in fixed_page.content.decode()",
            show="naive_page.status_code, fixed_page.status_code",
        ),
    ],
    "before-queue": [
        Claim(
            "`enqueue()` runs the task on the spot — in the request",
            "{'POST mail', 'POST crm'} <= {span.name for span in calls}",
            show="[span.name for span in calls]",
        ),
    ],
    "queued": [
        Claim(
            "The response no longer waits for the mail and CRM partners",
            "len(queued) == 2 and after.record.duration_ms < before.record.duration_ms",
            show="after.record.duration_ms, before.record.duration_ms, queued",
        ),
    ],
}

ANSWERS = {
    "08.a": Answers(right='guess = "sum"', wrong='guess = "slowest"'),
    "08.b": Answers(right="guess = 2", wrong="guess = 0"),
    "08.c": Answers(right='guess = "no"', wrong='guess = "yes"'),
    "08.d": Answers(right="guess = 0", wrong="guess = 1"),
    "08.e": Answers(right="guess = 4", wrong="guess = 6"),
}
