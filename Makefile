# Two commands a newcomer needs: `make acceptance` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: setup browser test acceptance run-app bench bench-peer bench-remote selftest report signoff clean lint lock

setup: $(STAMP) browser

# Every version comes from requirements.lock (pins of the whole dependency set), so an install
# months later is the one that was tested.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

# Refresh requirements.lock after changing dependencies in pyproject.toml: keeps every pin it can
# and resolves what is new (uv, installed on demand); `make lock UPGRADE=1` moves every pin to the
# newest version pyproject.toml allows. Then `make setup`.
UV_COMPILE = pyproject.toml --extra dev --universal --python-version 3.11 --quiet \
	--custom-compile-command "make lock" -o requirements.lock
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q 'uv>=0.5'
	$(BIN)/uv pip compile $(UV_COMPILE) $(if $(UPGRADE),--upgrade)

browser: $(STAMP)
	$(BIN)/python scripts/setup_browser.py

# The slow self-test (a full acceptance run per regression) has its own target: make selftest.
test: setup
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

acceptance: setup
	$(BIN)/python -m pytest acceptance $(ARGS)

run-app: setup
	$(BIN)/python -m fixtures.run_app $(ARGS)

# Allure 3 from npm, one self-contained HTML file that opens from disk.
ALLURE ?= npx --yes allure@3
report:
	@test -d reports/out/allure-results || { echo "no reports/out/allure-results: run make acceptance first"; exit 2; }
	$(ALLURE) awesome reports/out/allure-results --single-file --output reports/out/allure-report
	@echo "Allure report: reports/out/allure-report/index.html"

# Release sign-off: run the suite in release mode and write the committed QE_ACCEPTANCE_CHECKLIST.md.
# What release mode means (warnings fail it, full evidence, a sign-off block) is defined once, in
# reports/modes.py. Re-rendered (not copied) so that evidence links are right from the repository root.
signoff: setup
	@test -n "$(RELEASE)" || { echo "usage: make signoff RELEASE=NAME"; exit 2; }
	rm -f reports/out/results.json
	$(BIN)/python -m pytest acceptance --run-mode release --release "$(RELEASE)" $(ARGS); \
	status=$$?; \
	test -f reports/out/results.json && $(BIN)/python -m reports.checklist reports/out/results.json -o QE_ACCEPTANCE_CHECKLIST.md --no-html; \
	exit $$status

# The harness's self-test: the clean app must give GO, each known regression (tests/selftest/)
# NO-GO with its expected items failed. ARGS: --only NAME, --list, --keep, --workdir DIR.
selftest: setup
	$(BIN)/python -m tests.selftest $(ARGS)

# Full acceptance runs against the machine's floor; writes reports/out/bench.json.
# e.g. make bench ARGS="--runs 3 -- -n 2"
bench: setup
	$(BIN)/python -m bench $(ARGS)

# The nine scenarios side by side with the Playwright Test peer (PWPEER_DIR, default
# ../shared/pwpeer), interleaved; writes reports/out/bench-peer.json. e.g. make bench-peer ARGS="--runs 3"
bench-peer: setup
	$(BIN)/python -m bench.peer $(ARGS)

# The suite through a remote browser started on loopback: MODE=ws (Playwright server) or cdp.
MODE ?= ws
bench-remote: setup
	$(BIN)/python -m bench.remote $(MODE) $(ARGS)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf reports/out
