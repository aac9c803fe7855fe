"""Warm kernels: a student's notebook kernels forked from a parent that has already imported the labs' libraries.

Starting a kernel costs a Python start and the imports of torch, torchvision, numpy, matplotlib and IPython: about
3-5 s of CPU, more than most notebooks' own cells take while grading.  ``SandboxKernelManager`` (with ``warm`` on)
pays it once per student instead of once per notebook:

  * the first kernel a grading worker needs starts a **warm parent** (``python -m course.warm_kernels serve NAME``),
    inside the same sandbox and limits a kernel would get (``course.sandbox``), which imports the lab's libraries
    (``modules_for``: ``BASE_MODULES`` and what the lab's notebooks import of ``LIBRARIES``) and then only waits
    on a unix socket in the student's runtime folder.  No student code ever runs in it;
  * every kernel is then launched as ``python -m course.warm_kernels launch NAME -- <ipykernel arguments>``: a small
    stand-in process (what jupyter_client watches, signals and kills) that asks the parent to ``fork`` a kernel with
    that connection file and working folder, forwards signals to it (interrupts), and exits with its exit status;
  * a kernel is a fresh fork of the pristine parent, in a session of its own: what one notebook's code did (globals,
    patched modules, threads, environment variables) exists only in that child and dies with it.  When the stand-in
    goes (the kernel manager killed it, the time limit), the parent kills the kernel's whole process group.

A kernel's environment is its parent's: the grading worker starts the parent while nbgrader executes
(``NBGRADER_EXECUTION`` set), with the same variables and sandbox it would give a kernel started cold.

A grading slot (``course/grader/slots.py``) pays even that once per slot rather than once per student: it starts the
parent itself, with a control socket (``serve --control``), and has it listen anew for each student and ``wipe`` the
sandbox when a student is done; its students' kernels reach it by ``stand_in_command``.

Forking is only done where it is safe: on Linux, from a parent with no Python thread but its main one (it checks
after its imports; OpenBLAS's native pool stops itself around a fork),
never after CUDA was initialised (the parent does not touch the GPU).  Anywhere else, or when the parent cannot start,
or with ``COURSE_WARM_KERNELS=off``, kernels start cold as before (``plan()`` says which, ``course grade`` prints it).

This module is imported by the stand-in on every launch: it imports nothing heavy at the top.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ENV = "COURSE_WARM_KERNELS"  # "on" (default) or "off"
# what every lab imports; the judge's kernel side is left out on purpose: each kernel imports it fresh
BASE_MODULES = (
    "numpy",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.optim",
    "torch.utils.data",
    "matplotlib",
    "matplotlib.pyplot",
    "ipykernel.kernelapp",
    "course",
    "course.checks",
    "course.data",
)
# libraries whose modules the parent imports too when a lab's notebooks import them (torchvision costs 1.6 s of CPU,
# scikit-learn's data sets 0.9 s: a lab without them does not pay for them once per student)
LIBRARIES = ("numpy", "torch", "torchvision", "matplotlib", "sklearn", "torchbearer")
# what the parent imports when it is not told (every lab's libraries)
WARM_MODULES = (
    *BASE_MODULES,
    "torchvision",
    "torchvision.transforms",
    "sklearn.datasets",
    "torchbearer",
)
START_TIMEOUT = 120.0  # seconds the warm parent may take to import its modules
SOCKET_PREFIX = "warm-"


@dataclass(frozen=True)
class Plan:
    """Whether kernels are forked warm here, and why not when they are not."""

    warm: bool
    reason: str


def plan() -> Plan:
    """Warm kernels unless this platform cannot fork safely or ``COURSE_WARM_KERNELS=off``."""
    if os.environ.get(ENV, "on").lower() in ("off", "0", "false", "no"):
        return Plan(False, f"{ENV}=off")
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return Plan(False, f"forking kernels is only done on Linux (this is {sys.platform})")
    return Plan(True, "each student's kernels are forked from a warm parent that imported the labs' libraries")


def modules_for(notebooks) -> tuple[str, ...]:
    """What a warm parent imports for a lab whose notebooks are at these paths: ``BASE_MODULES``, and every module of
    ``LIBRARIES`` that a code cell of the notebooks imports (outside the hidden tests, which the kernel never runs
    under the judge).  Only the instructor's notebooks are read, never a submission: a student's imports cannot
    choose what the parent imports."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    from . import nbtools

    transform = TransformerManager().transform_cell
    found: list[str] = []
    for path in notebooks:
        nb = nbtools.read(path)
        nbtools.remove_hidden_tests(nb)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(transform(cell.source))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.append(node.module)
    wanted = [m for m in found if m.split(".")[0] in LIBRARIES and re.fullmatch(r"[A-Za-z_][\w.]*", m)]
    return tuple(dict.fromkeys([*BASE_MODULES, *sorted(set(wanted))]))


