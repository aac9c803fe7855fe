"""Measure what MEASUREMENTS.md records.  Run from the repository root inside the venv:

    .venv/bin/python scripts/measure.py notebooks [--grading-only] [LAB ...]
                                          # each source notebook: grading mode and full mode
    .venv/bin/python scripts/measure.py build                 # `course build` and `course build --check`
    .venv/bin/python scripts/measure.py grade [LAB]           # seconds to grade one submission (the solved example)
    .venv/bin/python scripts/measure.py install               # pip install -r requirements.txt into a fresh venv
    .venv/bin/python scripts/measure.py judge                 # one call each way between the judge and a kernel
    .venv/bin/python scripts/measure.py class LAB             # grade the suite's test class of LAB, with a profile
    .venv/bin/python scripts/measure.py accuracy LAB/NB.ipynb [DATASET]
                                          # run a solution in full mode (optionally with DATASET = "fashion_mnist"
                                          # and the like) and print its accuracy lines with the time
    .venv/bin/python scripts/measure.py resnet [DATASET]      # lab 5.4's SmallResNet alone: time and test accuracy

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


def accuracy(target: str, dataset: str | None = None) -> None:
    from nbclient import NotebookClient

    from course import nbg, nbtools

    os.environ["PATH"] = nbg.nbgrader_env()["PATH"]
    os.environ.pop("NBGRADER_EXECUTION", None)
    path = ROOT / "source" / target
    nb = nbtools.read(path)
    for cell in nb.cells:
        cell.source = nbtools.strip_hidden_tests(cell.source, "") if cell.cell_type == "code" else cell.source
        if dataset and cell.cell_type == "code" and re.search(r'^DATASET = "mnist"', cell.source, re.M):
            cell.source = re.sub(r'^DATASET = "mnist"', f"DATASET = {dataset!r}", cell.source, flags=re.M)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(path.parent, tmp, dirs_exist_ok=True)
        t0 = time.monotonic()
        NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()
        seconds = time.monotonic() - t0
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            for line in str(out.get("text", "")).splitlines():
                if re.search(r"accuracy|error rate|trained in", line, re.I) and "visible checks" not in line:
                    print("   ", line.strip())
    print(f"| {target} ({dataset or 'as written'}, full mode) | {seconds:.0f} s for the whole notebook |")


def resnet(dataset: str = "fashion_mnist") -> None:
    """Train lab 5.4's SmallResNet alone, as the notebook does (full mode), on ``dataset``; print time and accuracy."""
    from nbclient import NotebookClient

    from course import nbg, nbtools

    os.environ["PATH"] = nbg.nbgrader_env()["PATH"]
    os.environ.pop("NBGRADER_EXECUTION", None)
    path = ROOT / "source" / "lab05" / "5_4_topologies.ipynb"
    nb = nbtools.read(path)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or nbtools.nbgrader_meta(cell).get("grade"):
            continue  # no test cells
        if "for name, make in (" in cell.source:  # the comparison: SmallResNet alone, timed
            cell.source = cell.source[: cell.source.index("results = {}")] + (
                "import time\n"
                "course.seed_everything(7)\n"
                "_t0 = time.monotonic()\n"
                "_acc = train_and_evaluate(SmallResNet())\n"
                "print(f'SmallResNet on {DATASET}: {len(train_data)} training images, {EPOCHS} epochs, '\n"
                "      f'trained in {time.monotonic() - _t0:.0f} s; test accuracy {_acc:.2%}')\n"
            )
            cells.append(cell)
            break
        cell.source = re.sub(r'^DATASET = "mnist"', f"DATASET = {dataset!r}", cell.source, flags=re.M)
        cells.append(cell)
    nb.cells = cells
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(path.parent, tmp, dirs_exist_ok=True)
        NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()
    print(next(line for o in nb.cells[-1].outputs for line in str(o.get("text", "")).splitlines() if "trained" in line))


