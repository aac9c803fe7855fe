"""Inside one grading worker: ``python -m course.grader.worker ROOT LAB STUDENT`` (or forked from the warm fork
server, ``run_child``).

Runs nbgrader's autograde through its Python API in the student's scratch course root, applies the grading policy
(``policy.py``) to the gradebook and writes its findings to ROOT/findings.json, then makes nbgrader's feedback from a
copy with the hidden tests removed (``feedback.py``).  Exit code 0 when autograde succeeded.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

GRADING = "grading.json"  # in the scratch root: the run's nonce and the notebooks the integrity scan flagged
FINDINGS = "findings.json"  # written here: notebook name -> the policy's findings


def apply_policy(base: Path, lab: str, student: str, course_id: str) -> dict[str, list[dict]]:
    from nbgrader.api import Gradebook

    from .. import nbtools
    from . import policy

    grading = json.loads((base / GRADING).read_text())
    findings: dict[str, list[dict]] = {}
    with Gradebook(f"sqlite:///{base / 'gradebook.db'}", course_id=course_id) as gb:
        for nb_record in gb.find_submission(lab, student).notebooks:
            name = nb_record.name + ".ipynb"
            path = base / "autograded" / student / lab / name
            if not path.exists():
                continue
            found = policy.apply(nbtools.read(path), nb_record.grades, name in grading["tampering"], grading["nonce"])
            if found:
                findings[name] = [asdict(f) for f in found]
        gb.db.commit()
    return findings


def main(root: str, lab: str, student: str, feedback: bool = True) -> int:
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    from .. import nbtools, warm_kernels
    from .feedback import sanitise

    t0 = time.monotonic()
    base = Path(root).resolve()
    config = PyFileConfigLoader("nbgrader_config.py", path=str(base)).load_config()
    config.CourseDirectory.root = str(base)
    try:
        result = NbGraderAPI(config=config).autograde(lab, student, force=True, create=True)
    finally:
        warm_kernels.close_all()  # the student's warm kernel parent, if one was started
    sys.stdout.write(result.get("log") or "")
    sys.stdout.write(f"[course] autograde took {time.monotonic() - t0:.1f} s\n")
    if not result.get("success"):
        sys.stdout.write(f"\nAUTOGRADE FAILED: {result.get('error')}\n")
        return 1

    findings = apply_policy(base, lab, student, config.CourseDirectory.course_id)
    (base / FINDINGS).write_text(json.dumps(findings))
    if not feedback:
        return 0

    nonce = json.loads((base / GRADING).read_text())["nonce"]
    graded = base / "autograded" / student / lab
    public = base / "autograded_public" / student / lab
    public.mkdir(parents=True, exist_ok=True)
    for path in graded.glob("*.ipynb"):
        nb = nbtools.read(path)
        sanitise(nb, nonce)
        nbtools.write(nb, public / path.name)
    config.CourseDirectory.autograded_directory = "autograded_public"
    made = NbGraderAPI(config=config).generate_feedback(lab, student, force=True)
    sys.stdout.write(made.get("log") or "")
    sys.stdout.write(f"[course] feedback done {time.monotonic() - t0:.1f} s\n")
    if not made.get("success"):
        sys.stdout.write(f"\nFEEDBACK FAILED: {made.get('error')}\n")
    return 0


def run_child(root: str, lab: str, student: str, feedback: bool, env: dict, log: str) -> None:
    """Entry point of a worker forked from the grader's warm fork server (``processes.run_worker``).

    Same as ``python -m course.grader.worker`` but without paying for Python's start and the imports of nbgrader
    and nbconvert (about 3 s of CPU) once per student: the fork server imported them once.  The child gets a session
    of its own (so that a time limit kills it with its kernel), its own environment and working folder, and writes
    its output to ``log``.
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
