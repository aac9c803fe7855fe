"""Grade one student in one process: ``python -m course._worker ROOT LAB STUDENT``.

Runs nbgrader's autograde and then its feedback (from the copy with hidden tests removed) through nbgrader's Python
API, so nbgrader is imported once per student instead of once per step.  Exit code 0 when autograde succeeded.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(root: str, lab: str, student: str) -> int:
    import time

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
    sys.stdout.write(f"[course] autograde took {time.monotonic() - t0:.1f} s since start\n")
    if not result.get("success"):
        sys.stdout.write(f"\nAUTOGRADE FAILED: {result.get('error')}\n")
        return 1

    graded = base / "autograded" / student / lab
    public = base / "autograded_public" / student / lab
    public.mkdir(parents=True, exist_ok=True)
    for path in graded.glob("*.ipynb"):
        nb = nbtools.read(path)
        sanitise_for_feedback(nb)
        nbtools.write(nb, public / path.name)
    config.CourseDirectory.autograded_directory = "autograded_public"
    feedback = NbGraderAPI(config=config).generate_feedback(lab, student, force=True)
    sys.stdout.write(feedback.get("log") or "")
    sys.stdout.write(f"[course] feedback done {time.monotonic() - t0:.1f} s since start\n")
    if not feedback.get("success"):
        sys.stdout.write(f"\nFEEDBACK FAILED: {feedback.get('error')}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
