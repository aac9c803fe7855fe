"""Run a student's kernel in a bubblewrap sandbox with resource limits.

What the sandbox guarantees (when ``bwrap`` works on the grading machine; ``course grade`` reports it):
  * no network (every namespace is unshared);
  * the kernel sees the system, Python, this package, the data cache and the torch weights cache read-only, its
    own working folder and connection folder read-write, and a private /tmp -- nothing else: not the repository's
    source/ (solutions, hidden tests), not the gradebook, not other students' folders, not the output folder;
  * it runs as an unprivileged user of its own (when the grader is root), so it cannot write what that user cannot;
  * limits: memory (RLIMIT_DATA), processes (RLIMIT_NPROC, stops fork bombs), file size, open files, CPU time.
What it does not do: limit disk use inside the working folder or RAM used by its private /tmp beyond the memory
limit of the processes, hide the hidden tests that the grader sends to the kernel to run (a student's code that
hooks into IPython can see them while they run; the integrity scan flags such code), or limit the GPU.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ENV = "COURSE_SANDBOX"  # "auto" (default), "on" (fail if unavailable), "off"


@dataclass
class Limits:
    memory: int = 6 * 1024**3  # bytes of data segment per process
    nproc: int = 512  # processes and threads of the sandbox's user
    fsize: int = 2 * 1024**3  # largest file it may write
    nofile: int = 4096
    cpu: int = 3600  # seconds of CPU time per process


@dataclass
class Sandbox:
    uid: int | None = None  # run as this (otherwise unused) uid/gid when the grader is root
    limits: Limits = field(default_factory=Limits)
    readonly: list[str] = field(default_factory=list)

    def wrap(self, cmd: list[str], cwd: str, writable: list[str], env: dict | None = None) -> list[str]:
        if self.uid is not None:
            # as root: bwrap sets up the namespaces and mounts, then setpriv drops to the sandbox's own uid with no
            # capabilities (no user namespace, so the process limit counts that uid's processes only)
            unshare = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        else:  # unprivileged: bwrap makes a user namespace itself
            unshare = ["--unshare-all", "--cap-drop", "ALL"]
        args = ["bwrap", *unshare, "--die-with-parent", "--new-session"]
        for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        args += ["--perms", "0777", "--dir", "/tmp/home"]
        readonly, writable = _unique(self.readonly), _unique(writable)
        # bwrap would create the folders above a bind point with mode 0700: make them traversable
        ancestors = set()
        for path in readonly + writable:
            parent = os.path.dirname(path)
            while parent not in ("/", "/tmp", "") and not parent.startswith(("/usr", "/etc", "/proc", "/dev")):
                ancestors.add(parent)
                parent = os.path.dirname(parent)
        for folder in sorted(ancestors - set(readonly) - set(writable), key=lambda p: p.count("/")):
            args += ["--perms", "0755", "--dir", folder]
        for path in readonly:
            args += ["--ro-bind", path, path]
        for path in writable:
            args += ["--bind", path, path]
        args += ["--chdir", cwd]
        env = {
            "HOME": "/tmp/home",
            "MPLCONFIGDIR": "/tmp/home/.matplotlib",
            "XDG_CACHE_HOME": "/tmp/home/.cache",
            "IPYTHONDIR": "/tmp/home/.ipython",
            "TMPDIR": "/tmp",
            **(env or {}),
        }
        for key, value in env.items():
            args += ["--setenv", key, value]
        # ipykernel watches JPY_PARENT_PID, a pid outside the sandbox's pid namespace: it would exit at once
        args += ["--unsetenv", "JPY_PARENT_PID"]
        lim = self.limits
        limits = [
            "prlimit",
            f"--data={lim.memory}",
            f"--nproc={lim.nproc}",
            f"--fsize={lim.fsize}",
            f"--nofile={lim.nofile}",
            f"--cpu={lim.cpu}",
            "--",
        ]
        drop: list[str] = []
        if self.uid is not None:
            drop = [
                "setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
                "--no-new-privs",
                "--bounding-set=-all",
                "--inh-caps=-all",
                "--",
            ]
        return args + ["--"] + drop + limits + cmd


def _unique(paths: list[str]) -> list[str]:
    """Real, existing paths, without those that lie inside another one of the list."""
    real = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)}, key=len)
    out: list[str] = []
    for path in real:
        if not any(path == p or path.startswith(p.rstrip("/") + "/") for p in out):
            out.append(path)
    return out


def torch_home() -> str:
    """Where torch keeps downloaded weights for the grader (``$TORCH_HOME/hub/checkpoints``)."""
    return os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch"
    )


def default_readonly() -> list[str]:
    """What a kernel needs to read: the Python install, the venv, this package, the data and weights caches."""
    paths = [sys.base_prefix, sys.prefix, str(Path(__file__).resolve().parent)]
    for var in ("COURSE_DATA_DIR",):
        if os.environ.get(var):
            paths.append(os.environ[var])
    try:
        from . import data

        paths.append(str(data.root()))
    except Exception:
        pass
    paths.append(torch_home())
    # site-packages of the interpreter (an editable install may point elsewhere: add its paths too)
    for entry in sys.path:
        if entry and os.path.isdir(entry) and not entry.startswith(("/tmp", "/proc")):
            if any(entry.startswith(p) for p in (sys.prefix, sys.base_prefix)):
                paths.append(entry)
    return paths


@functools.cache
def available() -> tuple[bool, str]:
    """Can we sandbox here?  (bwrap installed and able to create namespaces; setpriv when root.)"""
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    probe = Sandbox(uid=_probe_uid(), readonly=default_readonly())
    code = "import tempfile, course; tempfile.mkdtemp(); print('ok')"
    cmd = probe.wrap([sys.executable, "-c", code], cwd="/tmp", writable=[])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start ({exc})"
    if out.stdout.strip() != "ok":
        return False, f"bwrap cannot create a sandbox here: {out.stderr.strip()[:200]}"
    return True, "bubblewrap"


def _probe_uid() -> int | None:
    return 64999 if os.geteuid() == 0 and shutil.which("setpriv") else None


def mode() -> str:
    return os.environ.get(ENV, "auto").lower()


def uid_for(slot: int) -> int | None:
    """A distinct unprivileged uid per parallel grading slot (only when the grader is root)."""
    return 62000 + slot if os.geteuid() == 0 and shutil.which("setpriv") else None
