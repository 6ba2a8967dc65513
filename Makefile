# The README's two commands: `make lab` (set up, open the workshop) and `make test`.
# Both create .venv with a Python >= 3.12 when missing and reinstall only when
# pyproject.toml changed. PYTHON=/path/to/python3.12 picks the interpreter.

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
LINTED  := $(wildcard workshop_site tests notebooks solutions exercises benchmarks)
PIP_ARGS ?=
ifdef OFFLINE
PIP_ARGS += --no-index --find-links=$(OFFLINE)
endif

.PHONY: install lab check test test-slow test-postgres lint exercises doctor wheelhouse site course timings clean reset

$(PY):
	@py=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip $(PIP_ARGS) || true
	$(PY) -m pip install --quiet -e '.[test]' $(PIP_ARGS)
	@touch $(STAMP)

install: $(STAMP)

lab: install
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=. notebooks/00_welcome.ipynb

lint: install
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

# The tests run on parallel workers (pytest-xdist), one per CPU: the notebooks' kernels
# wait on each other much of the time. Tests marked `timing` compare times measured in the
# same test, so they run afterwards, one at a time: no other worker can tilt them.
# Markers (pyproject.toml): notebook, slow, timing, postgres, browser.
WORKERS ?= auto
PYTEST  := $(PY) -m pytest
# pytest's exit status 5 is "no test selected" (e.g. PYTEST_ARGS=-k picked none of them).
NONE_OK := status=$$?; [ $$status -eq 0 ] || [ $$status -eq 5 ]

# The developer's loop, under a minute: lint plus the fast tests. Left out (`make test`
# runs them): the notebooks (`notebook`), tests that build large databases or wait on
# purpose (`slow`) and those that compare times (`timing`); left out of both (.ci/run
# runs them): PostgreSQL (`postgres`) and the browser (`browser`).
check: lint
	$(PYTEST) -n $(WORKERS) -m "not notebook and not slow and not timing and not postgres and not browser" $(PYTEST_ARGS)

# Everything but PostgreSQL and the browser (`make test-slow`, run by .ci/run).
test: lint
	$(PYTEST) -n $(WORKERS) -m "not timing and not postgres and not browser" $(PYTEST_ARGS)
	$(PYTEST) -m "timing and not postgres and not browser" $(PYTEST_ARGS); $(NONE_OK)

# The suites that need more than Python: a PostgreSQL server started for the test, and
# Chromium (each skips with its reason when the machine lacks it).
test-slow: install
	$(PYTEST) -m "postgres or browser" $(PYTEST_ARGS); $(NONE_OK)

# exercises/NN_*.ipynb from solutions/NN_*.ipynb (answers replaced by stubs); the test
# suite fails when they are out of date. See docs/grading.md.
exercises: install
	$(PY) -m workshop_site.grading.generate

# The same shop as a real site, with Django Debug Toolbar: http://127.0.0.1:8000/guide/
# (migrates and seeds .workshop/site.sqlite3 the first time; DATABASE_URL to use another).
site: install
	$(PY) manage.py prepare_site --settings=workshop_site.settings_site
	$(PY) manage.py runserver 127.0.0.1:8000 --settings=workshop_site.settings_site

# Is this machine ready? One line per check, with the fix for each failure.
doctor: install
	$(PY) -m workshop_site.doctor

# Every wheel for the common laptops, for a conference room with bad Wi-Fi:
# copy wheelhouse/ to a USB stick; attendees run `make lab OFFLINE=path/to/wheelhouse`.
wheelhouse: | $(PY)
	$(PY) -m workshop_site.wheelhouse wheelhouse

# The whole suite (notebooks included) on a throwaway PostgreSQL server (initdb + pg_ctl
# in a temporary folder, 127.0.0.1 only). Needs PostgreSQL's server binaries installed.
test-postgres: install
	scripts/with-postgres $(PY) -m pytest $(PYTEST_ARGS)

# The course table (README, instructor guide) and every lesson's navigation cell, from the
# notebooks' own metadata; `timings` first copies the last test run's notebook timings
# (`make test WORKERS=0` first: one notebook at a time, as a learner runs them).
course: install
	$(PY) -m workshop_site.course

timings: install
	$(PY) -m workshop_site.course --timings

# Forget your progress and all cached databases (they are rebuilt on the next start()).
reset:
	rm -rf .workshop

clean: reset
	rm -rf $(VENV)
