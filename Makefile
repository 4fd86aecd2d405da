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

.PHONY: book test lab lock browser clean filter

# Every kernel started from .venv's Python reads .venv/etc/ipython/; the file there
# silences one ipykernel notice (it says why).
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(KERNEL_CONFIG): etc/ipython/ipython_kernel_config.py | $(BIN)/python
	mkdir -p $(@D)
	cp $< $@

# The project's JupyterLab settings: JupyterLab reads <env>/share/jupyter/lab/settings/
# overrides.json. Its windowing mode "none" renders every cell's output as it arrives,
# so Run All shows every picture (the default renders cells off screen lazily).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_SETTINGS): etc/jupyter/lab/settings/overrides.json | $(BIN)/python
	mkdir -p $(@D)
	cp $< $@

# The Jupyter server of .venv: after a save, a notebook whose only change is its
# outputs is not shown modified by git status (the file says why).
SERVER_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.py

$(SERVER_CONFIG): etc/jupyter/jupyter_server_config.py | $(BIN)/python
	mkdir -p $(@D)
	cp $< $@

# Outputs never reach a commit: .gitattributes sends every notebook through the
# nbstripout filter, which this names in the clone's git config (--keep-id keeps the
# cells' ids; an absolute path, so that every worktree of the clone, which shares
# its config, finds it). The working copy keeps its outputs, and a notebook whose only
# change is its outputs is not shown modified. Outside a git clone there is nothing
# to set.
$(VENV)/.installed-nbstripout: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) nbstripout
	touch $@

filter: $(VENV)/.installed-nbstripout
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git config filter.nbstripout.clean "$(abspath $(BIN))/python -m nbstripout --keep-id" && \
	    git config filter.nbstripout.smudge cat && \
	    git config filter.nbstripout.required true; \
	fi

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
book: $(VENV)/.installed-book $(KERNEL_CONFIG) filter
	$(BIN)/jupyter-book build . --all -W -n --keep-going

test: $(VENV)/.installed-test $(KERNEL_CONFIG) $(LAB_SETTINGS) $(SERVER_CONFIG) filter browser
	LABSUPPORT_PROFILE=$${LABSUPPORT_PROFILE:-ci} $(BIN)/python -m pytest

# JupyterLab refuses to run as root without --allow-root (containers, cloud machines):
# pass it then, and only then.
lab: $(VENV)/.installed-lab $(KERNEL_CONFIG) $(LAB_SETTINGS) $(SERVER_CONFIG) filter
	@echo "The chapters run in the '$${LABSUPPORT_PROFILE:-book}' profile. Choose another" \
	    "with LABSUPPORT_PROFILE: 'LABSUPPORT_PROFILE=ci make lab' (seconds a chapter)," \
	    "book (the rendered book's sizes) or full (research scale, hours)."
	$(BIN)/jupyter lab chapters/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

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
