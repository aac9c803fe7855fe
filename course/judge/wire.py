"""What crosses between the judge and the student's kernel: data only.

A message is a tree of ``None``, ``bool``, ``int``, ``float``, ``str``, lists, tuples, dicts with string keys,
``bytes`` and ``torch.Tensor`` s, written as JSON with each tensor as its dtype, shape and raw bytes: reading it back
builds nothing but those (``json.loads`` and ``torch.frombuffer``), so reading a message from a hostile kernel cannot
run its code.  It has two forms: text (``dumps``/``loads``: the raw bytes inline in base64), for the request a cell's
code carries, and a frame (``pack``/``unpack``: a JSON head, then the raw bytes as they are), for the judge's line,
where a data set's worth of tensors is read in a few copies instead of base64 and a JSON string.  Everything else is
encoded by the two sides into that tree:

  * ``{"~t": tensor, "grad": tensor | None, "rg": bool}``  a tensor with its gradient and ``requires_grad`` flag;
  * ``{"~np": tensor}``  a NumPy array (numeric), ``{"~set": [...]}``, ``{"~dict": [[key, value], ...]}``;
  * ``{"~mod": name}``  a library's module: the judge uses its own copy, never the kernel's (other modules, and
    those that reach files and processes, ``wire.KERNEL_SIDE``, stay in the kernel as handles);
  * ``{"~h": id, "types": [...], "repr": str}``  a handle: an object that stays in the kernel.
"""

from __future__ import annotations

import base64
import json
import types
from typing import Any

MAX_MESSAGE = 512 * 1024**2  # bytes of one reply: a model's worth of tensors, not a data set's
PLAIN = (type(None), bool, int, float, str)


HEAD = 8  # bytes of a frame's head length


def dumps(tree: Any) -> str:
    """A message as JSON text: tensors as their dtype, shape and raw bytes (base64), tuples tagged."""
    return json.dumps(_to_json(tree, 0, None), allow_nan=True, separators=(",", ":"))


def loads(text: str) -> Any:
    """Read a message; raises ``ValueError`` for anything that is not a well-formed message of data.  JSON and raw
    tensor bytes only: reading cannot build any other object, so a forged message cannot run code."""
    if not isinstance(text, str) or len(text) > MAX_MESSAGE * 4 // 3 + 4096:
        raise ValueError("the message is too large or not text")
    return _read(lambda: _from_json(json.loads(text), 0, None))


def pack(tree: Any) -> bytes:
    """A message as a frame: the length of its JSON head (``HEAD`` bytes), the head ``{"tree": ..., "parts": [n,
    ...]}``, where each tensor and ``bytes`` names its part by number, then the parts' raw bytes one after another."""
    parts: list = []
    tree_json = _to_json(tree, 0, parts)
    head = json.dumps({"tree": tree_json, "parts": [len(p) for p in parts]}, allow_nan=True, separators=(",", ":"))
    encoded = head.encode("utf-8", "surrogatepass")
    return b"".join([len(encoded).to_bytes(HEAD, "big"), encoded, *parts])


def unpack(frame: bytes) -> Any:
    """Read a frame of ``pack``; raises ``ValueError`` as ``loads`` does, and for parts that do not add up."""
    if not isinstance(frame, bytes | bytearray) or not HEAD <= len(frame) <= MAX_MESSAGE + (1 << 24):
        raise ValueError("the frame is too large or not bytes")

    def read() -> Any:
        view = memoryview(frame)
        size = int.from_bytes(view[:HEAD], "big")
        head = json.loads(bytes(view[HEAD : HEAD + size]).decode("utf-8", "surrogatepass"))
        sizes = head.get("parts") if type(head) is dict else None
        if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes):
            raise ValueError("a frame without its parts' sizes")
        if HEAD + size + sum(sizes) != len(frame):
            raise ValueError("a frame whose parts do not add up")
        parts, at = [], HEAD + size
        for n in sizes:
            parts.append(view[at : at + n])
            at += n
        return _from_json(head.get("tree"), 0, parts)

    return _read(read)


def _read(read) -> Any:
    try:
        return read()
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a forged message holds, it is only a bad message
        raise ValueError(f"not a message of data ({type(exc).__name__})") from None


_DTYPES = {
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64", "complex64",
    "complex128",
}  # fmt: skip


def _raw(data: bytes, parts: list | None) -> Any:
    """Raw bytes in a message: inline as base64 (text), or the number of their part (a frame)."""
    if parts is None:
        return base64.b64encode(data).decode("ascii")
    parts.append(data)
    return len(parts) - 1


def _raw_back(entry: Any, parts: list | None) -> Any:
    """The raw bytes ``_raw`` wrote (a bytes-like object; a frame's part is used as it is, not copied)."""
    if parts is None:
        return base64.b64decode(str(entry).encode("ascii"), validate=True)
    if type(entry) is not int or not 0 <= entry < len(parts):
        raise ValueError("a part that the frame does not have")
    return parts[entry]


