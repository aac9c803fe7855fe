"""The committed generated files are in sync with source/, and building is deterministic."""

from __future__ import annotations

import subprocess
import sys

from course import build
from tests.conftest import COURSE, LABS, ROOT


def test_build_check_passes():
    """Every lab's release, generated here and now into a temporary folder, is byte for byte the committed one
    (generated earlier, elsewhere), and so are the examples and lab pages; solutions match in their sources."""
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


def test_rebuild_of_unchanged_sources_keeps_solutions_byte_identical(tmp_path):
    """A solution whose recorded inputs match this machine's is not executed again: `course build` writes it back
    exactly as committed (so a rebuild leaves `git status` clean).  Solutions executed with other inputs (another
    machine's data or weights) are not compared here; `course build --check` lists them."""
    from course.build import STAMP, build_solutions, solution_inputs

    compared = 0
    for lab in LABS:
        out = tmp_path / lab.id
        (out / "work").mkdir(parents=True)
        build_solutions(COURSE, lab, out, out / "work", run=False)
        for path in lab.notebooks:
            committed = ROOT / "solutions" / lab.id / path.name
            stamp = build.nbtools.read(committed).metadata.get(STAMP, {})
            if stamp.get("inputs") != solution_inputs(COURSE, lab, path):
                continue
            assert (out / "solutions" / lab.id / path.name).read_bytes() == committed.read_bytes(), path.name
            compared += 1
    assert compared, "no committed solution carries this machine's inputs: run `course build`"


def test_release_of_unchanged_inputs_is_kept_and_regenerated_when_they_change(tmp_path, monkeypatch):
    """`course build` runs nbgrader for a lab's release only when what the release is generated from changed: the
    committed release records the hash of its inputs (``build.release_inputs``)."""
    import shutil

    lab = LABS[0]
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("course.toml", "nbgrader_config.py"):
        shutil.copy2(ROOT / name, copy / name)
    for kind in ("source", "release"):
        shutil.copytree(ROOT / kind / lab.id, copy / kind / lab.id)
    course = build.Course.load(copy)
    (copied,) = course.labs([lab.id])
    before = {p: p.read_bytes() for p in (copy / "release" / lab.id).rglob("*") if p.is_file()}

    def no_nbgrader(*args, **kwargs):
        raise AssertionError("nbgrader ran although the release's inputs are unchanged")

    monkeypatch.setattr(build.nbg, "generate", no_nbgrader)
    (tmp_path / "w1").mkdir()
    kept = build.build_release(course, copied, copy, tmp_path / "w1")
    assert sorted(kept) == sorted(before)
    assert all(p.read_bytes() == data for p, data in before.items())

    monkeypatch.undo()
    source = copy / "source" / lab.id / lab.notebooks[0].name
    source.write_text(source.read_text() + "\n")  # any change to an input
    (tmp_path / "w2").mkdir()
    build.build_release(course, copied, copy, tmp_path / "w2")
    stamp = build.nbtools.read(copy / "release" / lab.id / lab.notebooks[0].name).metadata[build.RELEASE_STAMP]
    assert stamp["inputs"] == build.release_inputs(course, copied) != build.release_inputs(COURSE, lab)


def test_solution_inputs_leave_out_the_hidden_tests(tmp_path):
    """A solution never runs the hidden tests, so editing one does not re-execute it; editing what it runs does."""
    import dataclasses
    import shutil

    from course.build import solution_inputs

    lab = LABS[0]
    copy = tmp_path / lab.id
    shutil.copytree(lab.source, copy)
    path = copy / lab.notebooks[0].name
    moved = dataclasses.replace(lab, source=copy)
    before = solution_inputs(COURSE, moved, path)
    text = path.read_text(encoding="utf-8")
    hidden_edit = text.replace("def hidden_tests():\\n", "def hidden_tests():\\n    # a new hidden check\\n", 1)
    assert hidden_edit != text
    path.write_text(hidden_edit, encoding="utf-8")
    assert solution_inputs(COURSE, moved, path) == before
    path.write_text(text.replace("passed(", "passed (", 1), encoding="utf-8")
    assert solution_inputs(COURSE, moved, path) != before
