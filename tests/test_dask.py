"""`course grade --scheduler` fans the class out on a real Dask scheduler with workers on localhost."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course.grade import grade_class
from tests.conftest import COURSE, ROOT

pytest.importorskip("distributed")
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask")
    info = tmp / "scheduler.json"
    common = ["--no-dashboard"]
    scheduler = subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(info), *common],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen(
            [str(BIN / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1", "--local-directory",
             str(tmp / "workers"), *common],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(worker)
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_grade_on_dask_matches_local(cluster, tmp_path):
    (lab,) = COURSE.labs(["lab01"])
    first = lab.notebooks[0].name
    cls = tmp_path / "class"
    for student in ("alice", "bob"):
        (cls / student).mkdir(parents=True)
        shutil.copy(ROOT / "examples" / "submissions" / lab.id / student / first, cls / student / first)
    shutil.copytree(ROOT / "examples" / "submissions" / lab.id / "dave", cls / "dave")
    rows = grade_class(COURSE, lab, cls, tmp_path / "out", scheduler=cluster, quiet=True)
    got = {(r.student, r.notebook): r for r in rows}
    assert got[("alice", first)].status == "ok" and got[("alice", first)].score == got[("alice", first)].max_score
    assert got[("bob", first)].status == "ok" and got[("bob", first)].score == 0
    assert got[("dave", first)].status.startswith("corrupt")
    assert (tmp_path / "out" / "feedback" / "alice" / lab.id / first.replace(".ipynb", ".html")).exists()
