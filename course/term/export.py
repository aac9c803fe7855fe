"""Grades out: ``course export`` writes every student's totals in the forms the LMSs import.

  EXPORT/grades.csv             one row per student: per lab auto, manual, late penalty, total, maximum and weighted
                                percentage, and the weighted course total (%)
  EXPORT/canvas.csv             Canvas's gradebook import: Student,ID,SIS User ID,SIS Login ID,Section, then one
                                column per lab (its total after the late penalty) and the course total (%).  A lab's
                                column is named ``[labs.<id>] canvas_column`` in course.toml ("Lab 1 (5501)": the
                                Canvas assignment's name and id); otherwise Canvas makes a new column on import.
  EXPORT/moodle-<lab>.csv       Moodle's grading worksheet for one assignment (Identifier "Participant <id>", Full
                                name, Email address, Status, Grade, Maximum Grade, ..., Feedback comments): upload it
                                with "Upload grading worksheet".

Totals come from each lab's class gradebook (``graded-<lab>/`` by default): autograded and manual scores, less the
late penalty.  The course total weighs each lab's percentage by ``[labs.<id>] weight`` (default 1); a lab a student
has nothing for counts 0.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Course, Lab
from . import gradebook, record
from .gradebook import LabTotal


@dataclass
class StudentGrades:
    record: record.StudentRecord
    labs: dict[str, LabTotal] = field(default_factory=dict)

    def percent(self, lab: str) -> float:
        t = self.labs.get(lab)
        return 100 * t.total / t.max_score if t and t.max_score else 0.0

    def course_percent(self, weights: dict[str, float]) -> float:
        total = sum(weights.values())
        return sum(w * self.percent(lab) for lab, w in weights.items()) / total if total else 0.0


def weight(course: Course, lab: Lab) -> float:
    return float(course.lab_settings(lab.id).get("weight", 1.0))


def collect(course: Course, labs: list[Lab], graded: str) -> tuple[list[Lab], dict[str, StudentGrades], dict]:
    """Every student's totals in the labs that have a class gradebook."""
    found, students, maxima = [], {}, {}
    for lab in labs:
        out = Path(graded.format(lab=lab.id))
        if not (out / gradebook.DB).exists():
            continue
        found.append(lab)
        records = record.load(out)
        for sid, t in gradebook.totals(course, lab, out).items():
            rec = records.get(sid) or record.StudentRecord(sid)
            entry = students.setdefault(sid, StudentGrades(rec))
            for attr in ("name", "email", "sis_user_id", "sis_login_id", "section"):  # fill gaps from other labs
                if not getattr(entry.record, attr) and getattr(rec, attr):
                    setattr(entry.record, attr, getattr(rec, attr))
            entry.labs[lab.id] = t
            maxima[lab.id] = t.max_score
    return found, students, maxima


def _g(x: float) -> str:
    return f"{round(x, 2):g}"


def write_plain(path: Path, labs: list[Lab], students: dict[str, StudentGrades], weights: dict[str, float]) -> None:
    cols = ["student", "name", "email", "sis_user_id", "sis_login_id", "section"]
    for lab in labs:
        cols += [f"{lab.id}_{x}" for x in ("auto", "manual", "late_penalty", "total", "max", "percent", "weight")]
    cols += ["course_percent"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for sid in sorted(students):
            s = students[sid]
            r = s.record
            line = [sid, r.name, r.email, r.sis_user_id, r.sis_login_id, r.section]
            for lab in labs:
                t = s.labs.get(lab.id)
                if t is None:
                    line += ["", "", "", "0", "", "0", _g(weights[lab.id])]
                    continue
                line += [_g(t.auto), _g(t.manual), _g(t.late_penalty), _g(t.total), _g(t.max_score),
                         _g(s.percent(lab.id)), _g(weights[lab.id])]  # fmt: skip
            w.writerow(line + [_g(s.course_percent(weights))])


def canvas_column(course: Course, lab: Lab) -> str:
    return str(course.lab_settings(lab.id).get("canvas_column", lab.id))


def write_canvas(path: Path, course: Course, labs: list[Lab], students: dict[str, StudentGrades], maxima: dict,
                 weights: dict[str, float]) -> None:  # fmt: skip
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                    *(canvas_column(course, lab) for lab in labs), "Course total (weighted %)"])  # fmt: skip
        w.writerow(["    Points Possible", "", "", "", "", *(_g(maxima[lab.id]) for lab in labs), "100"])
        for sid in sorted(students):
            s = students[sid]
            r = s.record
            first, _, last = r.name.partition(" ")
            name = f"{last}, {first}" if last else r.name or sid  # Canvas's sortable name
            totals = [_g(s.labs[lab.id].total) if lab.id in s.labs else "" for lab in labs]
            w.writerow([name, sid, r.sis_user_id, r.sis_login_id, r.section, *totals, _g(s.course_percent(weights))])


MOODLE = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
          "Last modified (submission)", "Last modified (grade)", "Feedback comments"]  # fmt: skip


def write_moodle(path: Path, lab: Lab, students: dict[str, StudentGrades]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(MOODLE)
        for sid in sorted(students):
            s = students[sid]
            t = s.labs.get(lab.id)
            if t is None:
                continue
            status = "Submitted for grading" if t.submitted else "No submission"
            comment = f"autograded {_g(t.auto)}, marked by hand {_g(t.manual)}"
            if t.late_penalty:
                comment += f", late penalty -{_g(t.late_penalty)} ({t.late_percent:g}%)"
            when = s.record.submitted_at if t.submitted else "-"
            w.writerow([f"Participant {sid}", s.record.name, s.record.email, status, f"{t.total:.2f}",
                        f"{t.max_score:.2f}", "Yes", when or "-", "-", comment if t.submitted else ""])  # fmt: skip


def main(course: Course, labs: list[Lab], graded: str, out: Path) -> int:
    found, students, maxima = collect(course, labs, graded)
    if not found:
        print(f"course export: no class gradebook found ({graded.format(lab='<lab>')}/gradebook.db): grade first")
        return 2
    weights = {lab.id: weight(course, lab) for lab in found}
    out.mkdir(parents=True, exist_ok=True)
    write_plain(out / "grades.csv", found, students, weights)
    write_canvas(out / "canvas.csv", course, found, students, maxima, weights)
    for lab in found:
        write_moodle(out / f"moodle-{lab.id}.csv", lab, students)
    print(f"course export: {len(students)} student(s), labs {', '.join(lab.id for lab in found)}; wrote "
          f"{out / 'grades.csv'}, {out / 'canvas.csv'} and {len(found)} Moodle worksheet(s) in {out}")  # fmt: skip
    return 0
