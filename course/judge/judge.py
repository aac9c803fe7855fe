"""Run a test cell in the judge: the student's names are fetched from the kernel, the verdict stays here."""

from __future__ import annotations

import builtins
import contextlib
import io
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import kit, wire
from .remote import Kernel, KernelError, Remote


@dataclass
class Verdict:
    """What the judge found for one test cell."""

    stdout: str = ""
    error: tuple[str, str] | None = None  # (exception type, message): the cell's checks failed
    in_kernel_failures: list[str] = field(default_factory=list)  # failed checks on in-kernel evidence only
    kernel_lost: bool = False  # the kernel died or ran out of time while answering


class _Mirrored(types.ModuleType):
    """A library module as a judged test sees it (``torch``, ``torch.cuda``): reading is reading the judge's copy,
    but assigning an attribute (``torch.cuda.is_available = lambda: True``, and back) assigns it in the student's
    kernel too, where the student's code will read it; the judge's own module is left as it is."""

    def __init__(self, kernel: Kernel, module: types.ModuleType):
        super().__init__(module.__name__)
        object.__setattr__(self, "_j_module", module)
        object.__setattr__(self, "_j_kernel", kernel)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._j_module, name)
        if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}":
            value = _Mirrored(self._j_kernel, value)
            object.__setattr__(self, name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        path = f"{self.__name__}.{name}"
        if value is getattr(self._j_module, name, None):  # the library's own, put back: the kernel puts its own back
            self._j_kernel.value("patch", path=path, restore=True)
        else:
            self._j_kernel.value("patch", path=path, value=value)
        object.__setattr__(self, name, value)


class _TypeOf(type):
    def __instancecheck__(cls, obj) -> bool:  # isinstance(x, type) as ever
        return isinstance(obj, type)

    def __subclasscheck__(cls, sub) -> bool:
        return issubclass(sub, type)


class _Type(type, metaclass=_TypeOf):
    """``type`` as a judged test sees it: ``type(x)`` of one of the kernel's objects is what the kernel answers (a
    library's class as the judge's own copy, so that ``type(model.fc) is nn.Linear`` holds; a class of the student's
    as its handle); everything else is ``type`` itself."""

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and builtins.type(args[0]) is Remote:
            return args[0]._type()
        return builtins.type(*args, **kwargs)


class _Probes(types.ModuleType):
    """``course.probes`` as a judged test sees it: the same probes, and the kit's ``make_in_kernel`` and
    ``kernel_call``, which make the object (make the call) in the student's kernel."""

    def __init__(self):
        super().__init__("course.probes")
        self.make_in_kernel, self.kernel_call = kit.make_in_kernel, kit.kernel_call

    def __getattr__(self, name: str) -> Any:
        from .. import probes

        return getattr(probes, name)


class _SeedingTorch(_Mirrored):
    """``torch`` as a judged test sees it: ``torch.manual_seed`` seeds the student's kernel as well."""

    def __init__(self, kernel: Kernel):
        import torch

        super().__init__(kernel, torch)

    def manual_seed(self, seed: int):
        self._j_kernel.value("path", path="torch.manual_seed", args=[int(seed)], kwargs={})
        return self._j_module.manual_seed(seed)


class Namespace(dict):
    """The globals of a judged test: the judge's own names first, then the student's, fetched on first use.  A test
    that assigns one of the student's names it has read (``hinge_loss = reference``, and back) assigns it in the
    kernel too, as a test cell run there would: a function of the test's then runs as a callback."""

    def __init__(self, kernel: Kernel, base: dict, test_names: set[str]):
        super().__init__(base)
        self._kernel, self._absent, self.fetched = kernel, set(), set()
        self.own = set(test_names)  # names the tests themselves assign: a function that reads one runs in the judge
        self._builtins = base["__builtins__"]

    def __missing__(self, name: str) -> Any:
        if name in self._absent or name in self._builtins or name.startswith("__"):
            raise KeyError(name)
        try:
            value = self._kernel.value("get", name=name)
        except NameError:
            self._absent.add(name)
            raise KeyError(name) from None
        dict.__setitem__(self, name, value)
        self.fetched.add(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:  # ``globals().get(name)`` asks the kernel too
        try:
            return self[name]
        except KeyError:
            return default

    def __setitem__(self, name: str, value: Any) -> None:
        if name in self.fetched:
            self._kernel.value("assign", name=name, value=value)
        else:
            self.own.add(name)
        dict.__setitem__(self, name, value)


class Judge:
    """Judges the test cells of one notebook, in order, against one student's kernel."""

    def __init__(self, exchange: Callable[[str], str | None]):
        import torch

        torch.set_num_threads(1)  # the references are small; the cores belong to the kernels
        self.kernel = Kernel(exchange)
        self.torch = _SeedingTorch(self.kernel)
        self.defined: dict[str, Any] = {}  # names that earlier test cells defined (helpers, reference values)
        self.test_names: set[str] = set()  # the names the tests themselves assigned (not the kit's, not libraries)
        self.passed: set[str] = set()  # the grade ids of the test cells that passed (``replaced(unless_passed=...)``)
        self._builtins = dict(vars(builtins), __import__=self._import, type=_Type)

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name in ("course.checks", "course.probes"):  # the kit stands in for the kernel's helpers
            module = kit if name == "course.checks" else _Probes()
            if fromlist:
                return module
            package = types.ModuleType("course")
            setattr(package, name.split(".")[1], module)
            return package
        if level == 0 and name.split(".")[0] in wire.KERNEL_SIDE:  # files and processes: the kernel's
            return self.kernel.value("import", name=name if fromlist else name.split(".")[0])
        module = __import__(name, globals, locals, fromlist, level)
        if level == 0 and name.split(".")[0] == "torch" and not fromlist:
            return self.torch
        return module

    def _base(self) -> dict:
        import math

        import numpy as np
        import torch.nn.functional as F  # noqa: N812 - the notebooks' name
        from torch import nn, optim

        base = {name: getattr(kit, name) for name in dir(kit) if not name.startswith("_")}
        base.update(torch=self.torch, nn=nn, F=F, optim=optim, np=np, numpy=np, math=math)
        base.update(self.defined)
        base["__builtins__"] = self._builtins
        base["__name__"] = "__judge__"
        return base

    def run(self, source: str, cells_before: list[str], grade_id: str = "") -> Verdict:
        verdict = Verdict()
        namespace = Namespace(self.kernel, self._base(), self.test_names)
        out = io.StringIO()
        context = kit.Context(self.kernel, cells_before, passed=frozenset(self.passed))
        filename = f"<test cell {len(self.kernel.visible) + 1}>"
        self.kernel.visible[filename] = source.split("### BEGIN HIDDEN TESTS")[0]
        try:
            code = compile(source, filename, "exec")
            with (
                kit.judging(context),
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(io.StringIO()),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                exec(code, namespace)
        except KernelError as exc:
            verdict.error, verdict.kernel_lost = ("KernelError", str(exc)), exc.lost
        except Exception as exc:  # noqa: BLE001 - a failed check, or the student's code failing when called
            verdict.error = (type(exc).__name__, str(exc))
        finally:
            self.kernel.forget()
        verdict.stdout = out.getvalue()
        verdict.in_kernel_failures = context.in_kernel_failures
        if grade_id and verdict.error is None and not verdict.kernel_lost:
            self.passed.add(grade_id)
        self.test_names |= namespace.own
        for name, value in namespace.items():
            if name not in namespace.fetched and not name.startswith("__"):
                self.defined[name] = value
        return verdict
