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

.PHONY: install lab test test-postgres lint exercises doctor wheelhouse site course timings clean reset

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

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

# exercises/NN_*_exercises.ipynb from solutions/NN_*_solutions.ipynb (answers replaced by stubs); the test
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
# notebooks' own metadata; `timings` first copies the last test run's notebook timings.
course: install
	$(PY) -m workshop_site.course

timings: install
	$(PY) -m workshop_site.course --timings

# Forget your progress and all cached databases (they are rebuilt on the next start()).
reset:
	rm -rf .workshop

clean: reset
	rm -rf $(VENV)
