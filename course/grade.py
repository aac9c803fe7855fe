"""``course grade LAB PATH``: autograde a class with nbgrader, one isolated course root per student.

PATH is a folder or a zip as a learning-management system exports it: Canvas, Moodle, Blackboard and GitHub
Classroom layouts are recognised (``course.term.intake``); otherwise one file or folder per student (a folder may
hold several notebooks, a file may be a notebook or a zip of them), any file names.  Each submitted file is matched
to a notebook of the lab by name (``Copy of X.ipynb``, ``X (1).ipynb`` and ``alice_X.ipynb`` mean ``X.ipynb``) or,
failing that, by content.  Every student is graded by ``nbgrader autograde`` in a course root of its own, with its
own copy of the gradebook, so students are graded in parallel and cannot touch each other's grades.

Writes into the output folder:
  grades.csv        one row per student and notebook: student,notebook,score,max_score,status,...
  scores.json       the same with every graded cell's score
  feedback/<student>/<lab>/<notebook>.html     nbgrader feedback, hidden tests' code removed
  autograded/<student>/<lab>/<notebook>.ipynb  the executed notebooks as graded
  logs/<student>.log  nbgrader's log
  gradebook.db, students.json, source/<lab>/, nbgrader_config.py   the class gradebook (``course.term``): the
                      output folder is an nbgrader course root, ready for formgrader and ``course marks``
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import nbg, nbtools
from .config import Course, Lab
from .integrity import Report, repair, scan

CSV_FIELDS = ["student", "notebook", "score", "max_score", "status", "needs_manual_grade", "integrity"]
MAX_UNZIPPED = 2 * 1024**3  # refuse zip bombs
MAX_NOTEBOOK = 200 * 1024**2


@dataclass
class Row:
    student: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    status: str = "ok"
    needs_manual_grade: bool = False
    notes: list[str] = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    integrity: str = ""

    def csv(self) -> dict:
        d = asdict(self)
        d.pop("cells")
        d.pop("notes")
        d["integrity"] = self.integrity or "; ".join(self.notes)
        d["score"] = _fmt(self.score)
        d["max_score"] = _fmt(self.max_score)
        d["needs_manual_grade"] = "yes" if self.needs_manual_grade else "no"
        return d


def _fmt(x: float) -> str:
    return f"{x:g}"


# Collecting ------------------------------------------------------------------------------------------------------
def student_id(name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name)
    sid = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._-")
    return sid or "student"


def _skip(path: Path) -> bool:
    return any(part.startswith(".") or part in ("__MACOSX", "__pycache__") for part in path.parts)


def safe_extract(archive: Path, dest: Path) -> None:
    """Extract a zip without letting it write outside ``dest`` or explode in size."""
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise ValueError(f"{archive.name}: archive unpacks to more than {MAX_UNZIPPED >> 20} MiB")
            target = (dest / info.filename).resolve()
            if not str(target).startswith(str(dest.resolve()) + os.sep) or info.is_dir():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def normalise_name(filename: str) -> str:
    """``Copy of X (1).ipynb`` -> ``x``: the stem a renamed copy stands for (lower case)."""
    stem = re.sub(r"\.ipynb$", "", filename.strip(), flags=re.I)
    while True:
        new = re.sub(r"^(copy of|kopie von|copie de|copia de)\s+", "", stem, flags=re.I)
        new = re.sub(r"\s*\(\d+\)$", "", new)
        new = re.sub(r"[-_ ]?(checkpoint|copy\d*)$", "", new, flags=re.I)
        if new == stem:
            break
        stem = new
    return stem.strip().lower()


def match_notebook(path: Path, names: list[str], grade_ids: dict[str, set[str]]) -> tuple[str | None, str]:
    """Which of the lab's notebooks ``path`` is; returns (name or None, how it was matched)."""
    norm = normalise_name(path.name)
    stems = {n[: -len(".ipynb")].lower(): n for n in names}
    if norm in stems:
        return stems[norm], "name"
    # a prefix or suffix such as a student id: longest stem contained in the name wins
    for stem in sorted(stems, key=len, reverse=True):
        if stem in norm.replace(" ", "_"):
            return stems[stem], "name"
    if path.suffix.lower() != ".ipynb":
        return None, "not a notebook"
    try:
        nb = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        ids = {
            c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            for c in nb.get("cells", [])
            if isinstance(c, dict)
        }
    except (json.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None, "unreadable"
    best = max(names, key=lambda n: len(ids & grade_ids[n]))
    if ids & grade_ids[best]:
        return best, "content"
    if len(names) == 1:
        return names[0], "only notebook"
    return None, "no cell of the lab's notebooks found"


def collect(path: Path, work: Path) -> dict[str, list[Path]]:
    """student id -> the files they handed in, one top-level entry per student (plain folders and zips; the LMS
    layouts are read by ``course.term.intake.read_export``)."""
    from .term.intake import top_entries

    return collect_entries(top_entries(path, work), work)


def collect_entries(entries: list[Path], work: Path) -> dict[str, list[Path]]:
    """One student per entry: a folder's files, a zip's contents, or the file itself."""
    students: dict[str, list[Path]] = {}
    for entry in entries:
        sid = student_id(entry.name)
        while sid in students:
            sid += "_"
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*") if p.is_file() and not _skip(p.relative_to(entry)))
        elif entry.suffix.lower() == ".zip" and zipfile.is_zipfile(entry):
            unpacked = work / "unzipped" / sid
            unpacked.mkdir(parents=True, exist_ok=True)
            try:
                safe_extract(entry, unpacked)
                files = sorted(p for p in unpacked.rglob("*") if p.is_file() and not _skip(p.relative_to(unpacked)))
            except (ValueError, zipfile.BadZipFile, OSError):
                files = [entry]
        else:
            files = [entry]
        students[sid] = files
    return students


def load_submission(path: Path, report=None):
    """Read a submitted notebook, upgrading old formats; raises ValueError with a readable reason."""
    if path.stat().st_size > MAX_NOTEBOOK:
        raise ValueError(f"file is larger than {MAX_NOTEBOOK >> 20} MiB")
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise ValueError("JSON but not a Jupyter notebook")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises a zoo of exceptions
        raise ValueError(f"not a readable notebook ({type(exc).__name__}: {exc})") from None
    if report is not None and raw.get("nbformat", 4) < 4:
        report.notes.append(f"old notebook format {raw.get('nbformat')} upgraded to 4")
    if report is not None and path.stat().st_size > 5 * 1024**2:
        report.notes.append(f"large file ({path.stat().st_size >> 20} MiB of outputs): outputs cleared")
    for cell in nb.cells:  # Colab-era cells may lack ids or carry execution metadata
        cell.metadata.pop("execution", None)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        nb = nbformat.validator.normalize(nb)[1] if hasattr(nbformat.validator, "normalize") else nb
    return nb


# Grading one student ---------------------------------------------------------------------------------------------
MARKER = "##course-ran:{grade_id}:{nonce}##"


def _run_killable(cmd: list[str], cwd: Path, env: dict, timeout: float, log: Path) -> int:
    """Run ``cmd`` in its own process group; on timeout kill the whole group (nbgrader and its kernel)."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return 124
        finally:
            try:  # a sandboxed kernel runs in a session of its own: make sure nothing is left behind
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


# What the warm fork server imports once, so that each student's worker starts without importing it again.
# torch and numpy too: the judge (course/judge) computes the hidden tests' references in the worker.
_PRELOAD = ["course._worker", "course.nbgrader_ext", "nbgrader.apps", "nbgrader.api", "nbconvert.exporters.html",
            "torch", "numpy", "course.judge.kit"]  # fmt: skip
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


def _run_worker(root: Path, lab_id: str, sid: str, feedback: bool, env: dict, timeout: float, log: Path) -> int:
    """Run the grading worker for one student (forked from the warm fork server, or as a fresh process); on timeout
    kill it with everything it started.  Returns its exit code (124: timed out)."""
    ctx = _fork_context()
    if ctx is None:
        cmd = [sys.executable, "-m", "course._worker", str(root), lab_id, sid]
        return _run_killable(cmd + ([] if feedback else ["--no-feedback"]), root, env, timeout, log)
    from . import _worker

    proc = ctx.Process(target=_worker.run_child, args=(str(root), lab_id, sid, feedback, env, str(log)))
    proc.start()
    try:
        proc.join(timeout)
        if proc.is_alive():
            _kill_group(proc)
            proc.join()
            return 124
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


def sanitise_for_feedback(nb, nonce: str = "") -> None:
    """Remove hidden tests' code, traceback lines and echoes of it, and the run markers from a graded notebook."""
    for cell in nb.cells:
        meta = nbtools.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        hidden = {
            line.strip()
            for block in nbtools.HIDDEN.findall(cell.source)
            for line in block.splitlines()
            if len(line.strip()) > 6
        }
        cell.source = nbtools.strip_hidden_tests(cell.source, "# (hidden tests ran here; their code is not shown)")
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
            elif out.get("output_type") == "stream":
                lines = str(out.get("text", "")).splitlines(keepends=True)
                lines = [ln for ln in lines if "##course-ran:" not in ln and not (ln.strip() and ln.strip() in hidden)]
                out["text"] = "".join(lines)
                if not out["text"]:
                    continue
            outputs.append(out)
        cell.outputs = outputs


def grade_one(task: dict) -> dict:
    """Grade one student in a scratch course root; everything in and out travels in ``task`` and the result.

    Runs in the driver's thread pool, or on a Dask worker (which needs this repository at the same path).
    """
    t0 = time.monotonic()
    course = Course.load(Path(task["course_root"]))
    (lab,) = course.labs([task["lab"]])
    sid = task["student"]
    # short paths: the kernel's unix sockets live under here, and a socket path may not exceed 107 bytes
    base = Path(tempfile.mkdtemp(prefix="g", dir=task.get("tmp")))
    os.chmod(base, 0o711)  # the sandboxed kernel's user must be able to reach its working folder
    root = base / "r"
    result = {"student": sid, "results": {}, "error": "", "files": {}, "log": "", "seconds": 0.0}
    try:
        nbg.make_root(course, lab, root, with_notebooks=False)
        if lab.judged:
            with open(root / "nbgrader_config.py", "a", encoding="utf-8") as config:
                config.write(
                    "\n# this lab's hidden tests run in the judge (course/judge)\nc.SafeExecute.judge = True\n"
                )
        os.chmod(root, 0o711)
        (root / "gradebook.db").write_bytes(task["gradebook"])
        sub = root / "submitted" / sid / lab.id
        sub.mkdir(parents=True)
        for name, text in task["notebooks"].items():
            (sub / name).write_text(text, encoding="utf-8")
        (root / "grading.json").write_text(json.dumps({k: task[k] for k in ("nonce", "tampering")}))
        runtime = root / "k"
        runtime.mkdir(mode=0o700)
        env = dict(task["env"])
        env["JUPYTER_RUNTIME_DIR"] = str(runtime)
        env["COURSE_SANDBOX_WORKDIR"] = str(root)
        log = base / "log.txt"
        log.write_text("")
        env = nbg.nbgrader_env(env)
        rc = _run_worker(root, lab.id, sid, task.get("feedback", True), env, task["timeout"], log)
        text = log.read_text(errors="replace")
        if rc == 124:
            result["error"] = f"timed out after {task['timeout']:.0f} s"
        elif rc != 0:
            failed = re.findall(r"AUTOGRADE FAILED: ([^\n]*)", text)
            result["error"] = failed[-1] if failed else f"nbgrader autograde failed (exit code {rc})"
        result["results"] = read_scores(course, root, lab.id, sid)
        checks = root / "checks.json"
        result["checks"] = json.loads(checks.read_text()) if checks.exists() else {}
        graded = root / "autograded" / sid / lab.id
        for path in sorted(graded.glob("*.ipynb")) if graded.is_dir() else []:
            result["files"][f"autograded/{sid}/{lab.id}/{path.name}"] = path.read_bytes()
        for html in sorted((root / "feedback" / sid / lab.id).glob("*.html")):
            result["files"][f"feedback/{sid}/{lab.id}/{html.name}"] = html.read_bytes()
        result["log"] = text
    except Exception as exc:  # anything at all: this student gets an error row, the class goes on
        result["error"] = f"grader error: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(base, ignore_errors=True)
        result["seconds"] = time.monotonic() - t0
    return result


def read_scores(course: Course, root: Path, lab_id: str, sid: str) -> dict[str, dict]:
    from nbgrader.api import Gradebook, MissingEntry

    results: dict[str, dict] = {}
    try:
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=course.id) as gb:
            try:
                submission = gb.find_submission(lab_id, sid)
            except MissingEntry:
                return results
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
                results[nb.name + ".ipynb"] = {
                    "score": float(nb.score),
                    "max_score": float(nb.max_score),
                    "needs_manual_grade": bool(nb.needs_manual_grade),
                    "cells": cells,
                }
    except Exception as exc:  # a damaged gradebook must not stop the class
        results["__error__"] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


