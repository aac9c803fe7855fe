"""Classes of broken, renamed and hostile submissions, each graded in parallel in one run (issue: grading safely).

Every case names what it does and what it deserves: its score, the status of its row and a note of the integrity
report.  The main battery is lab01/1_0_tensors (10 points: neuron_sum 2, neuron_matmul 2, two_layer 2,
pairwise 3 + 1 without loops);
a second one, at the end, is lab03/3_3_nn_blocks, a notebook that reads the MNIST cache and trains.
"""

from __future__ import annotations

import copy
import json
import os

import nbformat
import pytest

from course import data, nbtools, sandbox
from course.grade import grade_class
from tests.conftest import COURSE, ROOT

LAB = "lab01"
NB = "1_0_tensors.ipynb"
SANDBOXED = sandbox.mode() != "off" and sandbox.available()[0]
# The main battery's time limit per notebook.  A case that stops takes 4-10 s; the infinite loop runs until the limit
# and the battery waits for it (90 s made the battery about 110 s long).
BATTERY_TIMEOUT = 30


def solved():
    release = nbtools.read(ROOT / "release" / LAB / NB)
    answers = nbtools.solution_sources(nbtools.read(ROOT / "source" / LAB / NB))
    return nbtools.fill(release, answers), answers


def with_answer(cell: str, code: str, prepend: bool = False, replace: bool = False):
    nb, answers = solved()
    new = code if replace else (code + "\n" + answers[cell] if prepend else answers[cell] + "\n" + code)
    return nbtools.fill(nb, {cell: new})


def cells_by_id(nb):
    return {nbtools.nbgrader_meta(c).get("grade_id"): c for c in nb.cells if nbtools.nbgrader_meta(c)}


def strip_metadata(nb):
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def delete_cell(nb, grade_id):
    nb.cells = [c for c in nb.cells if nbtools.nbgrader_meta(c).get("grade_id") != grade_id]
    return nb


def move_test_before_answer(nb):
    ids = [nbtools.nbgrader_meta(c).get("grade_id") for c in nb.cells]
    test = nb.cells.pop(ids.index("test_two_layer"))
    nb.cells.insert(ids.index("two_layer"), test)
    return nb


def colab_shaped(nb):
    raw = json.loads(nbformat.writes(nb))
    raw["nbformat_minor"] = 0
    raw["metadata"] = {"colab": {"provenance": [], "name": "Copy of 1_0_tensors.ipynb"}, "accelerator": "GPU",
                       "kernelspec": {"name": "python3", "display_name": "Python 3"}}  # fmt: skip
    for n, cell in enumerate(raw["cells"]):
        cell.pop("id", None)
        cell["metadata"]["id"] = f"colabid{n}"
        if cell["cell_type"] == "code":
            cell["metadata"]["outputId"] = f"out{n}"
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["stale output\n"]}]
            cell["execution_count"] = n
    return raw


def retype_test_cell(nb):
    cell = cells_by_id(nb)["test_pairwise_sq_dist"]
    idx = nb.cells.index(cell)
    md = nbformat.v4.new_markdown_cell(cell.source)
    md.metadata = cell.metadata
    nb.cells[idx] = md
    return nb


def edit_test_cell(nb):
    cells_by_id(nb)["test_pairwise_sq_dist"].source = "pass  # tests? what tests"
    return nb


def wrong_pairwise(nb):
    return nbtools.fill(nb, {"pairwise_sq_dist": "def pairwise_sq_dist(a, b):\n    return (a - b).abs().sum()"})


def add_cells(nb):
    nb.cells.insert(5, nbformat.v4.new_code_cell("print('my own experiment')"))
    nb.cells.append(nbformat.v4.new_markdown_cell("My notes at the end."))
    return nb


def experiment_at_the_end(nb):
    nb.cells.append(nbformat.v4.new_code_cell("while True:  # an experiment that never ends\n    pass"))
    return nb


def kernel(nb, name):
    nb.metadata["kernelspec"] = {"name": name, "display_name": name, "language": "python"}
    return nb