# --- the grader's side: one warm parent per (student, sandbox), started on first use ------------------------------


@dataclass
class _Parent:
    process: subprocess.Popen
    runtime: str
    name: str


_parents: dict[tuple, _Parent] = {}


def launch_command(
    key: tuple, runtime: str, kernel_cmd: list[str], wrap, modules: tuple[str, ...] = ()
) -> list[str] | None:
    """The command that starts a warm kernel in place of ``kernel_cmd`` (``python -m ipykernel_launcher ...``), or
    None when no warm parent can serve it (then the caller starts the kernel cold).

    ``key`` names the sandbox (the same key, the same parent); ``wrap(cmd)`` puts a command in that sandbox; a new
    parent imports ``modules`` (``modules_for`` the lab; none given: ``WARM_MODULES``).
    """
    if not plan().warm or kernel_cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    parent = _parents.get(key)
    if parent is None or parent.process.poll() is not None:
        parent = _start_parent(runtime, wrap, modules)
        if parent is None:
            return None
        _parents[key] = parent
    return _stand_in(parent.runtime, parent.name, kernel_cmd)


def stand_in_command(socket_path: str, kernel_cmd: list[str]) -> list[str] | None:
    """The command that starts a kernel forked from the running parent listening at ``socket_path`` (a grading slot's,
    ``course/grader/slots.py``), or None when the kernel must start cold."""
    if not plan().warm or kernel_cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    return _stand_in(os.path.dirname(socket_path), os.path.basename(socket_path), kernel_cmd)


def _stand_in(runtime: str, name: str, kernel_cmd: list[str]) -> list[str]:
    return [sys.executable, "-m", __name__, "launch", runtime, name, "--", *kernel_cmd[3:]]


def _start_parent(runtime: str, wrap, modules: tuple[str, ...]) -> _Parent | None:
    name = f"{SOCKET_PREFIX}{os.getpid()}-{len(_parents)}.sock"
    path = Path(runtime) / name
    cmd = wrap([sys.executable, "-m", __name__, "serve", runtime, name, *modules])
    process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.stderr.write(f"[course] warm kernel parent exited ({process.returncode}): kernels start cold\n")
            return None
        if path.exists():
            return _Parent(process, runtime, name)
        time.sleep(0.05)
    process.kill()
    sys.stderr.write("[course] warm kernel parent did not start in time: kernels start cold\n")
    return None


def close_all() -> None:
    """Stop the warm parents this process started (their kernels go with them)."""
    for parent in _parents.values():
        if parent.process.poll() is None:
            parent.process.kill()
            parent.process.wait()
    _parents.clear()


def _connect(runtime: str, name: str) -> socket.socket:
    """A connection to the parent's socket, by its name in the runtime folder (unix socket paths are short)."""
    here = os.getcwd()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    os.chdir(runtime)
    try:
        sock.connect(name)
    finally:
        os.chdir(here)
    return sock


def _send(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def _lines(sock: socket.socket):
    buffer = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except InterruptedError:
            continue
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)


