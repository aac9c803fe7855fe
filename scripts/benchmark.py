"""Benchmark class grading on lab 1 (a script, not a test).  From the repository root:

    .venv/bin/python scripts/benchmark.py [--students 40] [--notebooks 1_0_tensors.ipynb ...] [--jobs 0]

Builds a class of N submissions (70 % solved, 15 % blank, 15 % with wrong answers from the mutant bank), then times
  A. `course grade` (parallel, sandboxed when possible), with feedback HTML and without it (nbgrader's own
     autograde, B, makes none),
  B. plain sequential `nbgrader autograde` on the same class (one course root, nbgrader's own Execute),
  C. raw execution of the same notebooks with nbclient, with A's parallelism (no nbgrader at all),
and prints seconds per submission, the speed-up A vs B, and the overhead A / C.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course import nbg, nbtools  # noqa: E402
from course.config import Course  # noqa: E402
from course.grade import default_jobs, grade_class  # noqa: E402
from tests import mutants  # noqa: E402


def make_class(lab, names: list[str], n: int, folder: Path) -> None:
    rng = random.Random(0)
    banks = mutants.load(lab.id)
    for i in range(n):
        sid = f"s{i:03d}"
        kind = "solved" if i % 20 < 14 else "blank" if i % 20 < 17 else "wrong"
        for name in names:
            blank = nbtools.read(ROOT / "release" / lab.id / name)
            answers = nbtools.solution_sources(nbtools.read(lab.source / name))
            if kind == "solved":
                nb = nbtools.fill(blank, answers)
            elif kind == "blank":
                nb = blank
            else:
                wrong = [m for m in banks.get(name, []) if m["kind"] == "wrong"]
                m = rng.choice(wrong)
                nb = nbtools.fill(blank, {**answers, m["cell"]: m["source"]})
            nbtools.write(nb, folder / sid / name)


def plain_nbgrader(course, lab, cls: Path, work: Path) -> float:
    root = nbg.make_root(course, lab, work / "plain")
    # the same settings without the course's extensions: nbgrader's own Execute, no sandbox
    cfg = (root / "nbgrader_config.py").read_text().replace("from course.nbgrader_ext import", "raise ImportError #")
    (root / "nbgrader_config.py").write_text(cfg)
    nbg.generate(root, lab.id)
    for student in sorted(cls.iterdir()):
        shutil.copytree(student, root / "submitted" / student.name / lab.id)
    t0 = time.monotonic()
    proc = nbg.run(root, "autograde", lab.id)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
    return time.monotonic() - t0


def raw_execution(cls: Path, jobs: int, lab) -> float:
    from nbclient import NotebookClient

    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ["PATH"] = nbg.nbgrader_env()["PATH"]
    paths = sorted(cls.rglob("*.ipynb"))

    def run(path: Path) -> None:
        nb = nbtools.read(path)
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(lab.source, tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.ipynb"))
            NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": tmp}}).execute()  # fmt: skip

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, paths))
    return time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--notebooks", nargs="*", default=None)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--skip-plain", action="store_true", help="skip B (sequential nbgrader does not depend on --jobs)")
    args = ap.parse_args()
    course = Course.load(ROOT)
    (lab,) = course.labs(["lab01"])
    names = args.notebooks or [p.name for p in lab.notebooks]
    jobs = args.jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        make_class(lab, names, args.students, work / "class")
        t0 = time.monotonic()
        grade_class(course, lab, work / "class", work / "out", jobs=jobs, quiet=True)
        t_course = time.monotonic() - t0
        t0 = time.monotonic()
        grade_class(course, lab, work / "class", work / "out2", jobs=jobs, quiet=True, feedback=False)
        t_nofb = time.monotonic() - t0
        t_plain = float("nan") if args.skip_plain else plain_nbgrader(course, lab, work / "class", work)
        t_raw = raw_execution(work / "class", jobs, lab)
    n = args.students
    print(f"class: {n} lab-1 submissions x {len(names)} notebook(s) ({', '.join(names)}); {jobs} parallel jobs; "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"| `course grade` | {t_course:.0f} s | {t_course / n:.2f} s per submission |")
    print(f"| `course grade`, no feedback HTML | {t_nofb:.0f} s | {t_nofb / n:.2f} s per submission |")
    print(f"| sequential `nbgrader autograde` | {t_plain:.0f} s | {t_plain / n:.2f} s per submission |")
    print(f"| raw execution (nbclient, {jobs} in parallel) | {t_raw:.0f} s | {t_raw / n:.2f} s per submission |")
    print(f"speed-up vs sequential nbgrader: {t_plain / t_course:.2f}x ({t_plain / t_nofb:.2f}x without feedback); "
          f"overhead vs raw execution: {t_course / t_raw:.2f}x ({t_nofb / t_raw:.2f}x without feedback)")  # fmt: skip


if __name__ == "__main__":
    main()
