"""``make class`` / ``scripts/class-hub``: a class on JupyterHub, on this machine, as root.

    scripts/class-hub --learners 5          # learner1..learner5, until Ctrl-C
    make class ARGS="--learners 5 --port 8000"

Prints the hub's address, each learner's password, the nbgitpuller link of the first
lesson and the live report's command, then waits. Ctrl-C, SIGTERM or SIGHUP stop the hub,
every learner's server and kernel, and remove the accounts with their homes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from workshop_site.classhub.course import pull_link
from workshop_site.classhub.errors import ClassHubError
from workshop_site.classhub.hub import ClassHub, class_hub
from workshop_site.pgserver import Stopped, stop_signals_raise

__all__ = ["main", "welcome"]


def welcome(hub: ClassHub) -> str:
    """What to put on the first slide, and what the instructor runs."""
    first = pull_link(hub.url, hub.course, open_path="notebooks/00_welcome.ipynb")
    width = max(len(a.name) for a in hub.learners)
    lines = [
        f"JupyterHub: {hub.url} (127.0.0.1 only), course at {hub.course.commit[:12]}",
        "",
        "Learners (log in at the hub's address):",
        *(f"  {a.name:<{width}}  {a.password}" for a in hub.learners),
        "",
        "The first lesson, through nbgitpuller (pulls the course into the learner's home):",
        f"  {first}",
        "",
        "Who is stuck on what (another terminal, as root):",
        f"  {hub.environment.python} -m workshop_site.grading report --live \\",
        f'      "{hub.progress_files()}" --every 30',
        "",
        f"The hub's log: {hub.log}",
        "Ctrl-C stops the class and removes the learners' accounts and files.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/class-hub",
        description="A class on JupyterHub on this machine: one local account per learner.",
    )
    parser.add_argument("--learners", type=int, default=3, help="how many (default 3)")
    parser.add_argument("--prefix", default="learner", help="account names: PREFIX1, PREFIX2...")
    parser.add_argument("--port", type=int, help="the hub's port on 127.0.0.1 (default: free)")
    parser.add_argument("--ref", default="HEAD", help="the course's version: a commit or tag")
    options = parser.parse_args(argv)
    try:
        with (
            stop_signals_raise(),
            class_hub(
                options.learners, prefix=options.prefix, port=options.port, ref=options.ref
            ) as hub,
        ):
            print(welcome(hub), flush=True)
            while True:
                time.sleep(3600)
    except ClassHubError as exc:
        print(f"class-hub: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nThe class is stopped; its accounts and files are removed.")
        return 0
    except Stopped as stopped:
        print(f"\nThe class is stopped ({stopped}); its accounts and files are removed.")
        return 128 + stopped.signum


if __name__ == "__main__":
    raise SystemExit(main())