def huge_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 2_000_000)]
    return nb


ALWAYS_EQUAL = """
class AlwaysEqual:
    shape = (1, 1)
    def __eq__(self, other):
        return True
    def __float__(self):
        return 0.1595
y_sum = AlwaysEqual()
"""
PATCH_CHECKS = """
import course.checks
course.checks.check_close = lambda *a, **k: None
y_sum = torch.zeros(1, 1)
"""
PATCH_TORCH = "torch.testing.assert_close = lambda *a, **k: None"
REDEFINE_CHECK = "def check_close(*args, **kwargs):\n    pass"
IPYTHON_HOOK = "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"
FORK_BOMB = "import subprocess\nkids = [subprocess.Popen(['sleep', '60']) for _ in range(5000)]"
READ_SECRETS = f"""
import os
secrets = ['../gradebook.db', '../../../gradebook.db', '{ROOT}/gradebook.db', '{ROOT}/source/lab01/1_0_tensors.ipynb',
           '{ROOT}/tests/test_hostile.py', '{ROOT}/solutions/lab01/1_0_tensors.ipynb']
found = [p for p in secrets if os.path.exists(p)]
assert not found, found
"""
# nbgrader runs a notebook in its own folder, where the notebooks it grades hold the hidden tests; the kernel runs in
# a working folder of its own (course/grader/processes.py: grade_one), from which no file with hidden tests is in reach
READ_HIDDEN_ON_DISK = """
import glob, os
_tag = 'BEGIN ' + 'HIDDEN'
_found = []
for _place in ['.', '..', '../..', os.environ.get('JUPYTER_RUNTIME_DIR', '.'), '/tmp']:
    for _p in glob.glob(os.path.join(_place, '**', '*'), recursive=True):
        try:
            if os.path.isfile(_p) and _tag in open(_p, errors='ignore').read():
                _found.append(_p)
        except OSError:
            pass
assert not _found, _found
"""
WRITE_OUTSIDE = """
import os
for p in ['/root/pwned', os.path.expanduser('~/pwned'), '../../../gradebook.db', '/work/pwned']:
    try:
        open(p, 'w').write('x')
    except OSError:
        pass
"""
NETWORK = """
import socket
try:
    socket.create_connection(('1.1.1.1', 80), timeout=3)
    raise SystemExit('network reachable')
except OSError:
    pass
"""

# Attacks written as a student would, with the names built at run time so that no static scan can see them; the
# hidden tests run in the judge (course/judge), so each must be graded as it deserves whatever the kernel does.
REWRITE_LATER_CELLS = """
y_sum = torch.zeros(1, 1)  # wrong
_ip = globals()['get_' + 'ipython']()
def _keep_markers(lines):
    kept = [line for line in lines if '##course' in line]
    return kept or lines
getattr(_ip, 'input_trans' + 'formers_post').append(_keep_markers)
"""
PATCH_CHECK_CODE = """
y_sum = torch.zeros(1, 1)  # wrong
_m = __import__('importlib').import_module('course.' + 'chec' + 'ks')
for _n in dir(_m):
    _f = getattr(_m, _n)
    if _n.startswith('check') and hasattr(_f, '__code__'):
        setattr(_f, '__co' + 'de__', (lambda *a, **k: None).__code__)
"""
EXFILTRATE_SOURCES = """
import base64
_ip = globals()['get_' + 'ipython']()
_seen = []
def _copy(info):
    _seen.append(base64.b64encode(info.raw_cell.encode()).decode())
    print('\\n'.join(_seen))
getattr(_ip, 'ev' + 'ents').register('pre_' + 'run_cell', _copy)
"""

CACHED = sorted(p.name for p in data.root().iterdir()) if data.root().is_dir() else []
# the kernel (HOME elsewhere, sandboxed or not) must find the grader's data cache, not an empty one of its own
DATA_VISIBLE = f"""
import course.data
assert str(course.data.root()) == {str(data.root())!r}, course.data.root()
root = course.data.root()
assert (sorted(p.name for p in root.iterdir()) if root.is_dir() else []) == {CACHED!r}, root
"""


