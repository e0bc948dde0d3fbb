# Tenderwise — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint format bench demo clean-venv

## make run: create .venv, install pinned runtime requirements, start the dashboard.
run: $(VENV)/.runtime.stamp
	$(PY) -m streamlit run app.py --server.port $(PORT)

## make test: install dev requirements (and Debian's chromium when possible), lint, run every test.
test: $(VENV)/.dev.stamp
	@bash scripts/ensure-chromium.sh
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(VENV)/.dev.stamp
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev.stamp
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(VENV)/.dev.stamp
	$(PY) bench/scale.py

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime.stamp: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev.stamp: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.runtime.stamp $@

clean-venv:
	rm -rf $(VENV)
