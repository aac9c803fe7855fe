"""The hidden tests can fail: graded by the real nbgrader, the source's answers (the release filled in with them, as
a student hands it in) score full marks, the untouched release scores zero, every wrong answer of the mutant banks
scores below full on its tests, and every alternative correct answer scores full."""

from __future__ import annotations

import pytest

from course import nbtools
from tests import mutants
from tests.conftest import BLANK, LABS, SOLVED, plan, selected, student_for


def autograded_tests(nb_path) -> dict[str, float]:
    """grade_id -> points of the autograded test cells of a source notebook."""
    out = {}
    for cell in nbtools.read(nb_path).cells:
        meta = nbtools.nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            out[meta["grade_id"]] = float(meta["points"])
    return out


NOTEBOOKS = [(lab.id, p) for lab in LABS for p in lab.notebooks]


def _mutants():
    params = []
    for lab in LABS:
        for nb, bank in mutants.load(lab.id).items():
            plan(nb, bank, lab.id)  # assigns each selected mutant its student, exactly as conftest.write_class does
            for m in selected(bank, lab.id, nb):
                params.append(pytest.param(lab.id, nb, m, id=f"{lab.id}/{nb}/{m['cell']}/{m['kind']}-{m['name']}"))
    return params


MUTANTS = _mutants()


@pytest.mark.parametrize("lab_id,path", NOTEBOOKS, ids=[f"{a}/{p.name}" for a, p in NOTEBOOKS])
def test_source_scores_full_marks(graded, lab_id, path):
    scores = graded[lab_id]
    row = scores[SOLVED][path.name]  # the release with the source's answers, as a student hands it in
    assert row.status == "ok", row.status
    tests = autograded_tests(path)
    assert tests, "a graded notebook without autograded tests"
    for grade_id, points in tests.items():
        assert row.cells[grade_id]["score"] == points, f"{grade_id}: {row.cells[grade_id]} (solution must pass)"


@pytest.mark.parametrize("lab_id,path", NOTEBOOKS, ids=[f"{a}/{p.name}" for a, p in NOTEBOOKS])
def test_untouched_release_scores_zero(graded, lab_id, path):
    scores = graded[lab_id]
    row = scores[BLANK][path.name]
    assert row.status == "ok", row.status
    assert row.score == 0, row.cells
    for grade_id in autograded_tests(path):
        assert row.cells[grade_id]["score"] == 0, f"{grade_id} passes on the untouched release"


@pytest.mark.parametrize("lab_id,nb_name,mutant", MUTANTS)
def test_mutant(graded, lab_id, nb_name, mutant):
    scores = graded[lab_id]
    row = scores[student_for(nb_name, mutant)][nb_name]
    assert row.status == "ok", row.status
    for grade_id in mutant["tests"]:
        cell = row.cells[grade_id]
        if mutant["kind"] == "wrong":
            assert cell["score"] < cell["max_score"], f"wrong answer {mutant['name']!r} gets full marks on {grade_id}"
        else:
            assert cell["score"] == cell["max_score"], f"correct answer {mutant['name']!r} loses marks on {grade_id}"


@pytest.mark.parametrize("lab_id,path", NOTEBOOKS, ids=[f"{a}/{p.name}" for a, p in NOTEBOOKS])
def test_every_autograded_test_has_three_wrong_answers(lab_id, path):
    bank = mutants.load(lab_id).get(path.name, [])
    solution_ids = {
        nbtools.nbgrader_meta(c)["grade_id"]
        for c in nbtools.read(path).cells
        if nbtools.nbgrader_meta(c).get("solution") and not nbtools.nbgrader_meta(c).get("grade")
    }
    for grade_id in autograded_tests(path):
        wrong = [m for m in bank if m["kind"] == "wrong" and grade_id in m["tests"]]
        assert len(wrong) >= 3, f"{grade_id}: only {len(wrong)} wrong answers in tests/mutants/{lab_id}/"
    for m in bank:
        assert m["cell"] in solution_ids, f"mutant {m['name']} replaces {m['cell']}, not an autograded answer cell"
