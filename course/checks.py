"""Visible checks: small, strict comparisons with friendly messages.

A check either prints a green tick or raises :class:`CheckFailed` (an ``AssertionError``) that says what was
expected, what was found and, where given, a hint.  Checks never trust the object they are handed: they test its
*type* first and compare plain copies, so an object whose ``__eq__`` always answers ``True`` does not pass.

They are what students see in the release notebooks.  nbgrader's hidden tests run more cases at grading time, so a
passing visible check says "on the right track", not "full marks".
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

__all__ = [
    "CheckFailed",
    "Forbidden",
    "NotAssigned",
    "answer_cell",
    "answer_code",
    "check_callable",
    "check_close",
    "check_equal",
    "check_number",
    "check_shape",
    "check_tensor",
    "check_true",
    "count_lines",
    "format_ok",
    "in_kernel",
    "passed",
    "replaced",
    "rerun_cell",
    "watch_calls",
    "Stub",
]

# The probes a hidden test hands to the student's code, and the calls the judge makes in the student's kernel
# (``course.judge.kit``): in a notebook they are the plain objects and calls of ``course.probes``, so that a hidden
# test reads the same whether the judge or plain nbgrader runs it.
_PROBES = ("Probe", "Moved", "TrialHook", "make_in_kernel", "kernel_call")


def __getattr__(name: str) -> Any:
    """The names of ``_PROBES``, from ``course.probes`` on first use (it imports torch)."""
    if name in _PROBES:
        from . import probes

        return getattr(probes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class CheckFailed(AssertionError):
    """A visible check did not hold; the message says why."""


def _fail(name: str, message: str, hint: str | None = None) -> None:
    text = f"✗ {name}: {message}"
    if hint:
        text += f"\n  Hint: {hint}"
    raise CheckFailed(text)


def passed(name: str, detail: str = "") -> None:
    """Print the tick a student sees when a group of visible checks holds."""
    suffix = f" ({detail})" if detail else ""
    print(f"✓ {name}: visible checks passed{suffix}. Hidden tests check more cases when the lab is graded.")


def format_ok(name: str, detail: str = "") -> None:
    """Print what a student sees when a visible check could only look at the *form* of an answer (its type, shape or
    range), not its value: the value itself is checked when the lab is graded."""
    suffix = f" ({detail})" if detail else ""
    print(f"✓ {name}: format OK{suffix}. The value itself is checked when the lab is graded.")


def _plain_bool(condition: Any) -> Any:
    """A NumPy or torch boolean scalar (``numpy.bool`` -- NumPy 1's ``bool_`` --, a 0-d or one-element bool array or
    tensor) as a Python bool; anything else unchanged.  Only real NumPy/torch types are converted, so a look-alike
    object whose ``__bool__`` always answers ``True`` is not."""
    kind = type(condition)
    module = kind.__module__.split(".")[0]
    if module == "numpy":
        import numpy as np

        if isinstance(condition, np.bool_) or (
            isinstance(condition, np.ndarray) and type(condition) is np.ndarray and condition.size == 1
        ):
            return bool(condition)
    if module == "torch" and kind.__name__ == "Tensor":
        import torch

        if type(condition) is torch.Tensor and condition.numel() == 1:
            return bool(condition)
    return condition


def check_true(condition: Any, name: str, message: str, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` is the boolean ``True`` or a true NumPy/torch boolean scalar
    (``numpy.bool``, a one-element array or tensor): ``0 <= acc <= 1`` with a NumPy ``acc`` gives a ``numpy.bool``."""
    if _plain_bool(condition) is not True:
        _fail(name, message, hint)


def check_callable(fn: Any, name: str) -> None:
    if not callable(fn):
        _fail(name, f"expected a function, got {type(fn).__name__}")


def _torch():
    import torch

    return torch


def check_tensor(value: Any, name: str, shape: tuple | None = None, dtype: Any = None, hint: str | None = None):
    """``value`` must be a real ``torch.Tensor`` (not a look-alike), optionally of a given shape and dtype."""
    torch = _torch()
    if not isinstance(value, torch.Tensor) or type(value) not in (torch.Tensor, torch.nn.Parameter):
        _fail(name, f"expected a torch.Tensor, got {type(value).__module__}.{type(value).__name__}", hint)
    if shape is not None:
        check_shape(value, name, shape, hint)
    if dtype is not None and value.dtype != dtype:
        _fail(name, f"expected dtype {dtype}, got {value.dtype}", hint)
    return value


