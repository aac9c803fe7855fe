"""The rules applied to a notebook after nbgrader has autograded it, and what each one does to the row.

* **Run markers.** The grader appends to every test cell a print of a per-run secret (``MARKER``); a test cell that
  scored without printing it (skipped, rewritten, cut short) scores 0.
* **Tampering.** A notebook in which the integrity scan (``course.integrity.scan``) found tampering with the test
  machinery scores 0 on all its autograded tests; its row's status says so.
* **A dead kernel, a time limit.** The cells run before keep their points (``course.nbgrader_ext``); the row's
  status says why the rest scored 0.
"""

from __future__ import annotations

from .records import OK, Finding, Kind, Problem, Status

MARKER = "##course-ran:{grade_id}:{nonce}##"
TAMPERED = Status(Kind.TAMPERED, "autograded tests scored 0")


def marker(grade_id: str, nonce: str) -> str:
    return MARKER.format(grade_id=grade_id, nonce=nonce)


def apply(nb, grades, tampered: bool, nonce: str) -> list[Finding]:
    """Apply the rules to one autograded notebook ``nb`` and its gradebook ``grades`` (nbgrader ``Grade`` records,
    changed in place); returns what was found."""
    from .. import nbtools

    found: list[Finding] = []
    stopped = [
        o.get("evalue", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error" and o.get("ename") in ("DeadKernelError", "NotRun")
    ]
    if stopped:
        reason = stopped[0].removeprefix("not run: ")
        problem = Problem.TIME_LIMIT if "time limit" in reason else Problem.KERNEL_DIED
        found.append(Finding(problem, f"{problem.value}: {reason}; later cells were not run"))
    cells = {nbtools.nbgrader_meta(c).get("grade_id"): c for c in nb.cells if nbtools.nbgrader_meta(c)}
    for grade in grades:
        cell = cells.get(grade.name)
        meta = nbtools.nbgrader_meta(cell) if cell is not None else {}
        if cell is None or cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        if tampered:
            grade.auto_score = 0.0 if grade.auto_score else grade.auto_score
            continue
        text = "".join(str(o.get("text", "")) for o in cell.get("outputs", []))
        if grade.auto_score and marker(grade.name, nonce) not in text:
            grade.auto_score = 0.0
            found.append(Finding(Problem.CUT_SHORT, f"tests of {grade.name} did not run to the end: scored 0"))
    if tampered:
        found.append(Finding(Problem.TAMPERED, "tampering with the tests: autograded tests scored 0"))
    return found


def status(findings: list[Finding], worker_error: str) -> Status:
    """A graded row's status: a stopped kernel first, then a failed worker, then tampering."""
    for finding in findings:
        if finding.problem in (Problem.KERNEL_DIED, Problem.TIME_LIMIT):
            return Status(Kind.ERROR, finding.text)
    if worker_error:
        return Status(Kind.ERROR, worker_error)
    if any(f.problem is Problem.TAMPERED for f in findings):
        return TAMPERED
    return OK
