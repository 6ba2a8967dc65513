"""``make wheelhouse``: every wheel the workshop needs, for a USB stick in a conference room.

    python -m workshop_site.wheelhouse wheelhouse/            # the common platforms
    python -m workshop_site.wheelhouse wheelhouse/ --local    # this machine only

Then, with no network: ``make lab OFFLINE=wheelhouse/`` (or
``python -m workshop_site.setup lab --offline wheelhouse``). Standard library only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["PLATFORMS", "requirements", "download_commands", "main"]

ROOT = Path(__file__).resolve().parent.parent
#: pip platform tags of the laptops attendees bring.
PLATFORMS = {
    "linux-x86_64": ["manylinux2014_x86_64", "manylinux_2_28_x86_64"],
    "linux-aarch64": ["manylinux2014_aarch64", "manylinux_2_28_aarch64"],
    "macos-arm64": ["macosx_11_0_arm64", "macosx_14_0_arm64"],
    "macos-x86_64": ["macosx_10_13_x86_64", "macosx_10_15_x86_64"],
    "windows-amd64": ["win_amd64"],
}
PYTHON_VERSIONS = ["3.12", "3.13"]


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The runtime and test requirements, plus what building the package itself needs."""
    data = tomllib.loads(pyproject.read_text())
    project = data["project"]
    return [
        *project["dependencies"],
        *project["optional-dependencies"]["test"],
        *data["build-system"]["requires"],
        "pip",
    ]


def download_commands(target: Path, *, local: bool) -> list[list[str]]:
    base = [sys.executable, "-m", "pip", "download", "--dest", str(target)]
    if local:
        return [[*base, *requirements()]]
    commands = []
    for tags in PLATFORMS.values():
        for version in PYTHON_VERSIONS:
            platform_args = [arg for tag in tags for arg in ("--platform", tag)]
            commands.append(
                [
                    *base,
                    "--only-binary=:all:",
                    "--implementation", "cp",
                    "--python-version", version,
                    *platform_args,
                    *requirements(),
                ]
            )  # fmt: skip
    return commands


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop_site.wheelhouse")
    parser.add_argument("target", type=Path)
    parser.add_argument("--local", action="store_true", help="only this machine's platform")
    args = parser.parse_args(argv)
    args.target.mkdir(parents=True, exist_ok=True)
    for command in download_commands(args.target, local=args.local):
        subprocess.run(command, check=True)
    wheels = sorted(args.target.glob("*"))
    size = sum(p.stat().st_size for p in wheels) / 1024**2
    print(f"{len(wheels)} files, {size:.0f} MB in {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
