# `make book` builds the HTML book; `make test` runs every test. Each creates
# .venv and installs the project into it on first use and whenever
# pyproject.toml or the lock changes. `make lock` re-resolves the lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Every package of the dependency tree, pinned for every supported Python
# (pyproject's requires-python); installs take their versions from it.
LOCK   := requirements/constraints.txt
UV     := uv==0.13.9

.PHONY: book test lab lock browser clean

# Every kernel started from .venv's Python reads .venv/etc/ipython/; the file there
# silences one ipykernel notice (it says why).
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(KERNEL_CONFIG): etc/ipython/ipython_kernel_config.py | $(BIN)/python
	mkdir -p $(@D)
	cp $< $@

$(VENV)/.installed-book: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test]"
	touch $@

$(VENV)/.installed-lab: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[lab]"
	touch $@

# --all: Sphinx would otherwise re-run only notebooks whose source changed, and keep
# showing outputs of an older labsupport or another profile for the rest.
book: $(VENV)/.installed-book $(KERNEL_CONFIG)
	$(BIN)/jupyter-book build . --all -W -n --keep-going

test: $(VENV)/.installed-test $(KERNEL_CONFIG) browser
	LABSUPPORT_PROFILE=$${LABSUPPORT_PROFILE:-ci} $(BIN)/python -m pytest

lab: $(VENV)/.installed-lab $(KERNEL_CONFIG)
	$(BIN)/jupyter lab chapters/

# The browser test drives Debian's Chromium. CI runs as root on a fresh machine:
# install it there; elsewhere say how (the test is skipped without it, never in CI).
browser:
	@if ! command -v chromium >/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y -qq chromium >/dev/null; \
	    else \
	        echo "chromium is missing: 'sudo apt-get install chromium' runs the browser test"; \
	    fi; \
	fi

# Re-resolve every pin (latest releases that satisfy pyproject.toml, for every
# Python it supports), then reinstall from the new lock on the next make.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(UV)"
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal \
	    --python-version 3.10 --upgrade --quiet -o $(LOCK)

clean:
	rm -rf _build