def case(build, score, status="ok", note=None, cells=None):
    return build, score, status, note, cells or {}


# name -> (build (file name, content), expected score, status prefix, integrity note or None, {test: score})
CASES = {
    "good": case(lambda: (NB, solved()[0]), 10),
    "colab_copy": case(lambda: (f"Copy of {NB}", colab_shaped(solved()[0])), 10, note="Copy of"),
    "duplicate_name": case(lambda: ("1_0_tensors (1).ipynb", solved()[0]), 10, note="(1)"),
    "student_prefix": case(lambda: ("s1234567_1_0_tensors.ipynb", solved()[0]), 10, note="s1234567_"),
    "metadata_lost": case(lambda: (NB, strip_metadata(solved()[0])), 10, note="re-attached"),
    "test_cell_deleted": case(
        lambda: (NB, delete_cell(solved()[0], "test_pairwise_sq_dist")), 10, note="deleted test cell"
    ),
    "test_cell_edited": case(
        lambda: (NB, edit_test_cell(wrong_pairwise(solved()[0]))), 6, note="edited locked cell",
        cells={"test_pairwise_sq_dist": 0},
    ),
    "test_cell_retyped": case(lambda: (NB, retype_test_cell(solved()[0])), 10, note="cell type restored"),
    "cells_reordered": case(lambda: (NB, move_test_before_answer(solved()[0])), 10, note="reordered"),
    "cells_added": case(lambda: (NB, add_cells(solved()[0])), 10, note="added or edited"),
    # cells after the last graded cell are not run while grading: the notebook is not stopped at its time limit
    "endless_experiment_at_the_end": case(lambda: (NB, experiment_at_the_end(solved()[0])), 10),
    "old_nbformat_v3": case(lambda: (NB, nbformat.writes(nbformat.convert(solved()[0], 3))), 10, note="format 3"),
    "other_kernel": case(lambda: (NB, kernel(solved()[0], "pytorch-gpu")), 10, note="replaced by python3"),
    "huge_outputs": case(lambda: (NB, huge_outputs(solved()[0])), 10, note="outputs cleared"),
    "always_equal": case(
        lambda: (NB, with_answer("neuron_sum", ALWAYS_EQUAL, replace=True)), 8, note="always returns True",
        cells={"test_neuron_sum": 0},
    ),
    "hard_coded": case(
        lambda: (NB, with_answer("two_layer", "y_two_layer = torch.tensor([[0.3171]])", replace=True)), 8,
        cells={"test_two_layer": 0},
    ),
    "patch_course_checks": case(
        lambda: (NB, with_answer("neuron_sum", PATCH_CHECKS, replace=True)), 0, "tampered", "TAMPERING"
    ),
    "patch_torch_testing": case(
        lambda: (NB, with_answer("two_layer", PATCH_TORCH)), 0, "tampered", "assigns torch.testing.assert_close"
    ),
    "redefine_check": case(
        lambda: (NB, with_answer("neuron_sum", REDEFINE_CHECK)), 0, "tampered", "redefines check_close"
    ),
    "ipython_hook": case(lambda: (NB, with_answer("neuron_sum", IPYTHON_HOOK)), 0, "tampered", "hooks IPython"),
    "sys_exit": case(lambda: (NB, with_answer("neuron_sum", "import sys\nsys.exit(0)")), 10, note="sys.exit"),
    "os_exit": case(
        lambda: (NB, with_answer("pairwise_sq_dist", "import os\nos._exit(1)", prepend=True)), 6,
        "error: kernel died", "kernel died", {"test_pairwise_sq_dist": 0},
    ),
    "infinite_loop": case(  # interrupted and graded on (plain kernel), or stopped at the time limit (sandboxed)
        lambda: (NB, with_answer("pairwise_sq_dist", "while True:\n    pass", prepend=True)), 6,
        ("ok", "error: time limit"), cells={"test_pairwise_sq_dist": 0},
    ),
    "rewrite_later_cells": case(
        lambda: (NB, with_answer("neuron_sum", REWRITE_LATER_CELLS, replace=True)), 8, cells={"test_neuron_sum": 0}
    ),
    "patch_check_code": case(
        lambda: (NB, with_answer("neuron_sum", PATCH_CHECK_CODE, replace=True)), 8, cells={"test_neuron_sum": 0}
    ),
    "exfiltrate_sources": case(lambda: (NB, with_answer("neuron_sum", EXFILTRATE_SOURCES)), 10),
    "sees_data_cache": case(lambda: (NB, with_answer("neuron_sum", DATA_VISIBLE, prepend=True)), 10),
    "corrupt_json": case(lambda: (NB, '{"cells": [ {"cell_type": "code", '), 0, "corrupt"),
    "not_a_notebook": case(lambda: (NB, "%PDF-1.4 binary junk"), 0, "corrupt"),
    "empty_file": case(lambda: (NB, ""), 0, "corrupt"),
}  # fmt: skip
if SANDBOXED:  # what only a sandbox can stop (without one, a memory bomb would meet the OOM killer instead)
    CASES |= {
        "memory_bomb": case(
            lambda: (NB, with_answer("pairwise_sq_dist", "hog = bytearray(40 * 1024**3)", prepend=True)), 6, "",
            cells={"test_pairwise_sq_dist": 0},
        ),
        "fork_bomb": case(
            lambda: (NB, with_answer("pairwise_sq_dist", FORK_BOMB, prepend=True)), 6, "",
            cells={"test_pairwise_sq_dist": 0},
        ),
        "read_secrets": case(lambda: (NB, with_answer("neuron_sum", READ_SECRETS)), 10),
        "read_hidden_tests_on_disk": case(lambda: (NB, with_answer("neuron_sum", READ_HIDDEN_ON_DISK)), 10),
        "write_outside": case(lambda: (NB, with_answer("neuron_sum", WRITE_OUTSIDE)), 10),
        "network": case(lambda: (NB, with_answer("neuron_sum", NETWORK)), 10),
    }  # fmt: skip


