# One place for the project's everyday commands; `make check` is what .ci/run runs after installing.
.PHONY: install test lint typecheck check build validate

# The README's set-up; then `. .venv/bin/activate` in each shell.
install:
	python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test,dev]'

# Without the slow set-up test (it installs into a fresh virtual environment); .ci/run runs it.
test:
	python -m pytest -m 'not setup'

lint:
	python -m ruff check kg cli.py tests bench

typecheck:
	python -m mypy

check: lint typecheck test

validate:
	kg validate

build:
	kg build
