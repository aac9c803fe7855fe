"""nbgrader extensions used by `course grade` (configured in nbgrader_config.py).

``SafeExecute`` replaces nbgrader's Execute preprocessor:
  * a kernel that dies (``os._exit``, a segfault, the memory limit) or a notebook that runs out of its time budget no
    longer throws the whole submission away (nbgrader 0.9.6 removes it): the cells already run keep their outputs,
    and every cell not run gets an error output, so its test cell scores 0 -- points earned before are kept;
  * the notebook as a whole has a time budget (``c.SafeExecute.notebook_timeout`` seconds), on top of the per-cell
    limit;
  * a cell's output is capped (``c.SafeExecute.max_output`` bytes) so a print in a loop cannot exhaust the grader's
    memory;
  * the code cells after the notebook's last graded cell (a test, an answer, a task) are not run: nothing they do can
    change a grade, and a student's slow experiment there cannot use up the notebook's time;
  * the kernel is started by ``SandboxKernelManager``, which wraps it in bubblewrap
    (``c.SandboxKernelManager.sandbox``) and forks it from a warm parent (``c.SandboxKernelManager.warm``,
    ``course/warm_kernels.py``).
``course grade`` writes these settings into each student's scratch nbgrader_config.py (``course.grader.records``).
"""

from __future__ import annotations

import json
import os
import time

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Int, List, Unicode

from . import warm_kernels
from .judge.judge import Judge, Verdict
from .judge.remote import KernelError
from .nbtools import nbgrader_meta
from .sandbox import give

NOT_RUN = "NotRun"
AFTER_THE_LAST_GRADED = "[not run while grading: no graded cell comes after this one]\n"


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


# What a grading kernel is started with:
#  * figures not cropped to their ink (``bbox_inches="tight"`` lays each figure out twice: a typical three-panel figure
#    took 175 ms instead of 110 ms, and drawing figures was a fifth of the kernels' time while lab 3 was graded); the
#    graded notebooks and the feedback keep every figure, with its margins;
#  * plain tracebacks: each frame's file, line and code, without the lines around it (7.5 ms instead of 0.4 ms per
#    error, more for a kernel's first, and an untouched or wrong notebook raises in many cells).
GRADING_KERNEL_ARGUMENTS = [
    '--InlineBackend.print_figure_kwargs={"bbox_inches": None}',
    "--InteractiveShell.xmode=Plain",
]


