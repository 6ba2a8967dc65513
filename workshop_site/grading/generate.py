"""``make exercises``: write ``exercises/NN_topic_exercises.ipynb`` and the grader's
``workshop_site/grading/references/refNN.py`` from ``solutions/NN_topic_solutions.ipynb``
(the one source of each exercise and of its reference answer).

``python -m workshop_site.grading.generate`` writes what changed and removes generated
notebooks whose solution is gone. An exercises notebook holding a learner's work (answers
typed in, outputs saved: see ``workshop_site.exercise_files``) is neither overwritten nor
removed without ``--force``; the files are named. ``--check`` writes nothing and fails
when ``exercises/`` is out of date with ``solutions/``; a notebook holding a learner's
work counts as up to date when it was generated from the current solutions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path, PurePosixPath

import nbformat

from workshop_site.exercise_files import (
    FINGERPRINT_KEY,
    exercises_name,
    fingerprint,
    learner_work,
    recorded_fingerprint,
)
from workshop_site.grading.notebooks import exercise_notebook
from workshop_site.grading.reference_source import module_name, reference_module

__all__ = ["planned", "planned_references", "stale", "stale_references", "main"]

_ROOT = Path(__file__).resolve().parents[2]
#: Where the generated references modules live, relative to the workshop's folder.
REFERENCES = Path("workshop_site", "grading", "references")


def _text(notebook: nbformat.NotebookNode) -> str:
    text = nbformat.writes(notebook)
    return text if text.endswith("\n") else text + "\n"


def planned(root: Path) -> dict[Path, str]:
    """Every exercises notebook's path and content, generated from ``root/solutions``."""
    result = {}
    for solution in sorted((root / "solutions").glob("*.ipynb")):
        notebook = nbformat.read(solution, as_version=4)
        source = PurePosixPath("solutions") / solution.name
        exercise = exercise_notebook(notebook, source=source)
        exercise.metadata["workshop"][FINGERPRINT_KEY] = fingerprint(exercise.cells)
        result[root / "exercises" / exercises_name(solution.name)] = _text(exercise)
    return result


def planned_references(root: Path) -> dict[Path, str]:
    """Every references module's path and content, generated from ``root/solutions``."""
    result = {}
    for solution in sorted((root / "solutions").glob("*.ipynb")):
        notebook = nbformat.read(solution, as_version=4)
        source = PurePosixPath("solutions") / solution.name
        text = reference_module(notebook, source=source)
        if text is not None:
            result[root / REFERENCES / f"{module_name(solution.name)}.py"] = text
    return result


def stale_references(root: Path) -> tuple[dict[Path, str], list[Path]]:
    """References modules to (re)write, and generated ones whose solution is gone."""
    wanted = planned_references(root)
    to_write = {
        path: text
        for path, text in wanted.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }
    orphans = [path for path in sorted((root / REFERENCES).glob("ref*.py")) if path not in wanted]
    return to_write, orphans


def _generated(path: Path) -> bool:
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:  # not a notebook we can read: not ours to remove
        return False
    return "generated_from" in notebook.metadata.get("workshop", {})


def stale(root: Path) -> tuple[dict[Path, str], list[Path]]:
    """Exercises notebooks to (re)write, and generated ones whose solution is gone."""
    wanted = planned(root)
    to_write = {
        path: text
        for path, text in wanted.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }
    orphans = [
        path
        for path in sorted((root / "exercises").glob("*.ipynb"))
        if path not in wanted and _generated(path)
    ]
    return to_write, orphans


def _generated_from_current(path: Path, text: str) -> bool:
    """Was the notebook at ``path`` generated as ``text`` is (whatever was done to it since)?"""
    try:
        on_disk = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    recorded = recorded_fingerprint(on_disk) if isinstance(on_disk, dict) else None
    return recorded is not None and recorded == recorded_fingerprint(json.loads(text))


def _kept(root: Path, to_write: dict[Path, str]) -> dict[Path, str]:
    """Notebooks holding a learner's work that were generated from the current solutions:
    nothing to regenerate, so they are left as they are (and said so)."""
    kept = {
        path: text
        for path, text in to_write.items()
        if path.exists() and learner_work(path) and _generated_from_current(path, text)
    }
    for path in kept:
        relative = path.relative_to(root)
        print(f"{relative} holds your work, generated from the current solutions: left as it is")
    return kept


def _check(root: Path, to_write: dict[Path, str], orphans: list[Path]) -> int:
    out_of_date = [*to_write, *orphans]
    for path in out_of_date:
        print(f"out of date: {path.relative_to(root)}", file=sys.stderr)
    if out_of_date:
        print(
            "exercises/ or the references are out of date with solutions/: run `make exercises`",
            file=sys.stderr,
        )
        return 1
    print("exercises/ is up to date")
    return 0


def _holding_work(to_write: dict[Path, str], orphans: list[Path]) -> list[Path]:
    """The notebooks that writing ``to_write`` and removing ``orphans`` would lose work in.
    A notebook whose cells are already those to be written loses nothing."""
    holding = [
        path
        for path, text in to_write.items()
        if path.exists() and learner_work(path, expected=recorded_fingerprint(json.loads(text)))
    ]
    return holding + [path for path in orphans if learner_work(path)]


def _refusal(root: Path, refused: list[Path]) -> str:
    names = "\n".join(f"  {path.relative_to(root)}" for path in refused)
    return (
        f"Not overwritten: {len(refused)} exercises notebook"
        f"{'s hold' if len(refused) != 1 else ' holds'} your work (answers or outputs):\n"
        f"{names}\n"
        "To keep your work, rename or copy these files first. To regenerate them anyway, "
        "losing what you wrote: `make exercises FORCE=1` "
        "(without make: `python -m workshop_site.setup exercises --force`)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workshop_site.grading.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--root", type=Path, default=_ROOT, help="the workshop's folder")
    parser.add_argument("--check", action="store_true", help="only say whether it is stale")
    parser.add_argument(
        "--force", action="store_true", help="regenerate notebooks even when they hold your work"
    )
    args = parser.parse_args(argv)
    to_write, orphans = stale(args.root)
    kept = {} if args.force else _kept(args.root, to_write)
    to_write = {path: text for path, text in to_write.items() if path not in kept}
    references, old_references = stale_references(args.root)
    if args.check:
        return _check(args.root, {**to_write, **references}, orphans + old_references)
    for path, text in references.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(args.root)}")
    for path in old_references:
        path.unlink()
        print(f"removed {path.relative_to(args.root)} (its solution is gone)")
    refused = [] if args.force else _holding_work(to_write, orphans)
    for path, text in to_write.items():
        if path in refused:
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(args.root)}")
    for path in orphans:
        if path in refused:
            continue
        path.unlink()
        print(f"removed {path.relative_to(args.root)} (its solution is gone)")
    if refused:
        print(_refusal(args.root, refused), file=sys.stderr)
        return 1
    if not to_write and not orphans and not references and not old_references:
        print("exercises/ is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
