# `make book` builds the HTML book; `make test` runs every test. Each creates
# .venv and installs the project into it on first use and whenever
# pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: book test lab clean

# Every kernel started from .venv's Python reads .venv/etc/ipython/; the file there
# silences one ipykernel notice (it says why).
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(KERNEL_CONFIG): etc/ipython/ipython_kernel_config.py | $(BIN)/python
	mkdir -p $(@D)
	cp $< $@

$(VENV)/.installed-book: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

# --all: Sphinx would otherwise re-run only notebooks whose source changed, and keep
# showing outputs of an older labsupport or another profile for the rest.
book: $(VENV)/.installed-book $(KERNEL_CONFIG)
	$(BIN)/jupyter-book build . --all -W -n --keep-going

test: $(VENV)/.installed-test $(KERNEL_CONFIG)
	LABSUPPORT_PROFILE=$${LABSUPPORT_PROFILE:-ci} $(BIN)/python -m pytest

lab: $(VENV)/.installed-lab $(KERNEL_CONFIG)
	$(BIN)/jupyter lab chapters/

clean:
	rm -rf _build
