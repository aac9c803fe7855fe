"""The class gradebook of a lab: the output folder of ``course grade`` is an nbgrader course root.

  OUT/nbgrader_config.py, OUT/course.toml   the repository's, so that ``nbgrader formgrader`` runs in OUT
  OUT/source/<lab>/                          the lab's source notebooks
  OUT/gradebook.db                           every student's grades (nbgrader's database)
  OUT/autograded/<student>/<lab>/<nb>.ipynb  the notebooks as graded
  OUT/feedback/<student>/<lab>/<nb>.html     what students get back (hidden tests removed)

Each student is graded in a scratch course root of their own (``course.grade``); afterwards their scores are merged
in here through nbgrader's API.  A merge writes the autograded scores only: manual scores and comments entered in
formgrader or with ``course marks import`` stay as they are, so regrading a class, or one student
(``course grade --only``), never loses hand marking.  The late penalty (``late.py``) is stored in nbgrader's own
``late_submission_penalty`` field, so that formgrader and ``nbgrader export`` show the same totals as ``course export``.
"""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import nbtools
from ..config import Course, Lab
from . import record
from .intake import Intake
from .late import Policy, assess, due_date, read_extensions
from .roster import Person

DB = "gradebook.db"


def url(out: Path) -> str:
    return f"sqlite:///{Path(out).resolve() / DB}"


def manual_questions(lab: Lab) -> dict[str, dict[str, float]]:
    """notebook -> {grade id: points} of the answers marked by hand (graded cells that are also answer cells)."""
    found: dict[str, dict[str, float]] = {}
    for path in lab.notebooks:
        for cell in nbtools.read(path).cells:
            meta = nbtools.nbgrader_meta(cell)
            if meta.get("grade") and meta.get("solution"):
                found.setdefault(path.name, {})[meta["grade_id"]] = float(meta.get("points", 0))
    return found


def ensure_root(course: Course, lab: Lab, out: Path, template: bytes) -> None:
    """Make ``out`` a course root with the lab's gradebook (an existing gradebook is kept, with its marks)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("nbgrader_config.py", "course.toml"):
        shutil.copy2(course.root / name, out / name)
    shutil.copytree(
        lab.source, out / "source" / lab.id, dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )  # fmt: skip
    if not (out / DB).exists():
        (out / DB).write_bytes(template)


def _naive_utc(when: datetime | None) -> datetime | None:
    """nbgrader stores naive UTC times."""
    if when is None:
        return None
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def build_records(
    course: Course,
    lab: Lab,
    intake: Intake,
    people: dict[str, Person],
    times: dict[str, datetime],
    extensions: Path | None,
    previous: dict[str, record.StudentRecord],
    only: str | None = None,
) -> dict[str, record.StudentRecord]:
    """Every student's record: who they are (roster, export), when they submitted and how late that was."""
    policy = Policy.from_settings(course.settings)
    due = due_date(course.settings, lab.id, policy.timezone)
    ext = read_extensions(extensions)
    records = dict(previous)
    ids = set(intake.submissions) | (set(people) if only is None else set())
    for sid in sorted(ids):
        sub = intake.submissions.get(sid)
        person = people.get(sid) or Person(sid)
        old = previous.get(sid)
        rec = record.StudentRecord(
            id=sid,
            name=person.name or (sub.name if sub else "") or (old.name if old else ""),
            email=person.email or (old.email if old else ""),
            sis_user_id=person.sis_user_id,
            sis_login_id=person.sis_login_id,
            section=person.section,
            login=sub.login if sub else "",
            kind=sub.kind.value if sub else "",
            submitted=sub is not None,
        )
        if sub is not None:
            when = times.get(sid, sub.submitted_at)
            late = assess(policy, due, sid, lab.id, when, sub.marked_late, ext)
            rec.submitted_at = late.submitted_at.isoformat() if late.submitted_at else ""
            rec.due = late.due.isoformat() if late.due else ""
            rec.seconds_late, rec.late_percent = late.seconds_late, late.percent
            rec.late_note = late.note
            rec.notes = list(sub.notes)
        elif due is not None:
            rec.due = due.isoformat()
        records[sid] = rec
    return records