def check_shape(value: Any, name: str, shape: tuple, hint: str | None = None) -> None:
    """Shapes compare as plain tuples of ints; ``None`` in ``shape`` matches any size."""
    got = tuple(int(s) for s in value.shape)
    want = tuple(shape)
    if len(got) != len(want) or any(w is not None and g != w for g, w in zip(got, want, strict=False)):
        _fail(name, f"expected shape {want}, got {got}", hint)


def check_close(
    actual: Any,
    expected: Any,
    name: str,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hint: str | None = None,
) -> None:
    """``actual`` must be a tensor of ``expected``'s shape whose values are close to it.

    ``expected`` may be a tensor, an array, a list or a number.  Values are compared in float64 on the CPU, with
    ``|actual - expected| <= atol + rtol * |expected|`` everywhere (NaNs never match).
    """
    torch = _torch()
    expected_t = torch.as_tensor(expected).detach().to("cpu", torch.float64)
    check_tensor(actual, name, hint=hint)
    check_shape(actual, name, tuple(expected_t.shape), hint)
    got = actual.detach().to("cpu", torch.float64).clone()
    if not bool(torch.isfinite(got).all()):
        _fail(name, "contains NaN or infinite values", hint)
    diff = (got - expected_t).abs()
    bound = atol + rtol * expected_t.abs()
    if not bool((diff <= bound).all()):
        worst = int(torch.argmax(diff - bound))
        idx = tuple(int(i) for i in torch.unravel_index(torch.tensor(worst), got.shape)) if got.dim() else ()
        _fail(
            name,
            f"values differ from the expected ones (largest difference {float(diff.max()):.3g} at index {idx}: "
            f"got {float(got.reshape(-1)[worst]):.6g}, expected {float(expected_t.reshape(-1)[worst]):.6g})",
            hint,
        )


def check_number(value: Any, name: str, expected: float | None = None, tol: float = 1e-6, hint: str | None = None):
    """``value`` must be a real Python/NumPy number or a one-element tensor; returns it as a float."""
    torch = _torch()
    if isinstance(value, bool):
        _fail(name, "expected a number, got a bool", hint)
    if isinstance(value, torch.Tensor) and type(value) in (torch.Tensor, torch.nn.Parameter):
        if value.numel() != 1:
            _fail(name, f"expected a single number, got a tensor of shape {tuple(value.shape)}", hint)
        number = float(value.detach().reshape(-1)[0])
    elif isinstance(value, numbers.Real) and type(value).__module__ in ("builtins", "numpy"):
        number = float(value)
    else:
        _fail(name, f"expected a number, got {type(value).__module__}.{type(value).__name__}", hint)
    if not math.isfinite(number):
        _fail(name, f"expected a finite number, got {number}", hint)
    if expected is not None and not abs(number - expected) <= tol * max(1.0, abs(expected)):
        _fail(name, f"expected about {expected:.6g}, got {number:.6g}", hint)
    return number


_PLAIN = (int, float, str, bytes, tuple, list, dict, type(None), bool)


def check_equal(actual: Any, expected: Any, name: str, hint: str | None = None) -> None:
    """Exact equality for plain Python values (ints, strings, tuples, ...); the type must match too."""
    if type(expected) not in _PLAIN:
        raise TypeError("check_equal compares plain Python values; use check_close for tensors")
    if type(actual) is not type(expected):
        _fail(name, f"expected a {type(expected).__name__}, got {type(actual).__name__}", hint)
    if repr(actual) != repr(expected):
        _fail(name, f"expected {expected!r}, got {actual!r}", hint)


def run_check(fn: Callable[[], None], name: str) -> None:
    """Run ``fn`` and turn a ``NotImplementedError`` into a friendly "not done yet" message."""
    try:
        fn()
    except NotImplementedError:
        _fail(name, "not implemented yet: replace `raise NotImplementedError()` with your code")


