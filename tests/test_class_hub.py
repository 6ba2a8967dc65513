"""A class of three on a real JupyterHub, end to end (marker ``hub``: ``make test-slow``).

The scripted class (workshop_site/classhub): JupyterHub and configurable-http-proxy on
127.0.0.1, three local accounts. learner1 logs in through the hub's API, starts a server,
pulls the course with nbgitpuller, works lesson 03 through remote kernels (its exercises'
naive answers fail, the solutions pass) and opens the real site through
jupyter-server-proxy; learner2 answers wrong; learner3 only logs in. The live report sees
all three; no learner reaches another's files, databases or server; nothing listens
beyond 127.0.0.1; and the class stops leaving no account, process or folder behind.

Skipped without root (separate accounts need useradd) or without Node.js (the proxy).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
import requests
from chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

from workshop_site.classhub import class_hub
from workshop_site.classhub.accounts import is_root
from workshop_site.classhub.client import HubClient
from workshop_site.classhub.lesson_plan import SCRIPTED_LESSON, lesson_plan
from workshop_site.classhub.proxy import missing_reason
from workshop_site.classhub.scripted import arrive, work_lesson
from workshop_site.classhub.shared_env import closed_folder
from workshop_site.grading.report import live
from workshop_site.setup import ROOT

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(not is_root(), reason="separate local accounts need root (useradd)"),
    pytest.mark.skipif(
        missing_reason() is not None, reason=f"JupyterHub's proxy: {missing_reason()}"
    ),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the class runs on SQLite, one database file per kernel in each home",
    ),
    pytest.mark.skipif(
        closed_folder(ROOT / "pyproject.toml") is not None,
        reason=f"this checkout is inside {closed_folder(ROOT / 'pyproject.toml')}, which the "
        "learners' accounts cannot enter: clone it where every user can reach it",
    ),
]
LESSON = SCRIPTED_LESSON


class Class:
    """The running class and what its learners did, shared by the tests of this module."""

    def __init__(self) -> None:
        self.stack = ExitStack()
        self.hub = self.stack.enter_context(class_hub(3, prefix="hubtest"))
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)  # tornado's client binds to the current loop
        self.client = HubClient(self.hub.url)
        learners = self.hub.learners

        async def arrive_all():
            return await asyncio.gather(
                *(arrive(self.client, learner, self.hub.course) for learner in learners)
            )

        self.sessions = self.run(arrive_all())
        self.tokens = {
            learner.name: session.token
            for learner, (session, _) in zip(learners, self.sessions, strict=True)
        }
        plan = lesson_plan(LESSON)
        first, second = (session for session, _ in self.sessions[:2])
        self.records = self.run(
            work_lesson(self.client, first, plan, folder=self.hub.course.folder)
        )
        # learner2: the exercises' set-up, then the first naive answer only.
        wrong = [s for s in plan.exercise_steps if "pass" not in dict(s.expect).values()]
        only_wrong = replace(plan, cells=(), exercise_steps=tuple(wrong[:3]))
        self.wrong = self.run(
            work_lesson(self.client, second, only_wrong, folder=self.hub.course.folder)
        )

    def run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def get(self, learner: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.tokens[learner]}", **kwargs.pop("headers", {})}
        return requests.get(f"{self.hub.url}{path}", headers=headers, timeout=240, **kwargs)

    def close(self) -> None:
        self.stack.close()
        if not self.loop.is_closed():
            self.loop.close()
            asyncio.set_event_loop(None)


@pytest.fixture(scope="module")
def klass():
    running = Class()
    try:
        yield running
    finally:
        running.close()


def test_learners_log_in_start_and_pull_the_course(klass):
    hub = klass.hub
    for learner, (_, seconds) in zip(hub.learners, klass.sessions, strict=True):
        assert seconds < 120
        pulled = learner.home / hub.course.folder / "notebooks"
        assert sorted(p.name for p in pulled.glob("*.ipynb")) == sorted(
            p.name for p in (Path(__file__).parent.parent / "notebooks").glob("*.ipynb")
        )
        assert pwd.getpwnam(learner.name).pw_uid == pulled.stat().st_uid


def test_a_lesson_runs_through_remote_kernels_and_checks_say_right_and_wrong(klass):
    lesson = [r for r in klass.records if r.phase == "lesson"]
    assert len(lesson) == len(lesson_plan(LESSON).cells)
    assert [r for r in klass.records if r.status != "ok"] == []
    checks = [r for r in klass.records if r.expected]
    assert {"pass", "fail"} <= {v for r in checks for v in r.expected.values()}
    for record in checks:
        assert record.shown == record.expected, record


def test_the_live_report_sees_every_learner_and_both_verdicts(klass):
    first, second, third = (learner.name for learner in klass.hub.learners)
    report = live([klass.hub.progress_files()])
    assert report.learners == [first, second, third]
    assert report.cell(first, "03.1").status == "pass"
    assert report.cell(first, "03.1").attempts == 2  # the naive answer, then the solution
    assert report.cell(second, "03.1").status == "fail"
    assert report.cell(third, "03.1").status == "not tried"
    now = report.summary().split("Now (each learner's last check", 1)[1]
    assert re.search(rf"{second}\s+03\.1 FAIL", now)
    assert re.search(rf"{third}\s+no check yet", now)


def test_each_learner_has_a_workspace_of_their_own(klass):
    learners = klass.hub.learners
    workspaces = {learner.name: learner.workspace for learner in learners[:2]}
    for name, workspace in workspaces.items():
        assert (workspace / "progress.jsonl").is_file(), name
        assert workspace.stat().st_uid == pwd.getpwnam(name).pw_uid
        assert (workspace / "templates").is_dir(), f"{name}'s cached databases are elsewhere"
    assert len(set(workspaces.values())) == 2


def test_no_learner_reads_another_s_files_or_databases(klass):
    session, _ = klass.sessions[0]
    other = klass.hub.learners[1]
    progress = other.workspace / "progress.jsonl"
    database = sorted((other.workspace / "templates").glob("*.sqlite3"))[0]
    assert progress.is_file()  # they exist: what follows is refused, not missing
    code = f"""
