# Two commands a newcomer needs: `make acceptance` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: setup browser test acceptance run-app bench selftest report signoff clean lint

setup: $(STAMP) browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

browser: $(STAMP)
	$(BIN)/python scripts/setup_browser.py

test: setup
	$(BIN)/python -m pytest $(ARGS)

acceptance: setup
	$(BIN)/python -m pytest acceptance $(ARGS)

run-app: setup
	$(BIN)/python -m fixtures.run_app $(ARGS)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf reports/out
