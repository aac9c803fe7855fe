"""Warm kernels (course/warm_kernels.py): each notebook's kernel is a fresh fork of a warm parent, and nothing one
notebook's code did reaches the next -- globals, patched modules, environment variables, threads left running, a
kernel that never stops -- with and without the sandbox."""

from __future__ import annotations

import os
import time

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from traitlets.config import Config

from course import sandbox, warm_kernels
from course.nbgrader_ext import SandboxKernelManager

HOSTILE = [
    "import builtins, os, sys, threading, time, torch\n"
    "builtins.LEAK = 'from the first notebook'\n"
    "torch.tensor = lambda *a, **k: 'patched'\n"
    "sys.modules['leaked_module'] = object()\n"
    "os.environ['LEAK'] = '1'\n"
    "threading.Thread(target=time.sleep, args=(600,), name='left-behind').start()\n"
    "print(os.getpid())",
]
CLEAN = [
    "import sys\nwarm = 'torch' in sys.modules  # imported by the parent, before any cell",
    "import builtins, os, threading, torch\n"
    "assert warm, 'not a warm kernel'\n"
    "assert not hasattr(builtins, 'LEAK'), builtins.LEAK\n"
    "assert torch.tensor([1.0]).sum().item() == 1.0, 'torch is still patched'\n"
    "assert 'leaked_module' not in sys.modules\n"
    "assert 'LEAK' not in os.environ\n"
    "assert not [t for t in threading.enumerate() if t.name == 'left-behind'], 'a thread survived'\n"
    "print('clean')",
]


def _notebook(cells: list[str]):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(params=["plain", "sandboxed"])
def run(request, tmp_path, monkeypatch):
    """``run(cells, timeout)``: the notebook executed in a warm kernel, as course grade starts them."""
    boxed = request.param == "sandboxed"
    if boxed and not sandbox.available()[0]:
        pytest.skip(f"no sandbox here: {sandbox.available()[1]}")
    work = tmp_path / "w"
    (work / "runtime").mkdir(parents=True)
    (work / "nb").mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(work / "runtime"))
    monkeypatch.setenv(warm_kernels.ENV, "on")
    uid = sandbox.uid_for(1234) if boxed else None

    def execute(cells: list[str], timeout: int = 60):
        nb = _notebook(cells)
        settings = {"sandbox": boxed, "workdir": str(work), "uid": -1 if uid is None else uid, "warm": True}
        client = NotebookClient(
            nb,
            kernel_manager_class=SandboxKernelManager,
            config=Config({"SandboxKernelManager": settings}),
            timeout=timeout,
            resources={"metadata": {"path": str(work / "nb")}},
        )
        try:
            client.execute()
        finally:
            out = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        return out

    execute.boxed = boxed  # in the sandbox, the kernel's pid is its pid namespace's
    yield execute
    warm_kernels.close_all()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def test_nothing_passes_from_one_notebook_to_the_next(run):
    pid = int(run(HOSTILE).split()[0])
    assert "clean" in run(CLEAN)
    if not run.boxed:
        time.sleep(1)
        assert not _alive(pid), "the first notebook's kernel (and its thread) outlived it"


def test_a_kernel_that_never_stops_is_killed_and_the_next_starts(run):
    with pytest.raises(CellTimeoutError):
        run(["import os\nprint(os.getpid(), flush=True)", "while True:\n    pass"], timeout=3)
    assert "clean" in run(CLEAN)
    parents = [p.process for p in warm_kernels._parents.values()]
    assert parents and all(p.poll() is None for p in parents), "the warm parent went down with the kernel"


def test_cold_start_when_switched_off(monkeypatch):
    monkeypatch.setenv(warm_kernels.ENV, "off")
    plan = warm_kernels.plan()
    assert not plan.warm and warm_kernels.ENV in plan.reason
    assert warm_kernels.launch_command(("k",), "/tmp", ["python", "-m", "ipykernel_launcher", "-f", "x"], None) is None


def test_parent_reads_every_message_of_a_chunk_and_drops_malformed_ones():
    """A stand-in's messages may arrive several to a ``recv``, or one split across two: each is read once, whole."""
    import socket

    ours, theirs = socket.socketpair()
    pending: dict = {}
    try:
        theirs.sendall(b'{"signal": 2}\n[1, 2]\nnot json\n{"signal": 15}\n{"sig')
        assert warm_kernels._read_messages(ours, pending) == [{"signal": 2}, {}, {}, {"signal": 15}]
        theirs.sendall(b'nal": 3}\n')
        assert warm_kernels._read_messages(ours, pending) == [{"signal": 3}]
        theirs.close()
        assert warm_kernels._read_messages(ours, pending) is None
    finally:
        ours.close()


def test_a_labs_parent_imports_what_its_notebooks_import(tmp_path):
    """The warm parent imports the libraries the lab's notebooks import, outside their hidden tests, and no more."""
    from tests.conftest import COURSE

    by_lab = {lab.id: warm_kernels.modules_for(lab.notebooks) for lab in COURSE.labs()}
    assert "torchvision" not in by_lab["lab01"] and "torchbearer" not in by_lab["lab01"]
    assert "sklearn.datasets" in by_lab["lab01"] and "torchbearer" in by_lab["lab04"]
    assert "sklearn.datasets" not in by_lab["lab04"] and "torchvision.models" in by_lab["lab06"]
    assert all(m in modules for modules in by_lab.values() for m in warm_kernels.BASE_MODULES)

    nb = _notebook(
        [
            "%matplotlib inline\nimport torchvision.datasets as tvd\nfrom torch.optim.lr_scheduler import StepLR",
            "import os, json\nfrom . import here",  # not a library the parent imports; a relative import
            "x = 1\n### BEGIN HIDDEN TESTS\nimport torchbearer\n### END HIDDEN TESTS",
            "this is not Python",
        ]
    )
    nbformat.write(nb, tmp_path / "a.ipynb")
    modules = warm_kernels.modules_for([tmp_path / "a.ipynb"])
    assert modules[: len(warm_kernels.BASE_MODULES)] == warm_kernels.BASE_MODULES
    assert set(modules) - set(warm_kernels.BASE_MODULES) == {"torchvision.datasets", "torch.optim.lr_scheduler"}


def test_every_labs_parent_can_fork():
    """No module a lab's parent imports starts a thread (the parent would refuse to fork: kernels would start cold)."""
    import subprocess
    import sys

    from tests.conftest import COURSE

    modules = sorted({m for lab in COURSE.labs() for m in warm_kernels.modules_for(lab.notebooks)})
    code = f"import importlib, threading\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
    code += "print(threading.active_count())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split()[-1] == "1", out.stderr[-2000:]
