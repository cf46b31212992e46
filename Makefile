# The README's two commands: `make run` and `make test`. Both create/reuse .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test test-clocks lint benchmark clean-data

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m db.cli prepare --port $(PORT)
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true \
	  --server.address "$$($(PY) -m db.cli server-address)"

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite (browser tests aside) with the wall clock moved a week and a year ahead, to 23:59
# and to both daylight-saving changes in the facility's time zone (tests/clocks.py).
test-clocks: $(STAMP)
	@set -e; for clock in $$($(PY) -m tests.clocks); do \
	  echo "== wall clock at $$clock"; \
	  PRD_TEST_CLOCK=$$clock $(PY) -m pytest -m 'not browser' $(PYTEST_ARGS); \
	done

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

benchmark: $(STAMP)
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean-data:
	rm -rf .data
