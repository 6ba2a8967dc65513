"""The real site in a real browser: Debug Toolbar's SQL panel agrees with the lab's count.

Headless Chromium (Debian's package) driven by Playwright, against `runserver` with the
site's settings in a subprocess, as `make site` runs it. Skipped, with the reason, when
no Chromium is installed; `.ci/run` installs it so CI runs this test.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium installed (Debian: apt-get install chromium; .ci/run does it)",
    ),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the browser test runs once, on SQLite",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`make site`'s two steps on a small database of its own, on a free loopback port."""
    env = {**os.environ, "WORKSHOP_DB": str(tmp_path_factory.mktemp("site") / "site.sqlite3")}
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    settings = "--settings=workshop_site.settings_site"
    subprocess.run(
        [*manage, "prepare_site", "--size", "60", settings],
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", settings],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("runserver did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", env
    finally:
        server.terminate()
        server.wait(timeout=10)


def _lab_count(path: str, env: dict) -> int:
    """How many queries the lab's recorder counts for the same page, same database."""
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'workshop_site.settings'; "
        "django.setup(); from django.test import Client; "
        "from workshop_site.lab.capture import queries\n"
        f"with queries() as q: Client().get({path!r})\n"
        "print(len(q))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def test_toolbar_sql_panel_counts_match_the_lab(site):
    from playwright.sync_api import sync_playwright

    base, env = site
    ARTIFACTS.mkdir(exist_ok=True)
    counts = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for path in ("/products/naive/", "/products/"):
                page.goto(base + path)
                assert page.locator("#djDebug").count() == 1, f"no toolbar on {path}"
                summary = page.locator("#djdt-SQLPanel small").inner_text()
                match = re.match(r"(\d+) quer", summary)
                assert match, f"unexpected SQL panel summary {summary!r} on {path}"
                counts[path] = int(match.group(1))
                if path == "/products/naive/":
                    page.locator("#djdt-SQLPanel a").click()
                    # The panel's content arrives by a second request: wait for its rows.
                    page.locator("#SQLPanel table").first.wait_for(state="visible")
                    assert "similar" in page.locator("#SQLPanel").inner_text().lower()
                    page.screenshot(path=str(ARTIFACTS / "toolbar-sql-panel-naive.png"))
            page.goto(base + "/guide/")
            assert page.locator("table.pairs tbody tr").count() >= 4
            page.locator("#djHideToolBarButton").click()  # the guide itself, uncovered
            page.screenshot(path=str(ARTIFACTS / "site-guide.png"), full_page=True)
        finally:
            browser.close()
    assert counts["/products/"] == 3, counts
    assert counts["/products/naive/"] > counts["/products/"], counts
    for path, count in counts.items():
        assert count == _lab_count(path, env), f"toolbar and lab disagree on {path}"
