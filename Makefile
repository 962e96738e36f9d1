# Two commands matter: `make demo` and `make test`. Each sets up .venv on first use.
# Everything a test needs (the oci CLI, a headless Chromium) is installed here, never by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: help setup browser demo test test-fast lab bench reliability clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install reportkit with its test extra

# Debian's chromium for the browser test of the rendered HTML (apt needs root or sudo).
browser:  ## install headless Chromium if missing
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: setup  ## run the main job on the embedded demo tenancy (fake OCI on 127.0.0.1)
	$(PY) -m reportkit demo

test: setup browser  ## run the test suite (under 3 minutes)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup  ## run every test not marked slow (under a minute)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lab: setup  ## open JupyterLab in notebooks/ on copies of the packaged notebooks (demo snapshots collected once)
	$(PY) -m pip install --quiet -e ".[test,lab]"
	@test -d data/snapshots || $(PY) -m reportkit demo --collect-only
	@for nb in reportkit/report/notebooks/*.ipynb; do \
	  test -e notebooks/$$(basename $$nb) || cp $$nb notebooks/; done  # never over a copy you edited
	cd notebooks && REPORTKIT_DATA=$(CURDIR)/data ../$(PY) -m jupyter lab \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: setup  ## run every benchmark, print the table, write docs/performance.md
	$(PY) -m bench

reliability: setup  ## run the fault-injection suite and print its table
	$(PY) -m tests.reliability

clean:  ## remove the venv and generated output (snapshots and reports)
	rm -rf $(VENV) data/snapshots data/reports .pytest_cache
