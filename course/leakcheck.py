"""The leak check of a student edition: nothing of an answer key may reach a public tree.

A tree leaks when any of its files holds

* an nbgrader marker (``BEGIN SOLUTION``, ``BEGIN HIDDEN TESTS`` and their ``END`` lines);
* a line of a hidden test, or a line of a solution of any source notebook, that the release notebooks themselves do
  not show (a solution line is allowed too once that lab's solutions are published);
* executed outputs in a notebook that is not a published solution, or a solutions folder of an unpublished lab.

Text files are read line by line (HTML with its tags removed, notebooks cell by cell, outputs included), so a
rendered website is checked as well as its sources.  ``course publish`` runs the check on the tree it is about to
write and refuses to write a leaking one; tests/test_publish.py runs it on the published tree and its website.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import nbtools
from .config import Course

MARKERS = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)")
SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION", re.M | re.S)
HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS", re.M | re.S)
TAG = re.compile(r"<[^>]+>")
TEXT_SUFFIXES = {".py", ".md", ".txt", ".toml", ".cfg", ".json", ".ipynb", ".html", ".htm", ".js", ".csv", ".yml"}
TEXT_SUFFIXES |= {".yaml", ".rst", ".tex", ".sh", ".xml", ".svg", ".css"}
MIN_LENGTH = 10  # shorter lines (`x = 0`, `return {`) say nothing about an answer


@dataclass
class Leak:
    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


def _norm(line: str) -> str:
    return " ".join(line.split())


def _significant(line: str) -> bool:
    return len(line) >= MIN_LENGTH and any(ch.isalnum() for ch in line) and not MARKERS.search(line)


def _lines(text: str) -> set[str]:
    return {n for n in (_norm(x) for x in text.splitlines()) if n}


def secrets(course: Course, published: set[str]) -> dict[str, str]:
    """Normalised line -> where it comes from, for every answer-key line that must not appear in the student edition.

    Allowed (so not secret): every line of every release notebook and of the student half of the course package
    (students get both), and the lines of the published labs' solutions (without their hidden tests, as
    ``solutions/`` holds them)."""
    from .publish import STUDENT_MODULES

    allowed: set[str] = set()
    for name in STUDENT_MODULES:
        allowed |= _lines((course.root / "course" / name).read_text(encoding="utf-8"))
    for nb_path in sorted((course.root / "release").glob("lab*/*.ipynb")):
        for cell in nbtools.read(nb_path).cells:
            allowed |= _lines(cell.source)
    hidden: dict[str, str] = {}
    solution: dict[str, str] = {}
    for lab in course.labs():
        for path in lab.notebooks:
            where = f"source/{lab.id}/{path.name}"
            for cell in nbtools.read(path).cells:
                meta = nbtools.nbgrader_meta(cell)
                if meta.get("solution"):
                    blocks = SOLUTION_BLOCK.findall(cell.source) or [cell.source]
                    for block in blocks:
                        for line in _lines(block):
                            solution.setdefault(line, f"a solution line of {where}")
                        if lab.id in published:
                            allowed |= _lines(block)
                elif meta.get("grade") and cell.cell_type == "code":
                    for block in HIDDEN_BLOCK.findall(cell.source):
                        for line in _lines(block):
                            hidden.setdefault(line, f"a hidden-test line of {where}")
    found = {line: where for line, where in solution.items() if line not in allowed}
    found.update({line: where for line, where in hidden.items() if line not in allowed})
    return {line: where for line, where in found.items() if _significant(line)}


def _notebook_texts(path: Path) -> tuple[list[str], bool, bool]:
    """The text of a notebook's cells and outputs, whether any code cell holds outputs, and whether it is a solution
    notebook (``course build`` puts a note cell at its top)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [path.read_text(encoding="utf-8", errors="replace")], False, False
    texts, executed = [], False
    cells = nb.get("cells", [])
    is_solution = bool(cells) and cells[0].get("metadata", {}).get("course-generated") == "solution-note"
    for cell in cells:
        src = cell.get("source", "")
        texts.append("".join(src) if isinstance(src, list) else src)
        for out in cell.get("outputs", []) or []:
            executed = True
            if "text" in out:
                texts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
            for mime, value in (out.get("data") or {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    value = "".join(value) if isinstance(value, list) else str(value)
                    texts.append(html.unescape(TAG.sub("", value)) if mime == "text/html" else value)
    return texts, executed, is_solution


def check_tree(course: Course, tree: Path, published: set[str]) -> list[Leak]:
    """Every leak in ``tree`` (a student edition, with or without its built website)."""
    secret = secrets(course, published)
    # a published solution may also appear elsewhere (the website's download copies), under its own file name
    solution_names = {p.name for lab in published for p in (course.root / "solutions" / lab).glob("*.ipynb")}
    leaks: list[Leak] = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        rel = path.relative_to(tree)
        if rel.parts[0] == ".git":
            continue
        parts = rel.parts
        if parts[0] == "solutions" and len(parts) > 1 and parts[1] not in published:
            leaks.append(Leak(str(rel), "solutions of a lab whose solutions are not published"))
        if parts[0] in {"source", "tests", "examples", "autograded", "submitted", "feedback", "graded"}:
            leaks.append(Leak(str(rel), f"{parts[0]}/ does not belong in the student edition"))
        if path.name == "gradebook.db" or path.suffix == ".db":
            leaks.append(Leak(str(rel), "a gradebook"))
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        if path.suffix == ".ipynb":
            texts, executed, is_solution = _notebook_texts(path)
            is_published_solution = parts[0] == "solutions" and len(parts) > 1 and parts[1] in published
            is_published_solution |= parts[0] != "solutions" and is_solution and path.name in solution_names
            if executed and not is_published_solution:
                leaks.append(Leak(str(rel), "executed outputs in a notebook that is not a published solution"))
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            texts = [html.unescape(TAG.sub("", text))] if path.suffix in {".html", ".htm"} else [text]
        for text in texts:
            if MARKERS.search(text):
                leaks.append(Leak(str(rel), f"an nbgrader marker: {MARKERS.search(text).group(0)!r}"))
                break
        for text in texts:
            for line in _lines(text):
                if line in secret:
                    leaks.append(Leak(str(rel), f"{secret[line]}: {line[:80]!r}"))
    return leaks