def _to_json(tree: Any, depth: int, parts: list | None) -> Any:
    import torch

    if depth > 60:
        raise ValueError("data nested too deep")
    kind = type(tree)
    if kind in PLAIN:
        return tree
    if kind is list:
        return [_to_json(v, depth + 1, parts) for v in tree]
    if kind is tuple:
        return {"~tuple": [_to_json(v, depth + 1, parts) for v in tree]}
    if kind is dict:
        return {str(k): _to_json(v, depth + 1, parts) for k, v in tree.items()}
    if kind is bytes:
        return {"~bytes": _raw(tree, parts)}
    if isinstance(tree, torch.Tensor):
        t = tree.detach().cpu()
        if t.layout != torch.strided:
            t = t.to_dense()
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in _DTYPES:
            raise ValueError(f"a tensor of dtype {dtype} cannot be sent")
        entry: dict = {"~raw": dtype, "shape": list(t.shape)}
        span = 1 + sum((n - 1) * st for n, st in zip(t.shape, t.stride(), strict=True)) if t.numel() else 0
        if not t.is_contiguous() and 0 < span <= 4 * t.numel() + 64:
            # a view (a transpose, every other row): its strides travel, so that it arrives as a view again
            flat = t.as_strided((span,), (1,), t.storage_offset()).contiguous()
            entry["stride"] = list(t.stride())
        else:
            flat = t.contiguous().reshape(-1)
            if flat.numel() == 1 and flat.stride(0) != 1:  # one element may keep any stride (an expanded scalar)
                flat = flat.clone(memory_format=torch.contiguous_format)
        entry["data"] = _raw(memoryview(flat.view(torch.uint8).numpy()), parts)  # the bytes as they are, uncopied
        return entry
    raise ValueError(f"a {kind.__name__} is not data")


def _from_json(tree: Any, depth: int, parts: list | None) -> Any:
    import torch

    if depth > 60:
        raise ValueError("data nested too deep")
    kind = type(tree)
    if kind in PLAIN:
        return tree
    if kind is list:
        return [_from_json(v, depth + 1, parts) for v in tree]
    if kind is not dict:
        raise ValueError(f"unexpected {kind.__name__} in a message")
    if "~tuple" in tree:
        items = tree["~tuple"]
        if type(items) is not list:
            raise ValueError("a malformed tuple")
        return tuple(_from_json(v, depth + 1, parts) for v in items)
    if "~bytes" in tree:
        return bytes(_raw_back(tree["~bytes"], parts))
    if "~raw" in tree:
        dtype_name, shape = tree["~raw"], tree.get("shape")
        if dtype_name not in _DTYPES or type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise ValueError("a malformed tensor")
        dtype = getattr(torch, dtype_name)
        raw = _raw_back(tree.get("data", ""), parts)
        numel = 1
        for n in shape:
            numel *= n
        stride = tree.get("stride")
        if stride is not None:
            if (
                type(stride) is not list
                or len(stride) != len(shape)
                or not all(type(n) is int and n >= 0 for n in stride)
            ):
                raise ValueError("a malformed tensor")
            numel = 1 + sum((n - 1) * st for n, st in zip(shape, stride, strict=True)) if numel else 0
        stored = torch.int16 if dtype == torch.bfloat16 else dtype
        if len(raw) != numel * torch.empty((), dtype=stored).element_size():
            raise ValueError("a tensor whose bytes do not match its shape")
        if numel == 0:
            return torch.empty(shape, dtype=dtype)
        flat = torch.frombuffer(bytearray(raw), dtype=stored)
        flat = flat.view(torch.bfloat16) if dtype == torch.bfloat16 else flat
        return flat.as_strided(shape, stride) if stride is not None else flat.reshape(shape)
    return {k: _from_json(v, depth + 1, parts) for k, v in tree.items()}


def tensors(tree: Any) -> list:
    """The tensors in a call's arguments, depth first: both sides walk their copy in this order, so that the i-th
    tensor here is the i-th there."""
    import torch

    if isinstance(tree, torch.Tensor):
        return [tree]
    if type(tree) in (list, tuple):
        return [t for item in tree for t in tensors(item)]
    if type(tree) is dict:
        return [t for item in tree.values() for t in tensors(item)]
    return []


def gradients(grads: Any, like: list) -> list:
    """The gradients a backward pass across the boundary returns, one per input (``like``: their shapes and dtypes),
    in the inputs' dtypes; ``None`` where the other side sent nothing usable."""
    import torch

    grads = list(grads) if isinstance(grads, list) else []
    out = []
    for i, (shape, dtype) in enumerate(like):
        g = grads[i] if i < len(grads) else None
        out.append(g.to(dtype) if isinstance(g, torch.Tensor) and g.shape == shape else None)
    return out


# Libraries a test may use by the name the notebook gave them: the judge imports its own copy.
LIBRARIES = {
    "torch", "torchvision", "torchbearer", "numpy", "scipy", "sklearn", "matplotlib", "PIL", "pandas", "math",
    "random", "itertools", "functools", "collections", "time", "statistics", "copy", "course",
}  # fmt: skip


# Modules that reach the file system and other processes: in a judged test they are the kernel's (the files are the
# student's, in the kernel's folder, and a script of the student's runs there), reached through handles.
KERNEL_SIDE = {"os", "pathlib", "shutil", "tempfile", "subprocess", "glob", "resource", "posixpath"}