def grade_battery(folder, lab_id: str, nb_name: str, cases: dict, timeout: float):
    """Write every case as one student's submission, grade them as one class; rows of ``nb_name`` by student."""
    (lab,) = COURSE.labs([lab_id])
    for name, (build, *_rest) in cases.items():
        filename, content = build()
        path = folder / "class" / name / filename
        path.parent.mkdir(parents=True)
        if isinstance(content, str):
            path.write_text(content)
        elif isinstance(content, dict) and not hasattr(content, "cells"):
            path.write_text(json.dumps(content))
        else:
            path.write_text(nbformat.writes(copy.deepcopy(content)))
    rows = grade_class(COURSE, lab, folder / "class", folder / "out", timeout=timeout, quiet=True)
    return {r.student: r for r in rows if r.notebook == nb_name}


def check_row(row, spec) -> None:
    """The row deserves what the case says: score, status prefix, integrity note, per-test scores."""
    _, score, status, note, cells = spec
    assert row.score == score, (row.score, row.status, row.integrity, row.cells)
    assert row.status.startswith(status), row.status
    if note:
        assert note in row.integrity, row.integrity
    for grade_id, expected in cells.items():
        assert row.cells[grade_id]["score"] == expected, row.cells


@pytest.fixture(scope="module")
def battery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return grade_battery(folder, LAB, NB, CASES, timeout=BATTERY_TIMEOUT), folder / "out"


def test_every_student_has_a_row(battery):
    rows, out = battery
    assert set(rows) == set(CASES)
    lines = (out / "grades.csv").read_text().splitlines()
    (lab,) = COURSE.labs([LAB])
    assert len(lines) == 1 + len(CASES) * len(lab.notebooks)  # one row per student and notebook of the lab


