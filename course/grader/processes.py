"""Running the workers: one student's notebooks graded in a scratch course root of their own, by a worker process
forked from a warm fork server (or started afresh), killed with everything it started when it runs out of time.
A thread pool runs several at once; a Dask cluster can run them instead (``--scheduler``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from . import slots
from .records import Finding, NotebookScore, Outcome, Task
from .slots import Slot, Slots
from .worker import FINDINGS, GRADING

TIMED_OUT = 124  # a worker's exit code when it ran out of time

# What the warm fork server imports once, so that each student's worker starts without importing it again.
# The libraries too: the judge (course/judge) computes the hidden tests' references in the worker, with the libraries
# the notebooks use (torchvision 1.5 s and scikit-learn 1 s to import, once per student otherwise).
_PRELOAD = ["course.grader.worker", "course.nbgrader_ext", "nbgrader.apps", "nbgrader.api",
            "nbconvert.exporters.html", "torch", "numpy", "course.judge.kit", "torch.utils.data", "torchvision",
            "torchvision.datasets", "torchvision.transforms", "sklearn.datasets"]  # fmt: skip
_forkserver = None


def _fork_context():
    """multiprocessing's fork server, with nbgrader and nbconvert imported (None where there is none)."""
    global _forkserver
    if _forkserver is None:
        import multiprocessing as mp

        if (
            os.environ.get("COURSE_WORKER") == "subprocess"
            or "forkserver" not in mp.get_all_start_methods()
            or mp.current_process().daemon  # e.g. a Dask worker process: it may not start children this way
        ):
            _forkserver = False
        else:
            _forkserver = mp.get_context("forkserver")
            _forkserver.set_forkserver_preload(_PRELOAD)
    return _forkserver or None


