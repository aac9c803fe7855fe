"""What students see: every question is in the release, and every test cell stands on its own.  Static, no execution.

nbgrader replaces the whole text of a manually graded answer cell by "YOUR ANSWER HERE", so a question written in the
same cell as its model answer never reaches the student; and a hidden test that calls a helper defined in another
test cell's hidden part gives away (or takes away) that other cell's points.
"""

from __future__ import annotations

import ast
import builtins
import re

import pytest

from course import nbtools
from tests.conftest import LABS, ROOT

SOURCES = [p for lab in LABS for p in lab.notebooks]
QUESTION_WORDS = re.compile(
    r"\?|\b(explain|describe|why|what|which|how|compare|discuss|name|give|list|suggest|state|write|estimate|report)\b",
    re.I,
)


def ids(paths):
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`>#]", "", text)).strip()


def _questions(markdown: str) -> list[str]:
    """The sentences of a markdown text that end with a question mark (code spans and maths kept as they are)."""
    text = _normal(re.sub(r"```.*?```", " ", markdown, flags=re.S))
    return [q.strip() for q in re.findall(r"[^.!?:]*\?", text) if len(q.strip()) > 12]


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_every_manual_answer_follows_a_visible_question(path):
    release = nbtools.read(ROOT / "release" / path.parent.name / path.name)
    cells = release.cells
    for i, cell in enumerate(cells):
        meta = nbtools.nbgrader_meta(cell)
        if not (meta.get("solution") and meta.get("grade")):
            continue
        # the nearest markdown cell above (code cells of the exercise may stand between) must ask the question
        before = next((c for c in reversed(cells[:i]) if c.cell_type == "markdown"), None)
        assert before is not None, f"{meta['grade_id']}: no markdown cell above the answer asks the question"
        assert not nbtools.nbgrader_meta(before).get("solution"), (
            f"{meta['grade_id']}: the markdown cell above is another answer, not the question"
        )
        assert QUESTION_WORDS.search(before.source), (
            f"{meta['grade_id']}: the cell before the answer does not ask anything: {before.source[:200]!r}"
        )


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_no_question_of_the_source_is_missing_from_the_release(path):
    source = nbtools.read(path)
    release = nbtools.read(ROOT / "release" / path.parent.name / path.name)
    shown = _normal(" ".join(c.source for c in release.cells if c.cell_type == "markdown"))
    missing = []
    for cell in source.cells:
        if cell.cell_type != "markdown":
            continue
        text = nbtools.strip_solution_markers(cell.source)
        if nbtools.nbgrader_meta(cell).get("solution"):
            # a model answer between solution markers is the answer, not the question; text outside them is shown
            text = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", " ", cell.source, flags=re.S)
            if "### BEGIN SOLUTION" not in cell.source:
                text = cell.source  # the whole cell is replaced by "YOUR ANSWER HERE": any question in it is lost
        for question in _questions(text):
            if question not in shown:
                missing.append(question)
    assert not missing, f"questions of the source that students never see: {missing}"


# Test cells stand alone ---------------------------------------------------------------------------------------------
def _bound_and_used(code: str) -> tuple[set[str], set[str]]:
    """Names a cell binds at its top level (assignments, defs, imports, loops...) and names it reads anywhere."""
    tree = ast.parse(code)
    bound, used = set(), set()

    def bind_target(node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store | ast.Del):
                bound.add(sub.id)

    def visit(node, top: bool):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if top:
                bound.add(node.name)
            for child in ast.iter_child_nodes(node):
                visit(child, False)
            return
        if isinstance(node, ast.Import | ast.ImportFrom) and top:
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        if top and isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For | ast.With | ast.NamedExpr):
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            for t in targets:
                if t is not None:
                    bind_target(t)
            if isinstance(node, ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        bind_target(item.optional_vars)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            used.add(node.id)
        if isinstance(node, ast.ExceptHandler) and node.name and top:
            bound.add(node.name)
        for child in ast.iter_child_nodes(node):
            # statements nested in if/for/while/try/with at the top level still bind module-level names
            nested_top = top and not isinstance(node, ast.Lambda | ast.comprehension | ast.GeneratorExp)
            visit(child, nested_top and isinstance(child, ast.stmt | ast.ExceptHandler | ast.match_case))

    for stmt in tree.body:
        visit(stmt, True)
    # names local to the cell's own functions, lambdas and comprehensions (assignments, parameters) are its own too
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            bound.add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in sub.names)
    return bound, used


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_every_test_cell_stands_alone(path):
    """A test cell may use names bound by non-test cells (the lesson, the answers) and by itself, never a helper that
    only another test cell binds: that other cell's hidden part is not there when nbgrader grades a cell on its own
    merits, and a wrong answer elsewhere must not take this cell's points."""
    nb = nbtools.read(path)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
            continue
        meta = nbtools.nbgrader_meta(cell)
        is_test = bool(meta.get("grade")) and not meta.get("solution")
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        cells.append((meta.get("grade_id"), is_test, *_bound_and_used(code)))
    elsewhere = set(dir(builtins)) | {"get_ipython", "In", "Out", "display"}
    for _, is_test, bound, _used in cells:
        if not is_test:
            elsewhere |= bound
    problems = []
    for gid, is_test, bound, used in cells:
        if not is_test:
            continue
        foreign = {
            name
            for name in used - bound - elsewhere
            if any(other_bound and name in other_bound for og, t, other_bound, _ in cells if t and og != gid)
        }
        if foreign:
            problems.append(f"{gid} uses {sorted(foreign)}, bound only in another test cell")
    assert not problems, "; ".join(problems)