# The class -------------------------------------------------------------------------------------------------------
def lab_reference(course: Course, lab: Lab, work: Path, nonce: str) -> tuple[Path, dict[str, dict]]:
    """Generate the gradebook once (every test cell ends by printing a run marker); return it with the release."""
    root = nbg.make_root(course, lab, work / "reference")
    for path in sorted((root / "source" / lab.id).glob("*.ipynb")):
        nb = nbtools.read(path)
        for cell in nb.cells:
            meta = nbtools.nbgrader_meta(cell)
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                marker = MARKER.format(grade_id=meta["grade_id"], nonce=nonce)
                cell.source += f"\n### BEGIN HIDDEN TESTS\nprint({marker!r})\n### END HIDDEN TESTS"
        nbtools.write(nb, path)
    release = nbg.generate(root, lab.id)
    info = {}
    from .build import add_colab_cells

    for path in sorted(release.glob("*.ipynb")):
        nb = nbtools.read(path)
        # the notebook as students received it: with the badge and set-up cells `course build` adds
        add_colab_cells(nb, course, f"release/{lab.id}/{path.name}", gpu=lab.wants_gpu(path.name))
        ids, points = set(), {}
        for cell in nb.cells:
            meta = nbtools.nbgrader_meta(cell)
            if meta.get("grade_id"):
                ids.add(meta["grade_id"])
            if meta.get("grade") or meta.get("task"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
        info[path.name] = {"grade_ids": ids, "points": points, "max_score": sum(points.values()), "release": nb}
    return root / "gradebook.db", info


def _sandbox_env(say) -> dict:
    from . import sandbox

    wanted = sandbox.mode()
    if wanted == "off":
        say("sandbox: off (COURSE_SANDBOX=off): student code runs with the grader's rights")
        return {"COURSE_SANDBOX": "off"}
    ok, why = sandbox.available()
    if not ok:
        if wanted == "on":
            raise SystemExit(f"COURSE_SANDBOX=on but no sandbox is possible: {why}")
        say(f"sandbox: unavailable ({why}); student code runs with the grader's rights")
        return {"COURSE_SANDBOX": "off"}
    say("sandbox: bubblewrap (no network; only its own folder writable; memory, process and file limits)")
    return {"COURSE_SANDBOX": "on"}


def _uid_for(sid: str) -> str:
    from . import sandbox

    uid = sandbox.uid_for(zlib.crc32(sid.encode()) % 2000)
    return "" if uid is None else str(uid)


PREPARE = {  # data sets a lab derives from the cached ones (lab.toml: prepare = [...]); built once before grading
    "corrupt_mnist": ("course.corrupt_mnist", "make"),
}


def prepare(lab: Lab, say=print) -> None:
    """Build what the lab's ``prepare`` list names into the data cache, where sandboxed kernels (read-only cache)
    find it instead of each building its own copy."""
    import importlib

    for name in lab.meta.get("prepare", []):
        if name not in PREPARE:
            say(f"{lab.id}: lab.toml asks to prepare unknown {name!r} (known: {', '.join(PREPARE)})")
            continue
        module, func = PREPARE[name]
        try:
            getattr(importlib.import_module(module), func)()
        except Exception as exc:  # grading goes on: each kernel then builds or reports it itself
            say(f"{lab.id}: could not prepare {name} ({type(exc).__name__}: {exc})")


def grade_class(
    course: Course,
    lab: Lab,
    path: Path,
    out: Path,
    jobs: int = 0,
    timeout: float = 600,
    quiet: bool = False,
    scheduler: str | None = None,
    feedback: bool = True,
    roster: Path | None = None,
    times: Path | None = None,
    extensions: Path | None = None,
    only: str | None = None,
) -> list[Row]:
    """Grade every submission in ``path``; ``timeout`` is per notebook; ``scheduler`` a Dask address.

    ``path`` may be any LMS's export (``course.term.intake``); ``roster`` a class list CSV (``course.term.roster``),
    ``times`` a CSV of submission times, ``extensions`` a CSV of extended due dates (``course.term.late``).  The
    results are merged into the class gradebook in ``out`` (``course.term.gradebook``), keeping any manual marks;
    ``only`` regrades that one student into it, leaving the others' rows as they are.

    Workers are forked from a multiprocessing fork server, which imports the calling script's main module in each
    worker (as multiprocessing does): call this from ``course grade``, a notebook, or a script whose work sits under
    ``if __name__ == "__main__":``.
    """
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    nonce = secrets.token_hex(8)
    with tempfile.TemporaryDirectory(prefix=f"grade-{lab.id}-") as tmp:
        work = Path(tmp)
        template, info = lab_reference(course, lab, work, nonce)
        gradebook = template.read_bytes()
        names = sorted(info)
        from .term import gradebook as class_gradebook
        from .term import record
        from .term.intake import read_export, read_times
        from .term.roster import read_roster

        intake = read_export(path, work)
        if only is not None:
            if only not in intake.submissions:
                raise SystemExit(f"--only {only}: no submission of that student in {path}")
            intake.submissions = {only: intake.submissions[only]}
        students = {sid: sub.files for sid, sub in intake.submissions.items()}
        kind = "" if intake.kind.value == "plain" else f" ({intake.kind.value} export)"
        say(f"{lab.id}: {len(students)} submission(s) found in {path}{kind}")
        for note in intake.notes:
            say(f"  {note}")
        prepare(lab, say)

        rows: dict[str, list[Row]] = {}
        tasks: dict[str, dict] = {}
        integrity: dict[str, dict] = {}
        for sid, files in students.items():
            rows[sid], notebooks, tampering = [], {}, {}
            chosen: dict[str, tuple[Path, str]] = {}
            for f in files:
                name, how = match_notebook(f, names, {n: info[n]["grade_ids"] for n in names})
                if name is None and how == "unreadable" and len(names) == 1:
                    name = names[0]
                if name is None:
                    status = "ignored: not a notebook" if f.suffix.lower() != ".ipynb" else f"ignored: {how}"
                    if how == "unreadable":
                        status = "corrupt: " + _corrupt_reason(f)
                    rows[sid].append(Row(sid, f.name, status=status))
                    continue
                if name in chosen:
                    old, old_how = chosen[name]
                    # prefer the file with the exact name, then the newer one
                    keep_new = (f.name == name) or (old.name != name and f.stat().st_mtime > old.stat().st_mtime)
                    keep, other = (f, old) if keep_new else (old, f)
                    chosen[name] = (keep, how if keep_new else old_how)
                    rows[sid].append(Row(sid, other.name, status=f"ignored: a second file for {name}"))
                else:
                    chosen[name] = (f, how)
            for name in names:
                row = Row(sid, name, max_score=info[name]["max_score"])
                rows[sid].append(row)
                if name not in chosen:
                    row.status = "missing"
                    continue
                f, how = chosen[name]
                report = Report()
                if f.name != name:
                    how_note = " (matched by content)" if how == "content" else ""
                    report.notes.append(f"graded {f.name!r} as {name}{how_note}")
                try:
                    nb = load_submission(f, report)
                    nb, report = repair(nb, info[name]["release"], report)
                    scan(nb, info[name]["release"], report)
                except (ValueError, OSError) as exc:
                    row.status = f"corrupt: {exc}"
                    continue
                except Exception as exc:  # a notebook that defeats the repair is still graded as it is
                    report.notes.append(f"could not align with the release ({type(exc).__name__})")
                    nb = load_submission(f, report)
                row.notes, row.integrity = report.notes, report.summary()
                integrity.setdefault(sid, {})[name] = report.as_dict()
                if report.tampering:
                    tampering[name] = report.tampering
                notebooks[name] = nbformat.writes(nb)
            if notebooks:
                tasks[sid] = {
                    "course_root": str(course.root),
                    "lab": lab.id,
                    "student": sid,
                    "notebooks": notebooks,
                    "gradebook": gradebook,
                    "nonce": nonce,
                    "tampering": tampering,
                    "timeout": timeout * len(notebooks) + 120,
                    "tmp": os.environ.get("COURSE_GRADE_TMP"),
                    "feedback": feedback,
                }

        # one more job than cores: a student's grading waits on disk (sqlite commits) and on kernel start-up
        # handshakes, and the extra job fills those gaps (measured: MEASUREMENTS.md, scripts/benchmark.py)
        jobs = jobs or default_jobs()
        threads = max(1, (os.cpu_count() or 1) // jobs)
        env = {
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "CUDA_VISIBLE_DEVICES": os.environ.get("COURSE_GRADE_CUDA_VISIBLE_DEVICES", ""),
            "COURSE_NOTEBOOK_TIMEOUT": str(int(timeout)),
            **_sandbox_env(say),
        }
        for sid, task in tasks.items():
            task["env"] = {**env, "COURSE_SANDBOX_UID": _uid_for(sid) if env["COURSE_SANDBOX"] == "on" else ""}

        seconds: dict[str, float] = {}
        for res in _run_tasks(list(tasks.values()), jobs, scheduler, say):
            sid = res["student"]
            _record(res, rows[sid], tasks[sid], out)
            seconds[sid] = res["seconds"]
            say(f"  graded {sid} in {res['seconds']:.1f} s" + (f" ({res['error']})" if res["error"] else ""))

        # the class: everyone on the roster, the earlier rows of the others when one student was regraded
        people = read_roster(roster) if roster else {}
        previous = record.load(out)
        if only is not None:
            old_rows = [r for r in read_rows(out) if r.student != only]
            rows = {**{r.student: [] for r in old_rows}, **rows}
            for r in old_rows:
                rows[r.student].append(r)
            old_integrity = (
                json.loads((out / "integrity.json").read_text()) if (out / "integrity.json").exists() else {}
            )
            integrity = {**{k: v for k, v in old_integrity.items() if k != only}, **integrity}
        else:
            for sid in sorted(set(people) - set(rows)):  # on the roster, nothing submitted
                rows[sid] = [Row(sid, name, max_score=info[name]["max_score"], status="missing: nothing submitted")
                             for name in names]  # fmt: skip
        records = class_gradebook.build_records(
            course, lab, intake, people, read_times(times) if times else {}, extensions, previous, only
        )
        for sid, rec in records.items():
            if sid in seconds:
                rec.grading_seconds = round(seconds[sid], 1)
        all_rows = [r for sid in sorted(rows) for r in rows[sid]]
        class_gradebook.ensure_root(course, lab, out, gradebook)
        record.save(out, records)
        class_gradebook.merge(course, lab, out, all_rows, records)
        class_gradebook.sync_rows(course, lab, out, all_rows)  # hand marks given earlier count in the rows too
        marked = class_gradebook.hand_marked(course, lab, out, tasks) if feedback else []
        if marked:  # a regrade of hand-marked students: their feedback shows the marks and comments again
            from .term.marks import regenerate_feedback

            regenerate_feedback(course, lab, out, marked)

    write_reports(all_rows, out)
    (out / "integrity.json").write_text(json.dumps(integrity, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    say(f"{lab.id}: graded {len(tasks)} of {len(students)} submission(s) in {time.monotonic() - started:.1f} s")
    return all_rows


def default_jobs() -> int:
    """Submissions graded at once by default: the number of cores plus one."""
    return (os.cpu_count() or 1) + 1


def _run_tasks(tasks: list[dict], jobs: int, scheduler: str | None, say):
    """Yield results as they finish: a local thread pool (each task is a subprocess), or a Dask cluster."""
    if scheduler:
        from distributed import Client, as_completed

        say(f"  sending {len(tasks)} submission(s) to the Dask scheduler at {scheduler}")
        with Client(scheduler) as client:
            futures = [client.submit(grade_one, t, key=f"grade-{t['lab']}-{t['student']}", pure=False) for t in tasks]
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as exc:  # a lost worker: the student gets an error row
                    task = tasks[futures.index(future)]
                    yield {"student": task["student"], "results": {}, "error": f"worker failed: {exc}",
                           "files": {}, "log": "", "seconds": 0.0, "checks": {}}  # fmt: skip
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(grade_one, t) for t in tasks]
        for future in futures:
            yield future.result()


def _record(res: dict, rows: list[Row], task: dict, out: Path) -> None:
    sid = res["student"]
    for rel, blob in res["files"].items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob)
    (out / "logs").mkdir(exist_ok=True)
    (out / "logs" / f"{sid}.log").write_text(res["log"], encoding="utf-8")
    checks = res.get("checks", {})
    for row in rows:
        if row.notebook not in task["notebooks"] or row.status != "ok":
            continue
        got = res["results"].get(row.notebook)
        if got is None:
            row.status = f"error: {res['error'] or 'not graded'}"
            continue
        row.score, row.max_score = got["score"], got["max_score"]
        row.needs_manual_grade = got["needs_manual_grade"]
        row.cells = got["cells"]
        extra = checks.get(row.notebook, [])
        row.notes += extra
        if any(n.startswith(("kernel died", "time limit")) for n in extra):
            row.status = "error: " + next(n for n in extra if n.startswith(("kernel died", "time limit")))
        elif res["error"]:
            row.status = f"error: {res['error']}"
        elif row.notebook in task["tampering"]:
            row.status = "tampered: autograded tests scored 0"
        row.integrity = "; ".join(x for x in (row.integrity, *extra) if x)


def _corrupt_reason(path: Path) -> str:
    try:
        load_submission(path)
    except (ValueError, OSError) as exc:
        return str(exc)
    return "unreadable"


def write_reports(rows: list[Row], out: Path) -> None:
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.csv())
    report: dict[str, dict] = {}
    for row in rows:
        report.setdefault(row.student, {})[row.notebook] = {
            "score": row.score,
            "max_score": row.max_score,
            "status": row.status,
            "needs_manual_grade": row.needs_manual_grade,
            "notes": row.notes,
            "cells": row.cells,
            "integrity": row.integrity,
        }
    (out / "scores.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_rows(out: Path) -> list[Row]:
    """The rows an earlier run wrote to ``out/scores.json``."""
    path = Path(out) / "scores.json"
    if not path.exists():
        return []
    rows = []
    for sid, notebooks in json.loads(path.read_text(encoding="utf-8")).items():
        for name, d in notebooks.items():
            rows.append(Row(sid, name, d["score"], d["max_score"], d["status"], d["needs_manual_grade"],
                            d.get("notes", []), d.get("cells", {}), d.get("integrity", "")))  # fmt: skip
    return rows


def summary(rows: list[Row]) -> str:
    header = ("student", "notebook", "score", "status")
    table = [header] + [
        (r.student, r.notebook, f"{_fmt(r.score)}/{_fmt(r.max_score)}" + (" +manual" if r.needs_manual_grade else ""),
         r.status)
        for r in rows
    ]  # fmt: skip
    widths = [min(48, max(len(str(t[i])) for t in table)) for i in range(len(header))]
    lines = []
    for n, t in enumerate(table):
        lines.append("  ".join(str(v)[:48].ljust(w) for v, w in zip(t, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(
    course: Course,
    lab: Lab,
    path: Path,
    out: Path,
    jobs: int = 0,
    timeout: float = 600,
    scheduler: str | None = None,
    **term,
) -> int:
    """``course grade``; ``term``: roster, times, extensions, only (see ``grade_class``)."""
    if not Path(path).exists():
        print(f"course grade: {path} does not exist", file=sys.stderr)
        return 2
    rows = grade_class(course, lab, path, out, jobs=jobs, timeout=timeout, scheduler=scheduler, **term)
    print()
    print(summary(rows))
    from .term.gradebook import table

    print()
    print(table(course, lab, Path(out).resolve()))
    n_students = len({r.student for r in rows})
    print(f"\nwrote {out / 'grades.csv'}, {out / 'scores.json'} and feedback/ for {n_students} students;"
          f" the class gradebook is {out / 'gradebook.db'} (nbgrader formgrader runs in {out})")  # fmt: skip
    return 0
