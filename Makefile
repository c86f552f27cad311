# Entry points: `make run` (demo server) and `make test` (the suite). Both work on a
# fresh clone: they create .venv and install what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: install system-deps run test test-postgres lint format migrations-check bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

system-deps:
	@bin/ensure-system-deps

messages: $(STAMP)
	@$(BIN)/python bin/compile_messages.py

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@$(BIN)/python manage.py demo_logins --address $(HOST):$(PORT)
	DEBUG=on $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install system-deps
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/carbonledger $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
