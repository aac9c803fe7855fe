"""The kernel's half of the judge's protocol: ``serve(request)`` runs one request in the student's kernel.

The judge sends ``__import__("course.judge.kernel_side").judge.kernel_side.serve("<message>", "<line>")`` as a cell
of its own; the reply goes back over the judge's line (a unix socket, ``judge/line.py``), to which this module
connects once per kernel (``judge/channel.py``); while it waits for the judge to acknowledge, the judge may send more
requests, and a function of the judge's that the student's code calls (a ``_Callback``) asks the judge the same
way.  Everything here runs among the student's code and can be replaced by
it: the judge trusts none of it beyond "this is what the kernel answered", and reads the reply as data only.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..checks import Stub, run_cell_again
from . import wire

_handles: dict[int, Any] = {}
_originals: dict[str, Any] = {}  # library attributes a test replaced, as they were
_ABSENT = object()
_versions: dict[int, tuple] = {}  # id() of a module sent back to the judge -> its weights' versions then
_keys: dict[int, int] = {}  # id() of a handled object -> its key: the same object is always the same handle
_stubs: dict[int, Stub] = {}
_graphs: dict[int, tuple] = {}  # values computed here with autograd, and the judge's tensors they depend on
_watch = None
_line: tuple[str, Any] | None = None  # (the judge's socket, its Line) once connected
KEPT_GRAPHS = 16


class _Callback:
    """A function of the judge's (a reference implementation, an objective, a schedule) handed to the student's
    code: calling it asks the judge, which runs it and answers with data.  A tensor it returns keeps its autograd
    link to the arguments: the backward pass asks the judge for the gradients."""

    def __init__(self, key: int):
        self.key = key

    def __repr__(self) -> str:
        return "<function of the judge's>"

    def __call__(self, *args, **kwargs):
        import torch

        inputs = [t for t in wire.tensors((list(args), kwargs)) if t.requires_grad]
        # the function runs with the kernel's random state, as the student's code would (a reference model built
        # by it gets the initial weights the student's own would); the state it leaves comes back
        rng = _encode(torch.get_rng_state())
        order = _talk({"callback": self.key, "arguments": _encode((list(args), kwargs)), "rng": rng})
        state = _decode(order.get("rng"))
        if (
            isinstance(state, torch.Tensor)
            and state.dtype == torch.uint8
            and state.shape == torch.get_rng_state().shape
        ):
            torch.set_rng_state(state)
        value = _decode(order.get("value"))
        if isinstance(order.get("graph"), int) and inputs and isinstance(value, torch.Tensor):
            value = _judge_graph().apply(order["graph"], value.detach(), *inputs)
        return value


def _judge_graph():
    import torch

    class JudgeGraph(torch.autograd.Function):
        @staticmethod
        def forward(ctx, graph, value, *inputs):
            ctx.graph, ctx.shapes = graph, [(t.shape, t.dtype) for t in inputs]
            return value.clone()

        @staticmethod
        def backward(ctx, grad):
            grads = _decode(_talk({"backward": ctx.graph, "grad": _encode(grad)}).get("value"))
            return (None, None, *wire.gradients(grads, ctx.shapes))

    return JudgeGraph


def _talk(message: dict | bytes) -> dict:
    """Tell the judge ``message`` (a message or its frame) and return its answer; requests the judge sends meanwhile
    are served first."""
    if _line is None:
        raise RuntimeError("the judge's line is not connected")
    line = _line[1]
    while True:
        line.send(message if isinstance(message, bytes) else wire.pack(message))
        order = wire.unpack(line.receive())
        if type(order) is not dict:
            raise RuntimeError("the judge's answer was not understood")
        if "serve" in order:
            message = _answer(order["serve"])
            continue
        if "raise" in order:
            error = order["raise"] if type(order["raise"]) is dict else {}
            raise RuntimeError(f"a function of the test failed: {error.get('message', '')}")
        return order


OPERATORS = {
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor", "lshift", "rshift",
    "lt", "le", "gt", "ge", "eq", "ne", "neg", "pos", "abs", "invert", "float", "int", "complex", "index",
}  # fmt: skip


def _shell():
    return get_ipython()  # type: ignore[name-defined]  # noqa: F821 - an IPython builtin in kernels


def _key(obj: Any) -> int:
    if _handled(obj):
        return _keys[id(obj)]
    key = _keys[id(obj)] = len(_handles) + 1
    _handles[key] = obj  # kept: the id stays this object's while the handle lives
    return key


def _handled(obj: Any) -> bool:
    key = _keys.get(id(obj))
    return key is not None and _handles.get(key) is obj


def _handle(obj: Any) -> dict:
    key = _key(obj)
    try:
        text = repr(obj)[:300]
    except Exception:  # noqa: BLE001 - a broken __repr__ is the student's
        text = f"<{type(obj).__name__}>"
    entry = {"~h": key, "types": wire.type_names(obj), "repr": text}
    if isinstance(obj, type) and "<" not in obj.__qualname__:  # the judge uses its own copy of a library's class
        entry["class"] = f"{obj.__module__}:{obj.__qualname__}"
    return entry


def _resolve(entry: dict) -> Any:
    if "~pickle" in entry:  # library objects the judge built (the pickle comes from the grader, not a student)
        import io
        import pickle

        unpickler = pickle.Unpickler(io.BytesIO(entry["~pickle"]))
        unpickler.persistent_load = lambda pid: _resolve(pid[0])  # a reference: one of ours, a stub, a function
        return unpickler.load()
    if "~fn" in entry:  # a function of a visible check, defined among the student's names
        namespace = dict(_shell().user_ns)
        source, name = str(entry["~fn"]), str(entry["name"])
        if name == "<lambda>":
            fn = eval(compile(source, "<visible check>", "eval"), namespace)
        else:
            exec(compile(source, "<visible check>", "exec"), namespace)
            fn = namespace[name]
        defaults = _decode(entry.get("defaults"))
        if defaults:
            fn.__defaults__ = tuple(defaults)
        return fn
    if "~cb" in entry:
        return _Callback(int(entry["~cb"]))
    if "~stub" in entry:
        stub = Stub(_decode(entry.get("returns")))
        _stubs[int(entry["~stub"])] = stub
        return stub
    return _handles[int(entry["~h"])]


def _decode(tree: Any) -> Any:
    if type(tree) is dict and ("~stub" in tree or "~fn" in tree or "~pickle" in tree or "~cb" in tree):
        return _resolve(tree)
    if type(tree) is list:
        return [_decode(v) for v in tree]
    if type(tree) is tuple:
        return tuple(_decode(v) for v in tree)
    if type(tree) is dict and not any(k.startswith("~") for k in tree):
        return {k: _decode(v) for k, v in tree.items()}
    return wire.decode(tree, _resolve)


def _encode(value: Any) -> Any:
    return wire.encode(value, _handle)


def _keep_graph(value: Any, inputs: list) -> int:
    """Keep a value computed with autograd for the judge's backward pass; only the latest few are kept (each holds
    its graph's memory)."""
    key = max(_graphs, default=0) + 1
    _graphs[key] = (value, inputs)
    for old in sorted(_graphs)[:-KEPT_GRAPHS]:
        del _graphs[old]
    return key


