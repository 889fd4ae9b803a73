# `make demo` and `make test` each do all the set-up a fresh machine needs: find a Python >= 3.12,
# make .venv, install redline with its dev extra, then run.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COMPILED := $(VENV)/.compiled
PYTHON_CANDIDATES := python3.12 python3.13 python3.14 python3 python

# The first interpreter on PATH that is >= 3.12 (a pyenv shim that cannot run counts as absent).
PY := $(shell for p in $(PYTHON_CANDIDATES); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "redline needs Python >= 3.12 on PATH (tried: $(PYTHON_CANDIDATES))" >&2; exit 2; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# setuptools and mypy first: they build redline, whose per-step loops mypyc compiles (setup.py), from
	@# this environment rather than one pip would make and fill for the build alone.
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip 'setuptools>=69' 'mypy>=1.10'
	@# pip compiles the installed files one at a time (about half of the set-up's time); compileall does it on every
	@# core instead, and skips the packages' own test suites, which nothing imports. A file that does not compile is
	@# passed over, as pip passes it over: Python compiles what it imports.
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-compile --no-build-isolation -e '.[dev]'
	$(BIN)/python -W ignore -m compileall -q -j 0 -x 'site-packages/.*/tests?/' \
		"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
		|| echo "some installed files did not compile ahead of use" >&2
	@# The classroom app's browser files, so that `redline app` works offline from now on.
	$(BIN)/redline app --install-assets || echo "redline app will fetch its browser files on first use" >&2
	@touch $(STAMP) $(COMPILED)

# The compiled modules (setup.py's COMPILED), built again in place when a source or the build changes: theirs, or
# that of a module they import (their types are compiled in; tests/test_compiled.py checks the list). Until then the
# package runs the sources (redline.builds uses the builds only while they match the sources beside them): right,
# but slower.
COMPILED_FROM := agents/actions.py agents/actor.py agents/doctrines.py agents/weighing.py agents/world.py \
	sim/engine/counts.py sim/engine/draws.py sim/engine/escalation.py sim/engine/resolving.py \
	sim/engine/__init__.py sim/engine/network.py sim/language/__init__.py sim/language/spec.py \
	sim/language/typed.py sim/language/yamlio.py sim/builds.py sim/errors.py sim/words.py
$(COMPILED): $(COMPILED_FROM) setup.py | $(STAMP)
	@# --force: a change to setup.py alone (its compiler flags) leaves mypyc's C as it was, and build_ext would
	@# then keep the module compiled with the old flags, as up to date.
	$(BIN)/python setup.py -q build_ext --inplace --force
	@touch $(COMPILED)

# redline's own modules compiled to bytecode (only those changed since), as pip does for a package it installs but
# not for an editable one: where bytecode is not written on import (PYTHONDONTWRITEBYTECODE), every process that
# imports them would compile them again, about 0.1 s of each command's start.
BYTECODE := $(BIN)/python -m compileall -q sim agents >/dev/null || true

# The main job: the flagship scenario's ensemble, its tables, summary and plots.
demo: $(STAMP) $(COMPILED)
	@$(BYTECODE)
	$(BIN)/redline validate scenarios/*.yaml
	$(BIN)/redline run scenarios/axis-2023.yaml --runs 200 --seed 20231007 --out out/axis-2023 --force
	@echo "summary: out/axis-2023/summary.md; plots: out/axis-2023/*.png"

# Bytecode first: the tests start about a hundred Python processes that import redline.
test: $(STAMP) $(COMPILED)
	@$(BYTECODE)
	$(BIN)/python -m pytest -q -n auto

# mypy checks the package as it is installed, `redline` over sim/ with agents/ inside it. It cannot follow the
# editable install's import hook, so it reads a tree of links laid out like the installed package (rebuilt each
# time, so that new modules are seen); its messages name the files of the checkout.
TYPECHECK := $(VENV)/typecheck

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	@rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/redline/agents
	@cp -rs $(CURDIR)/sim/. $(TYPECHECK)/redline/
	@ln -s $(CURDIR)/agents/*.py $(TYPECHECK)/redline/agents/
	set -o pipefail; cd $(TYPECHECK) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml \
		--cache-dir $(CURDIR)/$(VENV)/.mypy_cache -p redline | sed -e 's|^redline/agents/|agents/|' -e 's|^redline/|sim/|'

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Speed, scaling and memory figures next to their targets (not part of `make test`: timings belong to benchmarks).
# One figure: make bench BENCH="--only memory" (see benchmarks/README.md).
bench: $(STAMP) $(COMPILED)
	$(BIN)/python benchmarks/bench.py $(BENCH)

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache *.egg-info build agents/*.so sim/engine/*.so
