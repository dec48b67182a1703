# `make site` builds the site into site/; `make test` runs the tests. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test check system-deps lint clean

site: $(STAMP)
	$(BIN)/atlas build

test: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/pytest -q

check: $(STAMP)
	$(BIN)/atlas check

system-deps:
	sh tools/system-deps.sh

$(STAMP): requirements.lock pyproject.toml tools/system-deps.sh
	sh tools/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

clean:
	rm -rf site .cache $(VENV)
