"""`course grade` on the bundled example submissions (and the same class as a zip) gives the expected grades.csv."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import LABS, ROOT
from tests.test_grading import autograded_tests


def _grade_examples(lab, tmp):
    archive = shutil.make_archive(str(tmp / "class"), "zip", ROOT / "examples" / "submissions" / lab.id)
    out = tmp / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "course", "grade", lab.id, archive, "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return proc, out


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory, request):
    """The selected labs' example classes graded by the command line, three labs at a time (as `make demo` does): a
    lab's solved student hands in every notebook and would otherwise leave the other grading slots idle at its end."""
    wanted = {getattr(item, "callspec", None) and item.callspec.params.get("graded_examples")
              for item in request.session.items}  # fmt: skip
    pool = ThreadPoolExecutor(max_workers=3)
    runs = {lab.id: pool.submit(_grade_examples, lab, tmp_path_factory.mktemp(f"examples-{lab.id}"))
            for lab in LABS if lab.id in wanted}  # fmt: skip
    yield runs
    pool.shutdown(wait=True)


@pytest.fixture(scope="module", params=[lab.id for lab in LABS])
def graded_examples(request, example_runs):
    lab = next(lab for lab in LABS if lab.id == request.param)
    proc, out = example_runs[lab.id].result()
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
