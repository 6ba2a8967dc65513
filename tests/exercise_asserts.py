"""What the exercise tests (tests/test_exNN.py) assert of a grader's verdict."""

from workshop_site.grading import grade


def passes(exercise_id, fn):
    """The grader accepts ``fn`` for ``exercise_id``."""
    verdict = grade(exercise_id, fn, progress=False)
    assert verdict.passed, repr(verdict)
    return verdict


def fails(exercise_id, fn, kind, *fragments):
    """The grader rejects ``fn`` for the ``kind`` of problem, saying each of ``fragments``."""
    verdict = grade(exercise_id, fn, progress=False)
    assert (verdict.status, verdict.kind) == ("fail", kind), repr(verdict)
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in:\n{verdict.message}"
    return verdict
