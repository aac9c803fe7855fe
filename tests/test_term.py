"""A term with the bundled LMS exports (examples/lms/, written by tools/make_lms_examples.py): intake, late work, the
class gradebook (read through nbgrader's own API), a marking sheet, the LMS exports, the class report and a regrade.

The classes are tiny lab-1 classes (1_0_tensors: 10 autograded points; 1_1_linear_regression: 5 autograded and 5
marked by hand), so each export grades in well under a minute.  course.toml's lab01 is due 2027-02-05T17:00:00Z with
10 % per started day late, capped at 50 %, 15 minutes' grace.
"""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from nbgrader.api import Gradebook

from course.grade import grade_class
from course.grader.reports import read_rows
from course.term import export, gradebook, marks, record, report
from course.term.intake import ExportKind, read_export, read_times
from course.term.late import Method, Policy, assess
from course.term.roster import read_roster
from tests.conftest import COURSE, ROOT

LMS = ROOT / "examples" / "lms"
(LAB,) = COURSE.labs(["lab01"])
DUE = datetime(2027, 2, 5, 17, tzinfo=UTC)
# the term these tests run (course.toml's example sections say the same; the tests do not depend on them)
TERM = {
    "labs": {"lab01": {"due": DUE, "weight": 1.0}},
    "late": {"policy": "per_day", "percent_per_day": 10, "cap_percent": 50, "grace_minutes": 15},
}
COURSE = dataclasses.replace(COURSE, settings={**COURSE.settings, **TERM})


def rows_by(rows):
    return {(r.student, r.notebook): r for r in rows}


def class_scores(out):
    """student -> (score, late penalty) as nbgrader's API reads the class gradebook."""
    with Gradebook(gradebook.url(out), course_id=COURSE.id) as gb:
        return {s.student.id: (s.score, s.late_submission_penalty) for s in gb.assignment_submissions("lab01")}


# Intake and late work: no grading -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, expected",
    [
        ("canvas", {"1001": ["1_0_tensors.ipynb", "1_1_linear_regression.ipynb"], "1002": ["1_0_tensors.ipynb"]}),
        ("moodle-folders", {"200101": ["1_0_tensors.ipynb"], "200102": ["Copy of 1_0_tensors.ipynb"]}),
        ("moodle-flat", {"200101": ["1_0_tensors.ipynb", "notes.txt"]}),
        ("blackboard", {"bsmith": ["1_0_tensors.ipynb"], "jdoe": ["1_0_tensors.ipynb"]}),
    ],
)
def test_intake_groups_files_by_student(tmp_path, kind, expected):
    intake = read_export(LMS / kind / "submissions.zip", tmp_path)
    assert intake.kind is ExportKind(kind)
    assert {sid: sorted(f.name for f in sub.files) for sid, sub in intake.submissions.items()} == expected


def test_intake_reads_names_times_and_late_marks(tmp_path):
    canvas = read_export(LMS / "canvas" / "submissions.zip", tmp_path / "c").submissions
    assert canvas["1002"].marked_late and not canvas["1001"].marked_late and canvas["1001"].login == "doejane"
    bb = read_export(LMS / "blackboard" / "submissions.zip", tmp_path / "b").submissions
    assert bb["bsmith"].name == "Bo Smith" and bb["bsmith"].submitted_at == datetime(2027, 2, 7, 10, tzinfo=UTC)
    assert "2 attempts" in bb["bsmith"].notes[0]
    moodle = read_export(LMS / "moodle-folders" / "submissions.zip", tmp_path / "m").submissions
    assert moodle["200101"].name == "Ana Silva"
    times = read_times(LMS / "moodle-folders" / "grading_worksheet.csv")
    assert times == {"200101": datetime(2027, 2, 5, 16, 55), "200102": datetime(2027, 2, 7, 9, 0)}
    people = read_roster(LMS / "canvas" / "roster.csv")
    assert set(people) == {"1001", "1002", "1003"} and people["1001"].name == "Jane Doe"
    assert people["1003"].sis_login_id == "klee"


def test_plain_folders_and_classroom(tmp_path):
    plain = read_export(ROOT / "examples" / "submissions" / "lab01", tmp_path / "p")
    assert plain.kind is ExportKind.PLAIN and {"alice", "bob", "carol", "dave", "erin_essay"} <= set(plain.submissions)
    for user in ("octocat", "hubot"):
        (tmp_path / "cls" / f"lab01-{user}" / ".git").mkdir(parents=True)
        (tmp_path / "cls" / f"lab01-{user}" / "1_0_tensors.ipynb").write_text("{}")
    classroom = read_export(tmp_path / "cls", tmp_path / "w")
    assert classroom.kind is ExportKind.GITHUB_CLASSROOM and set(classroom.submissions) == {"octocat", "hubot"}


