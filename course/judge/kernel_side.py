"""The kernel's half of the judge's protocol: ``serve(request)`` runs one request in the student's kernel.

The judge sends ``__import__("course.judge.kernel_side").judge.kernel_side.serve("<message>")`` as a cell of its
own and reads the reply from the display output it publishes (``wire.MIME``).  Everything here runs among the
student's code and can be replaced by it: the judge trusts none of it beyond "this is what the kernel answered", and
reads the reply as data only.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

from ..checks import Stub
from . import wire

_handles: dict[int, Any] = {}
_stubs: dict[int, Stub] = {}
_graphs: dict[int, tuple] = {}  # values computed here with autograd, and the judge's tensors they depend on
_watch = None


OPERATORS = {
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor", "lshift", "rshift",
    "lt", "le", "gt", "ge", "eq", "ne", "neg", "pos", "abs", "invert", "float", "int", "complex", "index",
}  # fmt: skip


def _shell():
    return get_ipython()  # type: ignore[name-defined]  # noqa: F821 - an IPython builtin in kernels


def _handle(obj: Any) -> dict:
    key = len(_handles) + 1
    _handles[key] = obj
    try:
        text = repr(obj)[:300]
    except Exception:  # noqa: BLE001 - a broken __repr__ is the student's
        text = f"<{type(obj).__name__}>"
    return {"~h": key, "types": wire.type_names(obj), "repr": text}


def _resolve(entry: dict) -> Any:
    if "~pickle" in entry:  # library objects the judge built (the pickle comes from the grader, not a student)
        import base64
        import io
        import pickle

        unpickler = pickle.Unpickler(io.BytesIO(base64.b64decode(str(entry["~pickle"]))))
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
    if "~stub" in entry:
        stub = Stub(_decode(entry.get("returns")))
        _stubs[int(entry["~stub"])] = stub
        return stub
    return _handles[int(entry["~h"])]


def _decode(tree: Any) -> Any:
    if type(tree) is dict and ("~stub" in tree or "~fn" in tree or "~pickle" in tree):
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


def _rerun(code: str, name: str, overrides: dict) -> Any:
    shell = _shell()
    namespace = dict(shell.user_ns)
    namespace.update(overrides)
    try:
        code = shell.transform_cell(code)
    except Exception:  # noqa: BLE001 - run the cell as written
        pass
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            exec(compile(code, "<answer cell, run again>", "exec"), namespace)
        except SystemExit:
            pass
    if name not in namespace:
        raise NameError(f"the cell did not assign `{name}` when run again")
    return namespace[name]


def _after_call(arg: Any, torch) -> Any:
    """What a call did to an argument the judge sent by value, for the judge to do to its own copy: a tensor's new
    values, a module's new weights and training flags."""
    if isinstance(arg, torch.Tensor):
        return _encode(arg)
    if isinstance(arg, torch.nn.Module):
        state = {k: v.detach().cpu() for k, v in arg.state_dict().items() if isinstance(v, torch.Tensor)}
        return {"state": state, "training": [bool(m.training) for m in arg.modules()]}
    return None


def _run(request: dict) -> dict:
    global _watch
    op = request["op"]
    if op == "get":
        ns = _shell().user_ns
        if request["name"] not in ns:
            raise NameError(f"name {request['name']!r} is not defined")
        return {"value": _encode(ns[request["name"]])}
    if op == "path":  # a library function of the kernel's, e.g. torch.manual_seed
        from ..checks import _resolve as resolve_path

        owner, attr = resolve_path(request["path"])
        fn = getattr(owner, attr)
        return {"value": _encode(fn(*_decode(request["args"]), **_decode(request["kwargs"])))}
    if op == "rerun":
        return {"value": _encode(_rerun(request["code"], request["name"], _decode(request["overrides"])))}
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
    if op == "backward":  # gradients of a value computed here, for the judge's autograd
        import torch

        value, inputs = _graphs[int(request["graph"])]
        grads = torch.autograd.grad(
            value, inputs, grad_outputs=_decode(request["grad"]), allow_unused=True, retain_graph=True
        )
        return {"value": _encode(list(grads))}
    obj = _handles[int(request["h"])]
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
        value = obj(*args, **kwargs)
        import torch

        after = [_after_call(a, torch) for a in args]
        reply = {"value": _encode(value), "args": after}
        if isinstance(value, torch.Tensor) and value.grad_fn is not None:  # the judge may backpropagate through it
            inputs = [t for t in wire.tensors((args, kwargs)) if t.requires_grad and t.is_leaf]
            if inputs:
                _graphs[len(_graphs) + 1] = (value, inputs)
                reply.update(graph=len(_graphs), inputs=len(inputs))
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
    if op == "len":
        return {"value": len(obj)}
    if op == "repr":
        return {"value": str(repr(obj))}
    if op == "str":
        return {"value": str(obj)}
    if op == "bool":
        return {"value": bool(obj)}
    raise ValueError(f"unknown request {op!r}")


def serve(message: str) -> None:
    """Answer one request of the judge with a display output of type ``wire.MIME``."""
    from IPython.display import publish_display_data

    try:
        request = wire.loads(message)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reply = _run(request)
    except BaseException as exc:  # noqa: BLE001 - every failure of the student's code is an answer too
        if isinstance(exc, KeyboardInterrupt):
            raise
        reply = {"error": {"types": wire.type_names(exc), "message": str(exc)[:4000]}}
    try:
        text = wire.dumps(reply)
    except Exception as exc:  # noqa: BLE001 - e.g. a value that is not data nested in a list
        text = wire.dumps({"error": {"types": wire.type_names(exc), "message": f"cannot send the value: {exc}"}})
    publish_display_data({wire.MIME: text})