def launch(runtime: str, name: str, argv: list[str]) -> int:
    """The stand-in: ask the parent for a kernel, forward signals to it, exit as it exits."""
    sock = _connect(runtime, name)
    _send(sock, {"argv": argv, "cwd": os.getcwd()})

    def forward(signum, _frame):
        try:
            _send(sock, {"signal": int(signum)})
        except OSError:
            pass
        if signum == signal.SIGTERM:
            os._exit(128 + signum)  # the parent sees the connection close and kills the kernel

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(signum, forward)
    for message in _lines(sock):
        if "exit" in message:
            return int(message["exit"])
    return 1  # the parent went away


# --- the warm parent ----------------------------------------------------------------------------------------------


def serve(runtime: str, name: str, modules: tuple[str, ...], control: int | None = None) -> int:
    """Import ``modules``, then fork a kernel for each stand-in that connects, until the grader goes away.

    With ``control`` (a grading slot's parent, ``course/grader/slots.py``: a socket only the grader holds) the parent
    says ``{"started": true}`` once its imports are done and then obeys the grader's requests, one JSON line each:
    ``{"listen": NAME}`` (a new student: listen on ``runtime/NAME``; answers ``{"ready": NAME}``) and ``{"wipe": true}``
    (a student is done: ``wipe()``; answers ``{"wiped": true}`` only when nothing of the student's is left).  It
    listens on ``name`` only without ``control``."""
    import importlib
    import selectors
    import threading

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # what ipykernel would set
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # noqa: BLE001 - a library that fails to import is the kernel's problem
            sys.stderr.write(f"[course] warm parent: could not import {module} ({error})\n")
    if "matplotlib" in sys.modules:
        _draw_a_figure()
    # Python threads would be lost mid-work by a fork; numpy's OpenBLAS pool is the one native pool started at import,
    # and it stops its threads around a fork itself (pthread_atfork)
    if threading.active_count() != 1:
        sys.stderr.write("[course] warm parent: a library started a thread; forking is not safe: kernels start cold\n")
        return 3
    _dumpable(False)
    grader = os.getppid()
    selector = selectors.DefaultSelector()
    channel = None
    listener: socket.socket | None = None
    if control is None:
        listener = _listen(runtime, name, selector)
    else:
        if os.getppid() != 1:  # wipe() kills every process it may: only ever inside a pid namespace of its own
            sys.stderr.write("[course] warm parent: a grading slot's parent runs only in its own sandbox\n")
            return 4
        channel = socket.socket(fileno=control)
        selector.register(channel, selectors.EVENT_READ)
        _send(channel, {"started": True})
    kernels: dict[socket.socket, int] = {}  # stand-in connection -> kernel pid
    pending: dict[socket.socket, bytes] = {}  # a connection -> the start of a line not yet complete
    killed: list[int] = []  # kernels whose stand-in went, not yet reaped
    while True:
        for key, _ in selector.select(timeout=0.05):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                pid = _fork_kernel(conn, [listener, channel, *kernels])
                if pid is None:
                    conn.close()
                    continue
                kernels[conn] = pid
                selector.register(conn, selectors.EVENT_READ)
            elif key.fileobj is channel:
                requests = _read_messages(channel, pending)
                if requests is None:  # the grader is gone
                    for pid in kernels.values():
                        _kill(pid, signal.SIGKILL)
                    return 0
                for request in requests:
                    if request.get("wipe") is True:
                        if listener is not None:
                            selector.unregister(listener)
                            listener.close()
                            listener = None
                        for conn in kernels:
                            selector.unregister(conn)
                            conn.close()
                        kernels.clear()
                        killed.clear()
                        _send(channel, {"wiped": wipe()})
                    elif isinstance(request.get("listen"), str) and _SOCKET_NAME.fullmatch(request["listen"]):
                        if listener is None:
                            listener = _listen(runtime, request["listen"], selector)
                            _send(channel, {"ready": request["listen"]})
            elif key.fileobj in kernels:  # (not one a wipe closed since the select)
                conn = key.fileobj
                messages = _read_messages(conn, pending)
                if messages is None:  # the stand-in is gone: so is its kernel
                    killed.append(kernels.pop(conn))
                    _kill(killed[-1], signal.SIGKILL)
                    selector.unregister(conn)
                    conn.close()
                    continue
                for message in messages:
                    if isinstance(message.get("signal"), int) and message["signal"] in _FORWARDED:
                        _kill(kernels[conn], message["signal"])
        for conn, pid in list(kernels.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                _kill(pid, signal.SIGKILL)  # what the kernel left behind in its session
                try:
                    _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                except OSError:
                    pass
                selector.unregister(conn)
                conn.close()
                del kernels[conn]
        for conn in [c for c in pending if c not in kernels and c is not channel]:
            del pending[conn]
        killed[:] = [pid for pid in killed if not _reaped(pid)]
        if channel is None and os.getppid() != grader:  # the grader (or bwrap) is gone
            for pid in kernels.values():
                _kill(pid, signal.SIGKILL)
            return 0


_SOCKET_NAME = re.compile(rf"{SOCKET_PREFIX}[\w.-]{{1,64}}")


def _draw_a_figure() -> None:
    """Draw one figure with text and maths to PNG, so that the kernels inherit matplotlib's font cache, text layout
    caches and maths parser (a kernel's first figure took 190 ms instead of 140 ms)."""
    import io

    try:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(4, 3))
        axes = figure.subplots()
        axes.plot([0, 1], [1, 0], label="$\\hat{y}$")
        axes.set_title(r"$\mathcal{L}(\theta) = \frac{1}{N}\sum_i x_i^2$")
        axes.set_xlabel("epoch")
        axes.legend()
        figure.savefig(io.BytesIO(), format="png")
    except Exception as error:  # noqa: BLE001 - a warm-up only
        sys.stderr.write(f"[course] warm parent: could not draw a figure ({error})\n")


