"""Unit tests of the `course` package (no notebook execution)."""

from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
import zipfile

import pytest
import torch

import course
from course import checks, data, nbtools
from course.grader.intake import collect, match_notebook, normalise_name, safe_extract, student_id


class AlwaysEqual:
    shape = (3, 4)

    def __eq__(self, other):
        return True

    def __bool__(self):
        return True


# checks ---------------------------------------------------------------------------------------------------------
def test_check_close_accepts_and_rejects():
    checks.check_close(torch.tensor([1.0, 2.0]), [1.0, 2.0 + 1e-9], "x")
    with pytest.raises(checks.CheckFailed, match="values differ"):
        checks.check_close(torch.tensor([1.0, 2.0]), [1.0, 2.1], "x")
    with pytest.raises(checks.CheckFailed, match="expected shape"):
        checks.check_close(torch.tensor([[1.0, 2.0]]), [1.0, 2.0], "x")
    with pytest.raises(checks.CheckFailed, match="NaN"):
        checks.check_close(torch.tensor([float("nan")]), [1.0], "x")


def test_checks_reject_always_equal_objects():
    with pytest.raises(checks.CheckFailed, match="torch.Tensor"):
        checks.check_close(AlwaysEqual(), torch.zeros(3, 4), "x")
    with pytest.raises(checks.CheckFailed, match="number"):
        checks.check_number(AlwaysEqual(), "x", 1.0)
    with pytest.raises(checks.CheckFailed):
        checks.check_equal(AlwaysEqual(), 3, "x")
    with pytest.raises(checks.CheckFailed):
        checks.check_true(AlwaysEqual(), "x", "must be True")


def test_check_tensor_rejects_numpy_and_subclass_tricks():
    import numpy as np

    with pytest.raises(checks.CheckFailed, match="torch.Tensor"):
        checks.check_tensor(np.zeros(3), "x")

    class Sneaky(torch.Tensor):
        pass

    with pytest.raises(checks.CheckFailed):
        checks.check_tensor(torch.zeros(2).as_subclass(Sneaky), "x")
    checks.check_tensor(torch.nn.Parameter(torch.zeros(2)), "p", shape=(2,))


def test_check_number_and_message(capsys):
    assert checks.check_number(torch.tensor(2.5), "n", 2.5) == 2.5
    assert checks.check_number(3, "n") == 3.0
    with pytest.raises(checks.CheckFailed, match="expected about 2"):
        checks.check_number(2.5, "n", 2.0)
    with pytest.raises(checks.CheckFailed, match="bool"):
        checks.check_number(True, "n")
    checks.passed("thing")
    assert "✓ thing" in capsys.readouterr().out


def test_run_check_explains_not_implemented():
    def stub():
        raise NotImplementedError()

    with pytest.raises(checks.CheckFailed, match="not implemented yet"):
        checks.run_check(stub, "f")


def test_watch_calls_counts_forbids_and_restores():
    svd, tensor_svd, pinv = torch.linalg.svd, torch.Tensor.svd, torch.linalg.pinv
    a = torch.randn(4, 3)
    with checks.watch_calls(watch=["torch.linalg.svd", "torch.Tensor.svd"], forbid=["torch.linalg.pinv"]) as calls:
        torch.linalg.svd(a)
        a.svd()
        with pytest.raises(checks.Forbidden, match="torch.linalg.pinv"):
            torch.linalg.pinv(a)
    assert calls == {"torch.linalg.svd": 1, "torch.Tensor.svd": 1, "torch.linalg.pinv": 0}
    assert (torch.linalg.svd, torch.Tensor.svd, torch.linalg.pinv) == (svd, tensor_svd, pinv)
    assert "svd" not in torch.Tensor.__dict__  # an inherited method is removed again, not shadowed
    with pytest.raises(AttributeError), checks.watch_calls(watch=["torch.linalg.svd", "torch.linalg.no_such_module.f"]):
        pass
    assert torch.linalg.svd is svd  # a failure half-way through set-up puts back what was patched


def test_replaced_swaps_the_callers_names_and_puts_them_back():
    """A hidden test swaps a student's function for a reference while a block runs; the student's comes back, also
    when a check in the block fails.  In the notebook ``unless_passed`` is not known: the reference is used; the
    judge's kit keeps the student's own when the named test cells passed."""
    from course.judge import kit

    test = (
        "from course.checks import replaced\n"
        "with replaced(f=lambda: 'reference', unless_passed='test_f'):\n"
        "    inside = f()\n"
        "try:\n"
        "    with replaced(f=lambda: 'reference'):\n"
        "        raise ValueError\n"
        "except ValueError:\n"
        "    after = f()\n"
    )
    namespace = {"f": lambda: "student"}
    exec(test, namespace)
    assert (namespace["inside"], namespace["after"]) == ("reference", "student")
    with pytest.raises(NameError, match="'g' is not defined"):
        exec("from course.checks import replaced\nwith replaced(g=print):\n    pass\n", {})
    for passed, expected in ((frozenset(), "reference"), (frozenset({"test_f"}), "student")):
        namespace = {"f": lambda: "student", "kit": kit}
        with kit.judging(kit.Context(None, [], passed=passed)):
            exec(test.replace("from course.checks import replaced", "replaced = kit.replaced"), namespace)
        assert namespace["inside"] == expected


