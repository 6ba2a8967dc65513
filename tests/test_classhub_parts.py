"""The class hub's parts that need no hub: its configuration, the nbgitpuller link, the
lesson plan read from notebooks, the verdicts read from a cell's output, and who can read
the shared environment. (The class itself: tests/test_class_hub.py, marker hub.)"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from workshop_site.classhub import shared_env
from workshop_site.classhub.__main__ import main as classhub_main
from workshop_site.classhub.__main__ import welcome
from workshop_site.classhub.accounts import Learner
from workshop_site.classhub.course import Course, pull_link
from workshop_site.classhub.errors import ClassHubError
from workshop_site.classhub.hub import ClassHub, hub_config
from workshop_site.classhub.lesson_plan import SCRIPTED_LESSON, lesson_plan, verdicts
from workshop_site.classhub.shared_env import SharedEnvironment, readable_by_all
from workshop_site.site_proxy import server

COURSE = Course(Path("/srv/class/django-perf-workshop.git"), "main", "0" * 40)


def _config(tmp_path: Path) -> str:
    return hub_config(
        port=8000,
        hub_port=8081,
        api_port=8001,
        proxy=Path("/opt/chp"),
        environment=SharedEnvironment(Path("/opt/env/bin/python"), {"LD_LIBRARY_PATH": "/x"}),
        learners=["learner1", "learner2"],
        token="t0ken",
        course=COURSE,
        state=tmp_path,
    )


def test_the_hub_config_binds_everything_to_loopback_and_runs_as_python(tmp_path):
    text = _config(tmp_path)
    compile(text, "jupyterhub_config.py", "exec")
    urls = re.findall(r"'(https?://[^']+)'", text)
    assert urls, text
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in urls), urls
    assert "c.Spawner.ip = '127.0.0.1'" in text


def test_each_learner_s_workspace_is_in_their_home(tmp_path):
    namespace: dict = {}

    class Section(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Section())

        def __setattr__(self, name, value):
            self[name] = value

    sections = Section()
    namespace["get_config"] = lambda: sections
    exec(_config(tmp_path), namespace)
    workspace = sections.Spawner.environment["WORKSHOP_HOME"]
    user = type("Spawner", (), {"user": type("User", (), {"name": "root"})()})()
    assert workspace(user) == str(Path("~root").expanduser() / ".django-perf-workshop")
    assert sections.Spawner.environment["LD_LIBRARY_PATH"] == "/x"
    assert sections.JupyterHub.authenticator_class == "pam"
    assert sections.Authenticator.allowed_users == {"learner1", "learner2"}


def test_the_pull_link_is_nbgitpullers():
    link = pull_link("https://hub.example.org/", COURSE, open_path="notebooks/00_welcome.ipynb")
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parts.query)
    assert query == {
        "repo": ["file:///srv/class/django-perf-workshop.git"],
        "branch": ["main"],
        "urlpath": ["lab/tree/django-perf-workshop/notebooks/00_welcome.ipynb"],
    }
    assert "%2F" in parts.query  # encoded as the nbgitpuller link generator does


def _notebook(path: Path, *cells: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


def test_the_lesson_plan_is_read_from_the_notebooks(tmp_path):
    _notebook(tmp_path / "notebooks" / "05_x.ipynb", "lab.start()", "", "print(1)")
    _notebook(tmp_path / "exercises" / "05_x_exercises.ipynb", "stub")
    _notebook(
        tmp_path / "solutions" / "05_x_solutions.ipynb",
        "lab.start(size=200)",
        "def cards_naive():\n    return []",
        'def cards():\n    return [1]\n\n\nlab.check("05.1", cards)',
        "def other():\n    return 2\n\nlab.check('05.2', other)",
    )
    plan = lesson_plan("5", root=tmp_path)
    assert plan.notebook == "notebooks/05_x.ipynb"
    assert plan.exercises_notebook == "exercises/05_x_exercises.ipynb"
    assert plan.cells == ("lab.start()", "print(1)")
    assert [(s.code.splitlines()[-1], s.expect) for s in plan.exercise_steps] == [
        ("lab.start(size=200)", ()),
        ("    return []", ()),
        ('lab.check("05.1", cards_naive)', (("05.1", "fail"),)),
        ('lab.check("05.1", cards)', (("05.1", "pass"),)),
        ("lab.check('05.2', other)", (("05.2", "pass"),)),
    ]


def test_the_scripted_lesson_has_right_and_wrong_answers_to_try():
    plan = lesson_plan(SCRIPTED_LESSON)
    assert plan.cells[0].lstrip().startswith(("from workshop_site import lab", "import"))
    expected = {value for _, value in plan.checks}
    assert expected == {"pass", "fail"}, plan.checks


def test_verdicts_are_read_from_what_the_cell_showed():
    shown = "✅ 03.1 Envelopes — 1 query\n❌ 03.2 Packing list — query count grows with rows"
    assert verdicts(shown) == {"03.1": "pass", "03.2": "fail"}
    assert verdicts("no check here") == {}


def test_only_a_path_every_user_can_reach_is_readable_by_all():
    with tempfile.TemporaryDirectory() as name:  # in /tmp: pytest's own folder is private
        folder = Path(name)
        folder.chmod(0o755)
        if not all(readable_by_all(parent) for parent in folder.parents):
            pytest.skip(f"{tempfile.gettempdir()} is private on this machine")
        (folder / "python").write_text("")
        (folder / "python").chmod(0o644)
        assert readable_by_all(folder / "python")
        folder.chmod(0o700)
        assert not readable_by_all(folder / "python")


def test_a_checkout_the_learners_cannot_reach_is_refused_with_the_folder_to_open(monkeypatch):
    with tempfile.TemporaryDirectory() as name:
        closed = Path(name)
        checkout = closed / "repo"
        checkout.mkdir(mode=0o755)
        (checkout / "pyproject.toml").write_text("")
        if shared_env.closed_folder(closed) is not None:
            pytest.skip(f"{tempfile.gettempdir()} is private on this machine")
        closed.chmod(0o700)
        monkeypatch.setattr(shared_env, "ROOT", checkout)
        with pytest.raises(ClassHubError, match=f"chmod o\\+x {re.escape(str(closed))}"):
            shared_env.shared_environment()
        closed.chmod(0o755)
        assert shared_env.closed_folder(checkout / "pyproject.toml") is None


def test_the_site_s_launcher_entry_starts_it_under_the_proxy_s_prefix():
    entry = server()
    assert entry["command"][-2:] == ["workshop_site.site_proxy", "{port}"]
    assert entry["environment"] == {"WORKSHOP_SITE_PREFIX": "{base_url}workshop-site"}
    assert entry["launcher_entry"]["title"] == "Workshop site"
    assert Path(entry["launcher_entry"]["icon_path"]).is_file()


def test_the_command_says_what_is_wrong_and_starts_nothing(capsys):
    assert classhub_main(["--learners", "0"]) == 1
    assert "a class needs at least one learner, not 0" in capsys.readouterr().err


def test_the_welcome_names_the_learners_the_link_and_the_live_report(tmp_path):
    learners = [Learner("learner1", "pw-one", 1001, tmp_path / "learner1")]
    hub = ClassHub(
        "http://127.0.0.1:8000/",
        "token",
        learners,
        COURSE,
        tmp_path,
        SharedEnvironment(Path("/opt/env/bin/python")),
        1,
    )
    text = welcome(hub)
    assert "learner1  pw-one" in text
    assert "http://127.0.0.1:8000/hub/user-redirect/git-pull?repo=" in text
    assert f'--live \\\n      "{tmp_path}/homes/*/.django-perf-workshop/progress.jsonl"' in text
