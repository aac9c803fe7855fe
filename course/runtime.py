"""Seeding, device choice, grading mode and progress bars."""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterable
from importlib import metadata
from typing import TypeVar

T = TypeVar("T")


def grading() -> bool:
    """True while nbgrader executes the notebook (it sets ``NBGRADER_EXECUTION``) or ``COURSE_FAST=1``."""
    return bool(os.environ.get("NBGRADER_EXECUTION")) or os.environ.get("COURSE_FAST", "") not in ("", "0")


GRADING = grading()


def scale(full: T, fast: T) -> T:
    """Pick ``fast`` while grading (small data, few epochs) and ``full`` otherwise."""
    return fast if grading() else full


def seed_everything(seed: int = 0) -> int:
    """Seed Python's, NumPy's and PyTorch's random number generators (CPU and every GPU)."""
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    try:
        import torch

        torch.manual_seed(seed)  # also seeds every CUDA device
    except ImportError:
        pass
    return seed


def get_device(prefer: str | None = None, verbose: bool = True):
    """The device to train on: ``cuda`` if a GPU is there, else Apple's ``mps``, else ``cpu``.

    ``prefer`` (or the environment variable ``COURSE_DEVICE``) forces a choice, e.g. ``"cpu"``.
    """
    import torch

    choice = prefer or os.environ.get("COURSE_DEVICE")
    if choice:
        device = torch.device(choice)
    elif torch.cuda.is_available():
        device = torch.device("cuda")
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = torch.device("mps")
    else:
        device = torch.device("cpu")
    if verbose:
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else device.type
        print(f"Using device: {device} ({name})")
    return device


def progress(iterable: Iterable[T], **kwargs) -> Iterable[T]:
    """A tqdm progress bar that stays silent while grading (tqdm writes to stderr, which zeroes a test cell) and when
    ``COURSE_PROGRESS=off`` (``course build`` sets it: a stored progress widget shows as "0%" in notebook previews)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return iterable
    kwargs.setdefault("disable", grading() or os.environ.get("COURSE_PROGRESS") == "off")
    kwargs.setdefault("file", sys.stdout)
    return tqdm(iterable, **kwargs)


def versions(*packages: str) -> dict[str, str]:
    """Print and return the versions of Python and the given packages (default: the course's stack)."""
    packages = packages or ("torch", "torchvision", "numpy", "matplotlib", "scikit-learn")
    found = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    print("  ".join(f"{k} {v}" for k, v in found.items()))
    return found
