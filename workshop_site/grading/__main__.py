"""``python -m workshop_site.grading``: the instructor's commands.

report SUBMISSIONS/ [--csv out.csv]   re-run a folder of learners' exercise notebooks
report --live "/home/*/.django-perf-workshop/progress.jsonl" [--every 30]
                                      read learners' progress files, re-running nothing
                                      (--every: again every 30 s, until Ctrl-C)
prepare                               build every exercise's grading data (e.g. once
                                      when building a JupyterHub image)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")
    import django

    django.setup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m workshop_site.grading",
        description="Grade a class's exercises.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="learner × exercise → pass / fail / error")
    report.add_argument("folder", nargs="?", type=Path, help="learners' notebooks to re-run")
    report.add_argument(
        "--live", nargs="+", metavar="GLOB", help="read progress files instead of re-running"
    )
    report.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    report.add_argument(
        "--every", type=float, metavar="SECONDS", help="--live: read and print again, until Ctrl-C"
    )
    report.add_argument("--jobs", type=int, help="notebooks run at once (default: CPUs, max 4)")
    report.add_argument("--timeout", type=int, default=60, help="seconds per cell at most")
    commands.add_parser("prepare", help="build the grading databases of every exercise")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _setup_django()
    if args.command == "prepare":
        from workshop_site.grading.registry import all_exercises
        from workshop_site.grading.sandbox import prepare

        paths = prepare({s for e in all_exercises().values() for s in e.sizes}, progress=True)
        print(f"{len(paths)} grading databases ready")
        return 0
    from workshop_site.grading.report import live, rerun

    if bool(args.folder) == bool(args.live):
        parser.error("give either a folder of notebooks or --live GLOB")
    if args.every and not args.live:
        parser.error("--every goes with --live")
    if args.live and args.every:
        return _follow(args.live, args.every, args.csv)
    if args.live:
        report = live(args.live)
    else:
        if not args.folder.is_dir():
            parser.error(f"{args.folder} is not a folder")
        report = rerun(args.folder, jobs=args.jobs, timeout=args.timeout)
    print(report.summary())
    if args.csv:
        report.write_csv(args.csv)
        print(f"\nWrote {len(report.cells)} rows to {args.csv}")
    return 0


def _follow(patterns: list[str], every: float, csv: Path | None) -> int:
    """The live report again and again: a class followed from a terminal."""
    import time

    from workshop_site.grading.report import live

    try:
        while True:
            report = live(patterns)
            if sys.stdout.isatty():
                print("\033[2J\033[H", end="")  # a fresh screen each time
            print(report.summary(), flush=True)
            if csv:
                report.write_csv(csv)
            time.sleep(every)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
