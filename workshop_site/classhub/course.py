"""The course as a hub hands it out: a git repository at one version, pulled by nbgitpuller.

On a real hub the repository is on GitHub (or any git server) and learners click an
nbgitpuller link. Here the class's repository is a bare copy of this checkout's commit
(``--ref``, default ``HEAD``: what is committed, not what is only in the work tree) in
the class's folder, readable by every learner; the link and the pull are nbgitpuller's
own (its ``/git-pull`` handler clones it into the learner's home the first time, and
merges new commits later without overwriting the learner's changes).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from workshop_site.classhub.errors import ClassHubError
from workshop_site.setup import ROOT

__all__ = ["Course", "publish", "pull_link"]

FOLDER = "django-perf-workshop"  # the clone's folder in each home, as on a real hub
BRANCH = "main"


@dataclass(frozen=True)
class Course:
    """Where the class's course is, and which commit."""

    repository: Path
    branch: str
    commit: str
    folder: str = FOLDER

    @property
    def url(self) -> str:
        return self.repository.as_uri()


def _git(*args: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        raise ClassHubError(f"`git {' '.join(args)}` failed: {result.stderr.strip()}")
    return result.stdout.strip()


def publish(into: Path, *, ref: str = "HEAD") -> Course:
    """A bare repository at ``into/django-perf-workshop.git`` whose branch ``main`` is
    ``ref`` of this checkout, with the checkout's tags (the course's versions)."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}")
    repository = into / f"{FOLDER}.git"
    _git("init", "--quiet", "--bare", "--initial-branch", BRANCH, str(repository), cwd=into)
    _git("push", "--quiet", "--force", "--tags", str(repository), f"{commit}:refs/heads/{BRANCH}")
    return Course(repository, BRANCH, commit)


def pull_link(hub_url: str, course: Course, *, open_path: str) -> str:
    """The nbgitpuller link that pulls the course, then opens ``open_path`` (relative to
    the course's folder) in JupyterLab: the first slide of a class."""
    query = urlencode(
        {
            "repo": course.url,
            "branch": course.branch,
            "urlpath": f"lab/tree/{course.folder}/{open_path}",
        },
        quote_via=quote,
        safe="",
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"
