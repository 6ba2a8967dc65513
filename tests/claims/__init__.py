"""What a lesson's prose says, checked in the executed notebook's own kernel; and each of
its "your turn" activities, tried with a right and a wrong answer.

``tests/claims/<notebook>.py`` (``03_n_plus_one.py`` for ``notebooks/03_n_plus_one.ipynb``)
holds two mappings::

    CLAIMS = {
        "letters-naive": [  # a tag of the code cell the claims run right after
            Claim(
                "1 + N",  # words of the prose it backs, as the notebook writes them
                "len(q) == Customer.objects.count() + 1",  # true in the kernel, then
                show="len(q), Customer.objects.count()",  # printed when it is not
            ),
        ],
        AT_END: [...],  # after the last cell
    }
    ANSWERS = {
        "03.a": Answers(right="guess = 51", wrong="guess = 1"),
        "03.b": Answers(right='low = Listing.objects.select_related("product")...'),
    }

An optional ``SETUP`` string runs once after the first cell, after :data:`HELPERS`
(``_count``, ``_rows``, ``_growth``, which every file may use).

A claim runs right after its cell, in the same kernel, on the variables the notebook's
cells produced: no second execution. It fails naming the notebook, the cell and the
prose. An answer replaces the activity cell's line marked ``# ← your turn`` (indent kept)
and the cell runs again, right after the notebook ran it: the right answer must pass, the
wrong one fail (``wrong=None``: the line as committed is the wrong answer, an edit
activity's naive queryset). Activity cells bind names no later cell reads, so trying them
changes nothing for the cells after (a fast test checks it).
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import nbformat

__all__ = [
    "AT_END",
    "ACTIVITY_CALL",
    "MARKER",
    "Answers",
    "Claim",
    "NotebookClaims",
    "activity_cells",
    "load",
]

FOLDER = Path(__file__).resolve().parent
#: Run in every checked notebook's kernel after its first cell (before the file's own
#: ``SETUP``): helpers any claim may use. ``_count(fn)``: the queries ``fn()`` runs;
#: ``_rows(frame, variant, column)``: a ``lab.compare`` frame's (sizes, values) for one
#: variant, by size; ``_growth(sizes, values)``: lab.plot's growth fit (``.kind`` is
#: "flat"/"linear"/..., ``.per_row`` the slope).
HELPERS = """
from workshop_site.lab.plots import growth as _growth


def _count(fn):
    from workshop_site.lab.capture import queries as _queries

    with _queries() as log:
        fn()
    return len(log)


def _rows(frame, variant, column):
    rows = frame[frame.variant == variant].sort_values("rows")
    return rows["rows"].tolist(), rows[column].tolist()
