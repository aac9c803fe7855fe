# The two commands of the README.  Both set up everything they need on a fresh machine first.
#   make demo   install, build the course (release/, solutions/, labs/), demo-grade the bundled example submissions,
#               write the student edition (build/student) and its website (build/student/_site)
#   make test   install, then lint and run the whole test suite
#   make test-release   the same in the exhaustive mode: every mutant bank whole, each wrong answer graded alone,
#               every lab under plain nbgrader, untouched release too (before a release, when a bank or a hidden test
#               changes)
VENV ?= .venv
BIN := $(VENV)/bin
LABS := $(notdir $(wildcard source/lab[0-9][0-9]))

.PHONY: setup demo build grade-examples test test-release lint clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/course build
	@mkdir -p graded
	@# three labs at a time, the costliest first (each grades its students in parallel too); each lab's report is
	@# printed when it is done
	@$(BIN)/python scripts/labs_by_cost.py $(LABS) | xargs -P 3 -I {} sh -c \
	  '$(BIN)/course grade {} examples/submissions/{} --output graded/{} > graded/{}.log 2>&1; \
	   status=$$?; echo "== demo-grading examples/submissions/{}"; cat graded/{}.log; exit $$status'
	$(BIN)/course publish build/student --site
	@echo "== the course website: open build/student/_site/index.html (or: $(BIN)/python -m http.server -d build/student/_site)"

build: setup
	$(BIN)/course build

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup
	$(BIN)/python -m pytest

test-release: setup
	COURSE_TESTS=exhaustive $(BIN)/python -m pytest

clean:
	rm -rf graded gradebook.db submitted autograded feedback .pytest_cache
