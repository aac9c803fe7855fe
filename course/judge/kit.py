"""What a hidden test sees as ``course.checks`` when it runs in the judge.

The check functions are the visible ones (they compare data, and run here in the judge).  The helpers that must see
the student's process do it through the kernel, as requests:

  * ``rerun_cell(name, overrides)``  run the student's answer cell again with other data, get the new value;
  * ``answer_cell(name)``  the source of the student's answer cell (the judge reads it from the notebook), and
    ``answer_code(name)`` its names and operators without comments and strings;
  * ``watch_calls(watch, forbid)``  count calls of library functions in the kernel, forbid others;
  * ``count_lines(fn, *args)``  how many lines of the student's Python a call runs (no loops over the data);
  * ``Stub(returns)``  a stand-in for a function the answer cell calls, which records how it was called;
  * ``make_in_kernel(path, *args)``  a library object built in the student's kernel (a ``torchbearer.Trial`` for
    the student's callbacks, an optimiser over the parameters of the student's model, a list the student's code
    fills), reached through a handle;
  * ``Probe``, ``Moved``, ``TrialHook`` (``course.probes``): library-style stand-ins that report to a function of
    the test how the student's code uses them (modes of a forward pass, moves to a device, torchbearer events);
  * ``replaced(name=reference)``  the student's function of that name swapped for a reference while a block runs
    (so that one answer is graded on its own), assigned in the kernel, where the student's code calls it;
  * ``in_kernel()``  wraps checks that rest on such in-kernel evidence: the kernel could forge it, so a failure
    there costs a stated share of the cell's points (``SafeExecute.in_kernel_share``), not all of them.

In a judged test, ``torch.manual_seed(n)`` seeds the student's kernel too, so that a test can replay a training run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from ..checks import (  # noqa: F401 - re-exported: the checks a hidden test calls
    CheckFailed,
    Forbidden,
    NotAssigned,
    _assigns,
    _fail,
    check_callable,
    check_close,
    check_equal,
    check_number,
    check_shape,
    check_tensor,
    check_true,
    code_words,
    format_ok,
    passed,
    run_check,
)
from ..checks import replaced as _replaced
from ..probes import Moved, Probe  # noqa: F401 - re-exported: the probes a hidden test hands to the student's code
from . import wire
from .remote import Kernel, KernelError, Remote, StubEntry


@dataclass
class Context:
    """What the kit needs to know about the test cell being judged."""

    kernel: Kernel
    cells_before: list[str]  # the sources of the notebook's code cells above the test cell, in order
    in_kernel_failures: list[str] = field(default_factory=list)
    passed: frozenset[str] = frozenset()  # the grade ids of the notebook's test cells judged so far that passed


_context: Context | None = None


def _now() -> Context:
    if _context is None:
        raise RuntimeError("the judge's kit is used outside a judged test")
    return _context


@contextlib.contextmanager
def judging(context: Context):
    global _context
    previous, _context = _context, context
    try:
        yield context
    finally:
        _context = previous


class replaced(_replaced):  # noqa: N801 - used like the visible one: `with replaced(name=reference):`
    """``course.checks.replaced``; ``unless_passed`` is known here: the test cells the judge has passed so far."""

    @staticmethod
    def _passed(test: str) -> bool:
        return test in _now().passed


def answer_cell(name: str) -> str:
    cells = [code for code in _now().cells_before if _assigns(code, name)]
    if not cells:
        _fail(name, f"could not find the cell that computes `{name}`", hint=f"assign `{name} = ...` in the answer cell")
    return cells[-1]


def answer_code(name: str) -> str:
    """The student's answer cell for ``name`` as its names and operators (``course.checks.code_words``)."""
    return code_words(answer_cell(name))


