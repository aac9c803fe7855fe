"""Static checks of source and release notebooks: fast, no execution."""

from __future__ import annotations

import ast
import re

import pytest

from course import nbtools
from course.build import GENERATED
from tests.conftest import COURSE, LABS, ROOT

SOURCES = [p for lab in LABS for p in lab.notebooks]
RELEASES = [ROOT / "release" / lab.id / p.name for lab in LABS for p in lab.notebooks]


def ids(paths):
    return [f"{p.parent.name}/{p.name}" for p in paths]


def test_there_are_labs():
    assert LABS and SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_source_is_clean(path):
    nb = nbtools.read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"source notebooks carry no outputs (cell {cell.get('id')})"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_grade_cells_are_well_formed(path):
    nb = nbtools.read(path)
    seen = set()
    for cell in nb.cells:
        meta = nbtools.nbgrader_meta(cell)
        src = cell.source
        if "BEGIN HIDDEN TESTS" in src:
            assert meta.get("grade") and not meta.get("solution"), "hidden tests outside a test cell"
        if "BEGIN SOLUTION" in src:
            assert meta.get("solution"), "solution region outside a solution cell"
        if not meta:
            continue
        gid = meta.get("grade_id")
        assert gid and re.fullmatch(r"[a-z][a-z0-9_]*", gid), f"grade_id {gid!r}"
        assert gid not in seen, f"duplicate grade_id {gid}"
        seen.add(gid)
        if meta.get("grade") or meta.get("task"):
            assert float(meta.get("points", 0)) > 0, f"{gid}: grade cell without points"
        if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN HIDDEN TESTS" in src, f"{gid}: an autograded test cell without hidden tests"
            assert src.lstrip().startswith("#"), f"{gid}: a test cell starts with a comment saying what it checks"
            tree = ast.parse(src)
            last = tree.body[-1] if tree.body else None
            # nbgrader turns a trailing numeric expression into partial credit: test cells end in a statement or call
            assert not (isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call)), (
                f"{gid}: ends with a bare expression (nbgrader would read it as partial credit)"
            )
            # ... and so does a call that returns a number (check_number returns the value it checked)
            returns_value = ("check_number", "check_tensor", "rerun_cell")
            called = ast.unparse(last.value.func) if isinstance(last, ast.Expr) else ""
            assert called.split(".")[-1] not in returns_value, (
                f"{gid}: ends with {called}(...), whose value nbgrader reads as partial credit: `_ = {called}(...)`"
            )
            # the hidden tests are one function, called once: their names stay out of the notebook's namespace when
            # plain nbgrader runs them in the student's kernel, and out of the next test's when the judge runs them
            hidden = src.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
            body = ast.parse(hidden).body
            assert [ast.unparse(node) for node in body[1:]] == ["hidden_tests()"] and (
                isinstance(body[0], ast.FunctionDef) and body[0].name == "hidden_tests" and not body[0].args.args
            ), f"{gid}: the hidden tests are `def hidden_tests(): ...` and then `hidden_tests()`"
        if meta.get("solution") and not meta.get("grade") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in src, f"{gid}: an answer cell without a solution region"


@pytest.mark.parametrize("path", RELEASES, ids=ids(RELEASES))
def test_release_has_no_solutions_or_hidden_tests(path):
    assert path.exists(), "run `course build`"
    text = path.read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "HIDDEN TESTS" not in text
    release = nbtools.read(path)
    source = nbtools.read(ROOT / "source" / path.parent.name / path.name)
    by_id = {nbtools.nbgrader_meta(c).get("grade_id"): c for c in release.cells if nbtools.nbgrader_meta(c)}
    for cell in source.cells:
        meta = nbtools.nbgrader_meta(cell)
        if not meta.get("solution"):
            continue
        released = by_id[meta["grade_id"]].source
        match = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
        body = match.group(1) if match else cell.source
        for line in body.splitlines():
            line = line.strip()
            if len(line) > 12 and not line.startswith("#"):
                assert line not in released, f"solution line leaks into the release: {line!r}"


@pytest.mark.parametrize("path", RELEASES, ids=ids(RELEASES))
def test_release_has_badge_and_guarded_setup(path):
    nb = nbtools.read(path)
    badge, setup = nb.cells[0], nb.cells[1]
    assert badge.metadata.get(GENERATED) == "badge" and setup.metadata.get(GENERATED) == "setup"
    rel = path.relative_to(ROOT).as_posix()
    assert COURSE.colab_url(rel) in badge.source
    assert 'if "google.colab" in sys.modules:' in setup.source
    assert COURSE.pip_spec() in setup.source
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_every_badge_link_names_an_existing_release_file():
    prefix = f"https://colab.research.google.com/github/{COURSE.public_repository}/blob/{COURSE.public_ref}/"
    pages = sorted((ROOT / "labs").rglob("*.md")) + sorted((ROOT / "release").rglob("*.ipynb"))
    found = 0
    for page in pages:
        for target in re.findall(re.escape(prefix) + r"([^)\s\"']+)", page.read_text()):
            found += 1
            assert (ROOT / target).is_file(), f"{page.relative_to(ROOT)} links to missing {target}"
            assert target.startswith("release/"), f"{page.relative_to(ROOT)}: badge must open a release notebook"
    assert found >= len(RELEASES) * 2  # one in each notebook and one on each lab page


def test_lab_pages_list_every_notebook():
    for lab in LABS:
        page = (ROOT / "labs" / lab.slug / "README.md").read_text()
        for path in lab.notebooks:
            assert f"release/{lab.id}/{path.name}" in page
