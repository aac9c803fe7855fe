"""Run a student's kernel in a bubblewrap sandbox with resource limits.

What the sandbox guarantees (when ``bwrap`` works on the grading machine; ``course grade`` reports it):
  * no network (every namespace is unshared);
  * the kernel sees the system, Python, this package, the data cache and the torch weights cache read-only, its
    own working folder and connection folder read-write, and a private /tmp -- nothing else: not the repository's
    source/ (solutions, hidden tests), not the gradebook, not other students' folders, not the output folder, not
    the notebooks nbgrader grades (``course grade`` gives the kernel a working folder of its own);
  * it runs as an unprivileged user of its own (when the grader is root), so it cannot write what that user cannot;
  * limits: memory (RLIMIT_DATA), processes (RLIMIT_NPROC, stops fork bombs), file size, open files, CPU time, no
    POSIX message queues.
What it does not do: limit disk use inside the working folder or RAM used by its private /tmp beyond the memory
limit of the processes, hide the hidden tests from the kernel in a lab that is not judged (they run in the kernel
there: a student's code that hooks into IPython can see them while they run; the integrity scan flags such code), or
limit the GPU.  A grading slot (``course/grader/slots.py``) reuses one sandbox for its students, one after another.
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
    # bytes of POSIX message queues: none.  A queue lives as long as the IPC namespace, and a grading slot's sandbox
    # (course/grader/slots.py) outlives its students; unlike SysV objects, queues cannot be listed to be removed.
    msgqueue: int = 0


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
            f"--msgqueue={lim.msgqueue}",
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


def give(workdir: str, path: str, uid: int, recursive: bool) -> None:
    """chown ``path`` (and what it holds) to the sandbox's uid -- only strictly inside the scratch folder."""
    work = os.path.realpath(workdir)
    real = os.path.realpath(path)
    if len(work) < 8 or not real.startswith(work.rstrip("/") + "/"):
        raise RuntimeError(f"refusing to hand {real} to the sandbox: it is not inside {work!r}")
    if recursive:
        for base, dirs, files in os.walk(real):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(base, name), uid, uid)
    os.lchown(real, uid, uid)


def for_kernels(uid: int | None, runtime: str, memory: int = 0) -> tuple[Sandbox, dict[str, str]]:
    """The sandbox a student's kernels run in, and the variables it sets for them: the grader's data and weights
    caches (the kernel's HOME is a private folder, so without these it would look for, and try to download, the data
    sets in an empty cache) and a matplotlib folder in ``runtime`` seeded with the grader's font list."""
    limits = Limits()
    if memory > 0:
        limits.memory = memory
    from . import data

    env = {"TORCH_HOME": torch_home(), "COURSE_DATA_DIR": str(data.root())}
    mpl = matplotlib_cache(runtime)
    if mpl:
        env["MPLCONFIGDIR"] = mpl
    return Sandbox(uid=uid, limits=limits, readonly=default_readonly()), env


def matplotlib_cache(runtime: str) -> str:
    """A writable matplotlib config folder in ``runtime`` seeded with the grader's font list (saves a font scan per
    kernel); "" when the grader has none."""
    import glob

    home = os.path.expanduser("~")
    fonts = sorted(glob.glob(os.path.join(home, ".cache", "matplotlib", "fontlist-*.json")))
    fonts += sorted(glob.glob(os.path.join(home, ".config", "matplotlib", "fontlist-*.json")))
    if not fonts:
        return ""
    target = os.path.join(runtime, "matplotlib")
    os.makedirs(target, exist_ok=True)
    shutil.copy2(fonts[-1], target)
    return target


def empty(folder: str, keep: tuple[str, ...] = ()) -> bool:
    """Delete everything in ``folder`` but the names in ``keep``, whatever a student's code made of it (folders it
    locked with ``chmod 0``; symbolic links are removed, never followed).  What lies on another file system is left
    alone: in a sandbox's /tmp, those are the folders bound into it and the folders above them.  True when nothing
    else is left.

    Every step goes through a descriptor of the folder it works in, opened without following links, so a process
    that swaps a folder for a link to elsewhere meanwhile cannot make it delete or unlock anything outside."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return not os.path.lexists(folder)
    try:
        return _empty(fd, keep)
    finally:
        os.close(fd)


def _empty(fd: int, keep: tuple[str, ...] = ()) -> bool:
    import stat

    device = os.fstat(fd).st_dev
    clean = True
    for entry in list(os.scandir(fd)):
        name = entry.name
        if name in keep:
            continue
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if info.st_dev != device:
                continue  # a mount point
            if not stat.S_ISDIR(info.st_mode):
                os.unlink(name, dir_fd=fd)
                continue
            sub = _open_folder(name, fd)
            try:
                inner = _empty(sub)
            finally:
                os.close(sub)
        except (OSError, RecursionError):
            clean = False
            continue
        try:
            os.rmdir(name, dir_fd=fd)
        except OSError:
            clean = clean and inner  # what is left inside is mount points only (a folder above a bound one)
    return clean


def _open_folder(name: str, fd: int) -> int:
    """Open the folder ``name`` in the folder ``fd`` without following a link; unlock it first if it was locked."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        return os.open(name, flags, dir_fd=fd)
    except PermissionError:
        path = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        try:
            os.chmod(f"/proc/self/fd/{path}", 0o700)  # the folder that descriptor holds, not what a name points to
        finally:
            os.close(path)
        return os.open(name, flags, dir_fd=fd)


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
