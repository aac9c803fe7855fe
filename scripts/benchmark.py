"""Benchmark class grading (a script, not a test).  From the repository root:

    .venv/bin/python scripts/benchmark.py [--lab lab01] [--students 40] [--notebooks 1_0_tensors.ipynb ...]
                                          [--jobs 0] [--plain-students N] [--raw-students N]
                                          [--phases warm,cold,plain,raw] [--feedback]

Builds a class of N submissions of the whole lab (70 % solved, 15 % blank, 15 % with wrong answers from the mutant
bank), then times
  A. `course grade` (parallel, sandboxed when possible, no feedback HTML unless --feedback) with warm kernels
     (course/warm_kernels.py), and A0. the same with kernels started cold (COURSE_WARM_KERNELS=off);
  B. plain sequential `nbgrader autograde` (one course root, nbgrader's own Execute), on --plain-students students
     (default: all) with the class's mix of solved, blank and wrong, scaled to the class;
  C. raw execution of the same notebooks with nbclient, with A's parallelism (no nbgrader at all), which also gives
     the students' own cell time: the sum of every cell's run time, the physical limit (divided by the jobs);
     on --raw-students students (default: all, sampled as for B), scaled to the class;
and prints seconds per submission, the ratios A/B and A/(cell time / jobs), the peak memory of A's processes, and
where A's time goes (kernel starts, the students' cells, the judged test cells; the costliest cells).
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
from course.grade import default_jobs, grade_class, threads_per_job  # noqa: E402
from tests import mutants  # noqa: E402


def make_class(lab, names: list[str], n: int, folder: Path) -> None:
    rng = random.Random(0)
    banks = mutants.load(lab.id)
    for i in range(n):
        sid = f"s{i:03d}"
        kind = kind_of(i)
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


def raw_execution(students: list[Path], jobs: int, lab) -> tuple[float, float]:
    """Seconds of the whole run, and the sum of the cells' own run times (nbclient's timing metadata)."""
    from datetime import datetime

    from nbclient import NotebookClient

    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ["PATH"] = nbg.nbgrader_env()["PATH"]
    # as many torch threads per kernel as `course grade` gives its workers: more would fight over the cores
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads_per_job(jobs))
    paths = [p for student in students for p in sorted(student.glob("*.ipynb"))]

    def run(path: Path) -> float:
        nb = nbtools.read(path)
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(lab.source, tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.ipynb"))
            NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True, record_timing=True,
                           resources={"metadata": {"path": tmp}}).execute()  # fmt: skip
        seconds = 0.0
        for cell in nb.cells:
            timing = cell.get("metadata", {}).get("execution", {})
            if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
                start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                              for k in ("iopub.execute_input", "shell.execute_reply"))  # fmt: skip
                seconds += (end - start).total_seconds()
        return seconds

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        cells = sum(pool.map(run, paths))
    return time.monotonic() - t0, cells


class PeakMemory:
    """The largest total resident memory of this process and all its descendants, sampled twice a second."""

    def __init__(self):
        import threading

        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.5):
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def progress(line: str) -> None:
    """Each phase's figure as soon as it is known (a long run interrupted still leaves what it measured)."""
    print(line, file=sys.stderr, flush=True)


def where_the_time_goes(profile: Path, wall: float, jobs: int, top: int = 8) -> list[str]:
    """The profile written by the grading (one JSON line per cell and per kernel start): seconds by kind, the rest of
    the workers' time (starting workers and warm parents, nbgrader's bookkeeping, idle slots), and the cells that
    cost most over the whole class."""
    import json
    from collections import Counter

    by_kind: Counter = Counter()
    by_cell: Counter = Counter()
    for line in profile.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        by_kind[entry["what"]] += entry["seconds"]
        if entry["what"] != "kernel start":
            label = entry["grade_id"] or f"cell {entry['cell']}"
            by_cell[f"{entry['notebook']}: {label} ({entry['what']})"] += entry["seconds"]
    total = wall * jobs
    by_kind["outside the notebooks' cells"] = max(0.0, total - sum(by_kind.values()))
    lines = [f"where the grading's time goes ({wall:.0f} s x {jobs} workers = {total:.0f} worker-seconds):"]
    lines += [f"  {what}: {seconds:.0f} s ({100 * seconds / total:.0f} %)" for what, seconds in by_kind.most_common()]
    lines += [f"  {seconds:7.1f} s  {label}" for label, seconds in by_cell.most_common(top)]
    return lines


def kind_of(i: int) -> str:
    """The class's mix: 70 % solved, 15 % blank, 15 % with a wrong answer."""
    return "solved" if i % 20 < 14 else "blank" if i % 20 < 17 else "wrong"


