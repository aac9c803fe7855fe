"""Small notebook transformations shared by build and grade."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
SOLUTION_MARK = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def strip_hidden_tests(source: str, note: str = "") -> str:
    """Remove the hidden-test regions of a test cell, optionally leaving ``note`` (a comment) in their place."""

    def replace(match: re.Match) -> str:
        if not note:
            return ""
        indent = re.match(r"[ \t]*", match.group(0)).group(0)
        return f"{indent}{note}\n"

    return HIDDEN.sub(replace, source).rstrip()


def remove_hidden_tests(nb) -> None:
    """Remove the hidden-test regions of every cell of ``nb``, in place: what a solution notebook runs."""
    for cell in nb.cells:
        cell.source = strip_hidden_tests(cell.source)


def strip_solution_markers(source: str) -> str:
    return SOLUTION_MARK.sub("", source)


def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)


def write(nb, path: Path) -> None:
    """Write deterministically (nbformat sorts keys; we also end with a newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text, encoding="utf-8")


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def sources_only(path: Path) -> str:
    """A canonical text of a notebook's cells without outputs, for drift checks of executed notebooks."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps(
        [{"type": c.get("cell_type"), "source": "".join(c.get("source", ""))} for c in nb.get("cells", [])],
        indent=1,
    )


def sources_equal(a, b) -> bool:
    """Whether two notebooks have the same cells (type and source), outputs and metadata aside."""
    cells_a = [(c.cell_type, c.source) for c in a.cells]
    cells_b = [(c.cell_type, c.source) for c in b.cells]
    return cells_a == cells_b


def first_heading(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def solution_sources(source_nb) -> dict[str, str]:
    """grade_id -> the cell text a student who solved the exercise would hand in (markers removed)."""
    answers = {}
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and meta.get("grade_id"):
            answers[meta["grade_id"]] = strip_solution_markers(cell.source).rstrip()
    return answers


def fill(release_nb, answers: dict[str, str]):
    """A copy of a release notebook with the given solution cells (by grade_id) replaced, as a student would."""
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    return nb
