"""The inspector on its corpus (``tests/inspector_corpus.py``): found, missed and extra
findings, and how many snippets' suggested fixes, applied, give the same result in a
flat query count — for this inspector, and for the one-file ``lab/diagnose.py`` of an
earlier commit to compare with.

Run: .venv/bin/python benchmarks/inspector_corpus.py [--against REVISION]
(``--against 1347666`` reads ``workshop_site/lab/diagnose.py`` at that commit with git.)
On a fresh in-memory SQLite database unless ``DATABASE_URL`` says otherwise.

The earlier inspector gave its fix as text: here each distinct text is applied to the
queryset of the outermost finding that suggested it (``Prefetch(...)`` inside
``prefetch_related``). It named what to read instead (``product.filtered_reviews``) in
words only, which cannot be applied: a snippet whose fix needs that counts as not fixed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))  # the corpus's data modules (corpus_lesson03, 04)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _old_module(revision: str) -> Any:
    source = subprocess.run(
        ["git", "show", f"{revision}:workshop_site/lab/diagnose.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "diagnose_then.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("diagnose_then", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class _TextFix:
    """An earlier inspector's fix text, applied to a queryset of ``model``."""

    model: type
    code: str

    def apply(self, queryset: Any) -> Any:
        from django.apps import apps
        from django.db.models import Count, Prefetch, Q

        code = f"prefetch_related({self.code})" if self.code.startswith("Prefetch(") else self.code
        names = {m.__name__: m for m in apps.get_app_config("shop").get_models()}
        return eval(f"queryset.{code}", {"queryset": queryset, "Prefetch": Prefetch,
                                         "Count": Count, "Q": Q, **names})  # fmt: skip

    def read(self, row: Any, path: str) -> None:
        return None


@dataclass(frozen=True)
class _TextFinding:
    relation: str
    fix: _TextFix
    alternative: None = None


def _text_fixes(findings: list[Any]) -> list[_TextFinding] | None:
    """Each distinct fix text once, on the queryset of the outermost finding with it (a
    chain's findings share one text: it goes on the loop's queryset); None when one of
    them is words ("only(...) including ...") rather than code."""
    from django.apps import apps

    def model(relation: str) -> Any:
        return apps.get_model("shop", relation.split(".")[0])

    def related(relation: str) -> Any:
        try:
            return model(relation)._meta.get_field(relation.split(".")[1]).related_model
        except Exception:
            return None

    by_text: dict[str, list[Any]] = {}
    for finding in findings:
        by_text.setdefault(finding.fix, []).append(finding)
    fixes = []
    for text, group in by_text.items():
        if text.startswith("only("):
            return None
        inner = {related(f.relation) for f in group}
        outer = [f for f in group if model(f.relation) not in inner] or group
        fixes.append(_TextFinding(outer[0].relation, _TextFix(model(outer[0].relation), text)))
    return fixes


def tally(name: str, diagnose: Callable[..., list[Any]], *, as_text: bool) -> str:
    import tests.inspector_corpus as corpus
    from workshop_site.lab.inspector import diagnose as current

    found = missed = extra = fixed = 0
    with_findings = sum(1 for item in corpus.SNIPPETS if item.expect)
    for item in corpus.SNIPPETS:
        corpus.diagnose = diagnose
        naive = [corpus.run(item, size) for size in sorted(corpus.SIZES)]
        corpus.diagnose = current  # a fixed run is judged by the same (exact) inspector
        expected, got = Counter(item.expect), Counter(naive[-1].relations)
        found += sum((expected & got).values())
        missed += sum((expected - got).values())
        extra += sum((got - expected).values())
        if not item.expect or not naive[-1].findings:
            continue
        fixes = [_text_fixes(o.findings) if as_text else o.findings for o in naive]
        if any(f is None for f in fixes):
            continue
        runs = [corpus.run(item, o.size, fixed_by=f) for o, f in zip(naive, fixes, strict=True)]
        same = all(not r.error and r.result == o.result for r, o in zip(runs, naive, strict=True))
        fixed += same and runs[0].queries == runs[1].queries
    return (
        f"{name}: {len(corpus.SNIPPETS)} snippets, {sum(len(i.expect) for i in corpus.SNIPPETS)} "
        f"expected findings: found {found}, missed {missed}, extra {extra}; fixes proven "
        f"(same result, flat count) in {fixed} of {with_findings} snippets with findings"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REVISION", help="also the diagnose.py of a commit")
    options = parser.parse_args(argv)
    _setup()
    from workshop_site.lab.inspector import diagnose

    if options.against:
        then = _old_module(options.against)
        print(tally(f"lab/diagnose.py at {options.against}", then.diagnose, as_text=True))
    print(tally("lab/inspector", diagnose, as_text=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
