# The two commands of the README.  Both set up everything they need on a fresh machine first.
#   make demo   install, build the course (release/, solutions/, labs/), demo-grade the bundled example submissions,
#               write the student edition (build/student) and its website (build/student/_site)
#   make test   install, then lint and run the whole test suite
VENV ?= .venv
BIN := $(VENV)/bin
LABS := $(notdir $(wildcard source/lab[0-9][0-9]))

.PHONY: setup demo build grade-examples test lint clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/course build
	@for lab in $(LABS); do \
	  echo "== demo-grading examples/submissions/$$lab"; \
	  $(BIN)/course grade $$lab examples/submissions/$$lab --output graded/$$lab || exit 1; \
	done
	$(BIN)/course publish build/student --site
	@echo "== the course website: open build/student/_site/index.html (or: $(BIN)/python -m http.server -d build/student/_site)"

build: setup
	$(BIN)/course build

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf graded gradebook.db submitted autograded feedback .pytest_cache
