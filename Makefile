# One place for the project's everyday commands.
.PHONY: install test lint build validate

install:
	pip install -e '.[test]'

test:
	python -m pytest

lint:
	ruff check kg cli.py tests

validate:
	kg validate

build:
	kg build