def test_run_cell_again_tells_a_failing_cell_from_one_that_assigns_nothing(monkeypatch):
    """The one way a cell runs again (``rerun_cell`` in the notebook, the judge's "rerun" in the kernel): in a copy
    of the namespace, with the overrides; a cell that assigns nothing and a cell that fails are told apart."""
    import builtins
    import types

    shell = types.SimpleNamespace(user_ns={"x": 1}, transform_cell=lambda code: code.replace("%time ", ""))
    monkeypatch.setattr(builtins, "get_ipython", lambda: shell, raising=False)
    assert checks.run_cell_again("%time y = x + 1", "y", {"x": 5}) == 6 and shell.user_ns == {"x": 1}
    with pytest.raises(checks.NotAssigned):
        checks.run_cell_again("z = 1", "y", {})
    with pytest.raises(NameError) as failed:
        checks.run_cell_again("y = undefined_name", "y", {})
    assert not isinstance(failed.value, checks.NotAssigned)


def test_answer_cell_and_rerun_cell_need_a_notebook():
    with pytest.raises(checks.CheckFailed, match="inside a notebook"):
        checks.rerun_cell("x", {})
    assert checks._assigns("a, (b, x) = 1, (2, 3)", "x") and checks._assigns("for x in y: pass", "x")
    assert not checks._assigns("print(x == 1)", "x") and not checks._assigns("this is not python", "x")


# runtime ----------------------------------------------------------------------------------------------------------
def test_grading_mode_and_scale(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_FAST", raising=False)
    assert not course.grading() and course.scale(10, 1) == 10
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert course.grading() and course.scale(10, 1) == 1


def test_seed_everything_repeats():
    course.seed_everything(3)
    a = torch.rand(3)
    course.seed_everything(3)
    assert torch.equal(a, torch.rand(3))


def test_get_device(monkeypatch, capsys):
    assert course.get_device("cpu").type == "cpu"
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert course.get_device().type == "cpu"
    assert "Using device: cpu" in capsys.readouterr().out


def test_progress_is_silent_while_grading(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert list(course.progress(range(3))) == [0, 1, 2]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_import_course_is_light():
    code = "import sys, course; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# data -------------------------------------------------------------------------------------------------------------
def _fake_shared(tmp_path):
    """A miniature of ../shared/data: 3 training images as CSV, 2 test images as idx.gz, a class index."""
    shared = tmp_path / "shared"
    raw = shared / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rows = [",".join(str((i * 7 + j) % 256) for j in range(784)) + f",{i}" for i in range(3)]
    with gzip.open(shared / "MNIST" / "mnist_5k.csv.gz", "wt") as fh:
        fh.write("\n".join(rows) + "\n")
    with gzip.open(raw / "t10k-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(2 * 784))
    with gzip.open(raw / "t10k-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(struct.pack(">II", 0x801, 2) + bytes([4, 2]))
    with gzip.open(raw / "train-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(struct.pack(">II", 0x801, 60000) + bytes(60000))
    (shared / "imagenet_class_index.json").write_text(json.dumps({"0": ["n0", "tench"], "1": ["n1", "goldfish"]}))
    for split in ("train", "val"):
        (shared / "hymenoptera_data" / split / "ants").mkdir(parents=True)
    return shared


def test_data_import_builds_torchvision_layout(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    done = data.import_path(_fake_shared(tmp_path))
    assert any("mnist" in d for d in done) and "imagenet_class_index" in done and "hymenoptera" in done
    assert data.is_cached("mnist") and data.is_offline_subset("mnist")
    train = MNIST(str(data.root()), train=True, download=True)  # finds the files: no network needed
    test = MNIST(str(data.root()), train=False, download=True)
    assert len(train) == 3 and train.targets.tolist() == [0, 1, 2] and len(test) == 2
    assert int(train.data[1, 0, 0]) == 7  # pixel (i*7 + j) % 256 for image 1, pixel 0
    assert data.imagenet_classes() == ["tench", "goldfish"]


def test_data_import_reports_nothing_found(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    assert data.import_cli(tmp_path / "empty") == 1
    assert "found nothing" in capsys.readouterr().err


def test_data_require_explains_offline_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))

    def no_network(name):
        raise OSError("network unreachable")

    monkeypatch.setattr(data, "fetch", no_network)
    with pytest.raises(RuntimeError, match="course data import"):
        data.require("cifar10")


# grade helpers ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,expected",
    [
        ("1_1_linear_regression.ipynb", "1_1_linear_regression"),
        ("Copy of 1_1_linear_regression.ipynb", "1_1_linear_regression"),
        ("Copy of Copy of 1_1_linear_regression (2).ipynb", "1_1_linear_regression"),
        ("1_1_linear_regression (1).ipynb", "1_1_linear_regression"),
        ("1_1_linear_regression-checkpoint.ipynb", "1_1_linear_regression"),
    ],
)
def test_normalise_name(name, expected):
    assert normalise_name(name) == expected


def test_student_ids_are_safe():
    assert student_id("Alice Smith_12345_assignsubmission_file_") == "Alice_Smith_12345_assignsubmission_file"
    assert student_id("../../etc") == "etc"
    assert student_id("bob.zip") == "bob"


def test_match_notebook_by_name_prefix_and_content(tmp_path):
    names = ["1_0_tensors.ipynb", "1_1_linear_regression.ipynb"]
    ids = {"1_0_tensors.ipynb": {"neuron_sum"}, "1_1_linear_regression.ipynb": {"pinv_svd"}}
    assert match_notebook(tmp_path / "s123_1_1_linear_regression.ipynb", names, ids)[0] == names[1]
    odd = tmp_path / "my lab.ipynb"
    nb = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "neuron_sum"}}, "source": ""}]}
    odd.write_text(json.dumps(nb))
    assert match_notebook(odd, names, ids) == (names[0], "content")
    (tmp_path / "notes.txt").write_text("hi")
    assert match_notebook(tmp_path / "notes.txt", names, ids)[0] is None


