# One place for the project's everyday commands; `make check` is what .ci/run runs after installing.
.PHONY: install test lint typecheck check build validate

install:
	pip install -e '.[test,dev]'

test:
	python -m pytest

lint:
	python -m ruff check kg cli.py tests bench

typecheck:
	python -m mypy

check: lint typecheck test

validate:
	kg validate

build:
	kg build
