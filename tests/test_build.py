"""The committed generated files are in sync with source/, and building is deterministic."""

from __future__ import annotations

import subprocess
import sys

from course import build
from tests.conftest import COURSE, LABS, ROOT


def test_build_check_passes():
    proc = subprocess.run(
        [sys.executable, "-m", "course", "build", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_build_check_names_a_drifted_file(tmp_path, monkeypatch):
    """Tamper with a committed release notebook in a copy of the repository: --check must name it."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "graded", "*.pyc", "__pycache__"))
    lab = LABS[0]
    victim = copy / "release" / lab.id / lab.notebooks[0].name
    victim.write_text(victim.read_text().replace("YOUR CODE HERE", "YOUR CODE THERE", 1))
    (copy / "labs" / lab.slug / "README.md").write_text("stale\n")
    course = build.Course.load(copy)
    problems = build.check(course, course.labs([lab.id]))
    text = "\n".join(problems)
    assert f"release/{lab.id}/{lab.notebooks[0].name}" in text
    assert f"labs/{lab.slug}/README.md" in text


def test_generation_is_deterministic(tmp_path):
    lab = LABS[0]
    out1, out2 = tmp_path / "a", tmp_path / "b"
    for out in (out1, out2):
        (out / "w").mkdir(parents=True)
        build.build_release(COURSE, lab, out, out / "w")
    for path in sorted((out1 / "release").rglob("*.ipynb")):
        twin = out2 / path.relative_to(out1)
        assert path.read_bytes() == twin.read_bytes(), path.name