def sample(cls: Path, k: int) -> list[Path]:
    """k students with the class's mix of kinds (solved students take longest: the first k would all be solved)."""
    students = sorted(cls.iterdir())
    kinds: dict[str, list[Path]] = {}
    for i, student in enumerate(students):
        kinds.setdefault(kind_of(i), []).append(student)
    spread = sorted((((j + 0.5) / len(group), student) for group in kinds.values() for j, student in enumerate(group)))
    return sorted(student for _, student in spread[:k])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lab", default="lab01")
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--notebooks", nargs="*", default=None)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--plain-students", type=int, default=None, help="B on this many students, scaled")
    ap.add_argument("--raw-students", type=int, default=None, help="C on this many students, scaled")
    ap.add_argument("--phases", default="warm,cold,plain,raw", help="of A (warm), A0 (cold), B (plain), C (raw)")
    ap.add_argument("--feedback", action="store_true", help="A also writes the feedback HTML")
    args = ap.parse_args()
    phases = set(args.phases.split(","))
    course = Course.load(ROOT)
    (lab,) = course.labs([args.lab])
    names = args.notebooks or [p.name for p in lab.notebooks]
    jobs = args.jobs or default_jobs()
    n = args.students
    nan = float("nan")
    t_warm = t_cold = t_plain = t_raw = t_cells = nan
    k = r = n
    peak, profile = 0, []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        make_class(lab, names, n, work / "class")
        if "warm" in phases:
            with PeakMemory() as memory:
                t0 = time.monotonic()
                grade_class(course, lab, work / "class", work / "out", jobs=jobs, quiet=True, feedback=args.feedback,
                            profile=work / "profile.jsonl")  # fmt: skip
                t_warm = time.monotonic() - t0
            peak = memory.peak
            progress(f"A. warm kernels: {t_warm:.0f} s; peak memory {peak / 2**30:.1f} GiB")
            profile = where_the_time_goes(work / "profile.jsonl", t_warm, jobs)
            progress("\n".join(profile))
        if "cold" in phases:
            os.environ["COURSE_WARM_KERNELS"] = "off"
            t0 = time.monotonic()
            grade_class(course, lab, work / "class", work / "out0", jobs=jobs, quiet=True, feedback=args.feedback)
            t_cold = time.monotonic() - t0
            del os.environ["COURSE_WARM_KERNELS"]
            progress(f"A0. cold kernels: {t_cold:.0f} s")
        if "plain" in phases:
            k = min(n, args.plain_students or n)
            chosen = work / "plain-class"
            for student in sample(work / "class", k):
                shutil.copytree(student, chosen / student.name)
            t_plain = plain_nbgrader(course, lab, chosen, work) * n / k
            progress(f"B. sequential nbgrader on {k}, scaled to {n}: {t_plain:.0f} s")
        if "raw" in phases:
            r = min(n, args.raw_students or n)
            t_raw, t_cells = (t * n / r for t in raw_execution(sample(work / "class", r), jobs, lab))
            progress(f"C. raw execution on {r}, scaled to {n}: {t_raw:.0f} s; students' own cells: {t_cells:.0f} s")
    limit = t_cells / jobs

    def row(label: str, seconds: float, measured_on: int = n) -> None:
        scaled = f" (measured on {measured_on}, scaled)" if measured_on < n else ""
        print(f"| {label}{scaled} | {seconds:.0f} s | {seconds / n:.2f} s per submission |")

    print(f"class: {n} {lab.id} submissions x {len(names)} notebook(s); {jobs} parallel jobs; {os.cpu_count()} cores"
          + (" (feedback HTML written)" if args.feedback else ""))  # fmt: skip
    row("`course grade`, warm kernels", t_warm)
    row("`course grade`, cold kernels", t_cold)
    row("sequential `nbgrader autograde`", t_plain, k)
    row(f"raw execution (nbclient, {jobs} in parallel)", t_raw, r)
    row(f"the students' own cells (sum {t_cells:.0f} s, / {jobs} jobs)", limit, r)
    print("\n".join(profile))
    print(
        f"speed-up vs sequential nbgrader: {t_plain / t_warm:.2f}x (cold kernels: {t_plain / t_cold:.2f}x); "
        f"warm vs cold: {t_cold / t_warm:.2f}x; grading time / students' own cell time: {t_warm / limit:.2f}x; "
        f"overhead vs raw execution: {t_warm / t_raw:.2f}x; peak memory of the grading: {peak / 2**30:.1f} GiB"
    )


if __name__ == "__main__":
    main()
