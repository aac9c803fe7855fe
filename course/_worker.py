"""Grade one student in one process: ``python -m course._worker ROOT LAB STUDENT``.

Runs nbgrader's autograde through its Python API, then the course's own checks on the result, then nbgrader's
feedback from a copy with the hidden tests removed.  Exit code 0 when autograde succeeded.

The checks, written to ROOT/checks.json and applied to the gradebook before the feedback is made:
  * every autograded test cell that scored must have printed its run marker (the grader appends a print of a
    per-run secret to every test cell): a cell whose code was skipped, rewritten or cut short scores 0;
  * a notebook in which the integrity scan found tampering gets 0 on all its autograded tests;
  * a notebook whose kernel died or ran out of time is reported (its cells run before that keep their points).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def apply_checks(base: Path, lab: str, student: str, course_id: str) -> dict[str, list[str]]:
    from nbgrader.api import Gradebook

    from . import nbtools
    from .grade import MARKER

    grading = json.loads((base / "grading.json").read_text())
    nonce, tampering = grading["nonce"], grading["tampering"]
    notes: dict[str, list[str]] = {}
    with Gradebook(f"sqlite:///{base / 'gradebook.db'}", course_id=course_id) as gb:
        submission = gb.find_submission(lab, student)
        for nb_record in submission.notebooks:
            name = nb_record.name + ".ipynb"
            path = base / "autograded" / student / lab / name
            if not path.exists():
                continue
            nb = nbtools.read(path)
            found: list[str] = []
            died = [
                o.get("evalue", "")
                for c in nb.cells
                for o in c.get("outputs", [])
                if o.get("output_type") == "error" and o.get("ename") in ("DeadKernelError", "NotRun")
            ]
            if died:
                reason = died[0].removeprefix("not run: ")
                label = "time limit" if "time limit" in reason else "kernel died"
                found.append(f"{label}: {reason}; later cells were not run")
            cells = {nbtools.nbgrader_meta(c).get("grade_id"): c for c in nb.cells if nbtools.nbgrader_meta(c)}
            for grade in nb_record.grades:
                cell = cells.get(grade.name)
                meta = nbtools.nbgrader_meta(cell) if cell is not None else {}
                if cell is None or cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                    continue
                if name in tampering and grade.auto_score:
                    grade.auto_score = 0.0
                    continue
                marker = MARKER.format(grade_id=grade.name, nonce=nonce)
                text = "".join(str(o.get("text", "")) for o in cell.get("outputs", []))
                if grade.auto_score and marker not in text:
                    grade.auto_score = 0.0
                    found.append(f"tests of {grade.name} did not run to the end: scored 0")
            if name in tampering:
                found.append("tampering with the tests: autograded tests scored 0")
            if found:
                notes[name] = found
        gb.db.commit()
    return notes


def main(root: str, lab: str, student: str, feedback: bool = True) -> int:
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    from . import nbtools
    from .grade import sanitise_for_feedback

    t0 = time.monotonic()
    base = Path(root).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(base)).load_config()
    config.CourseDirectory.root = str(base)
    result = NbGraderAPI(config=config).autograde(lab, student, force=True, create=True)
    sys.stdout.write(result.get("log") or "")
    sys.stdout.write(f"[course] autograde took {time.monotonic() - t0:.1f} s\n")
    if not result.get("success"):
        sys.stdout.write(f"\nAUTOGRADE FAILED: {result.get('error')}\n")
        return 1

    notes = apply_checks(base, lab, student, config.CourseDirectory.course_id)
    (base / "checks.json").write_text(json.dumps(notes))
    if not feedback:
        return 0

    nonce = json.loads((base / "grading.json").read_text())["nonce"]
    graded = base / "autograded" / student / lab
    public = base / "autograded_public" / student / lab
    public.mkdir(parents=True, exist_ok=True)
    for path in graded.glob("*.ipynb"):
        nb = nbtools.read(path)
        sanitise_for_feedback(nb, nonce)
        nbtools.write(nb, public / path.name)
    config.CourseDirectory.autograded_directory = "autograded_public"
    feedback = NbGraderAPI(config=config).generate_feedback(lab, student, force=True)
    sys.stdout.write(feedback.get("log") or "")
    sys.stdout.write(f"[course] feedback done {time.monotonic() - t0:.1f} s\n")
    if not feedback.get("success"):
        sys.stdout.write(f"\nFEEDBACK FAILED: {feedback.get('error')}\n")
    return 0


def run_child(root: str, lab: str, student: str, feedback: bool, env: dict, log: str) -> None:
    """Entry point of a worker forked from the grader's warm fork server (``course.grade._run_worker``).

    Same as ``python -m course._worker`` but without paying for Python's start and the imports of nbgrader and
    nbconvert (about 3 s of CPU) once per student: the fork server imported them once.  The child gets a session of
    its own (so that a time limit kills it with its kernel), its own environment and working folder, and writes its
    output to ``log``.
    """
    import os
    import traceback
    import warnings

    os.setsid()
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.clear()
    os.environ.update(env)
    if env.get("PYTHONWARNINGS") == "ignore":
        warnings.simplefilter("ignore")
    os.chdir(root)
    code = 1
    try:
        code = main(root, lab, student, feedback=feedback)
    except BaseException:  # noqa: BLE001 - report anything, then exit with a failure code
        traceback.print_exc()
        sys.stdout.write("\nAUTOGRADE FAILED: grader worker crashed (see the log)\n")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4], feedback="--no-feedback" not in sys.argv[4:]))