class SandboxKernelManager(AsyncKernelManager):
    """Starts the kernel inside bubblewrap (see course.sandbox) when ``sandbox`` is on.

    `course grade` gives every student a scratch folder (``workdir``) holding the working folder and a runtime folder
    (``JUPYTER_RUNTIME_DIR``) for the connection file and the kernel's unix sockets.  Ownership is only ever handed to
    the sandbox's uid inside that scratch folder.
    """

    sandbox = Bool(False, help="Run the kernel in bubblewrap (course/sandbox.py).").tag(config=True)
    workdir = Unicode("", help="The student's scratch folder: the only place handed to the sandbox's uid.").tag(
        config=True
    )
    uid = Int(-1, help="Run the sandboxed kernel as this uid (when the grader is root); -1: the grader's.").tag(
        config=True
    )
    memory = Int(0, help="Memory limit of the sandboxed kernel in bytes (0: course.sandbox.Limits' default).").tag(
        config=True
    )
    warm = Bool(False, help="Fork kernels from a warm parent (course/warm_kernels.py) where that is safe.").tag(
        config=True
    )
    warm_modules = List(Unicode(), help="What the warm parent imports (warm_kernels.modules_for the lab).").tag(
        config=True
    )
    warm_parent = Unicode(
        "", help='The socket of a grading slot\'s warm parent (course/grader/slots.py); "": start one per student.'
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self._sandboxed():
            self.transport = "ipc"  # unix sockets: the sandbox has no network, not even the grader's loopback

    def _sandboxed(self) -> bool:
        return self.sandbox and bool(self.workdir) and bool(os.environ.get("JUPYTER_RUNTIME_DIR"))

    def _uid(self) -> int | None:
        return self.uid if self.uid >= 0 else None

    def write_connection_file(self, **kwargs):
        if self._sandboxed():
            runtime = os.environ["JUPYTER_RUNTIME_DIR"]
            if not self.connection_file or os.path.dirname(os.path.realpath(self.connection_file)) != runtime:
                name = (self.kernel_id or str(os.getpid())).replace("-", "")[:12]
                self.connection_file = os.path.join(runtime, f"k{name}.json")
                self.ip = os.path.splitext(self.connection_file)[0] + "-ipc"
        result = super().write_connection_file(**kwargs)
        uid = self._uid()
        if self._sandboxed() and uid is not None:
            give(self.workdir, self.connection_file, uid, recursive=False)
        return result

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments) + GRADING_KERNEL_ARGUMENTS
        wrap, key, runtime = self._sandbox_wrap() if self._sandboxed() else self._plain_wrap()
        if self.warm and self.warm_parent:  # the grading slot's parent, in the slot's sandbox
            return warm_kernels.stand_in_command(self.warm_parent, cmd) or wrap(cmd)
        if self.warm:
            modules = tuple(self.warm_modules)
            return warm_kernels.launch_command(key, runtime, cmd, wrap, modules) or wrap(cmd)
        return wrap(cmd)

    def _plain_wrap(self):
        """Without a sandbox: the command as it is; the key of a warm parent outside any sandbox; the runtime folder."""
        runtime = os.environ.get("JUPYTER_RUNTIME_DIR") or os.path.dirname(self.connection_file)
        key = ("plain", os.path.realpath(self._launch_args.get("cwd") or os.getcwd()), runtime)
        return (lambda command: command), key, runtime

    def _sandbox_wrap(self):
        """``wrap(cmd)``, which puts a command in this kernel's sandbox; the sandbox's key; the runtime folder."""
        from .sandbox import for_kernels

        cwd = os.path.realpath(self._launch_args.get("cwd") or os.getcwd())
        runtime = os.path.realpath(os.environ["JUPYTER_RUNTIME_DIR"])
        uid = self._uid()
        if uid is not None:
            give(self.workdir, cwd, uid, recursive=True)
            give(self.workdir, runtime, uid, recursive=False)
        box, env = for_kernels(uid, runtime, self.memory)
        if uid is not None:
            give(self.workdir, runtime, uid, recursive=True)
        key = ("sandbox", cwd, runtime, uid, box.limits.memory)
        return (lambda command: box.wrap(command, cwd=cwd, writable=[cwd, runtime], env=env)), key, runtime


