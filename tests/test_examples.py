"""The bundled example submissions (``examples/submissions/<lab>``: alice solved, bob blank, carol a renamed
notebook, dave a corrupt one, erin a text file) get the expected grades.

Every lab's examples are graded once, in the lab's test class (tests/conftest.py), whose rows are checked here; one
lab's examples are also graded from a zip by the command line, with feedback, as an instructor does it (``make demo``
grades every lab's that way).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from tests.conftest import LABS, ROOT
from tests.test_grading import autograded_tests

CLI_LAB = "lab02"  # the lab whose examples are also graded by the command line (the quickest lab to grade)


def check_expected(lab, by: dict[tuple[str, str], tuple[str, float, str]]) -> None:
    """``by``: (student, notebook) -> (status, score, integrity notes), from grades.csv or the class's rows."""
    first = lab.notebooks[0].name
    for path in lab.notebooks:
        auto = sum(autograded_tests(path).values())
        alice, bob = by[("alice", path.name)], by[("bob", path.name)]
        assert alice[0] == "ok" and alice[1] == auto, alice
        assert bob[0] == "ok" and bob[1] == 0, bob
        if path.name != first:
            assert by[("carol", path.name)][0] == "missing"
            assert by[("dave", path.name)][0] == "missing"
    carol = by[("carol", first)]
    assert carol[0] == "ok" and carol[1] == sum(autograded_tests(lab.notebooks[0]).values())
    assert "Copy of" in carol[2]
    dave = by[("dave", first)]
    assert dave[0].startswith("corrupt:") and dave[1] == 0
    erin = [(notebook, row) for (student, notebook), row in by.items() if student == "erin_essay"]
    assert any(row[0] == "ignored: not a notebook" for _, row in erin)
    assert all(row[0] == "missing" for notebook, row in erin if notebook.endswith(".ipynb"))


@pytest.mark.parametrize("lab_id", [lab.id for lab in LABS])
def test_expected_grades(graded, lab_id):
    lab = next(lab for lab in LABS if lab.id == lab_id)
    by = {}
    for student, notebooks in graded[lab_id].items():
        for notebook, row in notebooks.items():
            by[(student, notebook)] = (str(row.status), row.score, row.csv()["integrity"])
    check_expected(lab, by)


@pytest.fixture(scope="module")
def graded_zip(tmp_path_factory):
    """``course grade CLI_LAB class.zip``: the example class zipped, graded by the command line with feedback."""
    lab = next((lab for lab in LABS if lab.id == CLI_LAB), None)
    if lab is None:
        pytest.skip(f"{CLI_LAB} is not in source/")
    tmp = tmp_path_factory.mktemp("examples-zip")
    archive = shutil.make_archive(str(tmp / "class"), "zip", ROOT / "examples" / "submissions" / lab.id)
    out = tmp / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "course", "grade", lab.id, archive, "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return lab, rows, out, proc.stdout


def test_command_line_grades_a_zip(graded_zip):
    lab, rows, _, stdout = graded_zip
    assert list(rows[0])[:5] == ["student", "notebook", "score", "max_score", "status"]
    check_expected(lab, {(r["student"], r["notebook"]): (r["status"], float(r["score"]), r["integrity"]) for r in rows})
    assert "alice" in stdout and "corrupt" in stdout  # the summary table


def test_feedback_is_written_without_hidden_tests(graded_zip):
    lab, _, out, _ = graded_zip
    pages = sorted((out / "feedback").rglob("*.html"))
    assert len(pages) >= 2 * len(lab.notebooks)
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "def hidden_tests" not in text, page