def _run_killable(cmd: list[str], cwd: Path, env: dict, timeout: float, log: Path) -> int:
    """Run ``cmd`` in its own process group; on timeout kill the whole group (nbgrader and its kernel)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return TIMED_OUT
        finally:
            try:  # a sandboxed kernel runs in a session of its own: make sure nothing is left behind
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def run_worker(root: Path, lab_id: str, sid: str, feedback: bool, env: dict, timeout: float, log: Path) -> int:
    """Run the grading worker for one student (forked from the warm fork server, or as a fresh process); on timeout
    kill it with everything it started.  Returns its exit code (``TIMED_OUT``: timed out)."""
    ctx = _fork_context()
    if ctx is None:
        cmd = [sys.executable, "-m", "course.grader.worker", str(root), lab_id, sid]
        return _run_killable(cmd + ([] if feedback else ["--no-feedback"]), root, env, timeout, log)
    from . import worker

    proc = ctx.Process(target=worker.run_child, args=(str(root), lab_id, sid, feedback, env, str(log)))
    proc.start()
    try:
        proc.join(timeout)
        if proc.is_alive():
            _kill_group(proc)
            proc.join()
            return TIMED_OUT
        return proc.exitcode if proc.exitcode is not None else 1
    finally:
        _kill_group(proc)  # a sandboxed kernel runs in a session of its own: make sure nothing is left behind


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.is_alive():  # not yet in its own session
        proc.kill()


def grade_one(task: Task, slot: Slot | None = None) -> Outcome:
    """Grade one student in a scratch course root; everything in and out travels in ``task`` and the outcome.

    Runs in the driver's thread pool, or on a Dask worker (which needs this repository at the same path).  In a
    grading ``slot`` (slots.py) the kernels run in the slot's sandbox and working folder.

    The kernels run in a working folder of their own (``Settings.kernel_folder``), which starts with what nbgrader's
    would hold but the hidden tests: the student's notebooks as handed in and the lab's other files.  nbgrader's
    ``autograded`` folder, where the notebooks being graded hold the hidden tests, is out of the sandbox's reach.
    """
    from .. import nbg
    from ..config import Course

    t0 = time.monotonic()
    course = Course.load(Path(task.course_root))
    (lab,) = course.labs([task.lab])
    sid = task.student
    # short paths: the kernel's unix sockets live under here, and a socket path may not exceed 107 bytes
    base = Path(tempfile.mkdtemp(prefix="g", dir=task.tmp))
    os.chmod(base, 0o711)  # the sandboxed kernel's user must be able to reach its working folder
    root = base / "r"
    outcome = Outcome(student=sid)
    try:
        nbg.make_root(course, lab, root, with_notebooks=False)
        settings = replace(task.settings, workdir=str(root), kernel_folder=str(root / "work"))
        runtime = root / "k"
        if slot is not None:  # the kernels run where the slot's sandbox can write, as its uid, forked from its parent
            settings = replace(
                settings, workdir=str(slot.folder), kernel_folder=str(slot.work), sandbox_uid=slot.uid,
                warm_parent=slot.socket,
            )  # fmt: skip
            runtime = slot.runtime
        else:
            runtime.mkdir(mode=0o700)
        # the kernels' working folder: the student's notebooks, and the lab's other files (its data, its images) as
        # nbgrader copies them from source/ into the notebooks' own folder
        work = Path(settings.kernel_folder)
        work.mkdir(exist_ok=True)
        sub = root / "submitted" / sid / lab.id
        sub.mkdir(parents=True)
        for name, text in task.notebooks.items():
            for folder in (sub, work):
                (folder / name).write_text(text, encoding="utf-8")
        shutil.copytree(root / "source" / lab.id, work, dirs_exist_ok=True)
        with open(root / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(settings.config())
        os.chmod(root, 0o711)
        (root / "gradebook.db").write_bytes(task.gradebook)
        (root / GRADING).write_text(json.dumps({"nonce": task.nonce, "tampering": task.tampering}))
        env = nbg.nbgrader_env(dict(task.env, JUPYTER_RUNTIME_DIR=str(runtime)))
        log = base / "log.txt"
        log.write_text("")
        rc = run_worker(root, lab.id, sid, task.feedback, env, task.timeout, log)
        text = log.read_text(errors="replace")
        if rc == TIMED_OUT:
            outcome.error = f"timed out after {task.timeout:.0f} s"
        elif rc != 0:
            failed = re.findall(r"AUTOGRADE FAILED: ([^\n]*)", text)
            outcome.error = failed[-1] if failed else f"nbgrader autograde failed (exit code {rc})"
        outcome.scores, problem = read_scores(course.id, root, lab.id, sid)
        if problem:
            outcome.error = outcome.error or problem
        findings = root / FINDINGS
        if findings.exists():
            found = json.loads(findings.read_text())
            outcome.findings = {name: [Finding.from_dict(f) for f in fs] for name, fs in found.items()}
        graded = root / "autograded" / sid / lab.id
        for path in sorted(graded.glob("*.ipynb")) if graded.is_dir() else []:
            outcome.files[f"autograded/{sid}/{lab.id}/{path.name}"] = path.read_bytes()
        for html in sorted((root / "feedback" / sid / lab.id).glob("*.html")):
            outcome.files[f"feedback/{sid}/{lab.id}/{html.name}"] = html.read_bytes()
        outcome.log = text
    except Exception as exc:  # anything at all: this student gets an error row, the class goes on
        outcome.error = f"grader error: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(base, ignore_errors=True)
        outcome.seconds = time.monotonic() - t0
    return outcome


def read_scores(course_id: str, root: Path, lab_id: str, sid: str) -> tuple[dict[str, NotebookScore], str]:
    """The scores in a scratch root's gradebook, and what went wrong reading it ("" when nothing did)."""
    from nbgrader.api import Gradebook, MissingEntry

    scores: dict[str, NotebookScore] = {}
    try:
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=course_id) as gb:
            try:
                submission = gb.find_submission(lab_id, sid)
            except MissingEntry:
                return scores, ""
            for nb in submission.notebooks:
                cells = {
                    g.name: {
                        "score": float(g.score),
                        "max_score": float(g.max_score),
                        "auto_score": None if g.auto_score is None else float(g.auto_score),
                        "needs_manual_grade": bool(g.needs_manual_grade),
                    }
                    for g in nb.grades
                }
                scores[nb.name + ".ipynb"] = NotebookScore(
                    float(nb.score), float(nb.max_score), bool(nb.needs_manual_grade), cells
                )
    except Exception as exc:  # a damaged gradebook must not stop the class
        return scores, f"the gradebook could not be read ({type(exc).__name__}: {exc})"
    return scores, ""


def run_tasks(tasks: list[Task], jobs: int, scheduler: str | None, say) -> Iterator[Outcome]:
    """Yield outcomes as they finish: a local thread pool (each task is a worker process), or a Dask cluster.

    The students with the most notebooks start first, so that no long submission is left running alone at the end
    while the other slots idle (longest first: the classic rule for parallel machines)."""
    tasks = sorted(tasks, key=lambda task: -len(task.notebooks))
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        say(f"  sending {len(tasks)} submission(s) to the Dask scheduler at {scheduler}")
        with Client(scheduler) as client:
            futures = [client.submit(grade_one, t, key=f"grade-{t.lab}-{t.student}", pure=False) for t in tasks]
            for future in dask_completed(futures):
                try:
                    yield future.result()
                except Exception as exc:  # a lost worker: the student gets an error row
                    task = tasks[futures.index(future)]
                    yield Outcome(student=task.student, error=f"worker failed: {exc}")
        return
    pool_of_slots = Slots() if slots.wanted(tasks, scheduler) else None
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_grade_in_slot, t, pool_of_slots) for t in tasks]
            for future in as_completed(futures):
                yield future.result()
    finally:
        if pool_of_slots is not None:
            say(f"  {pool_of_slots.started} grading slot(s) served {len(tasks)} submission(s)")
            pool_of_slots.close()


def _grade_in_slot(task: Task, pool_of_slots: Slots | None) -> Outcome:
    """``grade_one`` in an idle grading slot, when there are slots and one can start."""
    slot = pool_of_slots.take(task) if pool_of_slots is not None else None
    if slot is None:
        return grade_one(task)
    try:
        return grade_one(task, slot)
    finally:
        pool_of_slots.give(slot)
