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
    p_grade.add_argument("path", type=Path, help="folder or zip: one file or folder per student")
    p_grade.add_argument("--output", "-o", type=Path, default=None, help="output folder (default: graded-<lab>)")
    p_grade.add_argument("--jobs", "-j", type=int, default=0, help="submissions graded at once (default: cores + 1)")
    p_grade.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook (default 600)")
    p_grade.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) to grade on")

    p_data = sub.add_parser("data", help="the data sets the labs use")
    dsub = p_data.add_subparsers(dest="data_command", required=True)
    p_fetch = dsub.add_parser("fetch", help="download data sets into the cache (needs internet)")
    p_fetch.add_argument("names", nargs="*", help="data set names; default: all")
    p_import = dsub.add_parser("import", help="fill the cache from local copies (offline)")
    p_import.add_argument("path", type=Path, help="e.g. ../shared/data or /usr/share/datasets/fashion-mnist")
    dsub.add_parser("list", help="what the registry holds and what the cache has")

    args = parser.parse_args(argv)

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
            course, lab, args.path, output, jobs=args.jobs, timeout=args.timeout, scheduler=args.scheduler
        )
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
