# Two commands: `make run` (set up, then start the app) and `make test` (set up, then run every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run dev test bench load setup clean

$(BIN)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-test.txt
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/streamlit run streamlit_app.py

# For editing the code: rerun on save. The watcher costs ~1 s a new session, so `run` leaves it off.
dev: setup
	$(BIN)/streamlit run streamlit_app.py --server.fileWatcherType auto --server.runOnSave true

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m fmnist bench
	$(BIN)/python -m tests.e2e.bench_app

# A class at once: virtual users on Streamlit's websocket against a server started by `make run`.
load: setup
	$(BIN)/python -m tests.e2e.load --users 30
	$(BIN)/python -m tests.e2e.load --users 100 --rounds 3 --repeats 0

clean:
	rm -rf $(VENV) .pytest_cache artifacts