class SafeExecute(Execute):
    """nbgrader's Execute, made to survive dead kernels and to respect a whole-notebook time budget; with ``judge``
    on, autograded test cells are run by the judge (``course.judge``) instead of the student's kernel."""

    judge = Bool(False, help="Run autograded test cells in the judge, outside the student's kernel.").tag(config=True)
    notebook_timeout = Int(0, help="Seconds the whole notebook may run (0: only the per-cell limit).").tag(config=True)
    max_output = Int(2 * 1024 * 1024, help="Bytes of output a cell may keep; the rest is cut.").tag(config=True)
    kernel_folder = Unicode(
        "",
        help="The kernel's working folder (\"\": the notebook's).  nbgrader executes a notebook in its own folder, "
        "where the notebooks it grades hold the hidden tests: course grade gives the kernel a folder of its own.",
    ).tag(config=True)
    profile = Unicode(
        "",
        help="A file that gets one JSON line per cell run and per kernel start, with its seconds (benchmarks).",
    ).tag(config=True)
    in_kernel_share = Float(
        0.25, help="Share of a judged test's points that rests on in-kernel evidence (course.judge.kit.in_kernel)."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._started = time.monotonic()
        self._stopped = ""
        self._budget = float(self.notebook_timeout)
        self._cell_timeout = self.timeout
        self._max_output = int(self.max_output)
        self._judge = Judge(self._exchange) if self.judge else None
        self._channel = None
        self._profiled = (resources or {}).get("nbgrader", {}).get("notebook", ""), time.monotonic()
        self._last_graded = last_graded(nb)
        notebook_folder = None
        if self.kernel_folder:
            os.makedirs(self.kernel_folder, exist_ok=True)
            resources = resources if resources is not None else {}
            metadata = resources.setdefault("metadata", {})
            notebook_folder = metadata.get("path")
            metadata["path"] = self.kernel_folder  # nbclient starts the kernel there
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError:
            # the kernel died while the client was shutting down or between cells: keep what ran
            self._stopped = self._stopped or "the kernel died"
            self._mark_rest(nb, 0)
            return nb, resources
        finally:
            if self._channel is not None:
                self._channel.close()
            if self.kernel_folder:
                resources["metadata"]["path"] = notebook_folder

    def _mark_rest(self, nb, start: int) -> None:
        for cell in nb.cells[start:]:
            if cell.cell_type == "code" and not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                if not cell.get("outputs") or cell.get("execution_count") is None:
                    cell.outputs = [_error(NOT_RUN, f"not run: {self._stopped} in an earlier cell")]

    def preprocess_cell(self, cell, resources, index):
        if not self.profile:
            return self._preprocess_cell(cell, resources, index)
        started = time.monotonic()
        if index == 0:  # the time since the notebook began: starting the kernel
            self._record("kernel start", started - self._profiled[1])
        try:
            return self._preprocess_cell(cell, resources, index)
        finally:
            test = _is_test(cell)
            kind = "judged test" if test and self._judge is not None else "test" if test else "student"
            if cell.cell_type == "code":
                self._record(kind, time.monotonic() - started, index, cell.metadata.get("nbgrader", {}).get("grade_id"))

    def _record(self, what: str, seconds: float, index: int = -1, grade_id: str | None = None) -> None:
        """One line of the profile: what ran in which notebook, and how long it took."""
        line = {"notebook": self._profiled[0], "what": what, "cell": index, "grade_id": grade_id or "",
                "seconds": round(seconds, 3)}  # fmt: skip
        with open(self.profile, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")  # one short write: lines of parallel workers do not interleave

    def _preprocess_cell(self, cell, resources, index):
        if self._last_graded is not None and index > self._last_graded:
            if cell.cell_type == "code":
                cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=AFTER_THE_LAST_GRADED)]
                cell.execution_count = None
            return cell, resources
        if self._stopped:
            if cell.cell_type == "code":
                cell.outputs = [_error(NOT_RUN, f"not run: {self._stopped} in an earlier cell")]
            return cell, resources
        if self._budget:
            left = self._budget - (time.monotonic() - self._started)
            if left <= 0:
                self._stopped = f"the notebook's time limit ({self._budget:.0f} s) was reached"
                return self._preprocess_cell(cell, resources, index)
            self.timeout = int(max(1, min(self._cell_timeout or left, left)))
        if self._judge is not None and _is_test(cell):
            self._judge_cell(cell, index)
            self._cap_outputs(cell)
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = "the kernel died (os._exit, a crash or the memory limit)"
            cell.outputs = list(cell.get("outputs", [])) + [_error("DeadKernelError", self._stopped)]
        except CellTimeoutError:
            if self._budget and time.monotonic() - self._started >= self._budget - 1:
                self._stopped = f"the notebook's time limit ({self._budget:.0f} s) was reached"
            else:
                self._stopped = f"a cell ran past the cell time limit ({self.timeout} s)"
            cell.outputs = list(cell.get("outputs", [])) + [_error("CellTimeoutError", self._stopped)]
        self._cap_outputs(cell)
        return cell, resources

    def _exchange(self, tree: dict):
        """Send one request of the judge to the student's kernel (over a client of the judge's own); its reply."""
        try:
            if self._channel is None:
                from jupyter_core.utils import run_sync

                from .judge.channel import Channel

                alive = run_sync(self.km.is_alive)
                info = self.km.get_connection_info()
                self._channel = Channel(info, alive, self._judge.kernel.answer, self._drain_iopub)
            return self._channel.request(tree, float(self.timeout or 600))
        except KernelError as exc:
            if exc.lost:
                self._stopped = str(exc)
            raise

    def _judge_cell(self, cell, index: int) -> None:
        """The test cell's outputs, as the judge reports them: what the checks printed, and their verdict."""
        # the student's cells above (never a test cell: its hidden code must not be run again in the kernel)
        before = [c.source for c in self.nb.cells[:index] if c.cell_type == "code" and not _is_test(c)]
        try:
            verdict = self._judge.run(cell.source, before, cell.metadata["nbgrader"].get("grade_id", ""))
        finally:
            if self._channel is not None:
                self._channel.finish()  # the kernel is free for the notebook's next cell
            self._drain_iopub()
        cell.outputs = verdict_outputs(verdict, float(cell.metadata["nbgrader"].get("points", 0)), self.in_kernel_share)
        if verdict.kernel_lost:  # reported like a kernel that died in a cell of its own
            cell.outputs = [o for o in cell.outputs if o.output_type != "error"]
            cell.outputs.append(_error("DeadKernelError", self._stopped or "the kernel did not answer the judge"))

    def _drain_iopub(self) -> None:
        """Empty the executor's IOPub queue of the judge's request cells (their busy and idle notices): nbclient only
        reads it while it runs a cell itself, and a full queue would drop the next cell's messages."""
        from jupyter_core.utils import run_sync

        if self.kc is None:
            return
        ready, get = run_sync(self.kc.iopub_channel.msg_ready), run_sync(self.kc.iopub_channel.get_msg)
        while ready():
            get(timeout=1)

    def _cap_outputs(self, cell) -> None:
        if cell.cell_type != "code":
            return
        total, kept, cut = 0, [], False
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                kept.append(out)
                continue
            size = len(str(out.get("text", ""))) + sum(len(str(v)) for v in out.get("data", {}).values())
            if cut:
                continue
            if total + size > self._max_output:
                cut = True
                notice = f"[output cut: more than {self._max_output // 1024} KiB]\n"
                kept.append(NotebookNode(output_type="stream", name="stdout", text=notice))
                continue
            total += size
            kept.append(out)
        cell.outputs = kept


def last_graded(nb) -> int | None:
    """The index of the notebook's last cell that nbgrader grades or that holds an answer (None: there is none)."""
    marked = [
        i
        for i, cell in enumerate(nb.cells)
        if any(nbgrader_meta(cell).get(key) for key in ("grade", "solution", "task"))
    ]
    return marked[-1] if marked else None


def _is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def verdict_outputs(verdict: Verdict, points: float, share: float) -> list:
    """A judged test cell's outputs; nbgrader scores them as usual (an error: 0; a number: partial credit)."""
    outputs = []
    text = verdict.stdout
    if verdict.error is None and verdict.in_kernel_failures:
        text += "".join(f"{m}\n" for m in verdict.in_kernel_failures)
        text += f"(checks of how the answer was computed failed: {1 - share:.0%} of the points kept)\n"
    if text:
        outputs.append(NotebookNode(output_type="stream", name="stdout", text=text))
    if verdict.error is not None:
        outputs.append(_error(*verdict.error))
    elif verdict.in_kernel_failures:
        score = round(points * (1 - share), 4)
        outputs.append(
            NotebookNode(
                output_type="execute_result", execution_count=None, metadata={}, data={"text/plain": f"{score:g}"}
            )
        )
    return outputs