def test_late_policy():
    per_day = Policy(Method.PER_DAY, percent_per_day=10, cap_percent=50, grace_minutes=15)
    at = lambda hours: DUE + timedelta(hours=hours)  # noqa: E731
    assert assess(per_day, DUE, "s", "lab01", at(-1)).percent == 0
    assert assess(per_day, DUE, "s", "lab01", at(0.2)).percent == 0  # within the grace
    assert assess(per_day, DUE, "s", "lab01", at(0.5)).percent == 10
    assert assess(per_day, DUE, "s", "lab01", at(27)).percent == 20
    assert assess(per_day, DUE, "s", "lab01", at(240)).percent == 50  # the cap
    assert assess(per_day, DUE, "s", "lab01", None, marked_late=True).percent == 10  # Canvas _LATE_, no time
    ext = {("s", "lab01"): timedelta(days=3)}
    assert assess(per_day, DUE, "s", "lab01", at(27), extensions=ext).percent == 0
    assert assess(Policy(Method.NBGRADER, penalty_method="zero"), DUE, "s", "lab01", at(1)).percent == 100
    assert assess(Policy(Method.NONE), DUE, "s", "lab01", at(100)).percent == 0


# A Canvas class, end to end ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def canvas(tmp_path_factory):
    out = tmp_path_factory.mktemp("canvas") / "graded"
    rows = grade_class(
        COURSE, LAB, LMS / "canvas" / "submissions.zip", out, quiet=True, timeout=120,
        roster=LMS / "canvas" / "roster.csv", times=LMS / "canvas" / "times.csv",
    )  # fmt: skip
    return out, rows


def test_canvas_one_student_per_user(canvas):
    out, rows = canvas
    by = rows_by(rows)
    assert {r.student for r in rows} == {"1001", "1002", "1003"}  # two submitters, one on the roster only
    assert len(rows) == 3 * len(LAB.notebooks)
    assert by[("1001", "1_0_tensors.ipynb")].score == 10 and by[("1001", "1_1_linear_regression.ipynb")].score == 5
    assert (
        by[("1002", "1_0_tensors.ipynb")].score == 10
        and by[("1002", "1_1_linear_regression.ipynb")].status == "missing"
    )
    assert by[("1003", "1_0_tensors.ipynb")].status == "missing: nothing submitted"
    recs = record.load(out)
    assert recs["1001"].name == "Jane Doe" and recs["1001"].late_percent == 0
    assert recs["1002"].late_percent == 20 and recs["1002"].seconds_late == 27 * 3600  # 20:00 the next day
    assert not recs["1003"].submitted
    assert (out / "feedback" / "1001" / "lab01" / "1_1_linear_regression.html").exists()


def test_class_gradebook_reads_in_nbgrader(canvas):
    out, _ = canvas
    assert class_scores(out) == {"1001": (15.0, 0.0), "1002": (10.0, 2.0)}
    with Gradebook(gradebook.url(out), course_id=COURSE.id) as gb:
        assert {s.id for s in gb.students} == {"1001", "1002", "1003"}
        sub = gb.find_submission("lab01", "1002")
        assert sub.timestamp == datetime(2027, 2, 6, 20, 0)
        assert gb.find_assignment("lab01").duedate == datetime(2027, 2, 5, 17, 0)
        assert gb.find_submission("lab01", "1001").needs_manual_grade
    assert (out / "autograded" / "1001" / "lab01" / "1_1_linear_regression.ipynb").exists()
    assert (out / "nbgrader_config.py").exists() and (out / "source" / "lab01" / "1_0_tensors.ipynb").exists()


@pytest.fixture(scope="module")
def marked(canvas):
    out, _ = canvas
    sheet = out / "sheet.csv"
    assert marks.main(COURSE, LAB, out, "export", sheet) == 0
    with open(sheet, newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert [(r["student"], r["question"]) for r in lines] == [
        ("1001", "gradient_derivation"),
        ("1001", "gd_observations"),
    ]  # only what was handed in: 1002 did not hand in 1.1
    lines[0].update(points="2", comment="Clear derivation.")
    lines[1].update(points="1.5", comment="Say why the loss plateaus.")
    with open(sheet, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=marks.FIELDS)
        writer.writeheader()
        writer.writerows(lines)
    assert marks.main(COURSE, LAB, out, "import", sheet) == 0
    return out


def test_marking_sheet_round_trip(marked):
    out = marked
    assert class_scores(out)["1001"] == (18.5, 0.0)
    with Gradebook(gradebook.url(out), course_id=COURSE.id) as gb:
        assert not gb.find_submission("lab01", "1001").needs_manual_grade
        comment = gb.find_comment("gd_observations", "1_1_linear_regression", "lab01", "1001")
        assert comment.manual_comment == "Say why the loss plateaus."
    page = (out / "feedback" / "1001" / "lab01" / "1_1_linear_regression.html").read_text()
    assert "Say why the loss plateaus." in page and "BEGIN HIDDEN TESTS" not in page
    grades = {(r["student"], r["notebook"]): r for r in csv.DictReader(open(out / "grades.csv"))}
    assert float(grades[("1001", "1_1_linear_regression.ipynb")]["score"]) == 8.5


def test_exports_for_the_lms(marked, tmp_path):
    assert export.main(COURSE, [LAB], str(marked), tmp_path) == 0
    canvas = list(csv.DictReader(open(tmp_path / "canvas.csv")))
    assert list(canvas[0])[:6] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "lab01"]
    by = {r["ID"]: r for r in canvas if r["ID"]}
    assert (by["1001"]["lab01"], by["1002"]["lab01"], by["1003"]["lab01"]) == ("18.5", "8", "0")
    assert by["1001"]["SIS User ID"] == "S1001" and by["1001"]["Student"] == "Doe, Jane"
    moodle = {r["Identifier"]: r for r in csv.DictReader(open(tmp_path / "moodle-lab01.csv"))}
    assert (
        moodle["Participant 1002"]["Grade"] == "8.00"
        and "late penalty -2" in moodle["Participant 1002"]["Feedback comments"]
    )
    assert moodle["Participant 1003"]["Status"] == "No submission"
    plain = {r["student"]: r for r in csv.DictReader(open(tmp_path / "grades.csv"))}
    assert plain["1001"]["lab01_manual"] == "3.5" and plain["1001"]["course_percent"] == "37"
    assert plain["1002"]["lab01_late_penalty"] == "2" and plain["1002"]["lab01_total"] == "8"