def merge(course: Course, lab: Lab, out: Path, rows: list, records: dict[str, record.StudentRecord]) -> None:
    """Write the students' autograded scores (from ``course.grade``'s rows) into the class gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    policy = Policy.from_settings(course.settings)
    due = due_date(course.settings, lab.id, policy.timezone)
    by_student: dict[str, list] = {}
    for row in rows:
        by_student.setdefault(row.student, []).append(row)
    with Gradebook(url(out), course_id=course.id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush warnings from inside nbgrader's add_submission
        gb.update_or_create_assignment(lab.id, duedate=_naive_utc(due))
        for sid, rec in records.items():
            first, _, last = rec.name.partition(" ")
            gb.update_or_create_student(sid, first_name=first or None, last_name=last or None,
                                        email=rec.email or None, lms_user_id=rec.sis_user_id or None)  # fmt: skip
            graded = [r for r in by_student.get(sid, []) if r.cells]
            if not graded:
                continue
            try:
                sub = gb.find_submission(lab.id, sid)
            except MissingEntry:
                sub = gb.add_submission(lab.id, sid)
            if rec.submitted_at:
                sub.timestamp = _naive_utc(datetime.fromisoformat(rec.submitted_at))
            handed_in = {r.notebook.removesuffix(".ipynb") for r in graded}
            for nb in sub.notebooks:  # a notebook not handed in scores 0 and has nothing to mark
                if nb.name not in handed_in:
                    for grade in nb.grades:
                        if grade.manual_score is None:
                            grade.auto_score, grade.needs_manual_grade = 0.0, False
            for row in graded:
                stem = row.notebook.removesuffix(".ipynb")
                for grade_id, cell in row.cells.items():
                    try:
                        grade = gb.find_grade(grade_id, stem, lab.id, sid)
                    except MissingEntry:
                        continue
                    grade.auto_score = cell["auto_score"]
                    grade.needs_manual_grade = bool(cell["needs_manual_grade"]) and grade.manual_score is None
        gb.db.commit()
    apply_penalties(course, lab, out, records)


def apply_penalties(course: Course, lab: Lab, out: Path, records: dict[str, record.StudentRecord]) -> None:
    """nbgrader's per-notebook ``late_submission_penalty``: the student's late percentage of each notebook's score."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(url(out), course_id=course.id) as gb:
        for sid, rec in records.items():
            try:
                sub = gb.find_submission(lab.id, sid)
            except MissingEntry:
                continue
            for nb in sub.notebooks:
                nb.late_submission_penalty = round(float(nb.score) * rec.late_percent / 100, 4) or None
        gb.db.commit()


def hand_marked(course: Course, lab: Lab, out: Path, students) -> list[str]:
    """Those of ``students`` with a manual score or comment in the class gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    found = []
    with Gradebook(url(out), course_id=course.id) as gb:
        for sid in students:
            try:
                sub = gb.find_submission(lab.id, sid)
            except MissingEntry:
                continue
            if any(g.manual_score is not None for nb in sub.notebooks for g in nb.grades) or any(
                c.manual_comment for nb in sub.notebooks for c in nb.comments
            ):
                found.append(sid)
    return found


def sync_rows(course: Course, lab: Lab, out: Path, rows: list) -> None:
    """Give ``course.grade``'s rows the class gradebook's scores: hand marks included."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(url(out), course_id=course.id) as gb:
        for row in rows:
            if not row.cells:
                continue
            try:
                nb = gb.find_submission_notebook(row.notebook.removesuffix(".ipynb"), lab.id, row.student)
            except MissingEntry:
                continue
            row.score, row.needs_manual_grade = float(nb.score), bool(nb.needs_manual_grade)
            for grade in nb.grades:
                if grade.name in row.cells:
                    row.cells[grade.name]["score"] = float(grade.score or 0)
                    row.cells[grade.name]["needs_manual_grade"] = bool(grade.needs_manual_grade)


@dataclass
class LabTotal:
    """One student's result in one lab (scores before the late penalty)."""

    student: str
    lab: str
    auto: float = 0.0
    manual: float = 0.0
    max_score: float = 0.0
    late_percent: float = 0.0
    needs_manual: bool = False
    submitted: bool = False

    @property
    def raw(self) -> float:
        return self.auto + self.manual

    @property
    def late_penalty(self) -> float:
        return round(self.raw * self.late_percent / 100, 4)

    @property
    def total(self) -> float:
        return round(self.raw - self.late_penalty, 4)


def totals(course: Course, lab: Lab, out: Path) -> dict[str, LabTotal]:
    """Every student's lab total, from the class gradebook and students.json."""
    from nbgrader.api import Gradebook, MissingEntry

    records = record.load(out)
    manual = {(nb.removesuffix(".ipynb"), gid) for nb, q in manual_questions(lab).items() for gid in q}
    result: dict[str, LabTotal] = {}
    with Gradebook(url(out), course_id=course.id) as gb:
        max_score = float(gb.find_assignment(lab.id).max_score)
        for student in gb.students:
            sid = student.id
            rec = records.get(sid)
            t = LabTotal(sid, lab.id, max_score=max_score, late_percent=rec.late_percent if rec else 0.0)
            try:
                sub = gb.find_submission(lab.id, sid)
            except MissingEntry:
                result[sid] = t
                continue
            t.submitted = True
            for nb in sub.notebooks:
                for grade in nb.grades:
                    score = float(grade.score or 0)
                    if (nb.name, grade.name) in manual:
                        t.manual += score
                    else:
                        t.auto += score
                    t.needs_manual |= bool(grade.needs_manual_grade)
            result[sid] = t
    return result


def table(course: Course, lab: Lab, out: Path) -> str:
    """The per-student table ``course grade`` prints: auto, manual, late, total."""
    records = record.load(out)
    rows = [("student", "name", "auto", "manual", "late", "total")]
    for sid, t in sorted(totals(course, lab, out).items()):
        rec = records.get(sid)
        if not t.submitted:
            late = "nothing submitted"
        elif rec and rec.seconds_late:
            late = f"{rec.seconds_late / 3600:.1f} h, -{rec.late_percent:g}% (-{t.late_penalty:g})"
        else:
            late = "on time" if rec and rec.due and rec.submitted_at else ""
        manual = f"{t.manual:g}" + (" (to mark)" if t.needs_manual else "")
        rows.append((sid, rec.name if rec else "", f"{t.auto:g}", manual, late, f"{t.total:g}/{t.max_score:g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
