"""Write examples/lms/: small anonymised LMS exports of a lab-1 class, as Canvas, Moodle and Blackboard give them.

    .venv/bin/python tools/make_lms_examples.py

The notebooks are lab 1's release (blank) or the release with the source's answers filled in (solved); everything
else (names, ids, times) is made up.  The zips are written with fixed dates, so running this again changes nothing
unless the lab changed.  tests/test_term.py grades them.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course import nbtools  # noqa: E402

LAB = "lab01"
OUT = ROOT / "examples" / "lms"
STAMP = (2027, 2, 5, 17, 0, 0)


def blank(name: str) -> str:
    return nbformat.writes(nbtools.read(ROOT / "release" / LAB / name))


def solved(name: str) -> str:
    release = nbtools.read(ROOT / "release" / LAB / name)
    answers = nbtools.solution_sources(nbtools.read(ROOT / "source" / LAB / name))
    return nbformat.writes(nbtools.fill(release, answers))


def write_zip(path: Path, files: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)


def write_csv(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def receipt(name: str, user: str, when: str, stamp: str, files: list[str]) -> str:
    listed = "".join(f"\tOriginal filename: {f}\n\tFilename: Lab 1_{user}_attempt_{stamp}_{f}\n" for f in files)
    return (
        f"Name: {name} ({user})\nAssignment: Lab 1\nDate Submitted: {when}\nCurrent Mark: Needs Marking\n\n"
        "Submission Field:\nThere is no student submission text data for this assignment.\n\n"
        "Comments:\nThere are no student comments for this assignment.\n\nFiles:\n" + listed
    )


def main() -> None:
    t0, t1 = "1_0_tensors.ipynb", "1_1_linear_regression.ipynb"

    # Canvas: flat files login_[LATE_]userid_submissionid_file; a roster (its gradebook export) and a times CSV
    write_zip(OUT / "canvas" / "submissions.zip", {
        f"doejane_1001_9001_{t0}": solved(t0),
        f"doejane_1001_9002_{t1}": solved(t1),
        "roesam_LATE_1002_9003_1_0_tensors-1.ipynb": solved(t0),
    })  # fmt: skip
    write_csv(OUT / "canvas" / "roster.csv", [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1 (5501)"],
        ["    Points Possible", "", "", "", "", "50"],
        ["Doe, Jane", "1001", "S1001", "jdoe", "DL 2027", ""],
        ["Roe, Sam", "1002", "S1002", "sroe", "DL 2027", ""],
        ["Lee, Kim", "1003", "S1003", "klee", "DL 2027", ""],
    ])  # fmt: skip
    write_csv(OUT / "canvas" / "times.csv", [
        ["student", "submitted_at"],
        ["1001", "2027-02-05T16:40:00Z"],
        ["1002", "2027-02-06T20:00:00Z"],
    ])  # fmt: skip

    # Moodle, "download in folders"; the grading worksheet gives names, e-mail and times
    write_zip(OUT / "moodle-folders" / "submissions.zip", {
        f"Ana Silva_200101_assignsubmission_file_/{t0}": solved(t0),
        "Ana Silva_200101_assignsubmission_onlinetext_/onlinetext.html": "<p>Done, see the notebook.</p>",
        f"Ben Okafor_200102_assignsubmission_file_/Copy of {t0}": blank(t0),
    })  # fmt: skip
    write_csv(OUT / "moodle-folders" / "grading_worksheet.csv", [
        ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
         "Last modified (submission)", "Last modified (grade)", "Feedback comments"],
        ["Participant 200101", "Ana Silva", "ana.silva@example.edu", "Submitted for grading", "", "50.00", "Yes",
         "Friday, 5 February 2027, 4:55 PM", "-", ""],
        ["Participant 200102", "Ben Okafor", "ben.okafor@example.edu", "Submitted for grading", "", "50.00", "Yes",
         "Sunday, 7 February 2027, 9:00 AM", "-", ""],
        ["Participant 200103", "Chen Wei", "chen.wei@example.edu", "No submission", "", "50.00", "Yes", "-", "-",
         ""],
    ])  # fmt: skip
    write_csv(OUT / "extensions.csv", [["student", "lab", "due"], ["200102", "lab01", "2027-02-08T17:00:00Z"]])

    # Moodle without folders: Full Name_ID_assignsubmission_file_<file>
    write_zip(OUT / "moodle-flat" / "submissions.zip", {
        f"Ana Silva_200101_assignsubmission_file_{t0}": solved(t0),
        "Ana Silva_200101_assignsubmission_file_notes.txt": "I also tried a loop version.\n",
    })  # fmt: skip

    # Blackboard: Assignment_username_attempt_date_file plus the attempt's receipt; bsmith tried twice
    first, late = "2027-02-04-10-00-00", "2027-02-07-10-00-00"
    ontime = "2027-02-05-16-59-01"
    write_zip(OUT / "blackboard" / "submissions.zip", {
        f"Lab 1_jdoe_attempt_{ontime}_{t0}": solved(t0),
        f"Lab 1_jdoe_attempt_{ontime}.txt": receipt("Jane Doe", "jdoe", "Friday, February 5, 2027 4:59:01 PM GMT",
                                                    ontime, [t0]),
        f"Lab 1_bsmith_attempt_{first}_{t0}": blank(t0),
        f"Lab 1_bsmith_attempt_{first}.txt": receipt("Bo Smith", "bsmith", "Thursday, February 4, 2027 10:00:00 AM GMT",
                                                     first, [t0]),
        f"Lab 1_bsmith_attempt_{late}_{t0}": solved(t0),
        f"Lab 1_bsmith_attempt_{late}.txt": receipt("Bo Smith", "bsmith", "Sunday, February 7, 2027 10:00:00 AM GMT",
                                                    late, [t0]),
    })  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
