"""`course grade` on the bundled example submissions (and the same class as a zip) gives the expected grades.csv."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from tests.conftest import LABS, ROOT
from tests.test_grading import autograded_tests


@pytest.fixture(scope="module", params=[lab.id for lab in LABS])
def graded_examples(request, tmp_path_factory):
    lab = next(lab for lab in LABS if lab.id == request.param)
    tmp = tmp_path_factory.mktemp(f"examples-{lab.id}")
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


def test_expected_grades(graded_examples):
    lab, rows, out, stdout = graded_examples
    assert list(rows[0])[:5] == ["student", "notebook", "score", "max_score", "status"]
    by = {(r["student"], r["notebook"]): r for r in rows}
    first = lab.notebooks[0].name
    for path in lab.notebooks:
        auto = sum(autograded_tests(path).values())
        alice, bob = by[("alice", path.name)], by[("bob", path.name)]
        assert alice["status"] == "ok" and float(alice["score"]) == auto, alice
        assert bob["status"] == "ok" and float(bob["score"]) == 0, bob
        if path.name != first:
            assert by[("carol", path.name)]["status"] == "missing"
            assert by[("dave", path.name)]["status"] == "missing"
    carol = by[("carol", first)]
    assert carol["status"] == "ok" and float(carol["score"]) == sum(autograded_tests(lab.notebooks[0]).values())
    assert "Copy of" in carol["integrity"]
    dave = by[("dave", first)]
    assert dave["status"].startswith("corrupt:") and float(dave["score"]) == 0
    erin = [r for r in rows if r["student"] == "erin_essay"]
    assert any(r["status"] == "ignored: not a notebook" for r in erin)
    assert all(r["status"] == "missing" for r in erin if r["notebook"].endswith(".ipynb"))
    assert "alice" in stdout and "corrupt" in stdout  # the summary table


def test_feedback_is_written_without_hidden_tests(graded_examples):
    lab, _, out, _ = graded_examples
    pages = sorted((out / "feedback").rglob("*.html"))
    assert len(pages) >= 2 * len(lab.notebooks)
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "_t_" not in text, page