import os, sqlite3
def open_database():
    uri = "file:" + {str(database)!r} + "?mode=ro"
    sqlite3.connect(uri, uri=True).execute("select count(*) from sqlite_master").fetchall()
for attempt in (
    lambda: os.listdir({str(other.home)!r}),
    lambda: open({str(progress)!r}).read(),
    open_database,
):
    try:
        attempt()
        print("READ")
    except (PermissionError, sqlite3.OperationalError) as exc:
        print("refused", type(exc).__name__)
"""
    notebook = f"{klass.hub.course.folder}/notebooks/00_welcome.ipynb"
    kernel = klass.run(klass.client.open_notebook(session, notebook))
    try:
        result = klass.run(kernel.execute(code))
    finally:
        klass.run(klass.client.close_notebook(session, kernel))
    assert result.status == "ok", result
    assert "READ" not in result.text()
    assert result.text().count("refused") == 3


def test_no_learner_reaches_another_s_server(klass):
    first, second = (learner.name for learner in klass.hub.learners[:2])
    answer = klass.get(first, f"user/{second}/api/contents", allow_redirects=False)
    assert answer.status_code in (302, 403), answer.status_code
    assert klass.get(first, f"user/{first}/api/contents").status_code == 200


def test_the_site_opens_through_the_hub_with_its_toolbar_static_files_and_forms(klass):
    learner = klass.hub.learners[0].name
    base = f"user/{learner}/workshop-site/"
    guide = klass.get(learner, base + "guide/")
    assert guide.status_code == 200, guide.text[:500]
    assert f'href="/{base}static/shop/shop.css"' in guide.text
    assert klass.get(learner, base + "static/shop/shop.css").status_code == 200
    assert klass.get(learner, base + "static/debug_toolbar/js/toolbar.js").status_code == 200
    products = klass.get(learner, base + "products/")
    assert "djDebug" in products.text  # the toolbar, shown to the proxy's 127.0.0.1
    slugs = re.findall(rf'href="/{base}products/([^/"]+)/"', products.text)
    with requests.Session() as browser:
        browser.headers["Authorization"] = f"token {klass.tokens[learner]}"
        for slug in slugs[:20]:  # the first product on sale (with an "Add to cart" form)
            page = browser.get(f"{klass.hub.url}{base}products/{slug}/", timeout=60)
            found = re.search(r'<form method="post" action="([^"]+)"', page.text)
            if found:
                break
        assert found, "no product with an offer among the first 20"
        action = found.group(1)
        assert action == f"/{base}cart/add/"
        form = {
            "csrfmiddlewaretoken": re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
            ).group(1),
            "listing": re.search(r'name="listing" value="(\d+)"', page.text).group(1),
        }
        hub_origin = klass.hub.url.rstrip("/")
        added = browser.post(
            klass.hub.url + action.lstrip("/"),
            data=form,
            headers={"Origin": hub_origin},
            allow_redirects=False,
            timeout=60,
        )
        assert added.status_code in (200, 302), added.text[:500]
        refused = browser.post(
            klass.hub.url + action.lstrip("/"),
            data=form,
            headers={"Origin": "http://elsewhere.example"},
            allow_redirects=False,
            timeout=60,
        )
        assert refused.status_code == 403
        assert "WORKSHOP_SITE_ORIGIN" in refused.text


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (Debian: apt-get install chromium)")
def test_a_learner_opens_the_site_and_its_toolbar_from_the_launcher(klass):
    """In a browser, as a learner does: the hub's login form, JupyterLab, the launcher's
    "Workshop site" tile, the site in a new tab with its toolbar (screenshots in
    test-artifacts/)."""
    from playwright.sync_api import sync_playwright

    learner = klass.hub.learners[2]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{klass.hub.url}hub/login")
            page.fill("#username_input", learner.name)
            page.fill("#password_input", learner.password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{learner.name}/lab**", timeout=120_000)
            tile = page.locator(".jp-LauncherCard", has_text="Workshop site")
            tile.wait_for(timeout=120_000)
            page.screenshot(path=str(ARTIFACTS / "hub-launcher.png"))
            with context.expect_page(timeout=240_000) as opened:
                tile.click()
            site = opened.value
            site.locator("#djDebug").wait_for(state="attached", timeout=240_000)
            assert f"/user/{learner.name}/workshop-site/guide/" in site.url
            assert site.locator("table.pairs tbody tr").count() >= 4
            site.screenshot(path=str(ARTIFACTS / "hub-site-guide.png"))
        finally:
            browser.close()


def test_nothing_listens_beyond_loopback(klass):
    hub = psutil.Process(klass.hub.pid)
    pids = {hub.pid, *(p.pid for p in hub.children(recursive=True))}
    uids = {learner.uid for learner in klass.hub.learners}
    pids |= {p.pid for p in psutil.process_iter(["uids"]) if p.info["uids"].real in uids}
    listening = [
        (c.pid, c.laddr.ip, c.laddr.port)
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.pid in pids
    ]
    assert len(listening) >= 5  # hub, proxy and its API, the servers, kernels, the site
    assert [entry for entry in listening if entry[1] not in ("127.0.0.1", "::1")] == []


def test_the_class_stops_cleanly(klass):
    hub = klass.hub
    uids = {learner.uid for learner in hub.learners}
    klass.close()
    assert not psutil.pid_exists(hub.pid)
    assert [p.pid for p in psutil.process_iter(["uids"]) if p.info["uids"].real in uids] == []
    for learner in hub.learners:
        with pytest.raises(KeyError):
            pwd.getpwnam(learner.name)
    assert not hub.folder.exists()