def _assigns(code: str, name: str) -> bool:
    """Whether ``code`` binds ``name`` anywhere in a cell (``=``, ``+=``, tuple unpacking, ``for``, ``:=``...)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    for node in tree.body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id == name and isinstance(sub.ctx, ast.Store):
                return True
    return False


def answer_cell(name: str) -> str:
    """The source of the last notebook cell run so far (the current one excluded) that assigned ``name``.

    Fails (``CheckFailed``) outside a notebook or when no cell assigned ``name``.
    """
    try:
        shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - an IPython builtin in notebooks
    except NameError:
        _fail(name, "can only look at cells inside a notebook")
    cells = [code for code in shell.user_ns.get("In", [])[:-1] if _assigns(code, name)]
    if not cells:
        _fail(name, f"could not find the cell that computes `{name}`", hint=f"assign `{name} = ...` in the answer cell")
    return cells[-1]


def code_words(source: str) -> str:
    """``source`` as its names and operators, space-separated: comments and strings are gone, so that a check of how
    an answer is written (a matrix product in it) is not met by a comment."""
    import io
    import tokenize

    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        return " ".join(t.string for t in tokens if t.type in (tokenize.NAME, tokenize.OP))
    except (tokenize.TokenError, SyntaxError):
        return source


def answer_code(name: str) -> str:
    """The answer cell of ``name`` (see :func:`answer_cell`) as its names and operators (see :func:`code_words`)."""
    return code_words(answer_cell(name))


def run_cell_again(code: str, name: str, overrides: dict[str, Any]) -> Any:
    """Run the notebook cell ``code`` again, quietly, in a copy of the notebook's namespace with ``overrides``; the
    value it assigns to ``name`` (``NotAssigned`` if it assigns none; its own exceptions pass through).  The notebook's
    own variables do not change.  The one way a cell is run again: ``rerun_cell`` here, and the kernel's half of the
    judge's protocol (``course.judge.kernel_side``) when the judge asks for it."""
    import contextlib
    import io
    import warnings

    shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - an IPython builtin in notebooks
    namespace = dict(shell.user_ns)
    namespace.update(overrides)
    try:
        code = shell.transform_cell(code)  # magics and shell escapes, as IPython ran the cell
    except Exception:  # noqa: BLE001 - run the cell as written
        pass
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        try:
            exec(compile(code, "<answer cell, run again>", "exec"), namespace)
        except SystemExit:  # IPython lets a cell end with sys.exit(); so does the re-run
            pass
    if name not in namespace:
        raise NotAssigned(f"the cell did not assign `{name}` when run again")
    return namespace[name]


class NotAssigned(NameError):
    """The cell that :func:`run_cell_again` ran did not assign the name asked for."""


def rerun_cell(name: str, overrides: dict[str, Any]) -> Any:
    """Run the last notebook cell that assigned ``name`` again with some variables replaced; return the new value.

    Hidden tests use it to see that an answer is *computed* from the notebook's data rather than typed in: they give
    the cell other data and compare with a reference.  The cell runs quietly in a copy of the notebook's namespace,
    so the notebook's own variables do not change.  Fails (``CheckFailed``) when no cell assigned ``name`` or when the
    cell raises with the other data.
    """
    code = answer_cell(name)
    try:
        return run_cell_again(code, name, overrides)
    except NotAssigned:
        _fail(name, f"your cell did not assign `{name}` when run again")
    except Exception as error:  # noqa: BLE001 - any failure of the student's cell is reported
        _fail(
            name,
            f"your cell failed when run again with other data ({type(error).__name__}: {error})",
            hint=f"compute `{name}` in its answer cell from the variables the exercise names",
        )


class Forbidden(RuntimeError):
    """Raised by a function that a hidden test forbids for the duration of a check (see :func:`watch_calls`)."""


