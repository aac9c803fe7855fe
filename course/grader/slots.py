"""Grading slots: one sandbox per grading slot, reused by the students the slot grades one after another.

A student's kernels are forked from a warm parent (``course/warm_kernels.py``) that has imported the lab's libraries,
3-5 s of CPU to start.  Started once per student, those parents were the largest single cost of grading a class of
quick notebooks.  A slot starts its parent once, in a sandbox of its own (``course.sandbox``: its own uid, pid and
IPC namespaces, no network), and hands it from one student to the next:

  * the sandbox can write only the slot's working folder (``c``: the kernels' working folder, which starts with the
    student's notebooks as handed in) and its runtime folder (``k``: connection files and the parent's socket),
    besides its private /tmp.  The scratch root, with the gradebook and the notebooks nbgrader grades, stays
    outside, as before: what the grader reads, no kernel can write;
  * when a student is done, the parent ``wipe``s the sandbox: every other process of it is killed, /tmp and
    /dev/shm are emptied, the SysV IPC objects removed.  It answers only when nothing is left; POSIX message queues,
    which cannot be listed, cannot be made at all (the sandbox's RLIMIT_MSGQUEUE is 0);
  * before the next student, the grader empties both folders, and the parent listens on a socket of a new name.

A parent that does not answer in time, answers that something is left, or is gone (a student's code can stop or kill
it, though not trace it: it is not dumpable) is killed with its whole sandbox, and the next student gets a new slot:
a student is never less isolated than in a sandbox of their own.  ``kill(-1)`` is only safe inside a pid namespace,
so slots are used only with the sandbox and warm kernels on, in the local pool (a Dask worker starts a parent per
student), and not with ``COURSE_GRADING_SLOTS=off``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from .. import nbg, sandbox, warm_kernels
from .records import Task

ENV = "COURSE_GRADING_SLOTS"  # "on" (default) or "off": a warm parent per student
WIPE_TIMEOUT = 60.0  # seconds a parent may take to wipe its sandbox (it gives its processes 10 s to die)
ANSWER_TIMEOUT = 10.0  # seconds a parent may take to listen on a new socket


def wanted(tasks: list[Task], scheduler: str | None) -> bool:
    """Whether these tasks are graded in slots (see the module's docstring for when they are not)."""
    if scheduler or os.environ.get(ENV, "on").lower() in ("off", "0", "false", "no"):
        return False
    return bool(tasks) and all(t.settings.sandbox and t.settings.warm for t in tasks)


@dataclass(frozen=True)
class Spec:
    """What a slot's sandbox and parent are made of: a slot serves only the students whose tasks ask for the same."""

    as_uid: bool  # the kernels run as a uid of their own (the grader is root)
    modules: tuple[str, ...]  # what the parent imports
    env: tuple[tuple[str, str], ...]  # the grading worker's environment, which the kernels inherit
    tmp: str | None  # where the slot's folders go

    @classmethod
    def of(cls, task: Task) -> Spec:
        settings = task.settings
        return cls(
            settings.sandbox_uid is not None, tuple(settings.warm_modules), tuple(sorted(task.env.items())), task.tmp
        )


class Slot:
    """One sandbox with a warm parent, and the folders it may write.  ``prepare`` before each student, ``wipe`` after
    each; ``close`` ends it."""

    def __init__(self, spec: Spec, uid: int | None):
        self.spec, self.uid = spec, uid
        # short paths: unix socket paths may not exceed 107 bytes
        self.folder = Path(tempfile.mkdtemp(prefix="s", dir=spec.tmp))
        self.work, self.runtime = self.folder / "c", self.folder / "k"
        self.socket = ""  # the parent's socket for the current student
        os.chmod(self.folder, 0o711)  # the sandbox's uid must be able to reach its folders
        for folder in (self.work, self.runtime):
            folder.mkdir(mode=0o700)
        self._give()
        try:
            self._start()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def _start(self) -> None:
        spec, uid = self.spec, self.uid
        box, variables = sandbox.for_kernels(uid, str(self.runtime))
        self._give()
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", warm_kernels.__name__, "serve", str(self.runtime), "-", "--control"]
        command += [str(theirs.fileno()), *spec.modules]
        wrapped = box.wrap(command, cwd=str(self.work), writable=[str(self.work), str(self.runtime)], env=variables)
        # what a kernel started by the grading worker would inherit: the worker's environment while nbgrader executes
        env = nbg.nbgrader_env(dict(spec.env, JUPYTER_RUNTIME_DIR=str(self.runtime), NBGRADER_EXECUTION="autograde"))
        self.process = subprocess.Popen(wrapped, env=env, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self.channel = ours
        self._replies = ours.makefile("rb")
        if self._ask(None, warm_kernels.START_TIMEOUT) != {"started": True}:
            self.process.kill()
            self.process.wait()
            self._replies.close()
            self.channel.close()
            raise RuntimeError("the grading slot's warm parent did not start")

    def prepare(self) -> bool:
        """Ready for a new student: both folders emptied, the parent listening on a socket of a new name.  False when
        the slot cannot be used again (it is closed then)."""
        if self.process.poll() is not None:
            self.close()
            return False
        if not (sandbox.empty(str(self.work)) and sandbox.empty(str(self.runtime))):
            self.close()
            return False
        self._give()
        name = f"{warm_kernels.SOCKET_PREFIX}{secrets.token_hex(6)}.sock"
        if self._ask({"listen": name}, ANSWER_TIMEOUT) != {"ready": name}:
            self.close()
            return False
        self.socket = str(self.runtime / name)
        return True

    def wipe(self) -> bool:
        """Ask the parent to wipe the sandbox; True when it answers in time that nothing of the student's is left."""
        return self.process.poll() is None and self._ask({"wipe": True}, WIPE_TIMEOUT) == {"wiped": True}

    def close(self) -> None:
        """Kill the sandbox (bwrap's pid 1 takes every process of its pid namespace with it), delete the folders."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._replies.close()
        self.channel.close()
        sandbox.empty(str(self.folder))
        shutil.rmtree(self.folder, ignore_errors=True)

    def _ask(self, request: dict | None, timeout: float) -> dict | None:
        """Send ``request`` (None: nothing), then read the parent's one-line answer; None when there is none in time."""
        try:
            self.channel.settimeout(timeout)
            if request is not None:
                self.channel.sendall(json.dumps(request).encode() + b"\n")
            answer = json.loads(self._replies.readline() or b"null")
        except (OSError, ValueError):
            return None
        return answer if isinstance(answer, dict) else None

    def _give(self) -> None:
        """The slot's folders, and what the grader put in them, belong to the sandbox's uid."""
        if self.uid is not None:
            for folder in (self.work, self.runtime):
                sandbox.give(str(self.folder), str(folder), self.uid, recursive=True)


class Slots:
    """The grading slots of one ``run_tasks``: a student takes an idle slot of the same ``Spec`` (or a new one) and
    gives it back when graded."""

    def __init__(self):
        self._idle: list[Slot] = []
        self._lock = threading.Lock()
        self._made = 0
        self.started = 0  # sandboxes started (for reports and tests)

    def take(self, task: Task) -> Slot | None:
        """A slot prepared for this task's student; None when none can start (the student is graded without one)."""
        spec = Spec.of(task)
        while True:
            with self._lock:
                slot = next((s for s in self._idle if s.spec == spec), None)
                if slot is not None:
                    self._idle.remove(slot)
            if slot is None:
                break
            if slot.prepare():
                return slot
        with self._lock:
            self._made += 1
            number = self._made
        uid = sandbox.uid_for(zlib.crc32(f"slot-{os.getpid()}-{number}".encode()) % 2000) if spec.as_uid else None
        try:
            slot = Slot(spec, uid)
        except (OSError, RuntimeError) as exc:
            sys.stderr.write(f"[course] a grading slot could not start ({exc}): a parent per student\n")
            return None
        with self._lock:
            self.started += 1
        return slot if slot.prepare() else None

    def give(self, slot: Slot) -> None:
        """A student is done with ``slot``: wiped, it waits for the next; otherwise it is closed."""
        if not slot.wipe():
            slot.close()
            return
        with self._lock:
            self._idle.append(slot)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for slot in idle:
            slot.close()