def _after_call(arg: Any, by_value: bool, torch) -> Any:
    """What a call did to an argument the judge sent by value, for the judge to do to its own copy: a tensor's new
    values, a module's new weights and training flags (and its key, so that later calls can report them again).
    An argument the judge sent as a handle is the kernel's own: nothing comes back."""
    if isinstance(arg, torch.Tensor):
        return _encode(arg)
    if isinstance(arg, torch.nn.Module) and by_value:
        return dict(_module_state(arg, torch), link=_key(arg))
    if isinstance(arg, torch.optim.Optimizer) and by_value:  # e.g. its moments, loaded from a checkpoint
        return {"optimizer": _encode(arg.state_dict())}
    return None


def _module_state(module: Any, torch) -> dict:
    tensors = {k: v for k, v in module.state_dict().items() if isinstance(v, torch.Tensor)}
    _versions[id(module)] = wire.fingerprint(module)
    return {"state": {k: v.detach().cpu() for k, v in tensors.items()}, "training": list(_versions[id(module)][1])}


def _linked_state(module: Any, torch) -> dict | None:
    """A linked module's weights and modes for the judge, or ``None`` when nothing changed since they were sent."""
    if not isinstance(module, torch.nn.Module) or _versions.get(id(module)) == wire.fingerprint(module):
        return None
    return _module_state(module, torch)


