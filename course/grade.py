"""``course grade LAB PATH``: autograde a class with nbgrader, one isolated course root per student.

PATH is a folder or a zip as a learning-management system exports it: one file or folder per student (a folder may
hold several notebooks, a file may be a notebook or a zip of them), any file names.  Each submitted file is matched
to a notebook of the lab by name (``Copy of X.ipynb``, ``X (1).ipynb`` and ``alice_X.ipynb`` mean ``X.ipynb``) or,
failing that, by content.  Every student is graded by ``nbgrader autograde`` in a course root of its own, with its
own copy of the gradebook, so students are graded in parallel and cannot touch each other's grades.

Writes into the output folder:
  grades.csv        one row per student and notebook: student,notebook,score,max_score,status,...
  scores.json       the same with every graded cell's score
  feedback/<student>/<notebook>.html   nbgrader feedback, hidden tests' code removed
  autograded/<student>/<notebook>.ipynb  the executed notebooks as graded
  logs/<student>.log  nbgrader's log
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import nbg, nbtools
from .config import Course, Lab

CSV_FIELDS = ["student", "notebook", "score", "max_score", "status", "needs_manual_grade", "notes"]
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

    def csv(self) -> dict:
        d = asdict(self)
        d.pop("cells")
        d["notes"] = "; ".join(self.notes)
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
    """student id -> the files they handed in."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        extracted = work / "extracted"
        extracted.mkdir(parents=True, exist_ok=True)
        safe_extract(path, extracted)
        entries = sorted(p for p in extracted.iterdir() if not _skip(p.relative_to(extracted)))
        # an LMS zip often wraps everything in one folder
        if len(entries) == 1 and entries[0].is_dir():
            entries = sorted(p for p in entries[0].iterdir() if not _skip(p.relative_to(entries[0])))
    elif path.is_dir():
        entries = sorted(p for p in path.iterdir() if not _skip(p.relative_to(path)))
    else:
        raise SystemExit(f"{path}: not a folder or a zip file")
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


def load_submission(path: Path):
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
    for cell in nb.cells:  # Colab-era cells may lack ids or carry execution metadata
        cell.metadata.pop("execution", None)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        nb = nbformat.validator.normalize(nb)[1] if hasattr(nbformat.validator, "normalize") else nb
    return nb


# Grading one student ---------------------------------------------------------------------------------------------
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


def sanitise_for_feedback(nb) -> None:
    """Remove hidden tests' code (and traceback lines that quote it) from a graded notebook."""
    for cell in nb.cells:
        meta = nbtools.nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cell.source = nbtools.strip_hidden_tests(cell.source, "# (hidden tests ran here; their code is not shown)")
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]


