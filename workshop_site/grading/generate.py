"""``make exercises``: write ``exercises/NN_topic.ipynb`` from ``solutions/NN_topic.ipynb``.

``python -m workshop_site.grading.generate`` writes what changed and removes generated
notebooks whose solution is gone; ``--check`` writes nothing and fails when ``exercises/``
is out of date (the test suite does the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path, PurePosixPath

import nbformat

from workshop_site.grading.notebooks import exercise_notebook

__all__ = ["planned", "stale", "main"]

_ROOT = Path(__file__).resolve().parents[2]


def _text(notebook: nbformat.NotebookNode) -> str:
    text = nbformat.writes(notebook)
    return text if text.endswith("\n") else text + "\n"


def planned(root: Path) -> dict[Path, str]:
    """Every exercises notebook's path and content, generated from ``root/solutions``."""
    result = {}
    for solution in sorted((root / "solutions").glob("*.ipynb")):
        notebook = nbformat.read(solution, as_version=4)
        source = PurePosixPath("solutions") / solution.name
        result[root / "exercises" / solution.name] = _text(
            exercise_notebook(notebook, source=source)
        )
    return result


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workshop_site.grading.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--root", type=Path, default=_ROOT, help="the workshop's folder")
    parser.add_argument("--check", action="store_true", help="only say whether it is stale")
    args = parser.parse_args(argv)
    to_write, orphans = stale(args.root)
    if args.check:
        for path in [*to_write, *orphans]:
            print(f"out of date: {path.relative_to(args.root)}", file=sys.stderr)
        if to_write or orphans:
            print("run `make exercises`", file=sys.stderr)
            return 1
        print("exercises/ is up to date")
        return 0
    for path, text in to_write.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(args.root)}")
    for path in orphans:
        path.unlink()
        print(f"removed {path.relative_to(args.root)} (its solution is gone)")
    if not to_write and not orphans:
        print("exercises/ is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
