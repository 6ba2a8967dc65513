"""Past one machine: the Zero to JupyterHub values file, checked offline.

It cannot be deployed here (no cluster); what can be checked is: it parses, it names the
chart version it was written for, its keys and values match that version's schema (the
part of it kept in deploy/z2jh, with its source), and the image it names is built from
binder/, whose files install the package and what the hub's servers need.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
Z2JH = ROOT / "deploy" / "z2jh"
VALUES = Z2JH / "values.yaml"


def _chart_version() -> str:
    first = VALUES.read_text().splitlines()[0]
    found = re.search(r"chart jupyterhub (\d+\.\d+\.\d+)", first)
    assert found, f"values.yaml's first line must name the chart version: {first!r}"
    return found.group(1)


def _schema() -> dict:
    path = Z2JH / f"schema-{_chart_version()}.yaml"
    assert path.is_file(), f"no schema kept for chart {_chart_version()}: {path.name}"
    text = path.read_text()
    assert f"tag {_chart_version()}" in text, "the schema's source"
    assert "BSD 3-Clause" in text, "the schema's licence"
    return yaml.safe_load(text)


def test_the_values_match_the_charts_schema():
    jsonschema.validate(yaml.safe_load(VALUES.read_text()), _schema())


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        (("singleuser", "memory", "limt"), "1G", "a misspelt key"),
        (("singleuser", "cpu", "guarantee"), "an eighth", "a CPU as words"),
        (("cull", "enabled"), "yes", "a string for a boolean"),
        (("singleuser", "extraFiles", "x"), {"data": {}}, "a file without its mount path"),
    ],
)
def test_the_schema_refuses_what_the_chart_would(path, value, why):
    values = copy.deepcopy(yaml.safe_load(VALUES.read_text()))
    node = values
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(values, _schema())


def test_the_values_follow_the_guide_and_the_course_version():
    values = yaml.safe_load(VALUES.read_text())
    singleuser = values["singleuser"]
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert singleuser["image"]["tag"] == version
    assert singleuser["extraEnv"]["WORKSHOP_PROGRESS"].startswith("/srv/progress/{username}/")
    mounts = {m["name"]: m["mountPath"] for m in singleuser["storage"]["extraVolumeMounts"]}
    assert mounts["progress"] == "/srv/progress"
    claim = yaml.safe_load((Z2JH / "progress-volume.yaml").read_text())
    volumes = {v["name"]: v for v in singleuser["storage"]["extraVolumes"]}
    assert volumes["progress"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    culler = singleuser["extraFiles"]["kernel-culler"]["data"]["MappingKernelManager"]
    assert culler["cull_idle_timeout"] == 1200
    assert values["cull"]["enabled"] is True
    guide = (ROOT / "docs" / "jupyterhub.md").read_text()
    for key in ("guarantee", "limit"):
        assert f"{key}: {singleuser['memory'][key]}" in guide, f"memory {key} not in the guide"


def test_the_image_is_built_from_binder_with_the_package_and_the_hubs_extension():
    environment = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    names = {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in pip}
    assert {"jupyterhub", "nbgitpuller", "jupyter-server-proxy"} <= names
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build


def test_the_guides_sizing_table_follows_its_formula_and_the_values_files_guarantees():
    """The table for 30, 100 and 300 learners is the formula worked out (a CPU per eight
    learners, 600 MB each and 2 GB, 300 MB of disk each), and the formula is the one the
    values file reserves per learner."""
    singleuser = yaml.safe_load(VALUES.read_text())["singleuser"]
    assert singleuser["cpu"]["guarantee"] == 1 / 8
    assert singleuser["memory"]["guarantee"] == "600M"
    guide = (ROOT / "docs" / "jupyterhub.md").read_text()
    section = guide.split("## Sizing a class: the load test", 1)[1]
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) \| (\d+) \| (\d+) GB \| (\d+) GB \|$", section, re.M)
    assert [int(r[0]) for r in rows] == [30, 100, 300]
    for learners, demand, cpus, memory, disk in rows:
        n = int(learners)
        assert float(demand) == pytest.approx(n * 0.12, abs=0.5)
        assert int(cpus) == -(-n // 8)
        assert int(memory) == round(n * 0.6 + 2)
        assert int(disk) == round(n * 0.3)