def rerun_cell(name: str, overrides: dict[str, Any]) -> Any:
    code = answer_cell(name)
    try:
        return _now().kernel.value("rerun", code=code, name=name, overrides=overrides)
    except NotAssigned:
        _fail(name, f"your cell did not assign `{name}` when run again")
    except (CheckFailed, Forbidden, KernelError):  # a lost kernel is reported as lost, not as a failing cell
        raise
    except Exception as error:  # noqa: BLE001 - any failure of the student's cell is reported
        _fail(
            name,
            f"your cell failed when run again with other data ({type(error).__name__}: {error})",
            hint=f"compute `{name}` in its answer cell from the variables the exercise names",
        )


class watch_calls:  # noqa: N801 - used like the visible one: `with watch_calls(...) as calls:`
    """``course.checks.watch_calls``, in the student's kernel: the counts arrive when the block ends."""

    def __init__(self, watch=(), forbid=()):
        self.watch, self.forbid = list(watch), list(forbid)
        self.calls: dict[str, int] = {}

    def __enter__(self) -> dict[str, int]:
        _now().kernel.value("watch", watch=self.watch, forbid=self.forbid)
        return self.calls

    def __exit__(self, *exc) -> None:
        counts = _now().kernel.value("unwatch")
        if isinstance(counts, dict):
            self.calls.update({str(k): int(v) for k, v in counts.items() if isinstance(v, int)})


def count_lines(fn: Any, *args, **kwargs) -> int:
    """Lines of the student's Python run by ``fn(*args, **kwargs)`` (counted in the kernel)."""
    if isinstance(fn, Remote):
        kernel = object.__getattribute__(fn, "_kernel")
        return int(kernel.value("lines", h=object.__getattribute__(fn, "_id"), arguments=(list(args), kwargs)))
    from ..checks import count_lines as local

    return local(fn, *args, **kwargs)


class Stub(StubEntry):
    """A stand-in for a function the student's cell calls (pass it in ``rerun_cell``'s overrides): it returns
    ``returns`` and records its calls, readable as ``stub.calls`` (a list of ``{"args": [...], "kwargs": {...}}``)."""

    _ids = iter(range(1, 1 << 30))

    def __init__(self, returns: Any = None):
        self.returns, self.id, self._kernel = returns, next(Stub._ids), None

    def entry(self, kernel: Kernel) -> dict:
        self._kernel = kernel
        return {"~stub": self.id, "returns": kernel.send(self.returns)}

    @property
    def calls(self) -> list[dict]:
        if self._kernel is None:
            return []
        calls = self._kernel.value("stub_calls", stub=self.id)
        return calls if isinstance(calls, list) else []


@contextlib.contextmanager
def in_kernel():
    """Checks on in-kernel evidence: a failure is recorded (and costs the in-kernel share) and the test goes on."""
    try:
        yield
    except (CheckFailed, Forbidden) as failure:
        _now().in_kernel_failures.append(str(failure))


def make_in_kernel(path: str, *args, **kwargs) -> Any:
    """Call the library function or class ``path`` (``"torchbearer.Trial"``, ``"torch.optim.Adam"``,
    ``"builtins.list"``) in the student's kernel and return a handle of what it made, which stays there."""
    if path.split(".")[0] not in wire.LIBRARIES | {"builtins"}:
        raise ValueError(f"make_in_kernel builds library objects, not {path!r}")
    return _now().kernel.value("path", path=path, args=list(args), kwargs=kwargs, keep=True)


def kernel_call(path: str, *args, **kwargs) -> Any:
    """Call the library function ``path`` in the student's kernel (``"torch.load"`` of a file the student's code
    wrote, ``"torch.save"`` of a test's tensor into the kernel's folder); its result as data, or a handle."""
    if path.split(".")[0] not in wire.LIBRARIES | {"builtins"} | wire.KERNEL_SIDE:
        raise ValueError(f"kernel_call calls library functions, not {path!r}")
    return _now().kernel.value("path", path=path, args=list(args), kwargs=kwargs)


def TrialHook(event: str, fn: Any) -> Any:  # noqa: N802 - it stands for the class of course.probes
    """A torchbearer callback that calls ``fn(state)`` on ``event`` (``"on_step_training"``)."""
    from ..probes import TrialHook as hook

    return hook(event, fn)
