"""Probes a hidden test hands to the student's code, to see how that code uses what it is given.

The judge (``course/judge``) cannot send its own classes into the student's kernel: only data and objects of known
libraries cross, rebuilt there from a pickle of their names.  These classes are such a library: importable in the
kernel, holding no answer, and reporting what they see through a function of the test (which runs in the judge, as a
callback, when the student's code triggers it).

  * ``Probe(report, negate_in_training, inputs)``: an identity layer to append to a model; every forward pass
    calls ``report(training, grad_enabled)`` (``report(training, grad_enabled, x)`` with ``inputs``: the values it
    saw, e.g. the logits a loss was computed from); with ``negate_in_training`` it returns ``-x`` in training mode,
    so that a model evaluated without ``model.eval()`` gives other answers;
  * ``Moved(tensor, report)``: a tensor "not yet on the device": only ``.to(device)`` gives the tensor, and calls
    ``report(str(device))``;
  * ``TrialHook(event, fn)``: a torchbearer callback that calls ``fn(state)`` on one event (``"on_step_training"``);
  * ``make_in_kernel(path, *args, **kwargs)``: the library object ``path`` (``"torchbearer.Trial"``) made with these
    arguments.  In a notebook that is the plain call; when the judge grades a test that uses it, the object is made
    in the student's kernel, where the student's code it works with (callbacks, a model) runs, and the test holds a
    handle of it (``course.judge.kit.make_in_kernel``);
  * ``kernel_call(path, *args, **kwargs)``: the same for a library function whose result the test reads
    (``"torch.load"`` of a file the student's code wrote).

``course.checks`` offers these names too, so that a hidden test imports everything it uses from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn


class Probe(nn.Module):
    """An identity layer that reports the training mode and the grad mode of every forward pass."""

    def __init__(self, report: Callable[..., Any] | None = None, negate_in_training: bool = False, inputs=False):
        super().__init__()
        self.report, self.negate_in_training, self.inputs = report, negate_in_training, inputs

    def forward(self, x):
        if self.report is not None:
            seen = (x.detach().clone(),) if self.inputs else ()
            self.report(bool(self.training), bool(torch.is_grad_enabled()), *seen)
        return -x if self.negate_in_training and self.training else x


class Moved:
    """Stands for a tensor not yet on the device: only ``.to(device)`` gives the real tensor."""

    def __init__(self, tensor: torch.Tensor, report: Callable[[str], Any]):
        self.tensor, self.report = tensor, report

    def to(self, *args, **kwargs):
        device = args[0] if args else kwargs.get("device")
        self.report(str(device))
        return self.tensor


def make_in_kernel(path: str, *args, **kwargs) -> Any:
    """The library object ``path`` made with these arguments (see the module's docstring)."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):  # the longest importable prefix, then attributes ("PIL.Image.Image.save")
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target(*args, **kwargs)
    raise ImportError(f"no module in {path!r}")


def kernel_call(path: str, *args, **kwargs) -> Any:
    """The library function ``path`` called with these arguments (``"torch.load"``).  In a notebook that is the plain
    call; when the judge grades a test that uses it, the call is made in the student's kernel, on its files
    (``course.judge.kit.kernel_call``)."""
    return make_in_kernel(path, *args, **kwargs)


def _trial_hook() -> type:
    from torchbearer.callbacks import Callback

    def event(name: str):
        def method(self, state):
            if self.event == name:
                return self.fn(state)
            return None

        method.__name__ = name
        return method

    names = [name for name in dir(Callback) if name.startswith("on_")]
    body = {name: event(name) for name in names}

    def __init__(self, event: str, fn: Callable):  # noqa: N807 - the class's constructor
        Callback.__init__(self)
        if event not in names:
            raise ValueError(f"torchbearer callbacks have no event {event!r}")
        self.event, self.fn = event, fn

    body.update(__init__=__init__, __module__=__name__, __qualname__="TrialHook", __doc__=TrialHookDoc)
    return type("TrialHook", (Callback,), body)


TrialHookDoc = "A torchbearer callback that calls ``fn(state)`` on one event (``TrialHook('on_step_training', fn)``)."


def __getattr__(name: str) -> Any:
    """``TrialHook`` is made on first use, so that importing the probes does not import torchbearer."""
    if name == "TrialHook":
        cls = globals()["TrialHook"] = _trial_hook()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
