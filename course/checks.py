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
    "check_callable",
    "check_close",
    "check_equal",
    "check_number",
    "check_shape",
    "check_tensor",
    "check_true",
    "passed",
]


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


def check_true(condition: Any, name: str, message: str, hint: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` is the boolean ``True`` (or a true NumPy/torch scalar bool)."""
    if type(condition).__name__ in ("Tensor", "ndarray", "bool_"):
        condition = bool(condition)
    if condition is not True:
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