"""
#: The key of claims that run after the notebook's last cell.
AT_END = "@end"
#: The line a learner edits in an activity cell carries this comment (and maybe more:
#: ``# ← your turn: a number``).
MARKER = "# ← your turn"
#: ``lab.predict("03.a", ...)`` or ``lab.try_fix("03.b", ...)``: an activity's check.
ACTIVITY_CALL = re.compile(r"""\blab\.(predict|try_fix)\(\s*["'](\d\d[a-z]?\.[a-z])["']""")


@dataclass(frozen=True)
class Claim:
    """Words of the prose, and the expression that must be true for them to be."""

    prose: str
    check: str
    show: str = ""  # an expression whose value the failure prints


@dataclass(frozen=True)
class Answers:
    """A right and a wrong replacement for an activity's marked line."""

    right: str
    wrong: str | None = None  # None: the line as committed


@dataclass
class NotebookClaims:
    path: Path  # the notebook
    claims: dict[str, list[Claim]] = field(default_factory=dict)
    answers: dict[str, Answers] = field(default_factory=dict)
    setup: str = ""  # run once, after the notebook's first cell


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"claims_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(notebook: Path) -> NotebookClaims | None:
    """The claims and answers of ``notebook`` (None: it has no claims file)."""
    path = FOLDER / f"{notebook.stem}.py"
    if not path.exists():
        return None
    module = _module(path)
    return NotebookClaims(
        notebook,
        dict(module.CLAIMS),
        dict(getattr(module, "ANSWERS", {})),
        getattr(module, "SETUP", ""),
    )


def activity_cells(notebook: nbformat.NotebookNode) -> dict[str, int]:
    """Each activity id checked in the notebook → the index of its cell."""
    found: dict[str, int] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for _form, activity in ACTIVITY_CALL.findall(cell.source):
                found[activity] = index
    return found


def answered(source: str, line: str) -> str:
    """``source`` with its marked line replaced by ``line`` (at the marked line's indent)."""
    lines = source.splitlines()
    marked = [i for i, text in enumerate(lines) if MARKER in text]
    if len(marked) != 1:
        raise ValueError(f"an activity cell has exactly one line marked {MARKER!r}: {source!r}")
    index = marked[0]
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = indent + line
    return "\n".join(lines)


def claim_code(claim: Claim) -> str:
    """The code run in the kernel for ``claim``: raises AssertionError when it is false."""
    shown = f" + ' — ' + {claim.show!r} + ' = ' + repr(({claim.show},))" if claim.show else ""
    return (
        f"if not ({claim.check}):\n    raise AssertionError({claim.check!r} + ' is false'{shown})"
    )


def names_bound(source: str) -> set[str]:
    """The names a cell's code binds (assignments, definitions, imports)."""
    bound: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound


def names_read(source: str) -> set[str]:
    return {
        node.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def names_bound_in_cell(source: str) -> set[str]:
    """:func:`names_bound` of a cell written with IPython's magics."""
    from workshop_site.grading.reference_source import cell_python

    return names_bound(cell_python(source))


def names_read_in_cell(source: str) -> set[str]:
    from workshop_site.grading.reference_source import cell_python

    return names_read(cell_python(source))


class Checker:
    """The ``after_cell`` of a notebook run that checks its claims and tries its
    activities; :meth:`finish` fails for whatever never ran."""

    def __init__(self, claims: NotebookClaims, notebook: nbformat.NotebookNode) -> None:
        self.claims = claims
        self.name = f"{claims.path.parent.name}/{claims.path.name}"
        self.activities = activity_cells(notebook)
        self.last = len(notebook.cells) - 1
        self.ran_tags: set[str] = set()
        self.tried: dict[str, tuple[str, str, str]] = {}  # id → (committed, wrong, right)

    def __call__(self, index: int, cell: nbformat.NotebookNode, kernel) -> None:
        if index == 0:
            kernel.run(HELPERS)
            if self.claims.setup:
                kernel.run(self.claims.setup)
        for tag in cell.get("metadata", {}).get("tags", []):
            for claim in self.claims.claims.get(tag, []):
                self._claim(kernel, claim, f"cell {index} (tag {tag!r})")
            if tag in self.claims.claims:
                self.ran_tags.add(tag)
        for activity, where in self.activities.items():
            if where == index:
                self._activity(kernel, activity, cell.source, index)
        if index == self.last:
            for claim in self.claims.claims.get(AT_END, []):
                self._claim(kernel, claim, "the end of the notebook")
            self.ran_tags.add(AT_END)

    def _claim(self, kernel, claim: Claim, where: str) -> None:
        from nbclient.exceptions import CellExecutionError

        try:
            kernel.run(claim_code(claim))
        except CellExecutionError as exc:
            raise AssertionError(
                f"{self.name}, {where}: the prose says {claim.prose!r}, but "
                f"{getattr(exc, 'evalue', exc)}"
            ) from None

    def _status(self, kernel, activity: str) -> tuple[str, str]:
        out = kernel.run(
            "from workshop_site.grading.activities import last as _last\n"
            f"_found = _last({activity!r})\n"
            "print(_found.status if _found else 'not run')\nprint(repr(_found))"
        )
        status, _, text = out.partition("\n")
        return status.strip(), text

    def _activity(self, kernel, activity: str, source: str, index: int) -> None:
        committed, _ = self._status(kernel, activity)
        answers = self.claims.answers.get(activity)
        if answers is None:
            raise AssertionError(f"{self.name}: activity {activity} (cell {index}) has no ANSWERS")
        results = {}
        for label, line in (("wrong", answers.wrong), ("right", answers.right)):
            if line is None:
                results[label] = committed
                continue
            kernel.run(answered(source, line))
            results[label], text = self._status(kernel, activity)
            expected = "pass" if label == "right" else "fail"
            assert results[label] == expected, (
                f"{self.name}, activity {activity} (cell {index}): the {label} answer "
                f"{line!r} gives {results[label]}, not {expected}:\n{text}"
            )
        assert results["wrong"] == "fail", (
            f"{self.name}, activity {activity} (cell {index}): as committed it gives "
            f"{committed}; with no wrong answer given, the committed line must be one"
        )
        self.tried[activity] = (committed, results["wrong"], results["right"])

    def finish(self) -> None:
        never = sorted(set(self.claims.claims) - self.ran_tags)
        assert not never, f"{self.name}: no cell has the tags {never} that CLAIMS uses"
        untried = sorted(set(self.claims.answers) - set(self.tried))
        assert not untried, f"{self.name}: ANSWERS for {untried}, which no cell checks"
        for activity, (committed, _, _) in self.tried.items():
            assert committed in ("todo", "fail"), (
                f"{self.name}: activity {activity} is answered as committed ({committed}): "
                "leave it for the learner"
            )