def test_class_report(marked):
    assert report.main(COURSE, LAB, marked) == 0
    page = (marked / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 3 and "http" not in page.replace("http-equiv", "")
    assert "Late submissions" in page and "Grading time per student" in page and "1_0_tensors" in page


def test_regrading_one_student_keeps_manual_marks(marked):
    out = marked
    before = {(r.student, r.notebook): (r.score, r.status) for r in read_rows(out)}
    rows = grade_class(COURSE, LAB, LMS / "canvas" / "submissions.zip", out, quiet=True, timeout=120,
                       times=LMS / "canvas" / "times.csv", only="1001", feedback=False)  # fmt: skip
    after = {(r.student, r.notebook): (r.score, r.status) for r in rows}
    assert after == before  # the same scores, the others' rows kept; 1.1 keeps its hand marking
    assert class_scores(out)["1001"] == (18.5, 0.0) and class_scores(out)["1002"] == (10.0, 2.0)
    assert record.load(out)["1003"].name == "Kim Lee"  # the roster is remembered


# The other exports ---------------------------------------------------------------------------------------------
def test_moodle_folders_with_worksheet_and_extension(tmp_path):
    sheet = LMS / "moodle-folders" / "grading_worksheet.csv"
    rows = grade_class(COURSE, LAB, LMS / "moodle-folders" / "submissions.zip", tmp_path, quiet=True, timeout=120,
                       roster=sheet, times=sheet, extensions=LMS / "extensions.csv", feedback=False)  # fmt: skip
    by = rows_by(rows)
    assert by[("200101", "1_0_tensors.ipynb")].score == 10
    assert by[("200102", "1_0_tensors.ipynb")].score == 0 and by[("200102", "1_0_tensors.ipynb")].status == "ok"
    assert by[("200103", "1_0_tensors.ipynb")].status == "missing: nothing submitted"
    recs = record.load(tmp_path)
    assert recs["200102"].seconds_late == 0 and "extension" in recs["200102"].late_note  # late, but extended
    assert recs["200101"].email == "ana.silva@example.edu"
    assert class_scores(tmp_path) == {"200101": (10.0, 0.0), "200102": (0.0, 0.0)}


def test_moodle_flat(tmp_path):
    rows = grade_class(COURSE, LAB, LMS / "moodle-flat" / "submissions.zip", tmp_path, quiet=True, timeout=120,
                       feedback=False)  # fmt: skip
    by = rows_by(rows)
    assert {r.student for r in rows} == {"200101"}
    assert by[("200101", "1_0_tensors.ipynb")].score == 10
    assert by[("200101", "notes.txt")].status == "ignored: not a notebook"


def test_blackboard_latest_attempt_and_late(tmp_path):
    rows = grade_class(COURSE, LAB, LMS / "blackboard" / "submissions.zip", tmp_path, quiet=True, timeout=120,
                       feedback=False)  # fmt: skip
    by = rows_by(rows)
    assert by[("jdoe", "1_0_tensors.ipynb")].score == 10 and by[("bsmith", "1_0_tensors.ipynb")].score == 10
    recs = record.load(tmp_path)
    assert recs["bsmith"].late_percent == 20 and recs["jdoe"].late_percent == 0  # 41 h late: two started days
    assert class_scores(tmp_path) == {"jdoe": (10.0, 0.0), "bsmith": (10.0, 2.0)}
    table = gradebook.table(COURSE, LAB, tmp_path)
    assert "-20% (-2)" in table and "Bo Smith" in table


def test_cli_help_lists_the_term_commands():
    proc = subprocess.run([sys.executable, "-m", "course", "--help"], cwd=ROOT, capture_output=True, text=True)
    for command in ("marks", "export", "report"):
        assert command in proc.stdout
