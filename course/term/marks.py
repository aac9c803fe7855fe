"""Hand marking: ``course marks export LAB`` writes a marking sheet, ``course marks import LAB FILE`` reads it back;
``course marks feedback LAB`` makes the feedback again after marking in nbgrader's formgrader instead.

The sheet is a CSV with one row per student and manually graded answer::

    student,name,notebook,question,max_points,points,comment

``points`` and ``comment`` are what the marker fills in (a blank ``points`` leaves that answer as it is); the other
columns say which answer it is.  Several markers can each fill in a copy and import theirs.  Importing writes the
marks into the class gradebook (the same fields formgrader edits), updates grades.csv and scores.json, and makes the
students' feedback again with the marks and comments in it.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import nbg, nbtools
from ..config import Course, Lab
from . import gradebook, record

FIELDS = ["student", "name", "notebook", "question", "max_points", "points", "comment"]


@dataclass
class Mark:
    student: str
    notebook: str  # file name, e.g. 1_1_linear_regression.ipynb
    question: str  # the answer cell's grade id
    points: float | None
    comment: str = ""
    name: str = ""
    max_points: float = 0.0


def current(course: Course, lab: Lab, out: Path) -> list[Mark]:
    """Every submitted student's manually graded answers, with the marks given so far."""
    from nbgrader.api import Gradebook, MissingEntry

    from ..grader.reports import read_rows

    records = record.load(out)
    questions = gradebook.manual_questions(lab)
    handed_in = {(r.student, r.notebook) for r in read_rows(out) if r.cells}
    marks = []
    with Gradebook(gradebook.url(out), course_id=course.id) as gb:
        for sub in sorted(gb.assignment_submissions(lab.id), key=lambda s: s.student.id):
            sid = sub.student.id
            for notebook, ids in sorted(questions.items()):
                if (sid, notebook) not in handed_in:
                    continue
                stem = notebook.removesuffix(".ipynb")
                for gid, points in ids.items():
                    try:
                        grade = gb.find_grade(gid, stem, lab.id, sid)
                    except MissingEntry:
                        continue
                    try:
                        comment = gb.find_comment(gid, stem, lab.id, sid).manual_comment or ""
                    except MissingEntry:
                        comment = ""
                    name = records[sid].name if sid in records else ""
                    marks.append(Mark(sid, notebook, gid, grade.manual_score, comment, name, points))
    return marks


