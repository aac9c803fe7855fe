"""``course`` / ``python -m course``: build the course, grade a class, manage data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="regenerate release/, solutions/ and labs/ from source/")
    p_build.add_argument("labs", nargs="*", help="lab ids (lab01 or 1); default: every lab")
    p_build.add_argument("--check", action="store_true", help="fail, naming each file, if committed copies drifted")
    p_build.add_argument("--no-execute", action="store_true", help="write solutions without executing them")

    p_grade = sub.add_parser("grade", help="autograde a class of submissions")
    p_grade.add_argument("lab", help="lab id (lab01 or 1)")
    p_grade.add_argument("path", type=Path, help="an LMS export (Canvas, Moodle, Blackboard, Classroom), folder or zip")
    p_grade.add_argument("--output", "-o", type=Path, default=None, help="output folder (default: graded-<lab>)")
    p_grade.add_argument("--jobs", "-j", type=int, default=0, help="submissions graded at once (default: cores + 1)")
    p_grade.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook (default 600)")
    p_grade.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) to grade on")
    p_grade.add_argument("--roster", type=Path, help="class list CSV (ids, names, e-mail; the LMS's gradebook CSV)")
    p_grade.add_argument("--times", type=Path, help="CSV of submission times (e.g. Moodle's grading worksheet)")
    p_grade.add_argument("--extensions", type=Path, help="CSV of extensions: student,lab,due (or days)")
    p_grade.add_argument("--only", metavar="STUDENT", help="regrade one student into the existing class gradebook")

    p_marks = sub.add_parser("marks", help="marking sheet for the answers marked by hand")
    p_marks.add_argument("action", choices=["export", "import", "feedback"])
    p_marks.add_argument("lab", help="lab id (lab01 or 1)")
    p_marks.add_argument("sheet", type=Path, nargs="?", help="the sheet (export default: OUTPUT/marks-<lab>.csv)")
    p_marks.add_argument("--output", "-o", type=Path, default=None, help="graded folder (default: graded-<lab>)")

    p_export = sub.add_parser("export", help="grades for the LMS: Canvas and Moodle import CSVs and a plain CSV")
    p_export.add_argument("labs", nargs="*", help="lab ids (default: every lab with a graded folder)")
    p_export.add_argument("--graded", default="graded-{lab}", help="graded folders (default: graded-{lab})")
    p_export.add_argument("--output", "-o", type=Path, default=Path("export"), help="folder (default: export)")

    p_report = sub.add_parser("report", help="the class report of a lab: one self-contained HTML page")
    p_report.add_argument("lab", help="lab id (lab01 or 1)")
    p_report.add_argument("--output", "-o", type=Path, default=None, help="graded folder (default: graded-<lab>)")

    p_data = sub.add_parser("data", help="the data sets the labs use")
    dsub = p_data.add_subparsers(dest="data_command", required=True)
    p_fetch = dsub.add_parser("fetch", help="download data sets into the cache (needs internet)")
    p_fetch.add_argument("names", nargs="*", help="data set names; default: all")
    p_import = dsub.add_parser("import", help="fill the cache from local copies (offline)")
    p_import.add_argument("path", type=Path, help="e.g. ../shared/data or /usr/share/datasets/fashion-mnist")
    dsub.add_parser("list", help="what the registry holds and what the cache has")

    p_pub = sub.add_parser("publish", help="write the student edition (no answer key; leak-checked) into DEST")
    p_pub.add_argument("dest", type=Path, help="e.g. a clone of the public repository named in course.toml [public]")
    p_pub.add_argument("--solutions", nargs="*", default=[], metavar="LAB", help="also publish these labs' solutions")
    p_pub.add_argument("--site", action="store_true", help="also build the website (into DEST/_site or --site-out)")
    p_pub.add_argument("--site-out", type=Path, default=None, help="where to build the website")
    p_site = sub.add_parser("site", help="build the course website of a student edition written by `course publish`")
    p_site.add_argument("dest", type=Path, help="the student edition")
    p_site.add_argument("--out", type=Path, default=None, help="output folder (default: DEST/_site)")

    args = parser.parse_args(argv)

    if args.command in ("publish", "site"):
        from . import publish, site
        from .config import Course

        if args.command == "site":
            return site.main(Course.load(), args.dest, args.out)
        return publish.main(Course.load(), args.dest, args.solutions, args.site_out, args.site)

    if args.command == "build":
        from . import build
        from .config import Course

        return build.main(Course.load(), args.labs, args.check, args.no_execute)
    if args.command == "grade":
        from . import grade
        from .config import Course

        course = Course.load()
        (lab,) = course.labs([args.lab])
        output = args.output or Path(f"graded-{lab.id}")
        return grade.main(
            course, lab, args.path, output, jobs=args.jobs, timeout=args.timeout, scheduler=args.scheduler,
            roster=args.roster, times=args.times, extensions=args.extensions, only=args.only,
        )  # fmt: skip
    if args.command in ("marks", "export", "report"):
        from .config import Course
        from .term import export, marks, report

        course = Course.load()
        if args.command == "export":
            return export.main(course, course.labs(args.labs or None), args.graded, args.output)
        (lab,) = course.labs([args.lab])
        output = args.output or Path(f"graded-{lab.id}")
        if args.command == "marks":
            return marks.main(course, lab, output, args.action, args.sheet)
        return report.main(course, lab, output)
    if args.command == "data":
        from . import data

        if args.data_command == "fetch":
            return data.fetch_cli(args.names)
        if args.data_command == "import":
            return data.import_cli(args.path)
        return data.list_cli()
    return 2


if __name__ == "__main__":
    sys.exit(main())
