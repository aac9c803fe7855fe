"""The student edition (`course publish`): complete, installable, and without the answer key.

Also: a plain `nbgrader generate_assignment LAB --force` writes the release `course build` writes (badge and set-up
cell included).  Expectations come from the build functions, not from copied cell text.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import nbformat
import pytest

from course import build, leakcheck, nbtools, publish
from course.config import Course

COURSE = Course.load()
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # no solutions date has passed
FIRST = COURSE.labs()[0].id


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("edition") / "student"
    published, _ = publish.publish(COURSE, dest, solutions=[FIRST], now=LONG_AGO)
    assert published == {FIRST}
    return dest


def test_edition_holds_what_students_need(edition):
    for lab in COURSE.labs():
        committed = sorted(p.name for p in (COURSE.root / "release" / lab.id).iterdir())
        assert sorted(p.name for p in (edition / "release" / lab.id).iterdir()) == committed
        assert (edition / "labs" / lab.slug / "README.md").is_file()
        assert (edition / "website" / "labs" / f"{lab.id}.md").is_file()
    for name in ("README.md", "LICENSE", "pyproject.toml", "requirements.txt", "website/conf.py"):
        assert (edition / name).is_file(), name
    assert sorted(p.name for p in (edition / "course").iterdir()) == sorted(publish.STUDENT_MODULES)
    if (COURSE.root / "release" / "lab05" / "digits").is_dir():
        assert sorted(os.listdir(edition / "release" / "lab05" / "digits"))


def test_edition_holds_no_answer_key(edition):
    names = {p.name for p in edition.iterdir()}
    assert not names & {"source", "tests", "examples", "tools", "nbgrader_config.py", "course.toml", "Makefile"}
    for module in ("grade.py", "build.py", "integrity.py", "sandbox.py", "publish.py", "leakcheck.py", "cli.py"):
        assert not (edition / "course" / module).exists(), module
    assert not (edition / "course" / "grader").exists() and not (edition / "course" / "judge").exists()
    assert [p.name for p in (edition / "solutions").iterdir()] == [FIRST]  # named; no date has passed
    assert not list(edition.rglob("*.db"))
    assert leakcheck.check_tree(COURSE, edition, {FIRST}) == []


def test_leak_check_finds_leaks(edition, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(edition, tree)
    lab = COURSE.labs()[-1]
    assert leakcheck.check_tree(COURSE, tree, {FIRST}) == []
    # a hidden-test line and a solution line of a lab whose solutions are not published, anywhere in the tree
    secrets = leakcheck.secrets(COURSE, {FIRST})
    hidden = next(line for line, where in secrets.items() if "hidden-test" in where and lab.id in where)
    solution = next(line for line, where in secrets.items() if "solution line" in where and lab.id in where)
    (tree / "course" / "notes.py").write_text(f"# helper\n    {hidden}\n", encoding="utf-8")
    (tree / "website" / "extra.md").write_text(f"Some text\n\n{solution}\n", encoding="utf-8")
    # an unpublished lab's solutions, a source notebook, an executed release notebook
    shutil.copytree(COURSE.root / "solutions" / lab.id, tree / "solutions" / lab.id)
    shutil.copy2(lab.notebooks[0], tree / "release" / lab.id / "copy.ipynb")
    release_nb = sorted((tree / "release" / lab.id).glob("*.ipynb"))[0]
    nb = nbtools.read(release_nb)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    nbtools.write(nb, release_nb)
    leaks = [str(leak) for leak in leakcheck.check_tree(COURSE, tree, {FIRST})]
    text = "\n".join(leaks)
    assert "course/notes.py: a hidden-test line" in text
    assert "website/extra.md: a solution line" in text
    assert f"solutions/{lab.id}/" in text and "not published" in text
    assert f"release/{lab.id}/copy.ipynb: an nbgrader marker" in text
    assert f"{release_nb.relative_to(tree)}: executed outputs" in text
    # the site's HTML is read without its tags
    (tree / "page.html").write_text(f"<pre><span>{solution}</span></pre>", encoding="utf-8")
    assert any(str(leak).startswith("page.html") for leak in leakcheck.check_tree(COURSE, tree, {FIRST}))


def test_publish_refuses_a_leaking_tree(tmp_path, monkeypatch):
    lab = COURSE.labs()[-1]
    real_stage = publish.stage

    def leaky(course, out, published):
        real_stage(course, out, published)
        shutil.copy2(lab.notebooks[0], out / "release" / lab.id / "oops.ipynb")

    monkeypatch.setattr(publish, "stage", leaky)
    dest = tmp_path / "dest"
    with pytest.raises(publish.LeakError):
        publish.publish(COURSE, dest, now=LONG_AGO)
    assert not dest.exists()  # nothing written


def test_solutions_follow_their_dates():
    labs = COURSE.labs()
    assert publish.published_labs(COURSE, now=LONG_AGO) == set()
    dated = [lab.id for lab in labs if COURSE.lab_settings(lab.id).get("solutions")]
    if dated:
        when = COURSE.lab_settings(dated[0])["solutions"]
        assert dated[0] in publish.published_labs(COURSE, now=when + dt.timedelta(seconds=1))
        assert dated[0] not in publish.published_labs(COURSE, now=when - dt.timedelta(seconds=1))
    assert publish.published_labs(COURSE, [labs[-1].id], now=LONG_AGO) == {labs[-1].id}


def test_links_point_at_the_student_edition(edition):
    """Badges and set-up cells of the edition are those the build code writes now (holds after `course build`)."""
    public, ref = COURSE.public_repository, COURSE.public_ref
    setup = build.setup_source(COURSE)
    assert f"git+https://github.com/{public}@{ref}" in setup
    if COURSE.repository != public:  # the instructor repository appears nowhere
        assert f"/{COURSE.repository}@" not in setup and f"/{COURSE.repository}/" not in build.badge_markdown(
            COURSE, "x"
        )
    for lab in COURSE.labs():
        for nb_path in sorted((edition / "release" / lab.id).glob("*.ipynb")):
            nb = nbtools.read(nb_path)
            rel = nb_path.relative_to(edition).as_posix()
            assert nb.cells[0].source == build.badge_markdown(COURSE, rel)
            assert nb.cells[1].source == setup
            assert f"github/{public}/blob/{ref}/{rel}" in nb.cells[0].source


def test_edition_installs_as_colab_installs_it(edition, tmp_path):
    """`pip install` of the edition (what `pip install git+https://github.com/<public>@<ref>` fetches) in a fresh
    venv, offline: no dependencies fetched (this environment's packages are visible through a .pth file)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    vpy = venv / "bin" / "python"
    site = subprocess.run(
        [vpy, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip()
    # this environment's packages (torch, pip, setuptools...), appended after the venv's own site-packages
    Path(site, "outer.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    spec = f"dl-course-labs @ {edition.as_uri()}"  # the set-up cell's spec, with the edition as the URL
    pip = subprocess.run(
        [vpy, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q", spec],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    # run the first cells of a release notebook as a student would, outside the instructor repository
    nb = nbtools.read(sorted((edition / "release" / FIRST).glob("*.ipynb"))[0])
    code = [c.source for c in nb.cells if c.cell_type == "code"][:2]
    script = "\n".join(code) + "\nimport course, sys\nprint('COURSE_AT', course.__file__)\n"
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_ROOT", "PYTHONPATH")}
    env["MPLBACKEND"] = "Agg"
    run = subprocess.run([vpy, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    at = run.stdout.split("COURSE_AT", 1)[1].strip()
    assert Path(at).is_relative_to(venv), at
    assert not (Path(at).parent / "grade.py").exists()


def test_missing_course_package_gives_a_hint(tmp_path):
    script = "import builtins\n_imp = builtins.__import__\n"
    script += (
        "def _no(name, *a, **k):\n    if name == 'course': raise ImportError(name)\n    return _imp(name, *a, **k)\n"
    )
    script += "builtins.__import__ = _no\n" + build.setup_source(COURSE)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode != 0
    assert "Kaggle" in run.stderr and "pip install" in run.stderr and COURSE.pip_spec() in run.stderr


def _plain_nbgrader(root: Path, lab_id: str) -> None:
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("COURSE_ROOT", None)
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "nbgrader"), "generate_assignment", lab_id, "--force"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def plain_release(tmp_path_factory) -> Path:
    """A temp copy of the repository's course root after a plain `nbgrader generate_assignment FIRST --force`."""
    root = tmp_path_factory.mktemp("plain") / "repo"
    root.mkdir()
    for name in ("course.toml", "nbgrader_config.py"):
        shutil.copy2(COURSE.root / name, root / name)
    shutil.copytree(COURSE.root / "source", root / "source", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(COURSE.root / "release", root / "release")
    _plain_nbgrader(root, FIRST)
    return root


def test_plain_nbgrader_writes_what_course_build_writes(plain_release):
    course = Course.load(plain_release)
    (lab,) = course.labs([FIRST])
    with tempfile.TemporaryDirectory() as tmp:
        build.build_release(course, lab, Path(tmp) / "out", Path(tmp) / "work")
        built = Path(tmp) / "out" / "release" / FIRST
        cmp = filecmp.dircmp(built, plain_release / "release" / FIRST)
        assert not (cmp.left_only or cmp.right_only or cmp.diff_files), (cmp.left_only, cmp.right_only, cmp.diff_files)
        for nb_path in built.glob("*.ipynb"):
            first = json.loads(nb_path.read_text())["cells"][0]
            assert first["metadata"].get(build.GENERATED) == "badge"


def test_plain_nbgrader_leaves_the_committed_release_unchanged(plain_release):
    """Holds once release/ is rebuilt with this build code (`course build`)."""
    committed = COURSE.root / "release" / FIRST
    for path in sorted(committed.rglob("*")):
        if path.is_file():
            other = plain_release / "release" / FIRST / path.relative_to(committed)
            assert other.is_file() and filecmp.cmp(path, other, shallow=False), path.relative_to(COURSE.root)
