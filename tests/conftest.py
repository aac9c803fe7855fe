"""Shared fixtures: the course, and one nbgrader grading run per lab that every grading test reads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from course import nbtools
from course.config import Course
from course.grade import grade_class
from tests import mutants
from tests.packing import Notebook

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course.load(ROOT)
LABS = COURSE.labs()


SOLVED, BLANK = "alice", "bob"  # the example class's students who hand in the solved and the untouched release


def student_for(nb_name: str, mutant: dict) -> str:
    """The test-class student that carries this mutant (see ``plan``)."""
    return mutant["_student"]


# The exhaustive mode (``COURSE_TESTS=exhaustive``, ``make test-release``): run before a release and whenever a bank
# or a hidden test changes.  It grades every bank whole, each unmarked wrong answer alone, and every lab under plain
# nbgrader, the untouched release too (tests/test_plain_nbgrader.py).
EXHAUSTIVE = os.environ.get("COURSE_TESTS", "") == "exhaustive"

# Wrong answers graded per test cell, hard-coded and always-equal ones first: 5 for the quick labs 1-3, 3 (what the
# issues ask for) for labs 4-6, whose notebooks train networks; a large bank may set its own PER_TEST.  That keeps CI
# well inside its time limit.  COURSE_MUTANTS_PER_TEST overrides it for every lab (0: every bank whole, as in the
# exhaustive mode).
MORE_MUTANTS_LABS = {"lab01": 5, "lab02": 5, "lab03": 5}
PRIORITY = ("hard_coded", "always_equal")  # the kinds every test must be seen to reject come first


def per_test(lab_id: str | None, nb_name: str | None = None) -> int:
    if "COURSE_MUTANTS_PER_TEST" in os.environ:
        return int(os.environ["COURSE_MUTANTS_PER_TEST"])
    if EXHAUSTIVE:
        return 0
    if (lab_id, nb_name) in mutants.LIMITS:  # a large bank that sets its own PER_TEST
        return mutants.LIMITS[(lab_id, nb_name)]
    return MORE_MUTANTS_LABS.get(lab_id, 3)


def selected(bank: list[dict], lab_id: str | None = None, nb_name: str | None = None) -> list[dict]:
    """The mutants the suite grades: every alternative correct answer, and wrong answers until each test cell has
    ``per_test(lab_id, nb_name)`` of them (0: all).  Hard-coded values and always-equal objects are taken first, then
    the bank's order."""
    limit = per_test(lab_id, nb_name)
    if limit <= 0:
        return list(bank)
    order = sorted(range(len(bank)), key=lambda i: (not any(k in bank[i]["name"] for k in PRIORITY), i))
    counts: dict[str, int] = {}
    keep = set()
    for i in order:
        mutant = bank[i]
        if mutant["kind"] == "correct" or any(counts.get(t, 0) < limit for t in mutant["tests"]):
            keep.add(i)
            if mutant["kind"] == "wrong":
                for t in mutant["tests"]:
                    counts[t] = counts.get(t, 0) + 1
    return [bank[i] for i in sorted(keep)]


def plan(nb_name: str, bank: list[dict], lab_id: str | None = None) -> dict[str, list[dict]]:
    """Group a notebook's selected mutants into submissions.

    No other wrong answer may make a wrong answer's tests fail for it.  Wrong answers to *different* cells share a
    run where neither can reach the other's tests (``tests/packing.py``: a cell after a test cannot change it, and
    before it, only through the names the test reads), and where the bank marks them ``"pack": True`` (their tests
    depend on no other answer cell); in the exhaustive mode (``COURSE_TESTS=exhaustive`` or
    ``COURSE_MUTANTS_PER_TEST=0``) every unmarked wrong answer is graded alone.  Alternative correct answers are
    always packed together, one per cell: they must all keep full marks side by side.

    Notebooks are graded in kernels of their own, each with its own time budget, so the n-th group of every notebook
    of the lab goes to the same student (``m-wrong-<n>`` for lone wrong answers, ``m-packed-<n>``, ``m-correct-<n>``):
    the class has as many students of a kind as the largest bank has groups of it, and each of them hands in (part
    of) a lab, as real students do, their kernels forked from one warm parent.  A notebook's grade depends on that
    notebook alone, as the solved student (every notebook correct) and the banks' own tests show.
    """
    groups: dict[str, list[dict]] = {}
    notebook = Notebook.load(ROOT / "source" / lab_id / nb_name) if lab_id and per_test(lab_id, nb_name) else None

    def place(prefix: str, mutant: dict) -> None:
        n = 0
        while any(m["cell"] == mutant["cell"] for m in groups.get(f"{prefix}{n}", [])):
            n += 1
        groups.setdefault(f"{prefix}{n}", []).append(mutant)
        mutant["_student"] = f"{prefix}{n}"

    for mutant in selected(bank, lab_id, nb_name):
        if mutant["kind"] == "correct":
            place("m-correct-", mutant)
        elif mutant.get("pack"):
            place("m-packed-", mutant)
        else:
            lone = [k for k in groups if k.startswith("m-wrong-")]
            sid = next(
                (k for k in lone if notebook and all(notebook.may_share_a_run(mutant, m) for m in groups[k])),
                f"m-wrong-{len(lone):03d}",
            )
            groups.setdefault(sid, []).append(mutant)
            mutant["_student"] = sid
    return groups


def write_class(lab, folder: Path) -> None:
    """The lab's example class (``examples/submissions/<lab>``: alice hands in the release with the source's answers,
    bob the untouched release, carol a renamed notebook, dave a corrupt one, erin a text file), and one student per
    group of mutant submissions.  The examples are graded here once, with the mutants (tests/test_examples.py reads
    their rows), instead of in a class of their own that would grade the solved and the blank lab a second time."""
    banks = mutants.load(lab.id)
    release = ROOT / "release" / lab.id
    shutil.copytree(ROOT / "examples" / "submissions" / lab.id, folder)
    for path in lab.notebooks:
        blank = nbtools.read(release / path.name)
        answers = nbtools.solution_sources(nbtools.read(path))
        for sid, group in plan(path.name, banks.get(path.name, []), lab.id).items():
            filled = nbtools.fill(blank, {**answers, **{m["cell"]: m["source"] for m in group}})
            nbtools.write(filled, folder / sid / path.name)


class GradedLabs(dict):
    """lab id -> {student: {notebook: Row}}; each lab's test class is graded once, the first time it is asked for."""

    def __init__(self, factory):
        super().__init__()
        self.factory = factory

    def __missing__(self, lab_id: str):
        (lab,) = COURSE.labs([lab_id])
        folder = self.factory.mktemp(f"class-{lab.id}")
        write_class(lab, folder / "in")
        jobs = int(os.environ.get("COURSE_JOBS", 0))
        rows = grade_class(COURSE, lab, folder / "in", folder / "out", jobs=jobs, feedback=False)
        by_student: dict[str, dict] = {}
        for row in rows:
            by_student.setdefault(row.student, {})[row.notebook] = row
        self[lab_id] = by_student
        return by_student


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Grading results of every lab's test class (the example class -- solved, untouched release, renamed, corrupt,
    foreign -- and the mutant submissions)."""
    return GradedLabs(tmp_path_factory)