def is_library(module: str) -> bool:
    """Whether ``module`` belongs to a known library or the standard library (not, say, the student's script)."""
    import sys

    return module.split(".")[0] in LIBRARIES | set(sys.stdlib_module_names)


def judge_copy(module: str) -> bool:
    """Whether the judge uses its own copy of ``module`` (a library's), rather than the kernel's through a handle."""
    return is_library(module) and module.split(".")[0] not in KERNEL_SIDE


def fingerprint(module: Any) -> tuple:
    """What changes when a module's weights change in place or are replaced, or its modes change (both sides use it
    to tell whether a linked module must be sent again)."""
    weights = tuple((k, v.data_ptr(), v._version, tuple(v.shape)) for k, v in module.state_dict().items())
    return weights, tuple(bool(m.training) for m in module.modules())


def type_names(obj: Any) -> list[str]:
    return [f"{k.__module__}.{k.__qualname__}" for k in type(obj).__mro__]


def encode(value: Any, handle, depth: int = 0) -> Any:
    """``value`` as a tree of data; ``handle(obj)`` makes the entry of anything that is not data."""
    import torch

    if depth > 50:
        raise ValueError("data nested more than 50 levels deep")
    if type(value) in PLAIN:
        return value
    if isinstance(value, torch.Tensor) and type(value) in (torch.Tensor, torch.nn.Parameter):
        if value.device.type == "meta":  # no values: its shape and dtype are all there is
            return {"~meta": str(value.dtype).removeprefix("torch."), "shape": list(value.shape)}
        t = value.detach()
        grad = value.grad.detach() if value.is_leaf and value.grad is not None else None
        return {"~t": t.cpu(), "grad": None if grad is None else grad.cpu(), "rg": bool(value.requires_grad)}
    kind = type(value)
    if kind.__module__ == "numpy":
        import numpy as np

        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return value.item()
        if kind is np.ndarray and value.dtype.kind in "biuf":
            return {"~np": torch.from_numpy(np.ascontiguousarray(value))}
    if kind in (list, tuple):
        items = [encode(v, handle, depth + 1) for v in value]
        return items if kind is list else tuple(items)
    if kind is dict:
        if all(type(k) is str and not k.startswith("~") for k in value):
            return {k: encode(v, handle, depth + 1) for k, v in value.items()}
        return {"~dict": [[encode(k, handle, depth + 1), encode(v, handle, depth + 1)] for k, v in value.items()]}
    if kind in (set, frozenset):
        return {"~set": [encode(v, handle, depth + 1) for v in value]}
    if kind is torch.dtype:
        return {"~dtype": str(value).removeprefix("torch.")}
    if kind is torch.device:
        return {"~device": str(value)}
    if isinstance(value, types.ModuleType) and judge_copy(str(getattr(value, "__name__", ""))):
        return {"~mod": str(value.__name__)}
    return handle(value)


def decode(tree: Any, remote, depth: int = 0) -> Any:
    """The value a tree of data stands for; ``remote(entry)`` makes the stand-in of a handle."""
    import torch

    if depth > 50:
        raise ValueError("data nested more than 50 levels deep")
    kind = type(tree)
    if kind in PLAIN:
        return tree
    if isinstance(tree, torch.Tensor):
        return tree
    if kind in (list, tuple):
        items = [decode(v, remote, depth + 1) for v in tree]
        return items if kind is list else tuple(items)
    if kind is not dict:
        raise ValueError(f"unexpected {kind.__name__} in a message")
    if "~t" in tree:
        t = tree["~t"]
        if not isinstance(t, torch.Tensor):
            raise ValueError("a tensor entry without a tensor")
        if tree.get("rg") and (t.is_floating_point() or t.is_complex()):
            t.requires_grad_(True)
        grad = tree.get("grad")
        if isinstance(grad, torch.Tensor) and grad.shape == t.shape and t.requires_grad:
            t.grad = grad.to(t.dtype)
        return t
    if "~np" in tree:
        return tree["~np"].numpy()
    if "~set" in tree:
        return set(decode(v, remote, depth + 1) for v in tree["~set"])
    if "~dict" in tree:
        return {decode(k, remote, depth + 1): decode(v, remote, depth + 1) for k, v in tree["~dict"]}
    if "~dtype" in tree:
        dtype = getattr(torch, str(tree["~dtype"]), None)
        if not isinstance(dtype, torch.dtype):
            raise ValueError("not a dtype")
        return dtype
    if "~device" in tree:
        return torch.device(str(tree["~device"]))
    if "~meta" in tree:
        dtype, shape = getattr(torch, str(tree["~meta"]), None), tree.get("shape")
        if (
            not isinstance(dtype, torch.dtype)
            or type(shape) is not list
            or not all(type(n) is int and n >= 0 for n in shape)
        ):
            raise ValueError("a malformed meta tensor")
        return torch.empty(shape, dtype=dtype, device="meta")
    if "~h" in tree or "~mod" in tree:
        return remote(tree)
    return {str(k): decode(v, remote, depth + 1) for k, v in tree.items()}
