"""What crosses between the judge and the student's kernel: data only.

A message is a tree of ``None``, ``bool``, ``int``, ``float``, ``str``, lists, tuples, dicts with string keys and
``torch.Tensor`` s, saved with ``torch.save`` and read back with ``torch.load(weights_only=True)``, which refuses to
build any other object -- so reading a message from a hostile kernel cannot run its code.  Everything else is
encoded by the two sides into that tree:

  * ``{"~t": tensor, "grad": tensor | None, "rg": bool}``  a tensor with its gradient and ``requires_grad`` flag;
  * ``{"~np": tensor}``  a NumPy array (numeric), ``{"~set": [...]}``, ``{"~dict": [[key, value], ...]}``;
  * ``{"~mod": name}``  a module: the judge uses its own copy of a library, never the kernel's;
  * ``{"~h": id, "types": [...], "repr": str}``  a handle: an object that stays in the kernel.
"""

from __future__ import annotations

import base64
import io
import types
from typing import Any

MIME = "application/x-course-judge"
MAX_MESSAGE = 512 * 1024**2  # bytes of one reply: a model's worth of tensors, not a data set's
PLAIN = (type(None), bool, int, float, str)


def dumps(tree: Any) -> str:
    import torch

    buffer = io.BytesIO()
    torch.save(tree, buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def loads(text: str) -> Any:
    """Read a message; raises ``ValueError`` for anything that is not a well-formed message of data."""
    import torch

    if not isinstance(text, str) or len(text) > MAX_MESSAGE * 4 // 3 + 4:
        raise ValueError("the message is too large or not text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        return torch.load(io.BytesIO(raw), weights_only=True, map_location="cpu")
    except Exception as exc:  # noqa: BLE001 - whatever a forged message does, it is only a bad message
        raise ValueError(f"not a message of data ({type(exc).__name__})") from None


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
    if isinstance(value, types.ModuleType):
        return {"~mod": str(getattr(value, "__name__", ""))}
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
    if "~h" in tree or "~mod" in tree:
        return remote(tree)
    return {str(k): decode(v, remote, depth + 1) for k, v in tree.items()}
