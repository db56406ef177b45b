# Balie: the two commands a newcomer needs are `make run` and `make test`.
VENV ?= .venv
BALIE := $(VENV)/bin/balie

.PHONY: install run test lint bench

install:
	bash scripts/install.sh

run: install
	$(BALIE) run

test: install
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
