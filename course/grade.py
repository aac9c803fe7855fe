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

import copy
import json
import os
import secrets
import sys
import tempfile
import time
import zlib
from pathlib import Path

import nbformat

from . import nbg, nbtools, warm_kernels
from .config import Course, Lab
from .grader import intake, policy
from .grader.processes import run_tasks
from .grader.records import Kind, Outcome, Row, Settings, Status, Task
from .grader.reports import read_rows, summary, write_reports
from .integrity import Report, repair, scan

NONCE = secrets.token_hex(8)  # the run markers' secret: a new one for every process that grades
_references: dict[tuple[str, str, str], tuple[bytes, dict[str, dict]]] = {}


def reference(course: Course, lab: Lab, work: Path) -> tuple[bytes, dict[str, dict]]:
    """``lab_reference``'s gradebook (its bytes) and release, generated once per process for unchanged release inputs
    (``build.release_inputs``): a process that grades a lab again (a regrade from a notebook, the test suite) does not
    run ``nbgrader generate_assignment`` again."""
    from .build import release_inputs

    key = (str(course.root), lab.id, release_inputs(course, lab))
    if key not in _references:
        template, info = lab_reference(course, lab, work, NONCE)
        _references[key] = (template.read_bytes(), info)
    gradebook, info = _references[key]
    return gradebook, copy.deepcopy(info)


def lab_reference(course: Course, lab: Lab, work: Path, nonce: str) -> tuple[Path, dict[str, dict]]:
    """Generate the gradebook once (every test cell ends by printing a run marker); return it with the release."""
    root = nbg.make_root(course, lab, work / "reference")
    for path in sorted((root / "source" / lab.id).glob("*.ipynb")):
        nb = nbtools.read(path)
        for cell in nb.cells:
            meta = nbtools.nbgrader_meta(cell)
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                marker = policy.marker(meta["grade_id"], nonce)
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


def _sandbox(say) -> bool:
    """Whether the kernels run in the sandbox (``COURSE_SANDBOX``: auto, on or off), said once."""
    from . import sandbox

    wanted = sandbox.mode()
    if wanted == "off":
        say("sandbox: off (COURSE_SANDBOX=off): student code runs with the grader's rights")
        return False
    ok, why = sandbox.available()
    if not ok:
        if wanted == "on":
            raise SystemExit(f"COURSE_SANDBOX=on but no sandbox is possible: {why}")
        say(f"sandbox: unavailable ({why}); student code runs with the grader's rights")
        return False
    say("sandbox: bubblewrap (no network; only its own folder writable; memory, process and file limits)")
    return True


def _warm_kernels(say) -> bool:
    """Whether kernels are forked from a warm parent (``course/warm_kernels.py``), said once."""
    plan = warm_kernels.plan()
    say(f"kernels: {'warm' if plan.warm else 'cold'} ({plan.reason})")
    return plan.warm


def _uid_for(sid: str) -> int | None:
    from . import sandbox

    return sandbox.uid_for(zlib.crc32(sid.encode()) % 2000)


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