def install() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        seconds = run([str(venv / "bin" / "pip"), "install", "-q", "-r", "requirements.txt"])
    print(f"| `pip install -r requirements.txt` into a fresh venv | {seconds:.0f} s |")


JUDGE_STUDENT = """import torch
def double(x):
    return 2 * x
def train(loss_fn, steps):
    w = torch.zeros(2, requires_grad=True)
    for _ in range(steps):
        loss_fn(w).backward()
    return w.grad
"""
JUDGE_TEST = """# times the judge's calls
import time
check_close(double(torch.ones(2)), [2.0, 2.0], "double")
### BEGIN HIDDEN TESTS
_t0 = time.perf_counter()
for _ in range({calls}):
    double(torch.ones(2))
_t1 = time.perf_counter()
train(lambda w: (w * w).sum(), {calls})
_t2 = time.perf_counter()
print(f"RESULT {{(_t1 - _t0) / {calls} * 1000:.2f}} {{(_t2 - _t1) / {calls} * 1000:.2f}}")
### END HIDDEN TESTS
"""


def judge(calls: int = 500) -> None:
    """A judged test cell calling a student's function ``calls`` times, then the student's loop calling a function
    of the test ``calls`` times (a callback); milliseconds per call."""
    from nbformat.v4 import new_code_cell, new_notebook

    from course.nbgrader_ext import SafeExecute

    test = new_code_cell(JUDGE_TEST.format(calls=calls))
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1, "locked": True}
    nb = new_notebook(cells=[new_code_cell(JUDGE_STUDENT), test])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with tempfile.TemporaryDirectory() as folder:
        executed, _ = SafeExecute(judge=True, timeout=120).preprocess(nb, {"metadata": {"path": folder}})
    text = "".join(o.get("text", "") for o in executed.cells[1].outputs)
    found = re.search(r"RESULT ([0-9.]+) ([0-9.]+)", text)
    if not found:
        sys.exit(f"the judged cell did not report its times:\n{executed.cells[1].outputs}")
    print(f"| a student's function called from a judged test | {found[1]} ms per call ({calls} calls) |")
    print(f"| a function of the test called by the student's code (callback) | {found[2]} ms per call |")


def test_class(lab_id: str) -> None:
    """Grade a lab's test class (what the suite grades: source, release, the selected mutants) with a profile of
    where the time goes (scripts/benchmark.py reads it)."""
    from benchmark import where_the_time_goes

    from course.config import Course
    from course.grade import default_jobs, grade_class
    from tests.conftest import write_class

    course = Course.load(ROOT)
    (lab,) = course.labs([lab_id])
    with tempfile.TemporaryDirectory(prefix=f"class-{lab_id}-") as tmp:
        folder = Path(tmp)
        write_class(lab, folder / "in")
        students = sum(1 for _ in (folder / "in").iterdir())
        t0 = time.monotonic()
        jobs = default_jobs()
        rows = grade_class(course, lab, folder / "in", folder / "out", jobs=jobs, quiet=True, feedback=False,
                           profile=folder / "profile.jsonl")  # fmt: skip
        wall = time.monotonic() - t0
        print(f"{lab_id}'s test class: {students} students, {len(rows)} rows, graded in {wall:.0f} s ({jobs} jobs)")
        print("\n".join(where_the_time_goes(folder / "profile.jsonl", wall, jobs, top=15)))


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "notebooks":
        args = sys.argv[2:]
        notebooks([a for a in args if not a.startswith("--")], grading_only="--grading-only" in args)
    elif what == "build":
        build()
    elif what == "grade":
        grade(sys.argv[2] if len(sys.argv) > 2 else "lab01")
    elif what == "accuracy":
        accuracy(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif what == "resnet":
        resnet(*sys.argv[2:3])
    elif what == "install":
        install()
    elif what == "judge":
        judge()
    elif what == "class":
        test_class(sys.argv[2] if len(sys.argv) > 2 else "lab01")
    else:
        sys.exit(__doc__)
