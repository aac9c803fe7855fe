"""Shared fixtures: the course, and one nbgrader grading run per lab that every grading test reads."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from course import nbtools
from course.config import Course
from course.grade import grade_class
from tests import mutants

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course.load(ROOT)
LABS = COURSE.labs()


def student_for(nb_name: str, mutant: dict) -> str:
    stem = nb_name.removesuffix(".ipynb")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"m-{mutant['kind']}-{stem}-{mutant['cell']}-{mutant['name']}")


def write_class(lab, folder: Path) -> dict:
    """One student per case: the source itself, the untouched release, and every mutant."""
    banks = mutants.load(lab.id)
    release = ROOT / "release" / lab.id
    cases = {"source": {}, "release": {}, "mutants": {}}
    for path in lab.notebooks:
        nbtools.write(nbtools.read(path), folder / "source" / path.name)
        blank = nbtools.read(release / path.name)
        nbtools.write(blank, folder / "release" / path.name)
        answers = nbtools.solution_sources(nbtools.read(path))
        for mutant in banks.get(path.name, []):
            sid = student_for(path.name, mutant)
            nbtools.write(nbtools.fill(blank, {**answers, mutant["cell"]: mutant["source"]}), folder / sid / path.name)
            cases["mutants"][sid] = (path.name, mutant)
    return cases


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """lab id -> (cases, scores by student) from grading every lab's test class once."""
    results = {}
    for lab in LABS:
        folder = tmp_path_factory.mktemp(f"class-{lab.id}")
        cases = write_class(lab, folder / "in")
        rows = grade_class(COURSE, lab, folder / "in", folder / "out", jobs=int(os.environ.get("COURSE_JOBS", 0)))
        by_student: dict[str, dict] = {}
        for row in rows:
            by_student.setdefault(row.student, {})[row.notebook] = row
        results[lab.id] = (cases, by_student)
    return results
