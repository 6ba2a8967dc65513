"""Notebook 09b's claims, checked in its kernel right after the cell that computes them,
and its activities' right and wrong answers (see tests/claims/__init__.py)."""

from claims import Answers, Claim

SETUP = """
def _by(frame, column):
    return frame.set_index("method")[column]
"""

CLAIMS = {
    "memory": [
        Claim("The same lines, read three ways", "jobs['same_result'].all()"),
    ],
    "memory-growth": [
        Claim(
            "the plain loop's peak grows with them, about as fast",
            "peaks.loc['plain loop', '× 400 → 6,400'] > 8",
            show="peaks",
        ),
        Claim(
            "The other two grow as well (the first ratio)",
            "peaks.loc['iterator(chunk_size=1000)', '× 400 → 6,400'] > 1.5"
            " and peaks.loc['batches of 1000 by pk', '× 400 → 6,400'] > 1.5",
            show="peaks",
        ),
        Claim(
            "they grow by less than half",
            "peaks.loc['iterator(chunk_size=1000)', '× 1,600 → 6,400'] < 1.5"
            " and peaks.loc['batches of 1000 by pk', '× 1,600 → 6,400'] < 1.5",
            show="peaks",
        ),
        Claim(
            "where the plain loop grows about four times",
            "peaks.loc['plain loop', '× 1,600 → 6,400'] > 3",
            show="peaks",
        ),
    ],
    "writes": [
        Claim(
            "`bulk_create` sends a statement per batch",
            "_by(created, 'queries')['save() in a loop'] == 500"
            " and _by(created, 'queries')['bulk_create(batch_size=100)'] == 5",
            show="created",
        ),
        Claim(
            "takes a fraction of the time of `save()`",
            "_by(created, 'ms')['bulk_create(batch_size=100)']"
            " < _by(created, 'ms')['save() in a loop'] / 2",
            show="created",
        ),
        Claim(
            "it saves less than the count suggests",
            "_by(updated, 'ms')['bulk_update()'] / _by(updated, 'ms')['save() in a loop']"
            " > 10 * _by(updated, 'queries')['bulk_update()']"
            " / _by(updated, 'queries')['save() in a loop']",
            show="updated",
        ),
        Claim(
            "one `update()` beats both",
            "_by(updated, 'ms')['update()'] < min(_by(updated, 'ms')['bulk_update()'],"
            " _by(updated, 'ms')['save() in a loop'])",
            show="updated",
        ),
    ],
    "remote-writes": [
        Claim(
            "every statement also pays a round trip",
            "_by(remote, 'ms')['save() in a loop'] >= 200",
            show="remote",
        ),
    ],
}

ANSWERS = {
    "09b.a": Answers(right="guess = 8", wrong="guess = 7"),
    "09b.b": Answers(right="guess = 5", wrong="guess = 500"),
}