def test_safe_extract_blocks_zip_slip(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.txt", "gotcha")
        zf.writestr("alice/ok.ipynb", "{}")
    dest = tmp_path / "dest"
    dest.mkdir()
    safe_extract(archive, dest)
    assert (dest / "alice" / "ok.ipynb").exists()
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()


def test_collect_folders_files_and_zips(tmp_path):
    cls = tmp_path / "class"
    (cls / "alice").mkdir(parents=True)
    (cls / "alice" / "a.ipynb").write_text("{}")
    (cls / ".DS_Store").write_text("")
    (cls / "bob.ipynb").write_text("{}")
    with zipfile.ZipFile(cls / "carol.zip", "w") as zf:
        zf.writestr("sub/c.ipynb", "{}")
    found = collect(cls, tmp_path / "work")
    assert sorted(found) == ["alice", "bob", "carol"]
    assert [p.name for p in found["carol"]] == ["c.ipynb"]


# nbtools --------------------------------------------------------------------------------------------------------
def test_strip_hidden_tests_and_solution_markers():
    src = "check(1)\n### BEGIN HIDDEN TESTS\nassert secret()\n### END HIDDEN TESTS\ndone()"
    assert nbtools.strip_hidden_tests(src) == "check(1)\ndone()"
    assert "# hidden" in nbtools.strip_hidden_tests(src, "# hidden")
    sol = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    assert nbtools.strip_solution_markers(sol) == "def f():\n    return 1\n"


def test_reference_is_generated_once_per_process_for_unchanged_inputs(tmp_path, monkeypatch):
    """A process that grades a lab again reuses its reference gradebook (``generate_assignment`` takes seconds), with
    the process's own marker secret; a change of the release's inputs generates it again."""
    from course import build, grade
    from tests.conftest import COURSE, LABS

    calls = []

    def fake(course, lab, work, nonce):
        calls.append(nonce)
        (work / "gradebook.db").write_bytes(b"gradebook")
        return work / "gradebook.db", {"n.ipynb": {"points": {"t": 1.0}}}

    monkeypatch.setattr(grade, "_references", {})
    monkeypatch.setattr(grade, "lab_reference", fake)
    first, info = grade.reference(COURSE, LABS[0], tmp_path)
    info["n.ipynb"]["points"]["t"] = 5.0  # a caller's changes do not reach the next caller
    again, info = grade.reference(COURSE, LABS[0], tmp_path)
    assert (first, again, info["n.ipynb"]["points"]["t"], calls) == (b"gradebook", b"gradebook", 1.0, [grade.NONCE])
    monkeypatch.setattr(build, "release_inputs", lambda course, lab: "changed")
    grade.reference(COURSE, LABS[0], tmp_path)
    assert len(calls) == 2
