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

from . import kit
from .remote import Kernel, KernelError


@dataclass
class Verdict:
    """What the judge found for one test cell."""

    stdout: str = ""
    error: tuple[str, str] | None = None  # (exception type, message): the cell's checks failed
    in_kernel_failures: list[str] = field(default_factory=list)  # failed checks on in-kernel evidence only
    kernel_lost: bool = False  # the kernel died or ran out of time while answering


class _SeedingTorch(types.ModuleType):
    """``torch`` as a judged test sees it: ``torch.manual_seed`` seeds the student's kernel as well."""

    def __init__(self, kernel: Kernel):
        super().__init__("torch")
        import torch

        self._torch, self._kernel = torch, kernel

    def __getattr__(self, name: str) -> Any:
        return getattr(self._torch, name)

    def manual_seed(self, seed: int):
        self._kernel.value("path", path="torch.manual_seed", args=[int(seed)], kwargs={})
        return self._torch.manual_seed(seed)


class Namespace(dict):
    """The globals of a judged test: the judge's own names first, then the student's, fetched on first use.  A test
    that assigns one of the student's names it has read (``hinge_loss = reference``, and back) assigns it in the
    kernel too, as a test cell run there would: a function of the test's then runs as a callback."""

    def __init__(self, kernel: Kernel, base: dict):
        super().__init__(base)
        self._kernel, self._absent, self.fetched = kernel, set(), set()
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

    def __setitem__(self, name: str, value: Any) -> None:
        if name in self.fetched:
            self._kernel.value("assign", name=name, value=value)
        dict.__setitem__(self, name, value)


class Judge:
    """Judges the test cells of one notebook, in order, against one student's kernel."""

    def __init__(self, exchange: Callable[[str], str | None]):
        import torch

        torch.set_num_threads(1)  # the references are small; the cores belong to the kernels
        self.kernel = Kernel(exchange)
        self.torch = _SeedingTorch(self.kernel)
        self.defined: dict[str, Any] = {}  # names that earlier test cells defined (helpers, reference values)
        self._builtins = dict(vars(builtins), __import__=self._import)

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name == "course.checks":  # the kit stands in for the visible checks
            if fromlist:
                return kit
            package = types.ModuleType("course")
            package.checks = kit
            return package
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

    def run(self, source: str, cells_before: list[str]) -> Verdict:
        verdict = Verdict()
        namespace = Namespace(self.kernel, self._base())
        out = io.StringIO()
        context = kit.Context(self.kernel, cells_before)
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
        for name, value in namespace.items():
            if name not in namespace.fetched and not name.startswith("__"):
                self.defined[name] = value
        return verdict