def _listen(runtime: str, name: str, selector) -> socket.socket:
    """Listen on ``runtime/name``; the name appears only once the socket accepts connections."""
    import selectors

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    here = os.getcwd()
    os.chdir(runtime)
    try:
        listener.bind(name + ".tmp")
        os.rename(name + ".tmp", name)
    finally:
        os.chdir(here)
    listener.listen(16)
    selector.register(listener, selectors.EVENT_READ)
    return listener


WIPE_SECONDS = 10.0  # how long the processes a student left may take to die


def wipe() -> bool:
    """Inside a grading slot's sandbox, when a student is done: kill every other process of the sandbox, empty /tmp
    and /dev/shm, remove the SysV IPC objects.  True only when nothing of the student's is left.

    ``kill(-1)`` reaches every process this uid may signal in the sandbox's own pid namespace (not bwrap, its pid 1,
    not the parent itself); it runs under the kernel's task-list lock, so no process can fork its way past it.  A
    student's process cannot trace the parent (it is not dumpable); it can stop or kill it, and then the grader,
    which gets no answer, ends the whole sandbox (course/grader/slots.py)."""
    me = os.getpid()
    try:
        os.kill(-1, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    deadline = time.monotonic() + WIPE_SECONDS
    while _living_others(me):
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    from .sandbox import empty

    try:
        os.chmod("/tmp/home", 0o777)
    except OSError:
        pass
    clean = empty("/tmp", keep=("home",)) and empty("/tmp/home")
    clean = (empty("/dev/shm") or not os.access("/dev/shm", os.W_OK)) and clean
    return _remove_sysv_ipc() and clean


def _living_others(me: int) -> list[int]:
    """The processes of the pid namespace but its pid 1 and ``me`` that are not zombies."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me):
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if stat.read().rsplit(")", 1)[-1].split()[0] != "Z":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def _remove_sysv_ipc() -> bool:
    """Remove the IPC namespace's SysV shared memory, semaphores and message queues; True when none is left."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ipc_rmid = 0
    remove = {
        "shm": lambda ident: libc.shmctl(ident, ipc_rmid, None),
        "sem": lambda ident: libc.semctl(ident, 0, ipc_rmid),
        "msg": lambda ident: libc.msgctl(ident, ipc_rmid, None),
    }
    for kind, rm in remove.items():
        for ident in _sysv_ids(kind):
            rm(ident)
    return not any(_sysv_ids(kind) for kind in remove)


def _sysv_ids(kind: str) -> list[int]:
    try:
        with open(f"/proc/sysvipc/{kind}") as table:
            return [int(line.split()[1]) for line in table.readlines()[1:] if line.strip()]
    except (OSError, ValueError, IndexError):
        return []


_FORWARDED = (int(signal.SIGINT), int(signal.SIGTERM), int(signal.SIGQUIT), int(signal.SIGHUP))


def _read_messages(conn: socket.socket, pending: dict) -> list[dict] | None:
    """The messages one ``recv`` completes on a stand-in's connection (None: it closed, or sent a line longer than
    any message); the start of an unfinished line waits in ``pending``.  A line that is not a JSON object reads {}."""
    try:
        data = conn.recv(4096)
    except OSError:
        return None
    if not data:
        return None
    *lines, rest = (pending.get(conn, b"") + data).split(b"\n")
    if len(rest) > 65536:
        return None
    pending[conn] = rest
    messages = []
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            message = {}
        messages.append(message if isinstance(message, dict) else {})
    return messages


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _kill(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)  # the kernel leads a session of its own: its children go too
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _dumpable(on: bool) -> None:
    """The parent is not dumpable: a kernel of the same uid cannot attach a debugger to it (its kernels are)."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, int(on), 0, 0, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        pass


def _fork_kernel(conn: socket.socket, servers: list) -> int | None:
    """Fork a kernel for the stand-in on ``conn``; the kernel closes ``servers`` (the parent's listener, control
    channel and other stand-ins' connections) before anything else."""
    try:  # anything may connect to the socket (the kernels can see it): a bad request is dropped, not obeyed
        conn.settimeout(10)
        request = next(_lines(conn), None)  # one line
        conn.settimeout(None)
    except (OSError, ValueError):
        return None
    if not isinstance(request, dict) or not isinstance(request.get("argv"), list):
        return None
    pid = os.fork()
    if pid:
        return pid
    # the kernel: nothing of the parent's server may remain
    try:
        # the parent's objects out of the garbage collector's sight (O(1)): a full collection would walk them all,
        # copying every page it touches from the parent (0.3 s and 160 MB for torch, torchvision and scikit-learn)
        gc.freeze()
        _dumpable(True)
        os.setsid()
        for server in servers:
            if server is not None:
                server.close()
        conn.close()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        os.chdir(request.get("cwd") or ".")
        # the kernel watches the warm parent (and exits when it goes), as a kernel watches the manager that started it
        sys.argv = [sys.executable, *[str(a) for a in request["argv"]], f"--IPKernelApp.parent_handle={os.getppid()}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - report, then exit with a failure status
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"] and argv[3:4] == ["--control"] and len(argv) >= 5 and argv[4].isdigit():
        return serve(argv[1], argv[2], tuple(argv[5:]) or WARM_MODULES, control=int(argv[4]))
    if argv[:1] == ["serve"] and len(argv) >= 3:
        return serve(argv[1], argv[2], tuple(argv[3:]) or WARM_MODULES)
    if argv[:1] == ["launch"] and argv[3:4] == ["--"]:
        return launch(argv[1], argv[2], argv[4:])
    sys.stderr.write("usage: python -m course.warm_kernels serve RUNTIME NAME [--control FD] [MODULE...]\n")
    sys.stderr.write("       python -m course.warm_kernels launch RUNTIME NAME -- ARGS...\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
