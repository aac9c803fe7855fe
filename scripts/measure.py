"""Measure what MEASUREMENTS.md records.  Run from the repository root inside the venv:

    .venv/bin/python scripts/measure.py notebooks [--grading-only] [LAB ...]
                                          # each source notebook: grading mode and full mode
    .venv/bin/python scripts/measure.py build                 # `course build` and `course build --check`
    .venv/bin/python scripts/measure.py grade [LAB]           # seconds to grade one submission (the solved example)
    .venv/bin/python scripts/measure.py install               # pip install -r requirements.txt into a fresh venv

Prints a markdown table to paste into MEASUREMENTS.md.  (The test suite: `time make test`.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(cmd, **kw) -> float:
    t0 = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True, **kw)
    return time.monotonic() - t0


def notebooks(labs: list[str], grading_only: bool = False) -> None:
    from nbclient import NotebookClient

    from course import nbg, nbtools
    from course.config import Course

    course = Course.load(ROOT)
    os.environ["PATH"] = nbg.nbgrader_env()["PATH"]
    print("| notebook | grading mode (s) | full mode (s) |\n|---|---|---|")
    for lab in course.labs(labs or None):
        for path in lab.notebooks:
            times = []
            for mode in ("autograde",) if grading_only else ("autograde", None):
                if mode:
                    os.environ["NBGRADER_EXECUTION"] = mode
                else:
                    os.environ.pop("NBGRADER_EXECUTION", None)
                with tempfile.TemporaryDirectory() as tmp:
                    shutil.copytree(lab.source, tmp, dirs_exist_ok=True)
                    nb = nbtools.read(path)
                    t0 = time.monotonic()
                    where = {"metadata": {"path": tmp}}
                    client = NotebookClient(nb, timeout=3600, kernel_name="python3", resources=where)
                    client.execute()
                    times.append(time.monotonic() - t0)
            full = f"{times[1]:.1f}" if len(times) > 1 else "-"
            print(f"| {lab.id}/{path.name} | {times[0]:.1f} | {full} |", flush=True)


def build() -> None:
    full = run([sys.executable, "-m", "course", "build"])
    check = run([sys.executable, "-m", "course", "build", "--check"])
    print(f"| `course build` (all labs, executes solutions) | {full:.0f} s |")
    print(f"| `course build --check` | {check:.0f} s |")


def grade(lab: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "class"
        shutil.copytree(ROOT / "examples" / "submissions" / lab / "alice", one / "alice")
        proc = subprocess.run(
            [sys.executable, "-m", "course", "grade", lab, str(one), "-o", str(Path(tmp) / "out"), "-j", "1"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
    per_student = re.search(r"graded alice in ([\d.]+) s", proc.stdout).group(1)
    total = re.search(r"submission\(s\) in ([\d.]+) s", proc.stdout).group(1)
    print(f"| grade one {lab} submission (all its notebooks) | {per_student} s (whole command {total} s) |")


def install() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        seconds = run([str(venv / "bin" / "pip"), "install", "-q", "-r", "requirements.txt"])
    print(f"| `pip install -r requirements.txt` into a fresh venv | {seconds:.0f} s |")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "notebooks":
        args = sys.argv[2:]
        notebooks([a for a in args if not a.startswith("--")], grading_only="--grading-only" in args)
    elif what == "build":
        build()
    elif what == "grade":
        grade(sys.argv[2] if len(sys.argv) > 2 else "lab01")
    elif what == "install":
        install()
    else:
        sys.exit(__doc__)