def grade_student(
    course: Course,
    lab: Lab,
    sid: str,
    notebooks: dict[str, object],
    template: Path,
    out: Path,
    timeout: float,
    env_extra: dict,
) -> tuple[dict[str, dict], str]:
    """Autograde one student's notebooks; returns per-notebook results and an error text ('' if none)."""
    root = out / ".work" / sid
    if root.exists():
        shutil.rmtree(root)
    nbg.make_root(course, lab, root, with_notebooks=False)
    shutil.copy2(template, root / "gradebook.db")
    sub = root / "submitted" / sid / lab.id
    sub.mkdir(parents=True)
    for name, nb in notebooks.items():
        nbtools.write(nb, sub / name)
    log = out / "logs" / f"{sid}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    cmd = [sys.executable, "-m", "course._worker", str(root), lab.id, sid]
    rc = _run_killable(cmd, root, nbg.nbgrader_env(env_extra), timeout, log)
    error = ""
    if rc == 124:
        error = f"timed out after {timeout:.0f} s"
    elif rc != 0:
        text = log.read_text(errors="replace")
        reason = re.findall(r"(DeadKernelError[^\n]*|CellTimeoutError[^\n]*|Kernel died[^\n]*)", text)
        error = reason[-1] if reason else f"nbgrader autograde failed (see logs/{sid}.log)"

    results = read_scores(course, root, lab.id, sid)
    graded_dir = root / "autograded" / sid / lab.id
    for path in graded_dir.glob("*.ipynb") if graded_dir.is_dir() else ():
        dest = out / "autograded" / sid / path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    for html in (root / "feedback" / sid / lab.id).glob("*.html"):
        target = out / "feedback" / sid / html.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(html, target)
    shutil.rmtree(root, ignore_errors=True)
    return results, error


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
def lab_reference(course: Course, lab: Lab, work: Path) -> tuple[Path, dict[str, dict]]:
    """Generate the gradebook once; return it with each notebook's grade ids and points."""
    root = nbg.make_root(course, lab, work / "reference")
    release = nbg.generate(root, lab.id)
    info = {}
    for path in sorted(release.glob("*.ipynb")):
        nb = nbtools.read(path)
        ids, points = set(), {}
        for cell in nb.cells:
            meta = nbtools.nbgrader_meta(cell)
            if meta.get("grade_id"):
                ids.add(meta["grade_id"])
            if meta.get("grade") or meta.get("task"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
        info[path.name] = {"grade_ids": ids, "points": points, "max_score": sum(points.values())}
    return root / "gradebook.db", info


def grade_class(
    course: Course, lab: Lab, path: Path, out: Path, jobs: int = 0, timeout: float = 900, quiet: bool = False
) -> list[Row]:
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    with tempfile.TemporaryDirectory(prefix=f"grade-{lab.id}-") as tmp:
        work = Path(tmp)
        template, info = lab_reference(course, lab, work)
        names = sorted(info)
        students = collect(path, work)
        say(f"{lab.id}: {len(students)} submission(s) found in {path}")

        rows: dict[str, list[Row]] = {}
        to_grade: dict[str, dict[str, object]] = {}
        for sid, files in students.items():
            rows[sid] = []
            chosen: dict[str, tuple[Path, str]] = {}
            for f in files:
                name, how = match_notebook(f, names, {n: info[n]["grade_ids"] for n in names})
                if name is None:
                    status = "ignored: not a notebook" if f.suffix.lower() != ".ipynb" else f"ignored: {how}"
                    if how == "unreadable":
                        status = "corrupt: " + _corrupt_reason(f)
                    rows[sid].append(Row(sid, f.name, status=status))
                    continue
                if name in chosen:
                    old, _ = chosen[name]
                    keep = f if normalise_name(f.name) == name[:-6].lower() and f.name == name else old
                    other = old if keep is f else f
                    chosen[name] = (keep, how if keep is f else chosen[name][1])
                    rows[sid].append(Row(sid, other.name, status=f"ignored: a second file for {name}"))
                else:
                    chosen[name] = (f, how)
            notebooks = {}
            for name in names:
                row = Row(sid, name, max_score=info[name]["max_score"])
                if name not in chosen:
                    row.status = "missing"
                    rows[sid].append(row)
                    continue
                f, how = chosen[name]
                if f.name != name:
                    how_note = " (matched by content)" if how == "content" else ""
                    row.notes.append(f"graded {f.name!r} as {name}{how_note}")
                try:
                    notebooks[name] = load_submission(f)
                except (ValueError, OSError) as exc:
                    row.status = f"corrupt: {exc}"
                rows[sid].append(row)
            if notebooks:
                to_grade[sid] = notebooks

        jobs = jobs or os.cpu_count() or 1
        threads = max(1, (os.cpu_count() or 1) // jobs)
        env_extra = {
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "CUDA_VISIBLE_DEVICES": os.environ.get("COURSE_GRADE_CUDA_VISIBLE_DEVICES", ""),
        }

        def work_one(sid: str):
            t0 = time.monotonic()
            results, error = grade_student(course, lab, sid, to_grade[sid], template, out, timeout, env_extra)
            return sid, results, error, time.monotonic() - t0

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for sid, results, error, seconds in pool.map(work_one, sorted(to_grade)):
                for row in rows[sid]:
                    if row.notebook not in to_grade[sid] or row.status != "ok":
                        continue
                    res = results.get(row.notebook)
                    if res is None:
                        row.status = f"error: {error or 'not graded'}"
                        continue
                    row.score, row.max_score = res["score"], res["max_score"]
                    row.needs_manual_grade = res["needs_manual_grade"]
                    row.cells = res["cells"]
                    if error:
                        row.status = f"error: {error}"
                say(f"  graded {sid} in {seconds:.1f} s")
        shutil.rmtree(out / ".work", ignore_errors=True)

    all_rows = [r for sid in sorted(rows) for r in rows[sid]]
    write_reports(all_rows, out)
    say(f"{lab.id}: graded {len(to_grade)} of {len(students)} submission(s) in {time.monotonic() - started:.1f} s")
    return all_rows


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
        }
    (out / "scores.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")


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


def main(course: Course, lab: Lab, path: Path, out: Path, jobs: int = 0, timeout: float = 900) -> int:
    if not Path(path).exists():
        print(f"course grade: {path} does not exist", file=sys.stderr)
        return 2
    rows = grade_class(course, lab, path, out, jobs=jobs, timeout=timeout)
    print()
    print(summary(rows))
    n_students = len({r.student for r in rows})
    print(f"\nwrote {out / 'grades.csv'}, {out / 'scores.json'} and feedback/ for {n_students} students")
    return 0