def _run(request: dict) -> dict:
    global _watch
    op = request["op"]
    if op == "get":
        ns = _shell().user_ns
        if request["name"] not in ns:
            raise NameError(f"name {request['name']!r} is not defined")
        return {"value": _encode(ns[request["name"]])}
    if op == "assign":  # a test gave one of the student's names another value (a reference, or the original back)
        _shell().user_ns[request["name"]] = _decode(request["value"])
        return {"value": None}
    if op == "path":  # a library function of the kernel's, e.g. torch.manual_seed (``keep``: its result stays here)
        from ..checks import _resolve as resolve_path

        owner, attr = resolve_path(request["path"])
        fn = getattr(owner, attr)
        value = fn(*_decode(request["args"]), **_decode(request["kwargs"]))
        return {"value": _handle(value) if request.get("keep") is True else _encode(value)}
    if op == "patch":  # a test replaced a library's attribute (torch.cuda.is_available), or put it back
        from ..checks import _resolve as resolve_path

        path = str(request["path"])
        owner, attr = resolve_path(path)
        if request.get("restore") is True:
            if path in _originals:
                original = _originals.pop(path)
                if original is _ABSENT:
                    delattr(owner, attr)
                else:
                    setattr(owner, attr, original)
            return {"value": None}
        _originals.setdefault(path, getattr(owner, attr, _ABSENT))
        setattr(owner, attr, _decode(request["value"]))
        return {"value": None}
    if op == "import":  # a module of files and processes (os, pathlib, subprocess...), for the judge's test
        import importlib

        name = str(request["name"])
        if name.split(".")[0] not in wire.KERNEL_SIDE:
            raise ImportError(f"the judge imports {name} itself")
        return {"value": _handle(importlib.import_module(name))}
    if op == "rerun":
        value = run_cell_again(request["code"], request["name"], _decode(request["overrides"]))
        return {"value": _encode(value)}
    if op == "stub_calls":
        stub = _stubs.get(int(request["stub"]))
        return {"value": _encode(stub.calls if stub else [])}
    if op == "watch":
        from ..checks import watch_calls

        if _watch is not None:
            _watch.__exit__(None, None, None)
        _watch = watch_calls(request["watch"], request["forbid"])
        _watch.__enter__()
        return {"value": None}
    if op == "unwatch":
        counts = {}
        if _watch is not None:
            counts = dict(_watch.calls)
            _watch.__exit__(None, None, None)
            _watch = None
        return {"value": counts}
    if op == "backward":  # the judge's backward pass through a value computed here
        import torch

        if int(request["graph"]) not in _graphs:
            raise RuntimeError("the value's autograd graph is no longer kept: call backward() sooner")
        value, inputs = _graphs.pop(int(request["graph"]))
        for t in inputs:
            t.grad = None
        # the kernel's own leaves (a model's weights) get their gradients, the judge's tensors report theirs
        torch.autograd.backward(value, grad_tensors=_decode(request["grad"]))
        return {"value": _encode([t.grad for t in inputs])}
    obj = _handles[int(request["h"])]
    if op == "load":  # the judge changed its copy of a linked module: the same change here
        obj.load_state_dict(_decode(request["state"]))
        training = _decode(request["training"])
        modules = list(obj.modules())
        if isinstance(training, list) and len(training) == len(modules):
            for module, flag in zip(modules, training, strict=True):
                module.training = bool(flag)
        _versions[id(obj)] = wire.fingerprint(obj)  # nothing new to report until the student's code runs
        return {"value": None}
    if op == "type":
        return {"value": _handle(type(obj))}
    if op == "getattr":
        return {"value": _encode(getattr(obj, request["name"]))}
    if op == "setattr":
        setattr(obj, request["name"], _decode(request["value"]))
        return {"value": None}
    if op in ("call", "lines"):
        args, kwargs = _decode(request["arguments"])
        if op == "lines":
            from ..checks import count_lines

            return {"value": count_lines(obj, *args, **kwargs)}
        by_value = [not _handled(a) for a in args]  # before the call: the student's code may hand them over
        value = obj(*args, **kwargs)
        import torch

        after = [_after_call(a, fresh, torch) for a, fresh in zip(args, by_value, strict=True)]
        reply = {"value": _encode(value), "args": after}
        linked = [_handles.get(k) for k in request.get("links", []) if type(k) is int]
        reply["linked"] = [_linked_state(m, torch) for m in linked]
        if isinstance(value, torch.Tensor) and value.grad_fn is not None:  # the judge may backpropagate through it
            inputs = [t for t in wire.tensors((args, kwargs)) if t.requires_grad and t.is_leaf]
            reply.update(graph=_keep_graph(value, inputs), inputs=len(inputs))
        return reply
    if op == "operator":  # x + y, -x, x < y ... with the student's object on either side
        import operator

        name = str(request["name"])
        if name not in OPERATORS:
            raise ValueError(f"unknown operator {name!r}")
        import builtins

        fn = getattr(operator, name) if name not in ("float", "int", "complex") else getattr(builtins, name)
        args = _decode(request["args"])
        operands = [*args, obj] if request.get("reflected") else [obj, *args]
        return {"value": _encode(fn(*operands))}
    if op == "isinstance":
        return {"value": bool(isinstance(_decode(request["args"])[0], obj))}
    if op == "setitem":
        obj[_decode(request["key"])] = _decode(request["value"])
        return {"value": None}
    if op == "getitem":
        return {"value": _encode(obj[_decode(request["key"])])}
    if op == "iter":
        items = []
        for n, item in enumerate(obj):
            if n >= 100_000:
                raise OverflowError("more than 100,000 items")
            items.append(item)
        return {"value": _encode(items)}
    if op == "next":
        try:
            return {"value": _encode(next(obj))}
        except StopIteration:
            return {"stop": True}
    if op == "len":
        return {"value": len(obj)}
    if op == "repr":
        return {"value": str(repr(obj))}
    if op == "str":
        return {"value": str(obj)}
    if op == "bool":
        return {"value": bool(obj)}
    raise ValueError(f"unknown request {op!r}")


def _answer(request: Any) -> bytes:
    """The frame of the reply to one request: its value, or the error the student's code raised (a value that is
    not data, nested in a list say, is an error of its own)."""
    try:
        if type(request) is not dict:
            raise ValueError("not a request")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return wire.pack({"reply": _run(request)})
    except BaseException as exc:  # noqa: BLE001 - every failure of the student's code is an answer too
        if isinstance(exc, KeyboardInterrupt):
            raise
        return wire.pack({"reply": {"error": {"types": wire.type_names(exc), "message": str(exc)[:4000]}}})


def serve(message: str, line: str = "") -> None:
    """Answer one request of the judge (and whatever it asks before acknowledging the reply) over its line, the
    socket ``line``."""
    global _line
    if line and (_line is None or _line[0] != line or _line[1].closed):
        from .line import Line

        _line = (line, Line.connect(line))
    try:
        request = wire.loads(message)
    except ValueError:
        request = None
    _talk(_answer(request))