def _resolve(path: str) -> tuple[Any, str]:
    """``"torch.linalg.svd"`` -> (the object that holds it, ``"svd"``)."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:-1]:
            owner = getattr(owner, part)
        return owner, parts[-1]
    raise ValueError(f"cannot resolve {path!r}")


class watch_calls:  # noqa: N801 - used like a function: `with watch_calls(...) as calls:`
    """Count calls of some library functions and forbid others while a ``with`` block runs.

        with watch_calls(watch=["torch.linalg.svd"], forbid=["torch.linalg.pinv"]) as calls:
            pinv_svd(A)
        calls["torch.linalg.svd"]  # how many times it was called

    Names are dotted paths (``"torch.Tensor.backward"``, ``"numpy.linalg.svd"``).  A forbidden function raises
    :class:`Forbidden`.  Everything is put back when the block ends, even on errors.
    """

    def __init__(self, watch=(), forbid=()):
        self.watch, self.forbid = list(watch), list(forbid)
        self.calls: dict[str, int] = {}
        self._saved: list[tuple[Any, str, Any, bool]] = []

    def _wrap(self, path: str, original: Any, forbidden: bool):
        import functools

        if forbidden:

            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                raise Forbidden(f"`{path}` may not be used here")

        else:

            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                self.calls[path] += 1
                return original(*args, **kwargs)

        return wrapper

    def __enter__(self) -> dict[str, int]:
        try:
            for path, forbidden in [(p, False) for p in self.watch] + [(p, True) for p in self.forbid]:
                owner, attr = _resolve(path)
                if not hasattr(owner, attr):
                    continue
                own = attr in getattr(owner, "__dict__", {})
                original = owner.__dict__[attr] if own else getattr(owner, attr)
                target = getattr(owner, attr)
                self.calls.setdefault(path, 0)
                self._saved.append((owner, attr, original, own))
                setattr(owner, attr, self._wrap(path, target, forbidden))
        except BaseException:
            self.__exit__()
            raise
        return self.calls

    def __exit__(self, *exc) -> None:
        for owner, attr, original, own in reversed(self._saved):
            if own:
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)
        self._saved.clear()


def count_lines(fn: Callable, *args, **kwargs) -> int:
    """How many lines of non-library Python (the notebook's own code) run during ``fn(*args, **kwargs)``: a number
    that does not grow with the data means no Python loop over it."""
    import sys

    library = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename.startswith(library):
            return None
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return count


class in_kernel:  # noqa: N801 - a context manager used like a function
    """Marks checks that rest on evidence from inside the student's process (calls counted, lines traced, source
    read).  In the notebook it does nothing; when the judge grades, a failure inside costs only a stated share of the
    test's points (the kernel could have forged the evidence; the numbers are judged separately)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class replaced:  # noqa: N801 - a context manager used like a function
    """``with replaced(hinge_loss=reference):`` the student's ``hinge_loss`` is the reference while the block runs, and
    the student's own again afterwards (also when a check fails), so that one answer is graded on its own.

    ``unless_passed="test_hinge_loss"`` (a test cell's grade id, or several): keep the student's own when those test
    cells passed, as the judge knows when it grades (a passing answer needs no stand-in, and the student's loop then
    runs without asking the judge for every batch's loss); where that is not known (plain nbgrader) the references
    are used.

    The names are swapped where the calling test reads them: in the notebook's namespace when a test runs in the
    kernel (plain nbgrader), in the judge's namespace when the judge runs it, where assigning one of the student's names
    assigns it in the student's kernel too."""

    def __init__(self, unless_passed: str | tuple[str, ...] = (), **references: Any):
        import sys

        self._scope = sys._getframe(1).f_globals  # the module namespace of the test that calls it
        tests = (unless_passed,) if isinstance(unless_passed, str) else tuple(unless_passed)
        self._references = {} if tests and all(self._passed(test) for test in tests) else references
        self._saved = {}

    @staticmethod
    def _passed(test: str) -> bool:
        """Whether the test cell ``test`` passed: not known in the notebook (the judge's kit knows)."""
        return False

    def __enter__(self):
        for name, reference in self._references.items():
            try:
                self._saved[name] = self._scope[name]
            except KeyError:
                raise NameError(f"name {name!r} is not defined") from None
            self._scope[name] = reference
        return self

    def __exit__(self, *exc):
        for name, own in self._saved.items():
            self._scope[name] = own
        return False


class Stub:
    """A stand-in for a function that an answer calls: returns ``returns`` and records each call in ``calls`` (a list
    of ``{"args": [...], "kwargs": {...}}``)."""

    def __init__(self, returns: Any = None):
        self.returns, self.calls = returns, []

    def __call__(self, *args, **kwargs):
        self.calls.append({"args": list(args), "kwargs": dict(kwargs)})
        return self.returns
