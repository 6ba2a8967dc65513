# The README's two commands: `make lab` (set up, open the workshop) and `make test`.
#
# Every target is `python -m workshop_site.setup TARGET`: set-up has one implementation
# (workshop_site/setup.py), which is also the command on machines without make. It creates
# .venv when missing and installs what the target needs: the workshop for `lab` and the
# others, the test tools too for `lint`, `test` and `test-postgres`; it installs again only
# when pyproject.toml changed. `python -m workshop_site.setup --help` lists the targets.
#
#   PYTHON=/path/to/python3.12   the interpreter that creates .venv
#   OFFLINE=path/to/wheelhouse   install from a folder, without the network (make wheelhouse)
#   ARGS="-k seed"               passed on: to pytest for the test targets
#   FORCE=1                      lets `make exercises` overwrite notebooks holding your answers
#   WORKERS=0                    the tests in one process (pytest-xdist's -n; default CPUs + 1)
#
# lab:           JupyterLab on 127.0.0.1, opening notebooks/00_welcome.ipynb
# lint:          ruff check, ruff format --check, mypy (with django-stubs)
# check:         the developer's loop, under a minute: lint and the fast tests. Left out
#                (`make test` runs them): the notebooks, tests that build large databases
#                or wait on purpose (marker `slow`) and those that compare times (`timing`)
# test:          lint, then pytest on parallel workers: every notebook, every exercise;
#                all but the suites of `test-slow` (run by .ci/run)
# test-slow:     the suites that need more than Python: PostgreSQL servers (started for
#                the test), Chromium, a class on JupyterHub (root), Binder's postBuild
#                (pip); each skips with its reason when the machine lacks it
# test-postgres: the same suite on a throwaway PostgreSQL server (initdb + pg_ctl in a
#                temporary folder, 127.0.0.1 only; needs PostgreSQL's server binaries)
# exercises:     exercises/NN_*_exercises.ipynb from solutions/NN_*_solutions.ipynb
#                (answers replaced by stubs); see docs/grading.md
# site:          the shop as a real site with Django Debug Toolbar: http://127.0.0.1:8000/guide/
# class:         a class on JupyterHub on this machine, as root: a local account per learner
#                (ARGS="--learners 5"), until Ctrl-C; see docs/jupyterhub.md
# doctor:        is this machine ready? one line per check, with the fix for each failure
# course:        the course table (README, instructor guide) and each lesson's navigation;
# timings:       the same, after copying the last test run's notebook timings
# wheelhouse:    every wheel for the common laptops, for a conference room with bad Wi-Fi
# reset:         forget your progress and every cached database (rebuilt by lab.start())
# clean:         reset, and remove .venv

ARGS ?= $(PYTEST_ARGS)
SETUP = py=.venv/bin/python; [ -x "$$py" ] || py=$$(scripts/find-python) || exit 1; \
	"$$py" -m workshop_site.setup
OPTIONS = $(if $(OFFLINE),--offline "$(OFFLINE)") $(if $(FORCE),--force) \
	$(if $(WORKERS),--workers $(WORKERS))
TARGETS = install lab lint check test test-slow test-postgres doctor exercises site class course \
	timings wheelhouse reset clean

.PHONY: $(TARGETS)

$(TARGETS):
	@$(SETUP) $@ $(OPTIONS) -- $(ARGS)