def threads_per_job(jobs: int) -> int:
    """The torch threads each of ``jobs`` kernels running side by side gets: the cores shared out, at least one."""
    return max(1, (os.cpu_count() or 1) // jobs)


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
    profile: Path | None = None,
) -> list[Row]:
    """Grade every submission in ``path``; ``timeout`` is per notebook; ``scheduler`` a Dask address.

    ``path`` may be any LMS's export (``course.term.intake``); ``roster`` a class list CSV (``course.term.roster``),
    ``times`` a CSV of submission times, ``extensions`` a CSV of extended due dates (``course.term.late``).  The
    results are merged into the class gradebook in ``out`` (``course.term.gradebook``), keeping any manual marks;
    ``only`` regrades that one student into it, leaving the others' rows as they are.  ``profile``: a file that gets
    one JSON line per cell graded (and per kernel started) with its seconds.

    Workers are forked from a multiprocessing fork server, which imports the calling script's main module in each
    worker (as multiprocessing does): call this from ``course grade``, a notebook, or a script whose work sits under
    ``if __name__ == "__main__":``.
    """
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    nonce = NONCE
    with tempfile.TemporaryDirectory(prefix=f"grade-{lab.id}-") as tmp:
        work = Path(tmp)
        gradebook, info = reference(course, lab, work)
        names = sorted(info)
        from .term import gradebook as class_gradebook
        from .term import record
        from .term.intake import read_export, read_times
        from .term.roster import read_roster

        export = read_export(path, work)
        if only is not None:
            if only not in export.submissions:
                raise SystemExit(f"--only {only}: no submission of that student in {path}")
            export.submissions = {only: export.submissions[only]}
        students = {sid: sub.files for sid, sub in export.submissions.items()}
        kind = "" if export.kind.value == "plain" else f" ({export.kind.value} export)"
        say(f"{lab.id}: {len(students)} submission(s) found in {path}{kind}")
        for note in export.notes:
            say(f"  {note}")
        prepare(lab, say)

        rows: dict[str, list[Row]] = {}
        tasks: dict[str, Task] = {}
        integrity: dict[str, dict] = {}
        for sid, files in students.items():
            rows[sid], notebooks, tampering = _read_student(sid, files, info, integrity)
            if notebooks:
                tasks[sid] = Task(
                    course_root=str(course.root),
                    lab=lab.id,
                    student=sid,
                    notebooks=notebooks,
                    gradebook=gradebook,
                    nonce=nonce,
                    tampering=tampering,
                    timeout=timeout * len(notebooks) + 120,
                    tmp=os.environ.get("COURSE_GRADE_TMP"),
                    feedback=feedback,
                )

        # one more job than cores: a student's grading waits on disk (sqlite commits) and on kernel start-up
        # handshakes, and the extra job fills those gaps (measured: MEASUREMENTS.md, scripts/benchmark.py)
        jobs = jobs or default_jobs()
        threads = threads_per_job(jobs)
        env = {
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "CUDA_VISIBLE_DEVICES": os.environ.get("COURSE_GRADE_CUDA_VISIBLE_DEVICES", ""),
        }
        sandboxed = _sandbox(say)
        warm = _warm_kernels(say)
        warm_modules = warm_kernels.modules_for(lab.notebooks) if warm else ()
        for sid, task in tasks.items():
            task.env = dict(env)
            task.settings = Settings(
                judge=lab.judged,
                notebook_timeout=int(timeout),
                sandbox=sandboxed,
                sandbox_uid=_uid_for(sid) if sandboxed else None,
                warm=warm,
                warm_modules=warm_modules,
                profile=str(Path(profile).resolve()) if profile else "",
            )

        seconds: dict[str, float] = {}
        for outcome in run_tasks(list(tasks.values()), jobs, scheduler, say):
            sid = outcome.student
            _record(outcome, rows[sid], tasks[sid], out)
            seconds[sid] = outcome.seconds
            say(f"  graded {sid} in {outcome.seconds:.1f} s" + (f" ({outcome.error})" if outcome.error else ""))

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
                nothing = Status(Kind.MISSING, "nothing submitted")
                rows[sid] = [Row(sid, name, max_score=info[name]["max_score"], status=nothing) for name in names]
        records = class_gradebook.build_records(
            course, lab, export, people, read_times(times) if times else {}, extensions, previous, only
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


def _read_student(sid: str, files: list[Path], info: dict, integrity: dict) -> tuple[list[Row], dict, dict]:
    """One student's files, matched, read, repaired and scanned: their rows, the notebooks to grade (name -> text)
    and what the integrity scan counts as tampering (name -> findings); the scan's report goes into ``integrity``."""
    names = sorted(info)
    chosen, rows = intake.choose(sid, files, {n: info[n]["grade_ids"] for n in names})
    notebooks: dict[str, str] = {}
    tampering: dict[str, list[str]] = {}
    for name in names:
        row = Row(sid, name, max_score=info[name]["max_score"])
        rows.append(row)
        if name not in chosen:
            row.status = Status(Kind.MISSING)
            continue
        f, how = chosen[name].path, chosen[name].how
        report = Report()
        if f.name != name:
            how_note = " (matched by content)" if how == "content" else ""
            report.notes.append(f"graded {f.name!r} as {name}{how_note}")
        try:
            nb = intake.load_submission(f, report)
            nb, report = repair(nb, info[name]["release"], report)
            scan(nb, info[name]["release"], report)
        except (ValueError, OSError) as exc:
            row.status = Status(Kind.CORRUPT, str(exc))
            continue
        except Exception as exc:  # a notebook that defeats the repair is still graded as it is
            report.notes.append(f"could not align with the release ({type(exc).__name__})")
            nb = intake.load_submission(f, report)
        row.notes, row.integrity = report.notes, report.summary()
        integrity.setdefault(sid, {})[name] = report.as_dict()
        if report.tampering:
            tampering[name] = report.tampering
        notebooks[name] = nbformat.writes(nb)
    return rows, notebooks, tampering


def default_jobs() -> int:
    """Submissions graded at once by default: the number of cores plus one."""
    return (os.cpu_count() or 1) + 1


def _record(outcome: Outcome, rows: list[Row], task: Task, out: Path) -> None:
    """The outcome of one student's worker, written out and into their rows."""
    sid = outcome.student
    for rel, blob in outcome.files.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob)
    (out / "logs").mkdir(exist_ok=True)
    (out / "logs" / f"{sid}.log").write_text(outcome.log, encoding="utf-8")
    for row in rows:
        if row.notebook not in task.notebooks or row.status.kind is not Kind.OK:
            continue
        got = outcome.scores.get(row.notebook)
        if got is None:
            row.status = Status(Kind.ERROR, outcome.error or "not graded")
            continue
        row.score, row.max_score = got.score, got.max_score
        row.needs_manual_grade = got.needs_manual_grade
        row.cells = got.cells
        findings = outcome.findings.get(row.notebook, [])
        extra = [f.text for f in findings]
        row.notes += extra
        row.status = policy.status(findings, outcome.error)
        row.integrity = "; ".join(x for x in (row.integrity, *extra) if x)


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
