"""Grading slots (course/grader/slots.py): one sandbox serves its slot's students one after another, and nothing a
student leaves in it reaches the next -- processes that left their session, files in /tmp, in the IPython start-up
folder, in folders locked with chmod 0 and in the slot's own folders, SysV shared memory, semaphores and message queues,
POSIX message queues -- nor can a student who stops the slot's parent hold up the next."""

from __future__ import annotations

import json

import pytest

from course import nbtools, sandbox
from course.grade import grade_class
from course.grader import slots
from tests.conftest import COURSE, ROOT

LAB, NB, CELL = "lab02", "2_3_pytorch_ad.ipynb", "loop_grad"

# the parent that forked this kernel, by pid and start time: the same in two students means the same sandbox
WHO = """
import os as _os
with open(f"/proc/{_os.getppid()}/stat") as _stat:
    print("PARENT", _os.getppid(), _stat.read().rsplit(")", 1)[1].split()[19])
"""

LEAVE = (
    WHO
    + r"""
import ctypes, os, subprocess, sys
# a process that leaves the kernel's session and would run for ten minutes
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)  # LEFT-BEHIND"], start_new_session=True)
os.makedirs("/tmp/home/.ipython/profile_default/startup", exist_ok=True)
with open("/tmp/home/.ipython/profile_default/startup/00-left.py", "w") as f:
    f.write("LEFT_BEHIND = True\n")
open("/tmp/left.txt", "w").write("left")
os.makedirs("/tmp/locked/inner", exist_ok=True)
open("/tmp/locked/inner/left.txt", "w").write("left")
os.chmod("/tmp/locked/inner", 0)
os.chmod("/tmp/locked", 0)
open(os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "left.txt"), "w").write("left")
open("left-in-work.txt", "w").write("left")  # the kernels' working folder: the slot's
libc = ctypes.CDLL(None, use_errno=True)
made = [libc.shmget(4242, 4096, 0o1600), libc.semget(4243, 1, 0o1600), libc.msgget(4244, 0o1600)]
rt = ctypes.CDLL("librt.so.1", use_errno=True)
rt.mq_open.restype = ctypes.c_int
queue = rt.mq_open(b"/left", os.O_CREAT | os.O_RDWR, 0o600, None)
import json
print("MADE", json.dumps({"sysv": made, "mqueue": queue}))
"""
)

PROBE = (
    WHO
    + r"""
import ctypes, json, os
def _cmdlines():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            yield open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            pass
_sysv = {k: open(f"/proc/sysvipc/{k}").read().splitlines()[1:] for k in ("shm", "sem", "msg")}
_rt = ctypes.CDLL("librt.so.1", use_errno=True)
_found = {
    "processes": [c for c in _cmdlines() if "LEFT-BEHIND" in c],
    "tmp": [p for p in ("/tmp/left.txt", "/tmp/locked") if os.path.lexists(p)],
    "startup": "LEFT_BEHIND" in globals()
    or os.path.exists("/tmp/home/.ipython/profile_default/startup/00-left.py"),
    "runtime": os.path.exists(os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "left.txt")),
    "work": os.path.exists("left-in-work.txt"),
    "sysv": {k: v for k, v in _sysv.items() if v},
    "mqueue": _rt.mq_open(b"/left", os.O_RDWR) != -1,
}
print("FOUND", json.dumps(_found))
"""
)

STOP = WHO + "\nimport os, signal\nos.kill(os.getppid(), signal.SIGSTOP)  # the slot's parent, stopped for good"


def test_emptying_a_folder_removes_links_and_locked_folders_and_follows_nothing(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the student's")
    folder = tmp_path / "slot"
    (folder / "locked" / "inner").mkdir(parents=True)
    (folder / "locked" / "inner" / "f.txt").write_text("x")
    (folder / "locked" / "inner").chmod(0)
    (folder / "locked").chmod(0)
    (folder / "link").symlink_to(outside, target_is_directory=True)
    (folder / "home").mkdir()
    (folder / "home" / "f.txt").write_text("x")
    assert sandbox.empty(str(folder), keep=("home",))
    assert sorted(p.name for p in folder.iterdir()) == ["home"]
    assert (outside / "keep.txt").read_text() == "not the student's"


def printed(out, student: str, tag: str) -> str:
    nb = nbtools.read(out / "autograded" / student / LAB / NB)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    return next(line.split(" ", 1)[1] for line in text.splitlines() if line.startswith(tag + " "))


@pytest.fixture(scope="module")
def slot_class(tmp_path_factory):
    """One slot (one job) grades, in this order: a student who leaves everything behind, a probe, a student who stops
    the slot's parent, a probe."""
    if not sandbox.available()[0]:
        pytest.skip(f"grading slots need the sandbox: {sandbox.available()[1]}")
    (lab,) = COURSE.labs([LAB])
    source = nbtools.read(lab.source / NB)
    answers = nbtools.solution_sources(source)
    blank = nbtools.read(ROOT / "release" / LAB / NB)
    folder = tmp_path_factory.mktemp("slots")
    for student, extra in (("a_leaver", LEAVE), ("b_probe", PROBE), ("c_stopper", STOP), ("d_probe", PROBE)):
        filled = nbtools.fill(blank, {**answers, CELL: answers[CELL] + "\n" + extra})
        nbtools.write(filled, folder / "in" / student / NB)
    patch = pytest.MonkeyPatch()
    patch.setattr(slots, "WIPE_TIMEOUT", 8.0)  # the stopped parent's slot is given up on sooner
    patch.setenv(slots.ENV, "on")
    try:
        rows = grade_class(COURSE, lab, folder / "in", folder / "out", jobs=1, feedback=False, quiet=True)
    finally:
        patch.undo()
    return {r.student: r for r in rows if r.notebook == NB}, folder / "out"


def test_every_student_keeps_full_marks(slot_class):
    rows, _ = slot_class
    assert set(rows) == {"a_leaver", "b_probe", "c_stopper", "d_probe"}
    for student, row in rows.items():
        auto = [cell for cell in row.cells.values() if not cell["needs_manual_grade"]]
        assert row.status == "ok" and auto, (student, row.status)
        assert all(cell["score"] == cell["max_score"] for cell in auto), (student, row.cells)


def test_the_leaver_could_leave_everything_but_a_posix_queue(slot_class):
    made = json.loads(printed(slot_class[1], "a_leaver", "MADE"))
    assert all(ident >= 0 for ident in made["sysv"]), made  # the SysV objects existed
    assert made["mqueue"] == -1, "a POSIX message queue could be made (RLIMIT_MSGQUEUE is not 0)"


def test_the_next_student_in_the_slot_finds_nothing(slot_class):
    out = slot_class[1]
    assert printed(out, "a_leaver", "PARENT") == printed(out, "b_probe", "PARENT"), "the slot was not reused"
    found = json.loads(printed(out, "b_probe", "FOUND"))
    assert found == {
        "processes": [],
        "tmp": [],
        "startup": False,
        "runtime": False,
        "work": False,
        "sysv": {},
        "mqueue": False,
    }


def test_a_stopped_parent_costs_the_next_student_nothing(slot_class):
    out = slot_class[1]
    assert printed(out, "c_stopper", "PARENT") != printed(out, "d_probe", "PARENT"), "the stopped parent served on"
    found = json.loads(printed(out, "d_probe", "FOUND"))
    assert not found["processes"] and not found["tmp"] and not found["startup"] and not found["sysv"], found
