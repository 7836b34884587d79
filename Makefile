# hrbot — quick start: `make run` (the bot on the demo defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run reset-demo train test lint typecheck check benchmark-nlu benchmark-dialogue benchmark-cs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hrbot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

train: install
	$(BIN)/hrbot train

run: train
	$(BIN)/hrbot demo

reset-demo: install
	$(BIN)/hrbot demo reset

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks actions demo

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

benchmark-nlu: install
	$(BIN)/python benchmarks/nlu/run.py

benchmark-dialogue: install
	$(BIN)/python benchmarks/dialogue/run.py

benchmark-cs: install
	$(BIN)/python benchmarks/cs/run.py

clean:
	rm -rf $(VENV) models results .pytest_cache .mypy_cache .ruff_cache
