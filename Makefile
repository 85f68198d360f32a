# Two commands: `make run` (set up, then start the app) and `make test` (set up, then run every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench setup clean

$(BIN)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-test.txt
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/streamlit run streamlit_app.py

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m fmnist bench
	$(BIN)/python -m tests.e2e.bench_app

clean:
	rm -rf $(VENV) .pytest_cache artifacts
