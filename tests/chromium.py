"""Headless Chromium for the tests that drive a browser (Debian's package; .ci/run installs
it): where it is, and how to start it on this machine."""

import os
import shutil
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and this machine's closed network
    # refuses each attempt.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