def export_sheet(course: Course, lab: Lab, out: Path, sheet: Path) -> int:
    marks = current(course, lab, out)
    with open(sheet, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for m in marks:
            points = "" if m.points is None else f"{m.points:g}"
            writer.writerow([m.student, m.name, m.notebook, m.question, f"{m.max_points:g}", points, m.comment])
    return len(marks)


def read_sheet(sheet: Path, lab: Lab) -> list[Mark]:
    """The filled-in rows; a question may be given without its notebook when its grade id is unique in the lab."""
    questions = gradebook.manual_questions(lab)
    where = {}
    for notebook, ids in questions.items():
        for gid in ids:
            where.setdefault(gid, []).append(notebook)
    marks = []
    with open(sheet, newline="", encoding="utf-8-sig") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if not row.get("student") or not row.get("question"):
                continue
            gid = row["question"]
            notebook = row.get("notebook") or ""
            if notebook and not notebook.endswith(".ipynb"):
                notebook += ".ipynb"
            if not notebook:
                if len(where.get(gid, [])) != 1:
                    raise SystemExit(f"{sheet}:{n}: say which notebook {gid!r} is in")
                notebook = where[gid][0]
            if gid not in questions.get(notebook, {}):
                raise SystemExit(f"{sheet}:{n}: {notebook} has no manually graded answer {gid!r}")
            points = None
            if row.get("points"):
                try:
                    points = float(row["points"])
                except ValueError:
                    raise SystemExit(f"{sheet}:{n}: points {row['points']!r} is not a number") from None
                most = questions[notebook][gid]
                if not 0 <= points <= most:
                    raise SystemExit(f"{sheet}:{n}: {points:g} points for {gid}, which is out of {most:g}")
            marks.append(Mark(row["student"], notebook, gid, points, row.get("comment", "")))
    return marks


def import_sheet(course: Course, lab: Lab, out: Path, sheet: Path, feedback: bool = True) -> list[Mark]:
    """Write the sheet's marks and comments into the class gradebook; returns the marks written."""
    from nbgrader.api import Gradebook, MissingEntry

    marks = read_sheet(sheet, lab)
    written = []
    with Gradebook(gradebook.url(out), course_id=course.id) as gb:
        for m in marks:
            stem = m.notebook.removesuffix(".ipynb")
            try:
                grade = gb.find_grade(m.question, stem, lab.id, m.student)
            except MissingEntry:
                raise SystemExit(f"{sheet}: no submission of {m.student} for {m.notebook} in {out}") from None
            changed = False
            if m.points is not None:
                grade.manual_score, grade.needs_manual_grade = m.points, False
                changed = True
            if m.comment:
                try:
                    gb.find_comment(m.question, stem, lab.id, m.student).manual_comment = m.comment
                    changed = True
                except MissingEntry:
                    pass
            if changed:
                written.append(m)
        gb.db.commit()
    records = record.load(out)
    gradebook.apply_penalties(course, lab, out, records)
    refresh_rows(course, lab, out)
    if feedback and written:
        regenerate_feedback(course, lab, out, sorted({m.student for m in written}))
    return written


def refresh_rows(course: Course, lab: Lab, out: Path) -> None:
    """grades.csv and scores.json with the gradebook's scores (manual marks included)."""
    from ..grader.reports import read_rows, write_reports

    rows = read_rows(out)
    gradebook.sync_rows(course, lab, out, rows)
    write_reports(rows, out)


def regenerate_feedback(course: Course, lab: Lab, out: Path, students: list[str]) -> None:
    """nbgrader's feedback again, from the graded notebooks with hidden tests removed and the class gradebook."""
    from ..grader.feedback import sanitise as sanitise_for_feedback

    with tempfile.TemporaryDirectory(prefix=f"feedback-{lab.id}-") as tmp:
        root = Path(tmp)
        for name in ("nbgrader_config.py", "course.toml", gradebook.DB):
            shutil.copy2(out / name, root / name)
        shutil.copytree(out / "source" / lab.id, root / "source" / lab.id)
        for sid in students:
            graded = out / "autograded" / sid / lab.id
            for path in sorted(graded.glob("*.ipynb")):
                nb = nbtools.read(path)
                sanitise_for_feedback(nb)
                nbtools.write(nb, root / "autograded" / sid / lab.id / path.name)
        proc = nbg.run(root, "generate_feedback", lab.id, "--force", timeout=600)  # the students copied above
        for sid in students:
            made = sorted((root / "feedback" / sid / lab.id).glob("*.html"))
            if proc.returncode != 0 or not made:
                print(f"course marks: feedback for {sid} failed:\n{proc.stderr[-2000:]}")
                continue
            dest = out / "feedback" / sid / lab.id
            dest.mkdir(parents=True, exist_ok=True)
            for html in made:
                shutil.copy2(html, dest / html.name)


def main(course: Course, lab: Lab, out: Path, action: str, sheet: Path | None) -> int:
    out = Path(out).resolve()
    if not (out / gradebook.DB).exists():
        print(f"course marks: no class gradebook in {out} (run `course grade {lab.id} ... -o {out}` first)")
        return 2
    if action == "export":
        sheet = sheet or out / f"marks-{lab.id}.csv"
        n = export_sheet(course, lab, out, sheet)
        print(f"wrote {sheet}: {n} answer(s) to mark by hand; fill in points and comment, then "
              f"`course marks import {lab.id} {sheet}`")  # fmt: skip
        return 0
    if action == "feedback":  # after marking in formgrader: feedback with the marks, hidden tests removed
        students = gradebook.hand_marked(course, lab, out, sorted(record.load(out)))
        regenerate_feedback(course, lab, out, students)
        refresh_rows(course, lab, out)
        print(f"feedback made again for {len(students)} hand-marked student(s) in {out / 'feedback'}\n")
        print(gradebook.table(course, lab, out))
        return 0
    if sheet is None:
        print("course marks import: which sheet? (course marks import LAB FILE)")
        return 2
    written = import_sheet(course, lab, out, sheet)
    print(f"imported {len(written)} mark(s) and comment(s) from {sheet}; feedback made again for "
          f"{len({m.student for m in written})} student(s)\n")  # fmt: skip
    print(gradebook.table(course, lab, out))
    return 0