@pytest.mark.parametrize("case", list(CASES))
def test_case(battery, case):
    rows, _ = battery
    check_row(rows[case], CASES[case])


def test_nothing_escaped_the_sandbox(battery):
    if not SANDBOXED:
        pytest.skip("no sandbox on this machine")
    for path in ("/root/pwned", os.path.expanduser("~/pwned"), "/work/pwned"):
        assert not os.path.exists(path), path


def hidden_lines(lab_id: str) -> set[str]:
    """The distinctive lines of a lab's hidden tests."""
    lines = set()
    for path in (ROOT / "source" / lab_id).glob("*.ipynb"):
        for cell in nbtools.read(path).cells:
            for block in nbtools.HIDDEN.findall(cell.source):
                lines |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 30}
    return lines


def readable_texts(text: str) -> list[str]:
    """``text`` and whatever base64 inside it decodes to (a student may encode what they copy)."""
    import base64
    import binascii
    import re

    texts = [text]
    for blob in re.findall(r"[A-Za-z0-9+/=]{40,}", text):
        try:
            texts.append(base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            pass
    return texts


def test_feedback_hides_hidden_tests(battery):
    _, out = battery
    hidden = hidden_lines(LAB)
    assert hidden
    for page in (out / "feedback").rglob("*.html"):
        for text in readable_texts(page.read_text()):
            assert "BEGIN HIDDEN TESTS" not in text and "def hidden_tests" not in text and "##course-ran" not in text
            leaked = [line for line in hidden if line in text]
            assert not leaked, (page.name, leaked[:3])


# A second lab, one that reads the data cache (MNIST) and trains: lab03/3_3_nn_blocks (10 points: calc_output 2,
# softmax 2, network 3, seq_model 1, reshape 2), graded as one mixed class of its own.
LAB3, NB3 = "lab03", "3_3_nn_blocks.ipynb"


def solved3(changes: dict | None = None):
    release = nbtools.read(ROOT / "release" / LAB3 / NB3)
    answers = nbtools.solution_sources(nbtools.read(ROOT / "source" / LAB3 / NB3))
    nb = nbtools.fill(release, answers)
    for cell, (code, where) in (changes or {}).items():
        new = {"before": code + "\n" + answers[cell], "after": answers[cell] + "\n" + code, "instead": code}[where]
        nb = nbtools.fill(nb, {cell: new})
    return nb


def colab_round_trip3():
    raw = colab_shaped(solved3())
    raw["metadata"]["colab"]["name"] = f"Copy of {NB3}"
    for cell in raw["cells"]:
        cell["metadata"].pop("nbgrader", None)
    return raw


SOFTMAX_NO_KEEPDIM = "def softmax(x):\n    return torch.exp(x) / torch.sum(torch.exp(x), dim=1)"
CASES3 = {
    "good": case(lambda: (NB3, solved3()), 10),
    "colab_round_trip": case(lambda: (f"Copy of {NB3}", colab_round_trip3()), 10, note="re-attached"),
    "wrong_softmax": case(
        lambda: (NB3, solved3({"softmax": (SOFTMAX_NO_KEEPDIM, "instead")})), 8, cells={"test_softmax": 0}
    ),
    "patch_numpy_testing": case(
        lambda: (NB3, solved3({"softmax": ("np.testing.assert_allclose = lambda *a, **k: None", "after")})), 0,
        "tampered", "assigns numpy.testing.assert_allclose",
    ),
    "kernel_killed_midway": case(
        lambda: (NB3, solved3({"network": ("import os\nos._exit(3)", "before")})), 4, "error: kernel died",
        "kernel died", {"test_calc_output": 2, "test_softmax": 2, "test_network": 0, "test_reshape": 0},
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def battery3(tmp_path_factory):
    return grade_battery(tmp_path_factory.mktemp("hostile3"), LAB3, NB3, CASES3, timeout=180)


@pytest.mark.parametrize("case", list(CASES3))
def test_case_lab03(battery3, case):
    check_row(battery3[case], CASES3[case])
