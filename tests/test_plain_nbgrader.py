"""Plain nbgrader agrees with `course grade`: an instructor who runs nbgrader's own commands from the repository root
(``nbgrader generate_assignment``, then ``nbgrader autograde``) gives a lab's source full marks and the untouched
release zero, test cell by test cell.  The repository's nbgrader_config.py forks the kernels from a warm parent
(``course/warm_kernels.py``).

By default one lab is graded so (``QUICK_LABS``: the quickest), the source only, with warm kernels: about 20 s.  The
exhaustive mode (``COURSE_TESTS=exhaustive``) grades every lab, the untouched release too (whose zero ``course
grade`` proves for every notebook in tests/test_grading.py anyway), and starts every kernel cold
(``COURSE_WARM_KERNELS=off``), as nbgrader alone does: several minutes (about 5 with three labs at a time, before
they were graded one after the other; not measured since).  In every mode, ``course grade``
gives every lab's source full marks (tests/test_grading.py) and tests/test_notebooks.py checks that no test cell ends
with a value.

``course grade`` adds a sandbox, an integrity check and markers around nbgrader; nothing it adds may be needed for a
correct grade.  (Test cells that end with a number, for instance, are read by nbgrader as partial credit: plain
nbgrader would mark the reference solution down.)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from course import nbg
from tests.conftest import EXHAUSTIVE, LABS, ROOT
from tests.test_grading import autograded_tests

pytestmark = pytest.mark.slow


def _nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    # one thread for torch; the exhaustive mode starts every kernel cold, as nbgrader does without the course's warm
    # parents
    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if EXHAUSTIVE:
        env["COURSE_WARM_KERNELS"] = "off"
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=nbg.nbgrader_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


STUDENTS = ("solved", "untouched") if EXHAUSTIVE else ("solved",)


def _grade_lab(lab, root: Path) -> dict:
    """A copy of the repository's nbgrader set-up with two students: 'solved' hands in the source notebooks,
    'untouched' the committed release (in the exhaustive mode).  Returns {student: {notebook: {grade_id: (score,
    max_score)}}}."""
    root.mkdir(parents=True)
    for name in ("nbgrader_config.py", "course.toml"):
        shutil.copy2(ROOT / name, root / name)
    shutil.copytree(lab.source, root / "source" / lab.id)
    proc = _nbgrader(root, "generate_assignment", lab.id, "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for student, folder in (("solved", lab.source), ("untouched", ROOT / "release" / lab.id)):
        if student not in STUDENTS:
            continue
        target = root / "submitted" / student / lab.id
        target.mkdir(parents=True)
        for path in lab.notebooks:
            shutil.copy2(folder / path.name, target / path.name)
    proc = _nbgrader(root, "autograde", lab.id)
    assert proc.returncode == 0, f"nbgrader autograde {lab.id} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    from nbgrader.api import Gradebook

    results: dict = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in STUDENTS:
            for path in lab.notebooks:
                nb = gb.find_submission_notebook(path.stem, lab.id, student)
                results.setdefault(student, {})[path.name] = {
                    g.name: (float(g.score), float(g.max_score)) for g in nb.grades
                }
    return results


@pytest.fixture(scope="module")
def plain_grades(tmp_path_factory, request):
    """The selected tests' labs graded by plain nbgrader, one lab (one nbgrader process) at a time, in the background
    from the first test that asks.

    One at a time because plain nbgrader's kernels listen on TCP ports, and jupyter_client reserves a port it picked
    only within its own process: two nbgrader processes starting kernels at the same moment can pick the same free
    port, and the kernel that cannot bind it dies before it answers (the likely cause of "Kernel died before replying
    to kernel_info", seen once with two labs at a time).  ``course grade``'s sandboxed kernels use unix sockets in
    runtime folders of their own."""
    base = tmp_path_factory.mktemp("plain-nbgrader")
    wanted = {
        item.callspec.params["lab_id"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_plain_nbgrader_grades_source_full_and_release_zero"
    }
    pool = ThreadPoolExecutor(max_workers=1)
    futures = {lab.id: pool.submit(_grade_lab, lab, base / lab.id) for lab in LABS if lab.id in wanted}
    yield futures
    pool.shutdown(wait=True)


QUICK_LABS = ("lab02",)  # the labs graded by plain nbgrader outside the exhaustive mode
NOTEBOOKS = [(lab.id, p) for lab in LABS if EXHAUSTIVE or lab.id in QUICK_LABS for p in lab.notebooks]


@pytest.mark.parametrize("lab_id,path", NOTEBOOKS, ids=[f"{a}/{p.name}" for a, p in NOTEBOOKS])
def test_plain_nbgrader_grades_source_full_and_release_zero(plain_grades, lab_id, path):
    grades = plain_grades[lab_id].result()
    solved, untouched = grades["solved"][path.name], grades.get("untouched", {}).get(path.name)
    for grade_id, points in autograded_tests(path).items():
        assert solved[grade_id] == (points, points), f"{grade_id}: the source scores {solved[grade_id]}"
        if untouched is not None:
            assert untouched[grade_id][0] == 0, f"{grade_id}: the untouched release scores {untouched[grade_id]}"
